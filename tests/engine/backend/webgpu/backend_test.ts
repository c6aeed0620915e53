/**
 * Every WebGPU kernel against the CPU backend (`lib/engine/backend/cpu/cpu.ts`, the oracle) on random
 * inputs: sizes that are not multiples of the workgroup sizes, size-1 and large dimensions,
 * broadcasting (0 strides), permuted and offset views. Plus the runtime: the `Params` structs
 * of the WGSL files against the specs, batching across submits, the write-ordering rule, and
 * the pool staying flat over many iterations, and the choice of wgpu's backends (Vulkan alone
 * where a Vulkan driver is installed, so that EGL is never loaded).
 *
 * Tolerances (|gpu − cpu| ≤ atol + rtol·|cpu|; the CPU computes in float64 then rounds):
 * - exact (0): memory ops, copy, cast, where, comparisons, argmax, gathers, scatters of one term
 * - elementwise: rtol 1e-5, atol 1e-6 (transcendentals ≤ a few ulp; gelu's 1 + tanh cancels)
 * - reductions and row kernels: rtol 1e-4, atol 1e-5 · (typical row magnitude)
 * - matmul: rtol 1e-4, atol 1e-4·√K
 * - AdamW: rtol 1e-5, atol 1e-6 after 3 steps
 * - sampling: same seed ⇒ same ids; ≥ 99 % of ids equal to the CPU's (same uniforms, f32 vs
 *   f64 sums); empirical frequencies over 20,000 rows within 0.015 of softmax; top-k never
 *   outside the k largest.
 *
 * Skipped when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import {
  type Backend,
  contiguousStrides,
  fullView,
  numel,
  type Storage,
  type View,
} from "../../../../lib/engine/backend/backend.ts";
import { CpuBackend } from "../../../../lib/engine/backend/cpu/cpu.ts";
import {
  peelCalls,
  vec4Broadcasts,
  vec4Load,
  viewGeometry,
} from "../../../../lib/engine/backend/webgpu/backend.ts";
import { EXAMPLE_CONSTANTS, KERNELS } from "../../../../lib/engine/backend/webgpu/kernels.ts";
import {
  assembleKernel,
  parseParamsStruct,
} from "../../../../lib/engine/backend/webgpu/runtime.ts";
import { gpu, ignore } from "../../../_helpers/gpu.ts";

const cpu = new CpuBackend();

// ---- helpers ------------------------------------------------------------------------------

/** Deterministic uniform floats in [lo, hi) (mulberry32). */
function random(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

function randomInts(n: number, seed: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(random(n, seed, 0, 1), (u) => lo + Math.floor(u * (hi - lo)));
}

interface Tol {
  rtol: number;
  atol: number;
}
const EXACT: Tol = { rtol: 0, atol: 0 };
const ELEMENTWISE: Tol = { rtol: 1e-5, atol: 1e-6 };
const ROWS: Tol = { rtol: 1e-4, atol: 1e-5 };

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const err = Math.abs(a - e);
    if (!(err <= tol.atol + tol.rtol * Math.abs(e))) {
      assert.fail(`${label}: element ${i}: gpu ${a}, cpu ${e} (|diff| ${err})`);
    }
  }
}

type Data = Float32Array | Int32Array;

/**
 * Uploads `inputs` to both backends, runs `fn` on each, reads every output back and compares
 * them; frees everything. `fn` may return one storage or several.
 */
async function compare(
  label: string,
  inputs: Data[],
  fn: (b: Backend, xs: Storage[]) => Storage | Storage[],
  tol: Tol,
): Promise<void> {
  const g = gpu();
  const gIn = inputs.map((d) => g.upload(d));
  const cIn = inputs.map((d) => cpu.upload(d));
  const gOut = [fn(g, gIn)].flat();
  const cOut = [fn(cpu, cIn)].flat();
  for (let i = 0; i < gOut.length; i++) {
    assert.equal(gOut[i].dtype, cOut[i].dtype, `${label}: dtype of output ${i}`);
    assertClose(await g.read(gOut[i]), await cpu.read(cOut[i]), tol, `${label} [out ${i}]`);
  }
  for (const s of new Set([...gIn, ...gOut])) g.free(s); // in-place ops return inputs
}

function view(s: Storage, shape: number[], strides = contiguousStrides(shape), offset = 0): View {
  return { storage: s, shape, strides, offset };
}

/** A permuted view: dims of `shape` (contiguous in storage) reordered by `perm`. */
function permuted(s: Storage, shape: number[], perm: number[]): View {
  const strides = contiguousStrides(shape);
  return view(s, perm.map((p) => shape[p]), perm.map((p) => strides[p]));
}

// ---- specs (no GPU needed) ----------------------------------------------------------------

Deno.test("every kernel's WGSL Params struct matches its spec, field by field", () => {
  for (const [name, spec] of Object.entries(KERNELS)) {
    const code = assembleKernel(spec, EXAMPLE_CONSTANTS[name as keyof typeof KERNELS]);
    const parsed = parseParamsStruct(code);
    assert.deepEqual(parsed, spec.params.map(([n, t]) => [n, t]), `${name} (${spec.file})`);
    assert.ok(!code.includes("{{"), `${name}: unfilled placeholder`);
  }
});

// ---- memory -------------------------------------------------------------------------------

Deno.test({
  name: "webgpu full/upload/write/read round-trip f32 and i32, sizes 0, 1 and odd",
  ignore,
  fn: async () => {
    const g = gpu();
    for (const n of [0, 1, 7, 1025]) {
      const f = random(n, n + 1, -100, 100);
      const i = randomInts(n, n + 2, -1000, 1000);
      const sf = g.upload(f);
      const si = g.upload(i);
      assert.deepEqual(await g.read(sf), f);
      assert.deepEqual(await g.read(si), i);
      const f2 = random(n, n + 3);
      g.write(sf, f2);
      assert.deepEqual(await g.read(sf), f2);
      const full = g.full(n, -2.5, "f32");
      assert.deepEqual(await g.read(full), new Float32Array(n).fill(-2.5));
      const fullI = g.full(n, -7, "i32");
      assert.deepEqual(await g.read(fullI), new Int32Array(n).fill(-7));
      for (const s of [sf, si, full, fullI]) g.free(s);
    }
    assert.throws(() => g.write(g.full(3, 0, "f32"), new Float32Array(2)), RangeError);
  },
});

Deno.test({
  name: "webgpu full() with zero clears a reused pool buffer in queue order, and keeps −0",
  ignore,
  fn: async () => {
    const g = gpu();
    for (const n of [1, 7, 1025]) {
      // A recorded dispatch writes a buffer; freed, it goes back to the pool, and the zero fill
      // that reuses it (a buffer clear, not a kernel) must land after that dispatch.
      const x = g.upload(random(n, n + 5, 1, 2));
      const y = g.unary("neg", fullView(x, [n]));
      const before = await g.read(y);
      const z = g.unary("exp", fullView(y, [n]));
      g.free(y);
      const zeros = g.full(n, 0, "f32");
      const zerosI = g.full(n, 0, "i32");
      assert.deepEqual(await g.read(zeros), new Float32Array(n));
      assert.deepEqual(await g.read(zerosI), new Int32Array(n));
      assertClose(
        await g.read(z),
        before.map(Math.exp),
        { rtol: 1e-6, atol: 0 },
        "exp, freed buffer",
      );
      const negZero = await g.read(g.full(n, -0, "f32"));
      assert.ok(negZero.every((v) => Object.is(v, -0)), "−0 has its sign bit: a fill, not a clear");
      for (const s of [x, z, zeros, zerosI]) g.free(s);
    }
  },
});

Deno.test({
  name: "webgpu write() after recorded work that reads the buffer keeps queue order",
  ignore,
  fn: async () => {
    const g = gpu();
    const x = g.upload(new Float32Array([1, 2, 3]));
    const y = g.unary("neg", fullView(x, [3])); // recorded, not yet submitted
    g.write(x, new Float32Array([10, 20, 30])); // must not overtake the dispatch above
    const z = g.unary("neg", fullView(x, [3]));
    assert.deepEqual(await g.read(y), new Float32Array([-1, -2, -3]));
    assert.deepEqual(await g.read(z), new Float32Array([-10, -20, -30]));
    for (const s of [x, y, z]) g.free(s);
  },
});

Deno.test({
  name: "webgpu long dependent chains span many submits correctly",
  ignore,
  fn: async () => {
    const g = gpu();
    let x = g.upload(new Float32Array([0, 1, 2, 3, 4]));
    const one = g.full(5, 1, "f32");
    const steps = g.runtime.dispatchesPerSubmit * 3 + 5;
    for (let i = 0; i < steps; i++) {
      const next = g.binary("add", fullView(x, [5]), fullView(one, [5]));
      g.free(x);
      x = next;
    }
    assert.deepEqual(await g.read(x), new Float32Array([0, 1, 2, 3, 4].map((v) => v + steps)));
    g.free(x);
    g.free(one);
  },
});

Deno.test({
  name: "webgpu rawKernel() rejects a window binding that is not first or has no size",
  ignore,
  fn: () => {
    const runtime = gpu().runtime;
    const code = "@compute @workgroup_size(1) fn main() {}";
    assert.throws(
      () => runtime.rawKernel("t1", code, ["read", "window"], 16, 256),
      /window binding must come first and have a size/,
    );
    assert.throws(
      () => runtime.rawKernel("t2", code, ["window", "read"], 16),
      /window binding must come first and have a size/,
    );
    assert.throws(
      () => runtime.rawKernel("t3", code, ["read", "read"], 16, 256),
      /window binding must come first and have a size/,
    );
  },
});

// ---- layout -------------------------------------------------------------------------------

Deno.test({
  name: "webgpu copy matches cpu: permuted, broadcast, offset and i32 views (exact)",
  ignore,
  fn: async (t) => {
    const cases: { name: string; src: (s: Storage) => View; dst: (s: Storage) => View }[] = [
      {
        name: "contiguous into offset window",
        src: (s) => view(s, [5, 7]),
        dst: (s) => view(s, [5, 7], [9, 1], 3),
      },
      {
        name: "transpose 3-D",
        src: (s) => permuted(s, [4, 5, 6], [2, 0, 1]),
        dst: (s) => view(s, [6, 4, 5]),
      },
      {
        name: "broadcast row (stride 0)",
        src: (s) => view(s, [33, 70], [0, 1]),
        dst: (s) => view(s, [33, 70]),
      },
      {
        name: "rank 6 with size-1 dims",
        src: (s) => permuted(s, [2, 1, 3, 1, 4, 5], [5, 1, 4, 3, 2, 0]),
        dst: (s) => view(s, [5, 1, 4, 1, 3, 2]),
      },
    ];
    for (const c of cases) {
      await t.step(c.name, async () => {
        for (const dtype of ["f32", "i32"] as const) {
          const srcData = dtype === "f32" ? random(400, 5) : randomInts(400, 5, -50, 50);
          const dstData = dtype === "f32" ? random(400, 6) : randomInts(400, 6, -50, 50);
          await compare(`copy ${c.name} ${dtype}`, [srcData, dstData], (b, [src, dst]) => {
            b.copy(c.src(src), c.dst(dst));
            return dst;
          }, EXACT);
        }
      });
    }
    await t.step("within one storage (staged)", async () => {
      await compare("copy same storage", [random(100, 9)], (b, [s]) => {
        b.copy(view(s, [10, 5], [10, 1], 0), view(s, [10, 5], [10, 1], 5));
        return s;
      }, EXACT);
    });
  },
});

Deno.test({
  name: "webgpu cast matches cpu: f32 → i32 truncates, i32 → f32, strided (exact)",
  ignore,
  fn: async () => {
    const f = random(1001, 11, -50, 50);
    await compare(
      "cast f32→i32",
      [f],
      (b, [x]) => b.cast(permuted(x, [7, 11, 13], [1, 2, 0]), "i32"),
      EXACT,
    );
    const i = randomInts(1001, 12, -1e6, 1e6);
    await compare("cast i32→f32", [i], (b, [x]) => b.cast(view(x, [1000], [1], 1), "f32"), EXACT);
  },
});

// ---- elementwise --------------------------------------------------------------------------

const UNARY_DOMAINS: Record<string, [number, number]> = {
  log: [0.01, 20],
  sqrt: [0, 50],
  rsqrt: [0.01, 50],
  recip: [0.1, 5],
};

Deno.test({
  name: "webgpu unary ops match cpu (rtol 1e-5, atol 1e-6) on contiguous and strided views",
  ignore,
  fn: async (t) => {
    const ops = [
      "neg",
      "exp",
      "log",
      "sqrt",
      "rsqrt",
      "abs",
      "sign",
      "recip",
      "tanh",
      "sigmoid",
      "relu",
      "gelu",
      "silu",
    ] as const;
    for (const op of ops) {
      await t.step(op, async () => {
        const [lo, hi] = UNARY_DOMAINS[op] ?? [-8, 8];
        const data = random(3 * 17 * 29, ops.indexOf(op) + 100, lo, hi);
        if (op === "sign" || op === "relu" || op === "abs") data[5] = 0;
        await compare(
          `${op} contiguous`,
          [data],
          (b, [x]) => b.unary(op, fullView(x, [data.length])),
          ELEMENTWISE,
        );
        await compare(
          `${op} permuted`,
          [data],
          (b, [x]) => b.unary(op, permuted(x, [3, 17, 29], [2, 0, 1])),
          ELEMENTWISE,
        );
        await compare(
          `${op} broadcast`,
          [data],
          (b, [x]) => b.unary(op, view(x, [40, 29], [0, 1], 7)),
          ELEMENTWISE,
        );
      });
    }
    await t.step("tanh/sigmoid/gelu saturate without NaN at ±100", async () => {
      const data = new Float32Array([-100, -30, 30, 100, 1e-4, -1e-4]);
      for (const op of ["tanh", "sigmoid", "gelu", "silu"] as const) {
        await compare(op, [data], (b, [x]) => b.unary(op, fullView(x, [6])), ELEMENTWISE);
      }
    });
    await t.step("17M elements: more than 65,535 workgroups (2-D grid)", async () => {
      const n = 65_536 * 256 + 3;
      const data = random(n, 8, -3, 3);
      await compare("neg 17M", [data], (b, [x]) => b.unary("neg", fullView(x, [n])), EXACT);
    });
    await t.step("100k elements", async () => {
      const data = random(100_003, 7, -3, 3);
      await compare(
        "exp 100k",
        [data],
        (b, [x]) => b.unary("exp", fullView(x, [100_003])),
        ELEMENTWISE,
      );
    });
  },
});

Deno.test({
  name: "webgpu binary ops match cpu (rtol 1e-5, atol 1e-6) with broadcasting and permutes",
  ignore,
  fn: async (t) => {
    const ops = [
      "add",
      "sub",
      "mul",
      "div",
      "pow",
      "maximum",
      "minimum",
      "lt",
      "le",
      "gt",
      "ge",
      "eq",
      "ne",
      "gelu_grad",
      "silu_grad",
    ] as const;
    const shape = [6, 1, 13, 31];
    const n = numel(shape);
    for (const op of ops) {
      await t.step(op, async () => {
        const a = random(n, 200 + ops.indexOf(op), -3, 3);
        const b = random(n, 300 + ops.indexOf(op), -3, 3);
        // Ties for the comparisons, and integer exponents with negative bases for pow.
        for (let i = 0; i < n; i += 7) b[i] = a[i];
        if (op === "pow") { for (let i = 0; i < n; i += 3) b[i] = Math.round(b[i]); }
        if (op === "pow") { for (let i = 1; i < n; i += 3) a[i] = Math.abs(a[i]); }
        const tol = op === "pow" ? { rtol: 1e-5, atol: 1e-5 } : ELEMENTWISE;
        await compare(
          `${op} contiguous`,
          [a, b],
          (be, [x, y]) => be.binary(op, fullView(x, shape), fullView(y, shape)),
          tol,
        );
        // a permuted, b broadcast over dims 0 and 3 (row bias style).
        await compare(
          `${op} broadcast`,
          [a, b],
          (be, [x, y]) =>
            be.binary(
              op,
              permuted(x, [13, 6, 1, 31], [1, 2, 0, 3]),
              view(y, [6, 1, 13, 31], [0, 0, 1, 0], 2),
            ),
          tol,
        );
        // Same storage on both sides (x ⊙ x).
        await compare(
          `${op} same storage`,
          [a],
          (be, [x]) => be.binary(op, fullView(x, shape), fullView(x, shape)),
          tol,
        );
      });
    }
    await t.step("100k elements with a (C) bias broadcast over rows", async () => {
      const a = random(100 * 1001, 1);
      const bias = random(1001, 2);
      await compare(
        "add bias",
        [a, bias],
        (b, [x, y]) => b.binary("add", fullView(x, [100, 1001]), view(y, [100, 1001], [0, 1])),
        ELEMENTWISE,
      );
    });
  },
});

Deno.test({
  name: "webgpu where matches cpu (exact) with f32/i32 conditions and broadcasting",
  ignore,
  fn: async () => {
    const shape = [9, 37];
    const cond = Float32Array.from(random(37, 1), (v) => (v > 0 ? 1 : 0));
    const a = random(9 * 37, 2);
    const b = random(9 * 37, 3);
    await compare(
      "where f32 cond",
      [cond, a, b],
      (be, [c, x, y]) =>
        be.where(view(c, shape, [0, 1]), fullView(x, shape), permuted(y, [37, 9], [1, 0])),
      EXACT,
    );
    const condI = Int32Array.from(cond, (v) => v * 5);
    await compare(
      "where i32 cond",
      [condI, a, b],
      (be, [c, x, y]) =>
        be.where(view(c, shape, [0, 1]), fullView(x, shape), view(y, shape, [1, 0])),
      EXACT,
    );
  },
});

Deno.test("peelCalls() peels dimensions RANK − 1 … 1 innermost first, with constant indices", () => {
  assert.equal(peelCalls(0), "");
  assert.equal(peelCalls(1), "");
  assert.equal(peelCalls(3), "peel(2u, &rem, &o);\n  peel(1u, &rem, &o);");
});

Deno.test("vec4Load() loads a vec4 at the view offset, or splats one element of a broadcast", () => {
  assert.equal(vec4Load(0, false), "in0[o.x >> 2u]");
  assert.equal(vec4Load(2, true), "vec4(in2[o.z >> 2u][o.z & 3u])");
});

Deno.test("vec4Broadcasts() takes four elements per invocation only where every view allows it", () => {
  const s = { size: 4096, dtype: "f32" } as Storage;
  const flags = (views: View[]) => vec4Broadcasts(viewGeometry(views[0].shape, views), views);
  // Contiguous: n and offsets multiples of 4.
  assert.deepEqual(flags([view(s, [64, 32]), view(s, [64, 32], undefined, 8)]), [false, false]);
  assert.equal(flags([view(s, [64, 32]), view(s, [64, 32], undefined, 2)]), null);
  assert.equal(flags([view(s, [63, 3])]), null);
  // Row bias (inner stride 1, outer 0) and a column broadcast (inner stride 0, any offset).
  assert.deepEqual(flags([view(s, [16, 64]), view(s, [16, 64], [0, 1])]), [false, false]);
  assert.deepEqual(flags([view(s, [16, 64]), view(s, [16, 64], [1, 0], 3)]), [false, true]);
  // Head split: permuted outer dims, contiguous rows of 64 from offsets that are multiples of 4.
  assert.deepEqual(flags([view(s, [2, 4, 8, 64], [4096, 64, 768, 1], 256)]), [false]);
  assert.equal(flags([view(s, [2, 4, 8, 64], [4096, 64, 770, 1], 256)]), null);
  // Innermost dimension not a multiple of 4, or walked with another stride.
  assert.equal(flags([view(s, [16, 62]), view(s, [16, 62], [0, 1])]), null);
  assert.equal(flags([permuted(s, [16, 64], [1, 0])]), null);
});

Deno.test({
  name: "webgpu four-element kernels (unary4, binary4, where4, cast4) match cpu",
  ignore,
  fn: async (t) => {
    const n = 3 * 8 * 64;
    const a = random(n + 8, 41, -3, 3), b = random(n + 8, 42, -3, 3);
    const taken = (views: View[]) =>
      assert.notEqual(vec4Broadcasts(viewGeometry(views[0].shape, views), views), null);
    // Views that take the four-element kernels: contiguous at an offset, a row bias, a column
    // broadcast (inner stride 0) and a head split (permuted outer dims, contiguous rows).
    const pairs: [string, (x: Storage) => View, (y: Storage) => View][] = [
      ["contiguous", (x) => view(x, [24, 64], undefined, 4), (y) => view(y, [24, 64])],
      ["row bias", (x) => view(x, [24, 64]), (y) => view(y, [24, 64], [0, 1], 8)],
      ["column broadcast", (x) => view(x, [24, 64]), (y) => view(y, [24, 64], [1, 0], 3)],
      [
        "head split",
        (x) => view(x, [3, 2, 4, 64], [64, 768, 192, 1]),
        (y) => view(y, [3, 2, 4, 64]),
      ],
    ];
    for (const [name, va, vb] of pairs) {
      await t.step(name, async () => {
        const probe = { size: n + 8, dtype: "f32" } as Storage;
        taken([va(probe), vb(probe)]);
        for (const op of ["add", "mul", "gelu_grad", "lt"] as const) {
          await compare(
            `${op} ${name}`,
            [a, b],
            (be, [x, y]) => be.binary(op, va(x), vb(y)),
            ELEMENTWISE,
          );
        }
        for (const op of ["exp", "gelu", "neg"] as const) {
          await compare(`${op} ${name}`, [a], (be, [x]) => be.unary(op, va(x)), ELEMENTWISE);
        }
        await compare(`cast ${name}`, [a], (be, [x]) => be.cast(va(x), "i32"), EXACT);
        const cond = Float32Array.from(b, (v) => (v > 0 ? 1 : 0));
        await compare(
          `where ${name}`,
          [cond, a, b],
          (be, [c, x, y]) => be.where(vb(c), va(x), vb(y)),
          EXACT,
        );
      });
    }
    await t.step("cast i32 → f32 and where over i32 values", async () => {
      const ints = randomInts(n, 43, -1000, 1000);
      await compare("cast i32→f32", [ints], (be, [x]) => be.cast(view(x, [n]), "f32"), EXACT);
      const cond = Int32Array.from(ints, (v) => v & 1);
      await compare(
        "where i32",
        [cond, ints, ints],
        (be, [c, x, y]) =>
          be.where(view(c, [24, 64]), view(x, [24, 64]), view(y, [24, 64], [0, 1])),
        EXACT,
      );
    });
  },
});

// ---- reductions and row kernels -----------------------------------------------------------

Deno.test({
  name: "webgpu reduce sum/max matches cpu (rtol 1e-4, atol 1e-5·√size)",
  ignore,
  fn: async (t) => {
    const cases: [number, number, number][] = [
      [3, 5000, 1],
      [1, 100_000, 1],
      [100, 65, 1],
      [4, 64, 1],
      [7, 33, 5],
      [2, 1000, 64],
      [5, 1, 3],
      [1, 3, 1],
      [70_000, 2, 1],
    ];
    for (const [outer, size, inner] of cases) {
      await t.step(`(${outer}, ${size}, ${inner})`, async () => {
        const data = random(outer * size * inner, outer + size + inner);
        for (const op of ["sum", "max"] as const) {
          const tol = { rtol: 1e-4, atol: 1e-5 * Math.sqrt(size) };
          await compare(`${op}`, [data], (b, [x]) => b.reduce(op, x, outer, size, inner), tol);
        }
      });
    }
  },
});

Deno.test({
  name: "webgpu argmax matches cpu exactly, first index on ties",
  ignore,
  fn: async () => {
    for (const [rows, cols] of [[37, 5000], [64, 3], [1, 1], [5, 300]]) {
      const data = Float32Array.from(random(rows * cols, cols), (v) => Math.round(v * 4));
      await compare(`argmax ${rows}×${cols}`, [data], (b, [x]) => b.argmax(x, rows, cols), EXACT);
    }
  },
});

// On a CPU adapter rows of up to 1024 columns run one per invocation (LANES = 1, 8 rows per
// workgroup), longer ones one per workgroup; rows longer than the private row cache (5000, 1025)
// take the re-reading path. 70,000 rows of one per workgroup, or 530,000 of eight per workgroup,
// need a 2-D workgroup grid (> 65,535 workgroups); 1000 and 3 rows leave a partial workgroup.
const ROW_SHAPES: [number, number][] = [
  [33, 5000],
  [1000, 7],
  [64, 256],
  [3, 1],
  [1, 1025],
  [70_000, 3],
  [530_000, 2],
];

Deno.test({
  name: "webgpu softmax matches cpu (rtol 1e-4, atol 1e-6)",
  ignore,
  fn: async () => {
    for (const [rows, cols] of ROW_SHAPES) {
      const data = random(rows * cols, rows * 31 + cols, -10, 10);
      await compare(`softmax ${rows}×${cols}`, [data], (b, [x]) => b.softmax(x, rows, cols), {
        rtol: 1e-4,
        atol: 1e-6,
      });
    }
  },
});

Deno.test({
  name: "webgpu crossEntropy and its backward match cpu (rtol 1e-4, atol 1e-5)",
  ignore,
  fn: async () => {
    for (const [rows, cols] of ROW_SHAPES) {
      const logits = random(rows * cols, rows + cols, -6, 6);
      const targets = randomInts(rows, rows * 7 + cols, -1, cols); // some -1: ignored rows
      const dNll = random(rows, 3, 0.1, 2);
      await compare(`crossEntropy ${rows}×${cols}`, [logits, targets], (b, [x, t]) => {
        const { nll, lse } = b.crossEntropy(x, t, rows, cols);
        return [nll, lse];
      }, ROWS);
      await compare(
        `crossEntropyBackward ${rows}×${cols}`,
        [logits, targets, dNll],
        (b, [x, t, g]) => {
          const { nll, lse } = b.crossEntropy(x, t, rows, cols);
          const dx = b.crossEntropyBackward(x, lse, t, g, rows, cols);
          b.free(nll);
          b.free(lse);
          return dx;
        },
        { rtol: 1e-4, atol: 1e-6 },
      );
    }
  },
});

Deno.test({
  name: "webgpu layerNorm and its backward match cpu (rtol 1e-4, atol 1e-5)",
  ignore,
  fn: async () => {
    for (const [rows, cols] of [...ROW_SHAPES, [5, 3]] as [number, number][]) {
      const x = random(rows * cols, rows + 2 * cols, -3, 5);
      const gamma = random(cols, 1, 0.5, 1.5);
      const beta = random(cols, 2);
      const dy = random(rows * cols, 4);
      await compare(`layerNorm ${rows}×${cols}`, [x, gamma, beta], (b, [xs, g, bt]) => {
        const { y, mean, rstd } = b.layerNorm(xs, g, bt, rows, cols, 1e-5);
        return [y, mean, rstd];
      }, { rtol: 1e-4, atol: 1e-4 });
      await compare(
        `layerNormBackward ${rows}×${cols}`,
        [x, gamma, beta, dy],
        (b, [xs, g, bt, d]) => {
          const { y, mean, rstd } = b.layerNorm(xs, g, bt, rows, cols, 1e-5);
          const dx = b.layerNormBackward(xs, g, mean, rstd, d, rows, cols);
          for (const s of [y, mean, rstd]) b.free(s);
          return dx;
        },
        { rtol: 1e-3, atol: 1e-4 },
      );
    }
  },
});

// ---- matmul -------------------------------------------------------------------------------

Deno.test({
  name: "webgpu matmul matches cpu (rtol 1e-4, atol 1e-4·√K): transposes, broadcast, copies",
  ignore,
  fn: async (t) => {
    const cases: {
      name: string;
      b: number;
      m: number;
      k: number;
      n: number;
      a: (s: Storage) => View;
      bm: (s: Storage) => View;
    }[] = [
      {
        name: "plain 1×33×65·65×17",
        b: 1,
        m: 33,
        k: 65,
        n: 17,
        a: (s) => view(s, [1, 33, 65]),
        bm: (s) => view(s, [1, 65, 17]),
      },
      {
        name: "batched, B transposed",
        b: 3,
        m: 20,
        k: 31,
        n: 9,
        a: (s) => view(s, [3, 20, 31]),
        bm: (s) => permuted(s, [3, 9, 31], [0, 2, 1]),
      },
      {
        name: "A transposed, B broadcast",
        b: 4,
        m: 7,
        k: 16,
        n: 40,
        a: (s) => permuted(s, [4, 16, 7], [0, 2, 1]),
        bm: (s) => view(s, [4, 16, 40], [0, 40, 1]),
      },
      {
        name: "M = 1 (GEMV)",
        b: 2,
        m: 1,
        k: 300,
        n: 50,
        a: (s) => view(s, [2, 1, 300]),
        bm: (s) => view(s, [2, 300, 50]),
      },
      {
        name: "A needs a copy (batch-major permute)",
        b: 5,
        m: 6,
        k: 8,
        n: 3,
        a: (s) => permuted(s, [6, 5, 8], [1, 0, 2]),
        bm: (s) => view(s, [5, 8, 3]),
      },
      {
        name: "K = 1 with offset",
        b: 1,
        m: 4,
        k: 1,
        n: 5,
        a: (s) => view(s, [1, 4, 1], [4, 1, 1], 1),
        bm: (s) => view(s, [1, 1, 5]),
      },
      // Large enough for the window variant on a CPU adapter (≥ 2 MFLOP per row block).
      {
        name: "window variant: 100 rows (a partial block), A at an offset",
        b: 1,
        m: 100,
        k: 256,
        n: 256,
        a: (s) => view(s, [1, 100, 256], [25600, 256, 1], 4),
        bm: (s) => view(s, [1, 256, 256]),
      },
      {
        name: "window variant on K chunks: A transposed (a weight gradient)",
        b: 1,
        m: 64,
        k: 1024,
        n: 256,
        a: (s) => permuted(s, [1, 1024, 64], [0, 2, 1]),
        bm: (s) => view(s, [1, 1024, 256]),
      },
      {
        name: "A transposed, N < M/2: computed as (Bᵀ·Aᵀ)ᵀ",
        b: 1,
        m: 64,
        k: 96,
        n: 20,
        a: (s) => permuted(s, [1, 96, 64], [0, 2, 1]),
        bm: (s) => view(s, [1, 96, 20]),
      },
      {
        name: "A transposed, N < M/2, B transposed: (Bᵀ·Aᵀ)ᵀ on K chunks (a weight gradient)",
        b: 1,
        m: 512,
        k: 1024,
        n: 64,
        a: (s) => permuted(s, [1, 1024, 512], [0, 2, 1]),
        bm: (s) => permuted(s, [1, 64, 1024], [0, 2, 1]),
      },
      {
        name: "row-major A with rows over 512, N < M/2: computed as (Bᵀ·Aᵀ)ᵀ",
        b: 1,
        m: 96,
        k: 640,
        n: 40,
        a: (s) => view(s, [1, 96, 640]),
        bm: (s) => permuted(s, [1, 40, 640], [0, 2, 1]),
      },
      {
        name: "window variant on K chunks: row-major A with long rows, at an offset",
        b: 1,
        m: 40,
        k: 1024,
        n: 512,
        a: (s) => view(s, [1, 40, 1024], [40960, 1024, 1], 4),
        bm: (s) => view(s, [1, 1024, 512]),
      },
      {
        name: "window variant: batched, B transposed",
        b: 2,
        m: 64,
        k: 256,
        n: 128,
        a: (s) => view(s, [2, 64, 256]),
        bm: (s) => permuted(s, [2, 128, 256], [0, 2, 1]),
      },
    ];
    // K = 0: an empty sum, all zeros (a buffer clear), even in a reused pool buffer.
    await t.step("K = 0 gives zeros", async () => {
      const g = gpu();
      g.free(g.upload(new Float32Array(12).fill(7)));
      const a = g.upload(new Float32Array(0)), b = g.upload(new Float32Array(0));
      const out = g.matmul(view(a, [1, 3, 0]), view(b, [1, 0, 4]));
      assert.deepEqual(await g.read(out), new Float32Array(12));
      for (const s of [a, b, out]) g.free(s);
    });
    // A·Aᵀ from one buffer: the window variant binds it as a uniform window and as storage.
    await t.step("window variant: A and B views of one buffer (A·Aᵀ)", async () => {
      const x = random(128 * 256, 9);
      const tol = { rtol: 1e-4, atol: 1e-4 * Math.sqrt(256) };
      await compare(
        "A·Aᵀ",
        [x],
        (be, [s]) => be.matmul(view(s, [1, 128, 256]), permuted(s, [1, 128, 256], [0, 2, 1])),
        tol,
      );
    });
    for (const c of cases) {
      await t.step(c.name, async () => {
        const a = random(c.b * c.m * c.k + 4, c.m * c.k);
        const bm = random(c.b * c.k * c.n, c.k * c.n + 1);
        const tol = { rtol: 1e-4, atol: 1e-4 * Math.sqrt(c.k) };
        await compare(c.name, [a, bm], (be, [x, y]) => be.matmul(c.a(x), c.bm(y)), tol);
      });
    }
  },
});

// ---- indexing -----------------------------------------------------------------------------

Deno.test({
  name: "webgpu gatherRows/scatterAddRows/gatherLast/scatterLast match cpu",
  ignore,
  fn: async () => {
    const vocab = 301;
    const cols = 70;
    const n = 555;
    const table = random(vocab * cols, 1);
    const ids = randomInts(n, 2, 0, 40); // many repeats
    const src = random(n * cols, 3);
    await compare(
      "gatherRows",
      [table, ids],
      (b, [t, i]) => b.gatherRows(t, i, vocab, cols),
      EXACT,
    );
    await compare(
      "scatterAddRows",
      [src, ids],
      (b, [s, i]) => b.scatterAddRows(s, i, vocab, cols),
      { rtol: 1e-5, atol: 1e-6 },
    );
    const rows = 129;
    const c = 500;
    const k = 37;
    const x = random(rows * c, 4);
    const idx = randomInts(rows * k, 5, 0, 20); // repeats within a row
    const srcK = random(rows * k, 6);
    await compare("gatherLast", [x, idx], (b, [xs, i]) => b.gatherLast(xs, i, rows, c, k), EXACT);
    await compare("scatterLast", [srcK, idx], (b, [s, i]) => b.scatterLast(s, i, rows, c, k), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  },
});

// ---- sampling -----------------------------------------------------------------------------

Deno.test({
  name: "webgpu multinomial: deterministic per seed, agrees with cpu, frequencies, top-k",
  ignore,
  fn: async (t) => {
    const g = gpu();
    const cols = 10;
    const rows = 20_000;
    const row = random(cols, 42, -2, 2);
    const logits = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) logits.set(row, r * cols);
    const gl = g.upload(logits);
    const cl = cpu.upload(logits);
    const params = { temperature: 0.8, topK: 0, seed: 1234, counter: 7 };

    await t.step("same seed → same ids, other counter → other ids", async () => {
      const a = await g.read(g.multinomial(gl, rows, cols, params));
      const b = await g.read(g.multinomial(gl, rows, cols, params));
      const c = await g.read(g.multinomial(gl, rows, cols, { ...params, counter: 8 }));
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });
    await t.step("≥ 99 % of ids equal the cpu's", async () => {
      const a = await g.read(g.multinomial(gl, rows, cols, params));
      const e = await cpu.read(cpu.multinomial(cl, rows, cols, params));
      let same = 0;
      for (let i = 0; i < rows; i++) same += a[i] === e[i] ? 1 : 0;
      assert.ok(same / rows >= 0.99, `agreement ${same / rows}`);
    });
    await t.step("frequencies match softmax(x / T) within 0.015", async () => {
      const ids = await g.read(g.multinomial(gl, rows, cols, params));
      const p = Array.from(row, (v) => Math.exp(v / params.temperature));
      const z = p.reduce((s, v) => s + v, 0);
      const counts = new Array<number>(cols).fill(0);
      for (const id of ids) counts[id]++;
      for (let c = 0; c < cols; c++) {
        assert.ok(Math.abs(counts[c] / rows - p[c] / z) < 0.015, `column ${c}`);
      }
    });
    await t.step("top-k never picks outside the k largest", async () => {
      const vocab = 700;
      const many = 300;
      const data = random(many * vocab, 77, -3, 3);
      const sl = g.upload(data);
      for (const topK of [1, 5, 64]) {
        const ids = await g.read(
          g.multinomial(sl, many, vocab, { temperature: 2, topK, seed: 3, counter: topK }),
        );
        for (let r = 0; r < many; r++) {
          const values = Array.from(data.subarray(r * vocab, (r + 1) * vocab));
          const kth = [...values].sort((p, q) => q - p)[topK - 1];
          assert.ok(values[ids[r]] >= kth, `row ${r}: picked ${ids[r]} outside top-${topK}`);
          if (topK === 1) assert.equal(ids[r], values.indexOf(kth));
        }
      }
      g.free(sl);
    });
    g.free(gl);
  },
});

// ---- optimiser ----------------------------------------------------------------------------

Deno.test({
  name: "webgpu adamw matches cpu over 3 steps (rtol 1e-5, atol 1e-6), with and without scale",
  ignore,
  fn: async () => {
    const n = 100_003;
    for (const scaled of [false, true]) {
      const inputs = [
        random(n, 1),
        random(n, 2),
        random(n, 3, -0.1, 0.1),
        random(n, 4, 0, 0.01),
        new Float32Array([0.5]),
      ];
      await compare(`adamw scaled=${scaled}`, inputs, (b, [p, g, m, v, s]) => {
        for (let step = 1; step <= 3; step++) {
          b.adamw(p, g, m, v, {
            lr: 1e-2,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            weightDecay: 0.1,
            step,
          }, scaled ? s : null);
        }
        return [p, m, v];
      }, { rtol: 1e-5, atol: 1e-6 });
    }
  },
});

// ---- pool ---------------------------------------------------------------------------------

Deno.test({
  name: "webgpu pool: 200 iterations of alloc/compute/free keep live + pooled bytes flat",
  ignore,
  fn: async () => {
    const g = gpu();
    const x = g.upload(random(5000, 1));
    const iteration = () => {
      const y = g.unary("exp", fullView(x, [5000]));
      const s = g.softmax(y, 50, 100);
      const r = g.reduce("sum", s, 50, 100, 1);
      for (const t of [y, s, r]) g.free(t);
    };
    for (let i = 0; i < 5; i++) iteration();
    await g.sync();
    const before = g.memory();
    for (let i = 0; i < 200; i++) iteration();
    await g.sync();
    const after = g.memory();
    assert.equal(after.liveStorages, before.liveStorages);
    assert.equal(after.liveBytes + after.pooledBytes, before.liveBytes + before.pooledBytes);
    g.free(x);
  },
});

Deno.test({
  name: "webgpu gathers and cross-entropy report an out-of-range index at the next readback",
  ignore,
  fn: async () => {
    const g = gpu();
    const table = g.upload(random(4 * 3, 5)); // (V = 4, C = 3)
    const cases: [() => Storage, RegExp][] = [
      [
        () => g.gatherRows(table, g.upload(new Int32Array([1, 7, 0])), 4, 3),
        /^gatherRows: id 7 out of range \[0, 4\) \(found on the GPU/,
      ],
      [
        () => g.gatherLast(table, g.upload(new Int32Array([0, -2, 1, 2])), 4, 3, 1),
        /^gatherLast: index -2 out of range \[0, 3\)/,
      ],
      [
        () => g.crossEntropy(table, g.upload(new Int32Array([0, -1, 3, 1])), 4, 3).nll,
        /^crossEntropy: target 3 out of range \[0, 3\)/,
      ],
    ];
    for (const [run, message] of cases) {
      const out = run();
      await assert.rejects(() => g.read(out), (e: Error) => {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(e.message, message);
        return true;
      });
      // the fault is cleared: the next readback succeeds
      assert.equal((await g.read(table)).length, 12);
    }
    // ignored targets (−1) and valid ids are not faults
    const ok = g.gatherRows(table, g.upload(new Int32Array([3, 0])), 4, 3);
    assert.deepEqual(
      await g.read(ok),
      await cpu.read(
        cpu.gatherRows(cpu.upload(await g.read(table)), cpu.upload(new Int32Array([3, 0])), 4, 3),
      ),
    );
  },
});
