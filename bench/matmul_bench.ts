/**
 * Matmul kernel bench: GFLOP/s of the planned kernel (`planMatmul` for this adapter) against
 * a naive one-output-per-invocation WGSL kernel, measured side by side in one run.
 *
 *   deno bench -A bench/matmul_bench.ts            # table + Deno.bench entries
 *   deno run -A bench/matmul_bench.ts --sweep      # also sweep register/tiled configs at 1024²
 *   MESA_SHADER_CACHE_DISABLE=true deno run -A bench/matmul_bench.ts --sweep   # honest compile s
 *   deno run -A bench/matmul_bench.ts --no-naive   # skip the (slow) naive baseline
 *   deno run -A bench/matmul_bench.ts --ceiling    # the planned kernels against their own
 *                                                  # code with loads replaced by registers
 *   deno run -A bench/matmul_bench.ts --quick --json out.json   # three small shapes, and the
 *                                                  # table as JSON (bench/gpu_check.sh)
 *
 * Method: per shape and kernel, a first dispatch (compiles the pipeline; `--sweep` prints its
 * time as "first"), one timed warm-up dispatch, then `reps` dispatches encoded in one compute
 * pass and one submit, timed from submit to
 * `onSubmittedWorkDone` (honest wall time: one sync per batch of reps, Deno's ~10 ms poll
 * sleep included, nothing subtracted). `reps` is picked from the warm-up so a batch takes
 * about 1.5 s (at least 1). GFLOP/s = 2·B·M·N·K·reps / time. The naive kernel on 2048² takes
 * a minute per dispatch on lavapipe; it is measured with reps = 1.
 *
 * The "backend" column times the same product through `WebGpuBackend.matmul`, what
 * `Tensor.matmul` runs: pooled output, and on a CPU adapter the repack of A into K chunks where
 * the planner asks for one (`windowChunk`: 1024² does), copy included. `same_run.sh` quotes it.
 *
 * `--ceiling` asks how far a kernel is from what this adapter can run at all. For each planned
 * register or window kernel it times three derived kernels, same code and geometry, in which
 * the main loop's A loads, its B loads, or both become register values computed from the loop
 * index (four distinct values per vec4, so that LLVM cannot fold the four lanes' arithmetic
 * into one; the results are meaningless, the arithmetic and the loop are the kernel's own). "No loads" is the arithmetic ceiling of that tile on this adapter.
 *
 * @module
 */

import {
  planMatmul,
  planMatmulNaive,
  planMatmulWith,
} from "../lib/engine/backend/webgpu/matmul/plan.ts";
import type {
  MatmulConfig,
  MatmulPlan,
  MatmulProblem,
} from "../lib/engine/backend/webgpu/matmul/problem.ts";
import {
  bind,
  type Bound,
  dispatch,
  getGpu,
  upload,
  uploadBytes,
} from "../tests/engine/backend/webgpu/matmul/_harness.ts";
import { fullView } from "../lib/engine/backend/backend.ts";
import { WebGpuBackend } from "../lib/engine/backend/webgpu/backend.ts";

interface Case {
  name: string;
  batch: number;
  m: number;
  k: number;
  n: number;
  transB?: boolean;
}

const CASES: Case[] = [
  { name: "square 256", batch: 1, m: 256, k: 256, n: 256 },
  { name: "square 512", batch: 1, m: 512, k: 512, n: 512 },
  { name: "square 1024", batch: 1, m: 1024, k: 1024, n: 1024 },
  { name: "square 2048", batch: 1, m: 2048, k: 2048, n: 2048 },
  { name: "mlp up [4096×256]·[256×1024]", batch: 1, m: 4096, k: 256, n: 1024 },
  { name: "vocab [4096×256]·[256×512]", batch: 1, m: 4096, k: 256, n: 512 },
  { name: "mlp down [4096×1024]·[1024×256]", batch: 1, m: 4096, k: 1024, n: 256 },
  { name: "attn 64×[128×64]·[64×128]", batch: 64, m: 128, k: 64, n: 128 },
];

function problem(c: Case): MatmulProblem {
  return {
    batch: c.batch,
    m: c.m,
    n: c.n,
    k: c.k,
    transA: false,
    transB: c.transB ?? false,
    aOffset: 0,
    bOffset: 0,
    aBatchStride: c.m * c.k,
    bBatchStride: c.k * c.n,
    lda: c.k,
    ldb: c.transB ? c.k : c.n,
    aBytes: uploadBytes(c.batch * c.m * c.k),
  };
}

const gpu = await getGpu();
const args = new Set(Deno.args);
const withNaive = !args.has("--no-naive");
const jsonAt = Deno.args.indexOf("--json");
const jsonPath = jsonAt >= 0 ? Deno.args[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonPath) throw new Error("--json: expected a file path");
/** `--quick`: the shapes a software adapter times in seconds. */
const QUICK = new Set(["square 256", "square 512", "attn 64×[128×64]·[64×128]"]);
const cases = args.has("--quick") ? CASES.filter((c) => QUICK.has(c.name)) : CASES;

interface Buffers {
  a: GPUBuffer;
  b: GPUBuffer;
  out: GPUBuffer;
}

function buffers(device: GPUDevice, c: Case): Buffers {
  const fill = (n: number) => new Float32Array(n).map(() => Math.random() - 0.5);
  return {
    a: upload(device, fill(c.batch * c.m * c.k)),
    b: upload(device, fill(c.batch * c.k * c.n)),
    out: upload(device, new Float32Array(c.batch * c.m * c.n)),
  };
}

/**
 * Times a plan: pipeline creation plus the first dispatch (`firstS`: compile time plus one run,
 * the compile part is honest only with Mesa's shader cache off), a warm-up, then one submit of
 * `reps` dispatches. Returns GFLOP/s.
 */
async function measure(device: GPUDevice, c: Case, plan: MatmulPlan, bufs: Buffers, target = 1.5) {
  let t0 = performance.now();
  const bound: Bound = await bind(device, plan, bufs.a, bufs.b, bufs.out);
  await dispatch(device, bound, 1);
  const firstS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await dispatch(device, bound, 1);
  const warm = (performance.now() - t0) / 1000;
  const reps = Math.max(1, Math.min(50, Math.round(target / warm)));
  t0 = performance.now();
  await dispatch(device, bound, reps);
  const s = (performance.now() - t0) / 1000;
  bound.uniform.destroy();
  const flops = 2 * c.batch * c.m * c.n * c.k;
  return { gflops: flops * reps / s / 1e9, ms: s * 1000 / reps, reps, firstS };
}

/** GFLOP/s of `backend.matmul` on the case's shapes: one warm-up, then ~1.5 s of reps, one sync. */
async function measureBackend(backend: WebGpuBackend, c: Case): Promise<number> {
  const fill = (n: number) => new Float32Array(n).map(() => Math.random() - 0.5);
  const a = backend.upload(fill(c.batch * c.m * c.k));
  const b = backend.upload(fill(c.batch * c.k * c.n));
  const av = fullView(a, [c.batch, c.m, c.k]);
  const bv = c.transB
    ? {
      ...fullView(b, [c.batch, c.n, c.k]),
      shape: [c.batch, c.k, c.n],
      strides: [c.k * c.n, 1, c.k],
    }
    : fullView(b, [c.batch, c.k, c.n]);
  const run = async (reps: number) => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) backend.free(backend.matmul(av, bv));
    await backend.sync();
    return (performance.now() - t0) / 1000;
  };
  await run(1);
  const warm = await run(1);
  const reps = Math.max(1, Math.min(50, Math.round(1.5 / warm)));
  const s = await run(reps);
  backend.free(a);
  backend.free(b);
  return 2 * c.batch * c.m * c.n * c.k * reps / s / 1e9;
}

interface Row {
  shape: string;
  kernel: string;
  gflops: number;
  ms: number;
  reps: number;
  naive?: number;
  /** Where the planned kernel is a window plan: the register variant's GFLOP/s, same run. */
  register?: number;
  /** Through `WebGpuBackend.matmul` (repacks included). */
  backend: number;
}

const rows: Row[] = [];

if (gpu) {
  const { device, kind, description } = gpu;
  console.log(`adapter: ${description} (${kind})`);
  if (args.has("--sweep")) await sweep(device);
  if (args.has("--ceiling")) await ceiling(device, kind);
  const engine = await WebGpuBackend.create();
  for (const c of cases) {
    const p = problem(c);
    const bufs = buffers(device, c);
    const plan = planMatmul(p, device.limits, kind);
    const ours = await measure(device, c, plan, bufs);
    const row: Row = {
      shape: c.name,
      kernel: plan.key,
      ...ours,
      backend: await measureBackend(engine, c),
    };
    if (plan.windowBytes !== undefined) {
      const register = planMatmul({ ...p, aBytes: undefined }, device.limits, kind);
      row.register = (await measure(device, c, register, bufs)).gflops;
    }
    if (withNaive) row.naive = (await measure(device, c, planMatmulNaive(p), bufs, 1)).gflops;
    rows.push(row);
    console.log(
      `${c.name.padEnd(34)} ${ours.gflops.toFixed(2).padStart(7)} GFLOP/s (${
        ours.ms.toFixed(1)
      } ms, ${ours.reps} reps)  backend ${row.backend.toFixed(2)}` +
        (row.register !== undefined
          ? `  register ${row.register.toFixed(2)}  ×${(ours.gflops / row.register).toFixed(2)}`
          : "") +
        (row.naive !== undefined
          ? `  naive ${row.naive.toFixed(2)}  ×${(ours.gflops / row.naive).toFixed(1)}`
          : "") +
        `  ${plan.key}`,
    );
    for (const b of Object.values(bufs)) b.destroy();
  }
  console.log(
    "\n| shape | planned kernel GFLOP/s | backend GFLOP/s | register GFLOP/s | naive GFLOP/s | speed-up | kernel |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of rows) {
    const naive = r.naive === undefined ? "–" : r.naive.toFixed(2);
    const reg = r.register === undefined ? "–" : r.register.toFixed(2);
    const x = r.naive === undefined ? "–" : `×${(r.gflops / r.naive).toFixed(1)}`;
    console.log(
      `| ${r.shape} | ${r.gflops.toFixed(2)} | ${
        r.backend.toFixed(2)
      } | ${reg} | ${naive} | ${x} | ${r.kernel} |`,
    );
  }

  if (jsonPath) {
    await Deno.writeTextFile(
      jsonPath,
      JSON.stringify({ adapter: description, kind, rows }, null, 2),
    );
  }

  // Deno.bench entries (one timed batch each, so `deno bench` also reports them).
  for (const c of CASES.filter((c) => c.m * c.n * c.k * c.batch <= 1024 ** 3)) {
    const p = problem(c);
    const bufs = buffers(device, c);
    const bound = await bind(device, planMatmul(p, device.limits, kind), bufs.a, bufs.b, bufs.out);
    Deno.bench({
      name: `matmul ${c.name}`,
      n: 3,
      warmup: 1,
      async fn() {
        await dispatch(device, bound, 1);
      },
    });
  }
} else {
  console.log("no WebGPU adapter: matmul bench skipped");
}

/** Config sweep at 1024², the MLP up-projection and the attention shape: GFLOP/s per config. */
async function sweep(device: GPUDevice) {
  const configs: MatmulConfig[] = [];
  for (const [rm, cg] of [[4, 1], [8, 1], [8, 2], [16, 2], [8, 4], [16, 4], [32, 2], [32, 4]]) {
    for (const wx of [8, 64]) {
      for (const ku of [4, 8]) configs.push({ variant: "register", rm, cg, wx, ku });
    }
  }
  configs.push({ variant: "register", rm: 8, cg: 2, wx: 8, ku: 8, vec4: false });
  for (const [rm, cg] of [[8, 1], [8, 2], [16, 1], [16, 2], [16, 4], [32, 1], [32, 2], [64, 1]]) {
    configs.push({ variant: "window", rm, cg, wx: 8, ku: 4 });
  }
  configs.push({ variant: "tiled", tx: 16, ty: 16, bk: 16 }, {
    variant: "tiled",
    tx: 8,
    ty: 8,
    bk: 32,
  });
  for (const c of [CASES[2], CASES[4], CASES[7]]) {
    const bufs = buffers(device, c);
    for (const cfg of configs) {
      let plan: MatmulPlan;
      try {
        plan = planMatmulWith(problem(c), device.limits, cfg);
      } catch (e) {
        if (cfg.variant !== "window") throw e;
        console.log(`sweep ${c.name.padEnd(28)} window rm${cfg.rm}: ${(e as Error).message}`);
        continue;
      }
      const r = await measure(device, c, plan, bufs, 1);
      console.log(
        `sweep ${c.name.padEnd(28)} ${r.gflops.toFixed(2).padStart(7)} GFLOP/s  first ${
          r.firstS.toFixed(1)
        } s  ${plan.key}`,
      );
    }
    for (const b of Object.values(bufs)) b.destroy();
  }
}

/**
 * The plan's code with the main loop's loads of `which` operand(s) replaced by values computed
 * from the loop index (see the module doc). Only the vec4 loads of the unrolled K loop are
 * replaced; the K tail, the stores and the bindings stay.
 */
export function withoutLoads(code: string, which: "a" | "b" | "ab"): string {
  // Four distinct values from one index: equal components would let LLVM fold the four lanes'
  // arithmetic into one.
  const LANES = "vec4<f32>(vec4<u32>(0u, 1u, 2u, 3u) + vec4<u32>(";
  let out = code;
  // The chunk loads of `a_chunk` (A row-major, vec4s along k) and `b_chunk` (B untransposed,
  // vec4s along n) in kernels/matmul_register.wgsl, matmul_window.wgsl and _matmul_tile.wgsl.
  if (which !== "b") {
    out = out.replace(/\ba\[row \+ k \/ 4u \+ (\d+)u\]/g, `${LANES}row + k + $1u))`);
  }
  if (which !== "a") {
    out = out.replace(/\bb\[row \+ cols\[(\d+)u\]\.x\]/g, `${LANES}row + cols[$1u].x))`);
  }
  return out;
}

/** `--ceiling`: the planned kernels against their load-free derivatives, same run. */
async function ceiling(device: GPUDevice, kind: "cpu" | "gpu") {
  console.log("| shape | planned | A from registers | B from registers | no loads | kernel |");
  console.log("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const c of CASES.filter((c) => c.m * c.n * c.k * c.batch <= 1024 ** 3)) {
    const bufs = buffers(device, c);
    const plan = planMatmul(problem(c), device.limits, kind);
    const cells = [(await measure(device, c, plan, bufs, 1)).gflops.toFixed(2)];
    for (const which of ["a", "b", "ab"] as const) {
      const code = withoutLoads(plan.code, which);
      if (code === plan.code) {
        cells.push("–");
        continue;
      }
      const derived = { ...plan, code, key: `${plan.key}/no-${which}` };
      cells.push((await measure(device, c, derived, bufs, 1)).gflops.toFixed(2));
    }
    console.log(`| ${c.name} | ${cells.join(" | ")} | ${plan.key} |`);
    for (const b of Object.values(bufs)) b.destroy();
  }
}
