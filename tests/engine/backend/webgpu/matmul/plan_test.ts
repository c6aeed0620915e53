/**
 * Correctness of the WebGPU matmul plans (`lib/engine/backend/webgpu/matmul/`) against a plain
 * TypeScript triple loop, over a table of shapes (odd sizes, M = 1, K = 1, K below the unroll,
 * tile multiples), all four transposition combinations, element offsets (aligned and not),
 * padded leading dimensions and batch broadcast (stride 0). Every variant is run: the
 * register-tiled (CPU) one, the uniform-window (CPU) one where A allows it, the
 * workgroup-memory tiled (GPU) one — all forced, whatever the adapter — the planner's own
 * choice, and the naive reference kernel.
 *
 * Tolerance: |got − ref| ≤ 1e-4 · √K · max(1, |ref|) with operands uniform in [−1, 1]
 * (fp32 accumulation in a different order than the float64 reference).
 *
 * Skipped when no WebGPU adapter is available.
 */

import assert from "node:assert/strict";
import {
  chooseConfig,
  chunkedProblem,
  planMatmul,
  planMatmulNaive,
  planMatmulWith,
  swapForNarrowOutput,
  windowChunk,
} from "../../../../../lib/engine/backend/webgpu/matmul/plan.ts";
import {
  CPU_CONFIG,
  GPU_CONFIG,
  GPU_SKINNY_CONFIG,
  type MatmulConfig,
  type MatmulPlan,
  type MatmulProblem,
  type WindowConfig,
} from "../../../../../lib/engine/backend/webgpu/matmul/problem.ts";
import { getGpu, type Gpu, hasGpu, runPlan, uploadBytes } from "./_harness.ts";

const ignore = !(await hasGpu());

/**
 * A test on the adapter's device (skipped without one). Pipelines and buffers are cached across
 * tests, so the resource and op sanitizers are off.
 */
function gpuTest(
  name: string,
  fn: (gpu: Gpu, limits: GPUSupportedLimits) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const gpu = (await getGpu())!;
      await fn(gpu, gpu.device.limits);
    },
  });
}

/** Deterministic operands in [−1, 1]. */
function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Elements a stored operand needs: offset + last batch's start + stored rows · ld. */
function storedLength(
  offset: number,
  batchStride: number,
  batch: number,
  rows: number,
  ld: number,
) {
  return offset + (batch - 1) * batchStride + rows * ld;
}

/** Random stored operands for a problem (seeded), as long as its offsets and strides need. */
function operands(p: MatmulProblem, seedA: number, seedB: number) {
  const aRows = p.transA ? p.k : p.m, bRows = p.transB ? p.n : p.k;
  return {
    a: random(storedLength(p.aOffset, p.aBatchStride, p.batch, aRows, p.lda), seedA),
    b: random(storedLength(p.bOffset, p.bBatchStride, p.batch, bRows, p.ldb), seedB),
  };
}

/** The oracle: out[z, m, n] = Σ_k A_z[m, k] · B_z[k, n], float64 accumulation. */
function reference(p: MatmulProblem, a: Float32Array, b: Float32Array): Float64Array {
  const out = new Float64Array(p.batch * p.m * p.n);
  for (let z = 0; z < p.batch; z++) {
    const ab = p.aOffset + z * p.aBatchStride, bb = p.bOffset + z * p.bBatchStride;
    for (let m = 0; m < p.m; m++) {
      for (let n = 0; n < p.n; n++) {
        let s = 0;
        for (let k = 0; k < p.k; k++) {
          const av = a[ab + (p.transA ? k * p.lda + m : m * p.lda + k)];
          const bv = b[bb + (p.transB ? n * p.ldb + k : k * p.ldb + n)];
          s += av * bv;
        }
        out[(z * p.m + m) * p.n + n] = s;
      }
    }
  }
  return out;
}

interface Shape {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** Extra padding added to lda / ldb. */
  pad?: number;
  aOffset?: number;
  bOffset?: number;
  /** Broadcast A (or B) over the batch: batch stride 0. */
  broadcastA?: boolean;
  broadcastB?: boolean;
}

function problem(s: Shape, transA: boolean, transB: boolean): MatmulProblem {
  const pad = s.pad ?? 0;
  const lda = (transA ? s.m : s.k) + pad;
  const ldb = (transB ? s.k : s.n) + pad;
  const aRows = transA ? s.k : s.m, bRows = transB ? s.n : s.k;
  return {
    batch: s.batch,
    m: s.m,
    n: s.n,
    k: s.k,
    transA,
    transB,
    aOffset: s.aOffset ?? 0,
    bOffset: s.bOffset ?? 0,
    aBatchStride: s.broadcastA ? 0 : aRows * lda + (pad ? 4 : 0),
    bBatchStride: s.broadcastB ? 0 : bRows * ldb + (pad ? 4 : 0),
    lda,
    ldb,
  };
}

function check(name: string, p: MatmulProblem, got: Float32Array, want: Float64Array): void {
  assert.equal(got.length, want.length);
  const tol = 1e-4 * Math.sqrt(Math.max(1, p.k));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * Math.max(1, Math.abs(want[i])))) {
      const z = Math.floor(i / (p.m * p.n)), m = Math.floor(i / p.n) % p.m, n = i % p.n;
      assert.fail(
        `${name}: out[${z}, ${m}, ${n}] = ${got[i]}, want ${want[i]} (tol ${tol}) for ${
          JSON.stringify(p)
        }`,
      );
    }
  }
}

const SHAPES: Shape[] = [
  { batch: 1, m: 1, n: 1, k: 1 },
  { batch: 1, m: 1, n: 37, k: 19 }, // GEMV-like decode row
  { batch: 2, m: 1, n: 64, k: 128 },
  { batch: 1, m: 7, n: 13, k: 5 }, // K below the unroll: tail loop only
  { batch: 1, m: 5, n: 9, k: 1 }, // K = 1
  { batch: 1, m: 33, n: 65, k: 17 }, // odd everywhere
  { batch: 1, m: 64, n: 64, k: 64 }, // tile multiples: fits flags on
  { batch: 3, m: 19, n: 24, k: 36, broadcastA: true },
  { batch: 3, m: 16, n: 20, k: 12, broadcastB: true, pad: 4 },
  { batch: 2, m: 17, n: 23, k: 29, aOffset: 3, bOffset: 5, pad: 3 }, // unaligned: scalar paths
  { batch: 2, m: 24, n: 36, k: 40, aOffset: 8, bOffset: 12, pad: 4 }, // aligned: vec4 paths
  { batch: 4, m: 128, n: 128, k: 64 }, // attention-like (batch·heads of T×dh · dh×T)
  { batch: 1, m: 70, n: 132, k: 130 }, // more than one tile each way, all edges
];

/**
 * Variants run on every shape: a small register-tiled config (cheap to compile; odd row block,
 * K unroll 8 so the tail loop runs), the same as a window config (where A is row-major and
 * vec4-aligned; elsewhere its planner must refuse), the GPU default tiled config, and the naive
 * kernel. The
 * planner's own choice (whose CPU config takes seconds to compile per layout on lavapipe) runs
 * on the shapes marked `planned`.
 */
const VARIANTS: { name: string; cfg?: MatmulConfig; naive?: boolean }[] = [
  { name: "register", cfg: { variant: "register", rm: 3, cg: 2, wx: 4, ku: 8 } },
  { name: "window", cfg: { variant: "window", rm: 3, cg: 2, wx: 4, ku: 8 } },
  { name: "tiled", cfg: GPU_CONFIG },
  { name: "naive", naive: true },
];
const PLANNED = new Set([1, 5, 10, 11, 12]);

/**
 * Where this test's window config (RM = 3) applies: A row-major with vec4-aligned rows and
 * offsets. A transposed A also needs RM a multiple of 4 (the test below covers it).
 */
function windowApplies(p: MatmulProblem): boolean {
  return !p.transA && [p.lda, p.aOffset, p.aBatchStride].every((x) => x % 4 === 0);
}

for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
  gpuTest(
    `webgpu matmul matches the TS reference (transA=${transA}, transB=${transB})`,
    async (gpu, limits) => {
      for (const [si, s] of SHAPES.entries()) {
        const p = problem(s, transA, transB);
        const { a, b } = operands(p, 11 + si, 97 + si);
        p.aBytes = uploadBytes(a.length);
        const want = reference(p, a, b);
        const plans: [string, MatmulPlan][] = [];
        for (const v of VARIANTS) {
          if (v.naive) plans.push([v.name, planMatmulNaive(p)]);
          else if (v.cfg!.variant === "window" && !windowApplies(p)) {
            assert.throws(() => planMatmulWith(p, limits, v.cfg!), /window variant/);
          } else plans.push([v.name, planMatmulWith(p, limits, v.cfg!)]);
        }
        if (PLANNED.has(si)) {
          plans.push([`planMatmul(${gpu.kind})`, planMatmul(p, limits, gpu.kind)]);
        }
        for (const [name, plan] of plans) {
          check(`${name} ${plan.key}`, p, await runPlan(gpu.device, plan, a, b, want.length), want);
        }
      }
    },
  );
}

gpuTest(
  "webgpu matmul other configs: CPU default, K unroll 4, scalar-only loads, 8×8 tiles",
  async (gpu, limits) => {
    const configs: MatmulConfig[] = [
      CPU_CONFIG,
      { variant: "register", rm: 4, cg: 1, wx: 16, ku: 4 },
      { variant: "register", rm: 8, cg: 2, wx: 8, ku: 8, vec4: false },
      { variant: "tiled", tx: 8, ty: 8, bk: 32 },
    ];
    for (const [si, s] of [SHAPES[5], SHAPES[10], SHAPES[1]].entries()) {
      for (const [transA, transB] of [[false, false], [true, true]]) {
        const p = problem(s, transA, transB);
        const { a, b } = operands(p, 5 + si, 7 + si);
        const want = reference(p, a, b);
        for (const cfg of configs) {
          const plan = planMatmulWith(p, limits, cfg);
          check(plan.key, p, await runPlan(gpu.device, plan, a, b, want.length), want);
        }
      }
    }
  },
);

gpuTest(
  "webgpu matmul window variant sums the K chunks of a repacked transposed A",
  async (gpu, limits) => {
    for (
      const [si, s] of [{ batch: 1, m: 40, n: 72, k: 384 }, { batch: 1, m: 7, n: 9, k: 256 }]
        .entries()
    ) {
      for (const transB of [false, true]) {
        const p = problem(s, true, transB); // A stored (K, M)
        const a = random(p.k * p.m, 3 + si);
        const b = random(storedLength(0, 0, 1, transB ? p.n : p.k, p.ldb), 5 + si);
        const want = reference(p, a, b);
        // A′ (K / kc, M, kc): chunk c holds Aᵀ's columns c·kc …, row-major.
        const kc = 128, packed = new Float32Array(p.k * p.m);
        for (let c = 0; c < p.k / kc; c++) {
          for (let i = 0; i < p.m; i++) {
            for (let j = 0; j < kc; j++) {
              packed[(c * p.m + i) * kc + j] = a[(c * kc + j) * p.lda + i];
            }
          }
        }
        const chunked = chunkedProblem(p, kc, uploadBytes(packed.length));
        const cfg: MatmulConfig = { variant: "window", rm: 3, cg: 2, wx: 4, ku: 8 };
        const plan = planMatmulWith(chunked, limits, cfg);
        assert.match(plan.key, /sB1$/);
        check(plan.key, p, await runPlan(gpu.device, plan, packed, b, want.length), want);
      }
    }
  },
);

gpuTest(
  "webgpu matmul window variant reads a transposed A in place, one matrix per window",
  async (gpu, limits) => {
    // Aligned shapes with M a multiple of 4: a full and a partial last row block (40 = 16 + 16
    // + 8), K off the unroll (37: the tail loop), padding and offsets, broadcast B, attention.
    const shapes = [
      SHAPES[6],
      SHAPES[8],
      SHAPES[10],
      SHAPES[11],
      { batch: 2, m: 40, n: 72, k: 37, pad: 4 },
    ];
    for (const [si, s] of shapes.entries()) {
      for (const transB of [false, true]) {
        const p = problem(s, true, transB);
        const { a, b } = operands(p, 31 + si, 37 + si);
        p.aBytes = uploadBytes(a.length);
        const want = reference(p, a, b);
        for (const rm of [8, 16]) {
          const cfg: MatmulConfig = { variant: "window", rm, cg: 2, wx: 4, ku: 4 };
          const plan = planMatmulWith(p, limits, cfg);
          assert.equal(plan.dispatches.length, p.batch, "one window per batch matrix");
          check(plan.key, p, await runPlan(gpu.device, plan, a, b, want.length), want);
        }
      }
    }
    // M not a multiple of 4, unaligned offsets, a matrix larger than a window: refused.
    const cfg: MatmulConfig = { variant: "window", rm: 8, cg: 2, wx: 4, ku: 4 };
    for (const s of [SHAPES[7], SHAPES[9], { batch: 1, m: 256, n: 64, k: 128 }]) {
      const p = { ...problem(s, true, false), aBytes: 1 << 20 };
      assert.throws(() => planMatmulWith(p, limits, cfg), /window variant/);
    }
  },
);

Deno.test("webgpu matmul planner: keys, dispatch sizes, config choice (no adapter needed)", () => {
  const limits = {
    maxComputeWorkgroupsPerDimension: 65535,
    maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256,
    maxComputeWorkgroupSizeY: 256,
    maxComputeWorkgroupStorageSize: 16384,
    minUniformBufferOffsetAlignment: 256,
    maxUniformBufferBindingSize: 65536,
  } as GPUSupportedLimits;
  const p = problem({ batch: 2, m: 100, n: 60, k: 30 }, false, false);
  const cpu = planMatmul(p, limits, "cpu");
  const tn = CPU_CONFIG.wx * CPU_CONFIG.cg * 4;
  assert.deepEqual(cpu.dispatches[0].workgroups, [
    Math.ceil(60 / tn),
    Math.ceil(100 / CPU_CONFIG.rm),
    2,
  ]);
  assert.equal(cpu.dispatches[0].params.byteLength, 48);
  const gpu = planMatmul(p, limits, "gpu");
  assert.deepEqual(gpu.dispatches[0].workgroups, [1, 2, 2]);
  assert.match(gpu.key, /tiled/);
  // Same layout and edge flags ⇒ same key (shapes travel in the uniform).
  const q = problem({ batch: 5, m: 103, n: 68, k: 7 }, false, false);
  assert.equal(planMatmul(q, limits, "cpu").key, cpu.key);
  assert.equal(planMatmul(q, limits, "cpu").code, cpu.code);
  // GEMV-like decode: one row per workgroup on the register path, even on a GPU.
  const gemv = problem({ batch: 1, m: 1, n: 512, k: 256 }, false, true);
  assert.deepEqual(chooseConfig(gemv, limits, "gpu"), { ...GPU_SKINNY_CONFIG, rm: 1 });
  assert.deepEqual(chooseConfig(gemv, limits, "cpu"), { ...CPU_CONFIG, rm: 1 });
  // Too small a device: fall back to the register variant.
  const tiny = { ...limits, maxComputeWorkgroupStorageSize: 4096 } as GPUSupportedLimits;
  assert.equal(chooseConfig(p, tiny, "gpu").variant, "register");
  assert.throws(() => planMatmul({ ...p, lda: 3 }, limits));
});

Deno.test("webgpu matmul planner: the window variant where A allows it (no adapter needed)", () => {
  const limits = {
    maxComputeWorkgroupsPerDimension: 65535,
    minUniformBufferOffsetAlignment: 256,
    maxUniformBufferBindingSize: 65536,
  } as GPUSupportedLimits;
  const sized = (s: Shape, transA = false): MatmulProblem => {
    const p = problem(s, transA, false);
    return { ...p, aBytes: 4 * p.batch * (transA ? p.k : p.m) * p.lda };
  };
  // The MLP's up-projection: row blocks of 32, two blocks (64 rows of K = 256) per window.
  const up = sized({ batch: 1, m: 4096, n: 1024, k: 256 });
  assert.deepEqual(chooseConfig(up, limits, "cpu"), {
    variant: "window",
    rm: 32,
    cg: 2,
    wx: 8,
    ku: 4,
  });
  const plan = planMatmul(up, limits, "cpu");
  assert.equal(plan.dispatches.length, 4096 / 64);
  for (const d of plan.dispatches) assert.deepEqual(d.workgroups, [1024 / 64, 2, 1]);
  // 63 rows past the first and one row of K: every window starts aligned, so no slack.
  assert.equal(plan.windowBytes, 4 * (63 * 256 + 256));
  for (const [i, d] of plan.dispatches.entries()) {
    assert.equal(d.windowOffset! % 256, 0);
    const [m0, aFirst] = new Uint32Array(d.params).slice(4, 6);
    assert.equal(m0, 64 * i);
    assert.equal(d.windowOffset! + 16 * aFirst, 4 * 64 * i * 256); // the window starts at row m0
  }
  // An unaligned offset (12 floats) adds room to align down, rounded up to the alignment: one
  // block of 32 rows per window then.
  const shifted = planMatmul({ ...up, aOffset: 12, aBytes: up.aBytes! + 256 }, limits, "cpu");
  assert.equal(shifted.windowBytes, 4 * (31 * 256 + 256) + 256);
  assert.equal(shifted.dispatches[1].windowOffset, 32 * 1024);
  assert.deepEqual(shifted.dispatches[1].workgroups, [16, 1, 1]);
  assert.equal(new Uint32Array(shifted.dispatches[1].params)[5], 3); // 48 bytes in
  // 100 rows: windows of 64 rows (two blocks), then 36 (two blocks, the last one partial).
  const rows100 = planMatmul(sized({ batch: 1, m: 100, n: 1024, k: 256 }), limits, "cpu");
  assert.deepEqual(rows100.dispatches.map((d) => d.workgroups[1]), [2, 2]);
  // K = 1024: 16 rows fill the whole 64 KiB.
  const down = sized({ batch: 1, m: 4096, n: 256, k: 1024 });
  assert.equal((chooseConfig(down, limits, "cpu") as WindowConfig).rm, 16);
  // …and with an unaligned offset they leave no room to align down; 8-row windows are not
  // worth it, so the register variant.
  const downShifted = { ...down, aOffset: 4, aBytes: down.aBytes! + 256 };
  assert.equal(chooseConfig(downShifted, limits, "cpu").variant, "register");
  // Not for: a GPU, transposed A, an unknown buffer size.
  assert.equal(chooseConfig(up, limits, "gpu").variant, "register");
  assert.equal(
    chooseConfig(sized({ batch: 1, m: 4096, n: 1024, k: 256 }, true), limits, "cpu")
      .variant,
    "register",
  );
  assert.equal(chooseConfig({ ...up, aBytes: undefined }, limits, "cpu").variant, "register");
  // Attention scores: one window holds a whole 128 × 64 matrix (4 blocks, 2.1 MFLOP), one
  // dispatch per batch matrix; with K = 32 a matrix is too little work for a dispatch.
  const attention = sized({ batch: 64, m: 128, n: 128, k: 64 });
  const scores = planMatmul(attention, limits, "cpu");
  assert.equal(scores.dispatches.length, 64);
  assert.deepEqual(scores.dispatches[5].workgroups, [4, 4, 1]);
  const small = sized({ batch: 64, m: 128, n: 128, k: 32 });
  assert.equal(chooseConfig(small, limits, "cpu").variant, "register");
  // Attention's backward with a transposed A (Pᵀ·dO, (q·s)ᵀ·dS): a whole stored matrix fits a
  // window (128 × 128 floats is exactly 64 KiB), read in place, one dispatch per matrix.
  for (const [m, n] of [[128, 64], [64, 128]]) {
    const t = sized({ batch: 64, m, n, k: 128 }, true);
    assert.equal(chooseConfig(t, limits, "cpu").variant, "window");
    const plan = planMatmul(t, limits, "cpu");
    assert.equal(plan.dispatches.length, 64);
    assert.deepEqual(plan.dispatches[3].workgroups, [n / 32, m / 32, 1]);
    assert.equal(plan.dispatches[3].windowOffset, 3 * 4 * 128 * m);
  }
  // Weight gradients (transposed A): repacked into K chunks of 512, on a CPU adapter only.
  const grad = { ...sized({ batch: 1, m: 256, n: 1024, k: 2048 }, true), aBytes: undefined };
  assert.equal(windowChunk(grad, limits, "cpu"), 512);
  assert.equal(windowChunk(grad, limits, "gpu"), 0);
  assert.equal(windowChunk({ ...grad, k: 2000 }, limits, "cpu"), 0);
  assert.equal(windowChunk({ ...grad, batch: 2 }, limits, "cpu"), 0);
  // (Bᵀ·Aᵀ)ᵀ for one matrix with N < M/2 where A is transposed or its rows exceed 512 floats;
  // not for N ≥ M/2, short rows, a batch, K = 0 or a GPU.
  const swap = (s: Shape, transA = false) => swapForNarrowOutput(sized(s, transA), limits, "cpu");
  assert.equal(swap({ batch: 1, m: 1024, n: 256, k: 2048 }, true), true);
  assert.equal(swap({ batch: 1, m: 2048, n: 256, k: 1024 }), true);
  assert.equal(swap({ batch: 1, m: 2048, n: 256, k: 768 }), true);
  assert.equal(swap({ batch: 1, m: 2048, n: 256, k: 512 }), false);
  assert.equal(swap({ batch: 1, m: 1024, n: 512, k: 2048 }, true), false);
  assert.equal(swap({ batch: 2, m: 1024, n: 256, k: 2048 }, true), false);
  assert.equal(swap({ batch: 1, m: 1024, n: 256, k: 0 }, true), false);
  assert.equal(
    swapForNarrowOutput(sized({ batch: 1, m: 1024, n: 256, k: 2048 }, true), limits, "gpu"),
    false,
  );
  // Row-major A: chunked where its rows are too long for 32-row windows and N ≥ 512 (1024²),
  // or where no window applies at all (K = 2048); not where 32 rows fit (K = 256), nor for a
  // narrow product that has a 16-row window (N = 256), nor on a GPU.
  const square = sized({ batch: 1, m: 1024, n: 1024, k: 1024 });
  assert.equal(chooseConfig(square, limits, "cpu").variant, "window");
  assert.equal(windowChunk(square, limits, "cpu"), 512);
  assert.equal(windowChunk(square, limits, "gpu"), 0);
  assert.equal(windowChunk(sized({ batch: 1, m: 2048, n: 256, k: 2048 }), limits, "cpu"), 512);
  assert.equal(windowChunk(sized({ batch: 1, m: 2048, n: 256, k: 1024 }), limits, "cpu"), 0);
  assert.equal(windowChunk(up, limits, "cpu"), 0);
  assert.equal(windowChunk(sized({ batch: 1, m: 1, n: 1024, k: 1024 }), limits, "cpu"), 0);
  const chunked = chunkedProblem(grad, 512, 4 * 256 * 2048);
  assert.equal(chooseConfig(chunked, limits, "cpu").variant, "window");
  assert.throws(() => planMatmulWith(chunked, limits, CPU_CONFIG), /sumBatch/);
  // Forced where it cannot apply, the planner says why.
  assert.throws(
    () =>
      planMatmulWith({ ...up, transA: true, lda: 4096 }, limits, {
        ...CPU_CONFIG,
        variant: "window",
      }),
    /window variant: the transposed matrix exceeds a window/,
  );
});
