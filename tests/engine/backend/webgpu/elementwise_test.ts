/**
 * The elementwise kernels (`lib/engine/backend/webgpu/elementwise.ts`, `kernels/elementwise.wgsl`)
 * against the CPU backend: copy, cast, unary, binary and where over permuted, broadcast and
 * offset views, sizes that are not multiples of the workgroup size, and the
 * four-elements-per-invocation variants; plus the host-side specialisation helpers.
 *
 * Skipped (the kernel tests) when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import {
  BINARY_OPS,
  fullView,
  numel,
  type Storage,
  UNARY_OPS,
  type View,
} from "../../../../lib/engine/backend/backend.ts";
import { compare, ELEMENTWISE, EXACT, permuted, random, randomInts, view } from "./_oracle.ts";
import {
  peelCalls,
  vec4Broadcasts,
  vec4Load,
  viewGeometry,
} from "../../../../lib/engine/backend/webgpu/elementwise.ts";
import { ignore } from "../../../_helpers/gpu.ts";

const UNARY_DOMAINS: Record<string, [number, number]> = {
  log: [0.01, 20],
  sqrt: [0, 50],
  rsqrt: [0.01, 50],
  recip: [0.1, 5],
};

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
          // 2400 elements: room for the largest view below (33 × 70).
          const srcData = dtype === "f32" ? random(2400, 5) : randomInts(2400, 5, -50, 50);
          const dstData = dtype === "f32" ? random(2400, 6) : randomInts(2400, 6, -50, 50);
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

Deno.test({
  name: "webgpu unary ops match cpu (rtol 1e-5, atol 1e-6) on contiguous and strided views",
  ignore,
  fn: async (t) => {
    const ops = UNARY_OPS;
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
    const ops = BINARY_OPS;
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
