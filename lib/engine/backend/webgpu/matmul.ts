/**
 * Batched matmul planning for the WebGPU backend: picks a kernel variant and tile sizes for a
 * problem and an adapter, and generates the WGSL from the templates in `kernels/`.
 *
 * Three variants (plus a naive reference used by the bench and as an oracle):
 * - `window` (`kernels/matmul_window.wgsl`), the CPU-adapter default where A allows it (row
 *   major, vec4-aligned, enough work per window): the register variant's arithmetic, but A's
 *   rows are read through a 64 KiB uniform-buffer window, one dispatch per window. A transposed
 *   A is read in place when a whole stored matrix fits one window (attention's Pᵀ·dO and
 *   (q·s)ᵀ·dS: 1.45–1.85× the register variant, same run).
 * - `register` (`kernels/matmul.wgsl`), for CPU adapters (llvmpipe/lavapipe, SwiftShader,
 *   WARP) elsewhere (a large transposed A that is not repacked, products too small per
 *   window): no workgroup memory, no barriers; each invocation keeps an RM × 4·CG block of
 *   outputs in registers, operands are loaded as vec4 where alignment allows, K is unrolled by
 *   KU.
 * - `tiled` (`kernels/matmul_tiled.wgsl`), for real GPUs: 64 × 64 output tile per workgroup of
 *   16 × 16 invocations, 4 × 4 outputs per invocation, A and B tiles of depth BK staged in
 *   workgroup memory.
 *
 * Shapes, strides and offsets travel in the `Params` uniform; only the layout (transposes,
 * vec4 eligibility) and the "fits" flags (M, N multiples of the tile: no edge clamps or store
 * guards) are baked into the code, so a training run with static shapes compiles a handful of
 * pipelines. `plan.key` names the code exactly.
 *
 * Measured on the dev container (2 vCPU AMD EPYC, AVX2) with `deno run -A
 * bench/matmul_bench.ts`: GFLOP/s = 2·B·M·N·K / wall time of 1–50 dispatches in one submit plus
 * one sync, after a warm-up dispatch. Run-to-run noise on this VM is up to ~1.7×.
 *
 * The window variant against the register variant, same run, two runs (2026-11-25, Mesa 25;
 * this VM ran about half as fast that day as the day before, so read the ratios):
 *
 * | shape (B × [M×K]·[K×N])         | window (rows)    | register rm16 cg2 | ratio    |
 * | ------------------------------- | ---------------- | ----------------: | -------- |
 * | square 256                      | 11.0 / 10.3 (32) |       3.67 / 4.29 | 2.4–3.0× |
 * | square 512                      | 11.4 / 12.3 (32) |       4.30 / 5.66 | 2.2–2.7× |
 * | square 1024                     | 9.55 / 10.5 (16) |       3.91 / 4.51 | 2.3–2.4× |
 * | mlp up [4096×256]·[256×1024]    | 10.8 / 11.2 (32) |       4.91 / 4.88 | 2.2–2.3× |
 * | vocab [4096×256]·[256×512]      | 10.0 / 13.7 (32) |       4.36 / 5.00 | 2.3–2.7× |
 * | mlp down [4096×1024]·[1024×256] | 9.05 / 12.3 (16) |       4.83 / 8.64 | 1.4–1.9× |
 * | square 2048 (8-row window)      | 6.56 / 5.73 (8)  |       4.78 / 6.74 | 0.9–1.4× |
 *
 * A sweep of window configs on the model's shapes (rows 16/32/64 × column groups 1/2/4, one
 * run) stayed within this VM's noise, 8.7–14.1 GFLOP/s; the planner takes 32 rows (16 where
 * K = 1024) and 2 column groups (1 for N < 256). Eight-row windows (K = 2048) are not worth it,
 * so the planner only uses 16 or 32 rows per block. A window holds as many blocks as fit (64
 * rows of K = 256; a whole 128 × 64 attention matrix); products with under 2 MFLOP per window
 * stay on the register variant, which the dispatch overhead would otherwise eat (~30 µs each).
 * Attention scores 64 × [128×64]·[64×128]: 7.05 GFLOP/s against the register variant's 4.17,
 * same run. Products with a transposed A (the
 * weight gradients, ~40 % of a training step's matmul time) are repacked into K chunks of a
 * contiguous Aᵀ and summed by the window variant (`windowChunk`); so are row-major A with rows
 * longer than 512 where N ≥ 512 (32-row blocks instead of 16), and narrow products whose A the
 * window reads badly run as (Bᵀ·Aᵀ)ᵀ (`swapForNarrowOutput`).
 *
 * The register variant per Mesa version and config (GFLOP/s, rows × 4·cg columns per
 * invocation, 2026-11-24):
 *
 * | shape (B × [M×K]·[K×N])         | 25.0.7 rm16 cg2 | 25.0.7 rm32 cg4 | 22.3.6 rm32 cg4 |
 * | ------------------------------- | --------------: | --------------: | --------------: |
 * | square 512                      |            9.40 |            11.2 |             2.0 |
 * | square 1024                     |            8.98 |        9.8–11.8 |             4.3 |
 * | square 2048                     |            9.07 |            10.8 |             4.3 |
 * | mlp up [4096×256]·[256×1024]    |            9.43 |            11.3 |             2.9 |
 * | mlp down [4096×1024]·[1024×256] |            9.57 |            11.7 |             4.8 |
 * | attn 64 × [128×64]·[64×128]     |            8.46 |            10.1 |             2.5 |
 *
 * Config sweep at 1024² on Mesa 25 (first-pipeline compile time with the shader cache off,
 * then GFLOP/s): rm32 cg4 13.4 s, 11.4; rm16 cg4 5.9 s, 9.7; rm16 cg3 4.7 s, 10.1; rm24 cg2
 * 4.8 s, 9.4; rm16 cg2 2.3 s, 9.5; rm8 cg4 2.2 s, 9.1; rm8 cg2 (ku 8) 2.0 s, 7.1; wx 64 and
 * ku 8 within noise or worse. CPU_CONFIG is rm16 cg2: a cold-cache `deno task test` compiles
 * dozens of pipelines (13 min on a fresh clone with rm32 cg4), and the step-time difference is
 * within this VM's run-to-run noise (359–370 against 244–410 training tokens/s). The
 * workgroup-memory tiled kernel runs 4–5 GFLOP/s on lavapipe (barriers become coroutine
 * switches): it is for real GPUs only, and is untimed on one (no GPU in these sessions). On
 * Mesa 22 the same sweep ranked the configs alike (32×16 best, vec4 loads worth ~1.9×).
 *
 * Targets: the issue's 40 GFLOP/s at 1024² was set on the peer box, where the peer probe does
 * 18.7; here it does 8.8–9.0 on Mesa 25 (2.0 on Mesa 22). Not reached (see docs/performance.md).
 * `bench/matmul_bench.ts --ceiling` runs each planned kernel with its loads replaced by register
 * values: at 1024² that load-free kernel ran 24.8 GFLOP/s where the kernel ran 9.1 (one run), so
 * the loop and arithmetic alone already exceed what 40 GFLOP/s allows on this VM.
 *
 * What bounds a matmul on lavapipe (read off `GALLIVM_DEBUG=asm`, Mesa 25, and measured by
 * `bench/load_cost_bench.ts`):
 * - Every storage-buffer load inside a loop is a loop over the 8 SIMD lanes, each lane with an
 *   execution-mask test, a bounds-check branch, a scalar load and an insert. lavapipe takes its
 *   uniform fast path (one load, one broadcast) only when the address is built from constants
 *   and push constants (`nir_src_is_always_uniform`), never from a loop index; so A's
 *   workgroup-uniform addresses cost as much as B's per-lane ones. An earlier version of this
 *   note said otherwise; the generated code says this.
 * - Such a load costs 3–5 vec4 multiply-adds per float (4.8–6.9 ns per float per 8 lanes
 *   against 1.3–1.7 ns per vec4 FMA, over three runs). A uniform-buffer load at a per-lane
 *   address is a branch-free gather: 2.6–2.9 ns, about half. Hence the window variant, about
 *   2× the register variant on the model's shapes in the same run (table above).
 * - `fma()` becomes a multiply and an add (lavapipe lowers ffma), and loop-carried values are
 *   blended with the execution mask every iteration (the loop is not known to be uniform).
 * - Tried and not adopted (probes, same runs): both operands as `rgba32float` textures (9–11.7
 *   GFLOP/s at 1024²: texel fetches are calls into separately compiled sample functions);
 *   operands packed as f16 pairs in u32 (1.0–1.4×, and f16 precision); a fully unrolled K loop
 *   (0.4×: spills); lane-selected uniform loads (slower). Mesa 22 was worse still: every load
 *   took the per-lane loop.
 *
 * @module
 */

/** One batched matmul: `out[b] = op(A_b) · op(B_b)`, out contiguous (batch, M, N). */
export interface MatmulProblem {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A stored (M, K) row-major, or (K, M) if transA; B stored (K, N), or (N, K) if transB. */
  transA: boolean;
  transB: boolean;
  /** Element offsets into the a/b buffers. */
  aOffset: number;
  bOffset: number;
  /** Elements between consecutive batch matrices; 0 = broadcast over batch. */
  aBatchStride: number;
  bBatchStride: number;
  /** Leading-dimension strides in elements (row stride of the stored matrix). */
  lda: number;
  ldb: number;
  /**
   * Size of A's buffer in bytes. Only the window variant needs it (its uniform windows must
   * stay inside the buffer); without it the planner does not pick that variant.
   */
  aBytes?: number;
  /**
   * Window variant only: `out` is one (M, N) matrix, the sum over the batch of A_z · B_z (a
   * product split along K into chunks, see {@linkcode windowChunk}).
   */
  sumBatch?: boolean;
}

/** A compiled-code choice plus its uniform contents and dispatch size. */
export interface MatmulPlan {
  /** Pipeline-cache key (same key ⇒ same code). */
  key: string;
  /**
   * Complete WGSL incl. bindings: @group(0) @binding(0) a (read storage), (1) b (read
   * storage), (2) out (read_write storage), (3) params (uniform `Params`).
   */
  code: string;
  /** The dispatches, in order: one, or for the window variant one per window of A. */
  dispatches: MatmulDispatch[];
  /**
   * Window variant only: binding 0 is not a storage buffer but a `windowBytes`-long uniform
   * window into A's buffer, bound at each dispatch's `windowOffset`.
   */
  windowBytes?: number;
}

/** One dispatch of a plan. */
export interface MatmulDispatch {
  /** Uniform contents matching `Params`. */
  params: ArrayBuffer;
  /** Workgroup counts for `dispatchWorkgroups`. */
  workgroups: [number, number, number];
  /** Window plans: byte offset of the window in A's buffer (minUniformBufferOffsetAlignment). */
  windowOffset?: number;
}

/** Register-tiled variant's knobs (see `kernels/matmul.wgsl`). */
export interface RegisterConfig {
  variant: "register";
  /** Rows per invocation (and per workgroup). */
  rm: number;
  /** vec4 column groups per invocation (4·cg columns). */
  cg: number;
  /** Workgroup width. */
  wx: number;
  /** K unroll (a multiple of 4). */
  ku: number;
  /** Allow vec4 loads of A / B (still subject to alignment). Default true. */
  vec4?: boolean;
}

/** Workgroup-memory tiled variant's knobs (see `kernels/matmul_tiled.wgsl`). */
export interface TiledConfig {
  variant: "tiled";
  /** Workgroup size (tx, ty); the tile is 4·ty × 4·tx. */
  tx: number;
  ty: number;
  /** K depth of a staged tile. */
  bk: number;
}

/**
 * Uniform-window variant's knobs (see `kernels/matmul_window.wgsl`): the register variant's
 * arithmetic, with A's rows read through a uniform-buffer window (one dispatch per window).
 */
export interface WindowConfig {
  variant: "window";
  /** Rows per dispatch (the window holds RM rows of A). */
  rm: number;
  /** vec4 column groups per invocation (4·cg columns). */
  cg: number;
  /** Workgroup width. */
  wx: number;
  /** K unroll (a multiple of 4). */
  ku: number;
}

/** A kernel configuration: what `planMatmul` picks, or what a bench/tuner forces. */
export type MatmulConfig = RegisterConfig | TiledConfig | WindowConfig;

/** The register config on CPU adapters, where the window variant does not apply (module doc). */
export const CPU_CONFIG: RegisterConfig = { variant: "register", rm: 16, cg: 2, wx: 8, ku: 4 };
/** Skinny problems (M ≤ 16, e.g. decode GEMV) on a GPU: few registers, wide workgroups. */
export const GPU_SKINNY_CONFIG: RegisterConfig = {
  variant: "register",
  rm: 4,
  cg: 1,
  wx: 64,
  ku: 4,
};
/** The GPU default: 64 × 64 tile, 16 × 16 invocations, 4 × 4 each, K tile 16 (8 KiB). */
export const GPU_CONFIG: TiledConfig = { variant: "tiled", tx: 16, ty: 16, bk: 16 };

/**
 * Plans one batched matmul: the variant per adapter kind (`cpu`: register-tiled; `gpu`:
 * workgroup-memory tiled, default), tile sizes fitted to small M, and the fits flags.
 */
export function planMatmul(
  p: MatmulProblem,
  limits: GPUSupportedLimits,
  adapterKind: "cpu" | "gpu" = "gpu",
): MatmulPlan {
  return planMatmulWith(p, limits, chooseConfig(p, limits, adapterKind));
}

/** The configuration `planMatmul` uses for a problem (exported for benches and tests). */
export function chooseConfig(
  p: MatmulProblem,
  limits: GPUSupportedLimits,
  adapterKind: "cpu" | "gpu",
): MatmulConfig {
  if (adapterKind === "gpu" && p.m > 16) {
    const t = GPU_CONFIG;
    const tileBytes = 16 * t.bk * (t.tx + t.ty); // A, B tiles: 4·ty·BK, 4·tx·BK floats
    if (
      limits.maxComputeInvocationsPerWorkgroup >= t.tx * t.ty &&
      limits.maxComputeWorkgroupSizeX >= t.tx && limits.maxComputeWorkgroupSizeY >= t.ty &&
      limits.maxComputeWorkgroupStorageSize >= tileBytes
    ) return t;
  }
  if (adapterKind === "cpu") {
    const w = chooseWindowConfig(p, limits);
    if (w) return w;
  }
  // Register variant: shrink the row block for skinny problems (GEMV-like decode, M = 1),
  // where clamped duplicate rows would be pure waste.
  const base = adapterKind === "gpu" ? GPU_SKINNY_CONFIG : CPU_CONFIG;
  let rm = base.rm;
  while (rm > 1 && rm / 2 >= p.m) rm /= 2;
  return { ...base, rm };
}

/** Plans with an explicit configuration (the bench's sweep uses this directly). */
export function planMatmulWith(
  p: MatmulProblem,
  limits: GPUSupportedLimits,
  cfg: MatmulConfig,
): MatmulPlan {
  checkProblem(p);
  const plan = cfg.variant === "register"
    ? planRegister(p, cfg)
    : cfg.variant === "window"
    ? planWindow(p, cfg, limits)
    : planTiled(p, cfg);
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  for (const { workgroups } of plan.dispatches) {
    if (workgroups.some((w) => w > maxDim)) {
      throw new Error(
        `matmul: dispatch ${workgroups} exceeds maxComputeWorkgroupsPerDimension ${maxDim}`,
      );
    }
  }
  return plan;
}

function checkProblem(p: MatmulProblem): void {
  const ints = [p.batch, p.m, p.n, p.k, p.aOffset, p.bOffset, p.aBatchStride, p.bBatchStride];
  if (!ints.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new Error(`matmul: sizes, offsets and strides must be non-negative integers`);
  }
  const minLda = p.transA ? p.m : p.k;
  const minLdb = p.transB ? p.k : p.n;
  if (!(p.lda >= minLda && p.ldb >= minLdb)) {
    throw new Error(`matmul: lda ${p.lda} / ldb ${p.ldb} below the stored row width`);
  }
}

/** Packs `Params` (12 × u32, see the templates). */
function packParams(p: MatmulProblem, kMain: number): ArrayBuffer {
  const u = new Uint32Array([
    p.batch,
    p.m,
    p.n,
    p.k,
    p.aOffset,
    p.bOffset,
    p.aBatchStride,
    p.bBatchStride,
    p.lda,
    p.ldb,
    kMain,
    0,
  ]);
  return u.buffer;
}

// ---- templates ---------------------------------------------------------------------------

const templates = new Map<string, string>();

function template(file: string): string {
  let t = templates.get(file);
  if (t === undefined) {
    t = Deno.readTextFileSync(new URL(`../../../../kernels/${file}`, import.meta.url));
    templates.set(file, t);
  }
  return t;
}

/** Replaces every `{{NAME}}` in a template; a name without a value is an error. */
function fill(t: string, values: Record<string, string>): string {
  return t.replace(/\{\{([A-Z_0-9]+)\}\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`matmul template: no value for {{${name}}}`);
    return v;
  });
}

const range = (n: number) => [...Array(n).keys()];
const u = (x: number) => `${x}u`;
const indent = (lines: string[], depth: number) => lines.map((l) => " ".repeat(depth) + l);
const consts = (c: Record<string, number | boolean>) =>
  Object.entries(c).map(([k, v]) =>
    typeof v === "boolean" ? `const ${k}: bool = ${v};` : `const ${k}: u32 = ${v}u;`
  ).join("\n");

const aligned4 = (...xs: number[]) => xs.every((x) => x % 4 === 0);

// ---- register-tiled variant (CPU adapters) -------------------------------------------------

function planRegister(p: MatmulProblem, cfg: RegisterConfig): MatmulPlan {
  if (p.sumBatch) throw new Error("matmul: sumBatch needs the window variant");
  const { rm, cg, wx, ku } = cfg;
  const allowVec = cfg.vec4 ?? true;
  // vec4 eligibility: every address the vector load touches is a multiple of 4 elements.
  const vecA = allowVec && !p.transA && aligned4(p.lda, p.aOffset, p.aBatchStride);
  const vecB = allowVec && aligned4(p.ldb, p.bOffset, p.bBatchStride) &&
    (p.transB || p.n % 4 === 0);
  // A's row bases in the `a` storage array (elements, or vec4s when vecA).
  const aRow = (i: number, row: string) =>
    p.transA
      ? `let ar${i} = a_base + ${row};`
      : vecA
      ? `let ar${i} = (a_base + ${row} * lda) / 4u;`
      : `let ar${i} = a_base + ${row} * lda;`;
  const g = registerBody(p, cfg, vecA, vecB, aRow);
  const code = fill(template("matmul.wgsl"), {
    A_ARRAY: vecA ? "array<vec4<f32>>" : "array<f32>",
    B_ARRAY: vecB ? "array<vec4<f32>>" : "array<f32>",
    OUT_ARRAY: g.vecOut ? "array<vec4<f32>>" : "array<f32>",
    ...g.values,
  });
  return {
    key: `matmul/register/rm${rm}cg${cg}wx${wx}ku${ku}/${g.flagKey}`,
    code,
    dispatches: [{
      params: packParams(p, g.kMain),
      workgroups: [Math.ceil(p.n / g.tn), Math.ceil(p.m / rm), p.batch],
    }],
  };
}

/** What `registerBody` generates: the template values and the facts the planners need. */
interface RegisterBody {
  /** CONSTS, WX, SETUP, ACC_DECL, K_CHUNK, K_TAIL, STORE (see `kernels/matmul.wgsl`). */
  values: Record<string, string>;
  /** Layout and edge flags, as a key fragment. */
  flagKey: string;
  vecOut: boolean;
  /** Columns per workgroup. */
  tn: number;
  /** K rounded down to a multiple of KU. */
  kMain: number;
}

/**
 * The code shared by the register and window variants: B column bases and loads, the
 * unrolled K chunk with its FMAs, the K tail and the guarded stores. The variants differ only
 * in where A lives; `aRow(i, row)` declares `ar{i}`, the base of row `row` in the `a` array
 * (in vec4s when `vecA`, indexed along k as `a[ar_i + k / 4u]`). With a transposed A and
 * `vecA` (the window variant only), A is read as vec4s over m instead: `aRow(q, row)` declares
 * the base of the four rows `row …` (q = 0 … RM/4 − 1) and the load at k is
 * `a[ar_q + k · params.lda4]`.
 */
function registerBody(
  p: MatmulProblem,
  cfg: RegisterConfig | WindowConfig,
  vecA: boolean,
  vecB: boolean,
  aRow: (i: number, row: string) => string,
  accumulate = false,
): RegisterBody {
  const { rm, cg, wx, ku } = cfg;
  if (ku % 4 !== 0 || rm < 1 || cg < 1 || wx < 1) throw new Error(`matmul: bad config`);
  if (p.transA && vecA && (rm % 4 !== 0 || p.m % 4 !== 0)) {
    throw new Error(`matmul: vec4 loads of a transposed A need RM and M multiples of 4`);
  }
  const vecOut = p.n % 4 === 0;
  const tn = wx * cg * 4;
  const fitsM = p.m % rm === 0;
  const fitsN = p.n % tn === 0;
  const kMain = p.k - (p.k % ku);
  const flags = {
    tA: p.transA,
    tB: p.transB,
    vA: vecA,
    vB: vecB,
    vO: vecOut,
    fM: fitsM,
    fN: fitsN,
  };
  const flagKey = Object.entries(flags).map(([k, v]) => `${k}${+v}`).join("");

  const clampRow = (e: string) => fitsM ? `(${e})` : `min(${e}, params.m - 1u)`;
  const clampCol = (e: string) => fitsN ? `(${e})` : `min(${e}, params.n - 1u)`;
  const clampGroup = (e: string) => fitsN ? e : `min(${e}, ng - 1u)`;
  const rows = range(rm), groups = range(cg), comps = range(4), kks = range(ku);
  const col = (j: number, c: number) => `(4u * (g0 + ${u(j)}) + ${u(c)})`;

  // Per-invocation setup: row bases of A, column bases of B.
  const setup: string[] = [`let ng = (params.n + 3u) / 4u;`];
  // Transposed A read as vec4s over m: RM/4 groups of four rows; a group past M (a partial last
  // block; M is a multiple of 4) reads the last four rows instead, and is not stored.
  const aOverM = p.transA && vecA;
  const quads = aOverM ? range(rm / 4) : [];
  if (aOverM) {
    const quadRow = (q: number) =>
      fitsM ? `(m0 + ${u(4 * q)})` : `min(m0 + ${u(4 * q)}, params.m - 4u)`;
    for (const q of quads) setup.push(aRow(q, quadRow(q)));
  } else {
    for (const i of rows) setup.push(aRow(i, clampRow(`m0 + ${u(i)}`)));
  }
  if (!p.transB && vecB) {
    setup.push(`let bb4 = b_base / 4u;`, `let ldb4 = ldb / 4u;`);
    for (const j of groups) setup.push(`let gc${j} = ${clampGroup(`g0 + ${u(j)}`)};`);
  } else {
    for (const j of groups) {
      for (const c of comps) {
        const n = clampCol(col(j, c));
        if (!p.transB) setup.push(`let nc${j}_${c} = ${n};`);
        else if (vecB) setup.push(`let bt${j}_${c} = (b_base + ${n} * ldb) / 4u;`);
        else setup.push(`let bt${j}_${c} = b_base + ${n} * ldb;`);
      }
    }
  }

  // B for one row k+kk: a vec4 over the 4 columns of group j (`bv{kk}_{j}`).
  const bVec4Over = (f: (c: number) => string) => `vec4<f32>(${comps.map(f).join(", ")})`;
  const chunk: string[] = [];
  if (p.transB && vecB) {
    // vec4 over k for each column: bq{j}_{c}_{q} holds B[k + 4q .. k + 4q + 3, column].
    for (const j of groups) {
      for (const c of comps) {
        for (const q of range(ku / 4)) {
          chunk.push(`let bq${j}_${c}_${q} = b[bt${j}_${c} + k / 4u + ${u(q)}];`);
        }
      }
    }
  }
  for (const kk of kks) {
    if (!p.transB) {
      chunk.push(
        vecB
          ? `let br${kk} = bb4 + (k + ${u(kk)}) * ldb4;`
          : `let br${kk} = b_base + (k + ${u(kk)}) * ldb;`,
      );
    }
    for (const j of groups) {
      let v: string;
      if (!p.transB) {
        v = vecB ? `b[br${kk} + gc${j}]` : bVec4Over((c) => `b[br${kk} + nc${j}_${c}]`);
      } else if (vecB) {
        v = bVec4Over((c) => `bq${j}_${c}_${kk >> 2}[${kk & 3}]`);
      } else {
        v = bVec4Over((c) => `b[bt${j}_${c} + k + ${u(kk)}]`);
      }
      chunk.push(`let bv${kk}_${j} = ${v};`);
    }
  }
  if (p.transA && !aOverM) {
    for (const kk of kks) chunk.push(`let ak${kk} = (k + ${u(kk)}) * lda;`);
  }
  // Transposed A over m: per k, one vec4 per four rows, then those rows' FMAs.
  for (const kk of aOverM ? kks : []) {
    for (const q of quads) {
      const body = [`let aq = a[ar${q} + (k + ${u(kk)}) * params.lda4];`];
      for (const i of range(4).map((c) => 4 * q + c)) {
        body.push(`let a${i} = vec4<f32>(aq[${i & 3}]);`);
        for (const j of groups) {
          body.push(`acc${i}_${j} = fma(a${i}, bv${kk}_${j}, acc${i}_${j});`);
        }
      }
      chunk.push(`{`, ...indent(body, 2), `}`);
    }
  }
  // Per row: A values for the chunk, then RM·CG·KU vec4 FMAs.
  for (const i of aOverM ? [] : rows) {
    const body: string[] = [];
    let aAt: (kk: number) => string;
    if (p.transA) aAt = (kk) => `a[ar${i} + ak${kk}]`;
    else if (vecA) {
      for (const q of range(ku / 4)) body.push(`let aq${q} = a[ar${i} + k / 4u + ${u(q)}];`);
      aAt = (kk) => `aq${kk >> 2}[${kk & 3}]`;
    } else aAt = (kk) => `a[ar${i} + k + ${u(kk)}]`;
    for (const kk of kks) {
      body.push(`let a${kk} = vec4<f32>(${aAt(kk)});`);
      for (const j of groups) body.push(`acc${i}_${j} = fma(a${kk}, bv${kk}_${j}, acc${i}_${j});`);
    }
    chunk.push(`{`, ...indent(body, 2), `}`);
  }

  // One k step (K % KU leftovers), scalar-indexed where the arrays are vec4.
  const tail: string[] = [];
  for (const j of groups) {
    let v: string;
    if (!p.transB) {
      v = vecB
        ? `b[bb4 + k * ldb4 + gc${j}]`
        : bVec4Over((c) => `b[b_base + k * ldb + nc${j}_${c}]`);
    } else if (vecB) v = bVec4Over((c) => `b[bt${j}_${c} + k / 4u][k % 4u]`);
    else v = bVec4Over((c) => `b[bt${j}_${c} + k]`);
    tail.push(`let bv${j} = ${v};`);
  }
  for (const i of rows) {
    const av = aOverM
      ? `a[ar${i >> 2} + k * params.lda4][${i & 3}]`
      : p.transA
      ? `a[ar${i} + k * lda]`
      : vecA
      ? `a[ar${i} + k / 4u][k % 4u]`
      : `a[ar${i} + k]`;
    tail.push(`{`, `  let av = vec4<f32>(${av});`);
    for (const j of groups) tail.push(`  acc${i}_${j} = fma(av, bv${j}, acc${i}_${j});`);
    tail.push(`}`);
  }

  // Stores: the accumulator, plus the old output where `params.accumulate` says so.
  const sum = (acc: string, at: string, zero: string) =>
    accumulate ? `${acc} + select(${zero}, ${at}, params.accumulate != 0u)` : acc;
  const store: string[] = [];
  for (const i of rows) {
    store.push(`{`, `  let m = m0 + ${u(i)};`, `  let row = out_base + m * params.n;`);
    for (const j of groups) {
      if (vecOut) {
        const guard = [fitsM ? "" : "m < params.m", fitsN ? "" : `g0 + ${u(j)} < ng`]
          .filter((s) => s).join(" && ");
        const at = `out[row / 4u + g0 + ${u(j)}]`;
        const st = `${at} = ${sum(`acc${i}_${j}`, at, "vec4<f32>()")};`;
        store.push(guard ? `  if (${guard}) { ${st} }` : `  ${st}`);
      } else {
        for (const c of comps) {
          const at = `out[row + ${col(j, c)}]`;
          store.push(
            `  if (m < params.m && ${col(j, c)} < params.n) { ${at} = ${
              sum(`acc${i}_${j}[${c}]`, at, "0.0")
            }; }`,
          );
        }
      }
    }
    store.push(`}`);
  }

  const values = {
    CONSTS: consts({
      RM: rm,
      CG: cg,
      WX: wx,
      KU: ku,
      TRANS_A: p.transA,
      TRANS_B: p.transB,
      FITS_M: fitsM,
      FITS_N: fitsN,
    }),
    WX: String(wx),
    SETUP: indent(setup, 2).join("\n"),
    ACC_DECL: indent(rows.flatMap((i) => groups.map((j) => `var acc${i}_${j} = vec4<f32>();`)), 2)
      .join("\n"),
    K_CHUNK: indent(chunk, 4).join("\n"),
    K_TAIL: indent(tail, 4).join("\n"),
    STORE: indent(store, 2).join("\n"),
  };
  return { values, flagKey, vecOut, tn, kMain };
}

// ---- uniform-window variant (CPU adapters) -------------------------------------------------

/**
 * The window config `planMatmul` uses on a CPU adapter, or null where the variant does not
 * apply: A transposed or not vec4-aligned, no `aBytes`, rows too long for 16 in a 64 KiB window,
 * too few column workgroups per dispatch to keep the adapter's threads busy (N ≤ 64), or too
 * little work per window to pay for its dispatch (under 2 MFLOP: ~30 µs of dispatch overhead
 * against ~0.2 ms of arithmetic).
 */
function chooseWindowConfig(p: MatmulProblem, limits: GPUSupportedLimits): WindowConfig | null {
  const cg = p.n >= 256 ? 2 : 1;
  if (Math.ceil(p.n / (WINDOW_WX * cg * 4)) < 2) return null;
  // 8-row windows (K = 2048) measured 0.85–1.4× the register variant: not worth it.
  for (const rm of [32, 16]) {
    if (rm / 2 >= p.m) continue;
    const cfg: WindowConfig = { variant: "window", rm, cg, wx: WINDOW_WX, ku: 4 };
    const plan = windowLayout(p, cfg, limits);
    if (typeof plan === "string") continue;
    const flopsPerDispatch = 2 * Math.min(plan.rows, p.m) * p.n * p.k;
    return flopsPerDispatch >= 2 ** 21 && plan.dispatches.length <= 1024 ? cfg : null;
  }
  return null;
}

/**
 * Whether a CPU adapter should compute A·B as (Bᵀ·Aᵀ)ᵀ: one matrix (batch 1), a narrow output
 * (N < M/2), and an A the window variant reads badly: transposed (it must be repacked: the
 * swapped product repacks Bᵀ, N·K floats, instead of A, M·K) or with rows too long for 32-row
 * windows (K > 512: 16-row blocks). The swapped product has M ≥ 2N columns, more workgroups
 * per dispatch, and its (N, M) result costs one transposing copy of M·N floats. Through the
 * backend, same runs (three each): [1024×2048]ᵀ·[2048×256] (the MLP down-projection's weight
 * gradient) 114–127 ms direct against 92–113 swapped (two runs of three);
 * [768×2048]ᵀ·[2048×256] 89–92 against 69–85; [2048×1024]·[1024×256] 118–148 against 101–110,
 * and with B transposed 114–126 against 100–110; [2048×768]·[768×256]ᵀ 81–99 against 75–83.
 * Not swapped, because neither won or the direct one did: N = M/2 ([1024×2048]ᵀ·[2048×512]),
 * K ≤ 512 ([2048×256]·[256×256] 18–28 ms direct against 21–35; [2048×512]·[512×256] equal).
 */
export function swapForNarrowOutput(
  p: MatmulProblem,
  limits: GPUSupportedLimits,
  adapterKind: "cpu" | "gpu",
): boolean {
  if (adapterKind !== "cpu" || p.batch !== 1 || p.k === 0 || 2 * p.n >= p.m) return false;
  return p.transA || 32 * 4 * p.lda > limits.maxUniformBufferBindingSize;
}

/**
 * On a CPU adapter, the K chunk `kc` to repack A into before the product, or 0 to plan it as
 * it is. The caller copies A into a contiguous (K / kc, M, kc) array A′ (chunk c holds A's
 * columns c·kc …, row-major; its buffer's size a multiple of minUniformBufferOffsetAlignment)
 * and plans {@linkcode chunkedProblem}: the window variant then sums the chunks' products into
 * one output. The copy moves M·K floats once. Two cases:
 * - A transposed (stored (K, M): the weight gradient Xᵀ·dY): the window variant cannot read it
 *   at all, and runs about twice the register variant's speed.
 * - A row major with long rows: a 64 KiB window holds only 16 rows of K = 1024 (and fewer than
 *   the 16 the variant needs from K = 2048 on), so the planned blocks are short (each B load
 *   serves 16 rows instead of 32) or the register variant runs. Chunks of 512 or 256 columns
 *   give 32-row blocks: at 1024², 1.26–1.33× the 16-row window without the copy (three
 *   configs, one run); through the backend, copy included, 0.8–1.5× over three runs, this VM's
 *   noise; at 2048², where no window applied, 6.49 → 12.21 GFLOP/s. With N < 512 the gain
 *   (1.07–1.17× on [2048×1024]·[1024×256]) does not pay for the copy: those products are
 *   chunked only where no window applies at all, and the narrow ones are swapped instead
 *   ({@linkcode swapForNarrowOutput}).
 */
export function windowChunk(
  p: MatmulProblem,
  limits: GPUSupportedLimits,
  adapterKind: "cpu" | "gpu",
): number {
  if (adapterKind !== "cpu" || p.batch !== 1 || p.sumBatch) return 0;
  if (!p.transA) {
    const plain = p.aBytes === undefined ? null : chooseWindowConfig(p, limits);
    if (plain?.rm === 32 || (plain !== null && p.n < 512)) return 0;
  }
  // The smallest buffer A′ can come in; the caller's may be larger (a pool bucket), which only
  // relaxes `windowLayout`'s checks.
  const align = limits.minUniformBufferOffsetAlignment;
  const aBytes = Math.ceil(4 * p.m * p.k / align) * align;
  for (const kc of p.transA ? [512, 256, 128] : [512, 256]) {
    if (p.k % kc !== 0 || (!p.transA && p.k === kc)) continue;
    const cfg = chooseWindowConfig(chunkedProblem(p, kc, aBytes), limits);
    if (cfg !== null && (p.transA || cfg.rm === 32)) return kc;
  }
  return 0;
}

/**
 * The problem {@linkcode windowChunk} describes: A′ contiguous (K / kc, M, kc) in a buffer
 * of `aBytes` bytes, B split along K into the same chunks, the chunks' products summed.
 */
export function chunkedProblem(p: MatmulProblem, kc: number, aBytes: number): MatmulProblem {
  return {
    batch: p.k / kc,
    m: p.m,
    n: p.n,
    k: kc,
    transA: false,
    transB: p.transB,
    aOffset: 0,
    bOffset: p.bOffset,
    aBatchStride: p.m * kc,
    bBatchStride: p.transB ? kc : kc * p.ldb,
    lda: kc,
    ldb: p.ldb,
    aBytes,
    sumBatch: true,
  };
}

/** Workgroup width of the window variant (lavapipe's SIMD width on AVX2). */
const WINDOW_WX = 8;

/**
 * The window variant's geometry for a problem, or why it does not apply: the window's size,
 * the rows it holds (a multiple of RM: as many row blocks as fit, at most M rounded up), and
 * one dispatch per window (its offset, first row, batch index, A's first vec4 in it, and the
 * row blocks it covers).
 */
function windowLayout(
  p: MatmulProblem,
  cfg: WindowConfig,
  limits: GPUSupportedLimits,
):
  | {
    bytes: number;
    rows: number;
    dispatches: { offset: number; m0: number; z: number; aFirst: number; blocks: number }[];
  }
  | string {
  if (!aligned4(p.lda, p.aOffset, p.aBatchStride)) return "A is not vec4-aligned";
  const align = limits.minUniformBufferOffsetAlignment;
  if (p.aBytes === undefined) return "A's buffer size is unknown";
  if (p.aBytes % align !== 0) return "A's buffer size is not a multiple of the offset alignment";
  if (p.transA) return transposedWindowLayout(p, cfg, limits);
  // R rows span (R − 1)·lda + K elements from the first (16-byte aligned).
  const rowBytes = 4 * 4 * Math.ceil(p.k / 4);
  const span = (rows: number) => 4 * (rows - 1) * p.lda + rowBytes;
  const windowBytes = (rows: number) =>
    windowBytesFor(span(rows), [p.aOffset, p.aBatchStride, rows * p.lda], align);
  // As many row blocks as fit (checked before the cap by the buffer size, so a larger buffer
  // never turns a fit down), but no more than M needs.
  const max = limits.maxUniformBufferBindingSize;
  const rows = cfg.rm * Math.ceil(p.m / cfg.rm);
  let R = cfg.rm;
  while (R + cfg.rm <= rows && windowBytes(R + cfg.rm) <= max) R += cfg.rm;
  if (windowBytes(R) > max) return "the row block exceeds a window";
  const bytes = Math.min(windowBytes(R), p.aBytes);
  const dispatches = [];
  for (let z = 0; z < p.batch; z++) {
    for (let m0 = 0; m0 < p.m; m0 += R) {
      const start = 4 * (p.aOffset + z * p.aBatchStride + m0 * p.lda);
      const here = Math.min(R, p.m - m0);
      const offset = windowOffsetFor(start, span(here), bytes, p.aBytes, align);
      if (offset === null) return "a row block misses its window";
      const blocks = Math.ceil(here / cfg.rm);
      dispatches.push({ offset, m0, z, aFirst: (start - offset) / 16, blocks });
    }
  }
  return { bytes, rows: R, dispatches };
}

/**
 * Bytes of a window that holds `span` bytes of A from a 16-byte aligned start. Unless every
 * start is aligned (all `startElements`, in floats, are multiples of the alignment), the window
 * adds room to start at an aligned offset before it. It is a multiple of the alignment, so a
 * window ending at the end of the buffer starts aligned too.
 */
function windowBytesFor(span: number, startElements: number[], align: number): number {
  const startsAligned = startElements.every((x) => (4 * x) % align === 0);
  return Math.ceil((span + (startsAligned ? 0 : align - 16)) / align) * align;
}

/**
 * The binding offset of a `bytes`-byte window holding `span` bytes from byte `start` of a buffer
 * of `aBytes`: `start` aligned down, or near the end of the buffer the window that ends there;
 * null when that window misses part of the span.
 */
function windowOffsetFor(
  start: number,
  span: number,
  bytes: number,
  aBytes: number,
  align: number,
): number | null {
  const offset = Math.min(Math.floor(start / align) * align, aBytes - bytes);
  return start < offset || start - offset + span > bytes ? null : offset;
}

/**
 * `windowLayout` for a transposed A (stored (K, M), e.g. Pᵀ in attention's backward): a window
 * holds one whole stored matrix, all K rows of M (read as vec4s over m), so there is one
 * dispatch per batch matrix, covering every row block; or why that does not fit.
 */
function transposedWindowLayout(p: MatmulProblem, cfg: WindowConfig, limits: GPUSupportedLimits) {
  if (p.m % 4 !== 0 || cfg.rm % 4 !== 0) return "a transposed A needs M and RM multiples of 4";
  const align = limits.minUniformBufferOffsetAlignment;
  const span = 4 * (p.k - 1) * p.lda + 4 * p.m;
  const bytes = Math.min(windowBytesFor(span, [p.aOffset, p.aBatchStride], align), p.aBytes!);
  if (bytes > limits.maxUniformBufferBindingSize) return "the transposed matrix exceeds a window";
  const dispatches = [];
  for (let z = 0; z < p.batch; z++) {
    const start = 4 * (p.aOffset + z * p.aBatchStride);
    const offset = windowOffsetFor(start, span, bytes, p.aBytes!, align);
    if (offset === null) return "a matrix misses its window";
    dispatches.push({
      offset,
      m0: 0,
      z,
      aFirst: (start - offset) / 16,
      blocks: Math.ceil(p.m / cfg.rm),
    });
  }
  return { bytes, rows: cfg.rm * Math.ceil(p.m / cfg.rm), dispatches };
}

function planWindow(p: MatmulProblem, cfg: WindowConfig, limits: GPUSupportedLimits): MatmulPlan {
  const layout = windowLayout(p, cfg, limits);
  if (typeof layout === "string") throw new Error(`matmul: window variant: ${layout}`);
  const { rm, cg, wx, ku } = cfg;
  const vecB = aligned4(p.ldb, p.bOffset, p.bBatchStride) && (p.transB || p.n % 4 === 0);
  // A's row bases inside the window (vec4s): rows past M were clamped to M − 1 by the caller.
  // Transposed: the base of four rows (vec4s over m), stepped by params.lda4 along k.
  const aRow = (i: number, row: string) =>
    p.transA
      ? `let ar${i} = params.a_first + ${row} / 4u;`
      : `let ar${i} = params.a_first + (${row} - params.m0) * params.lda4;`;
  const sumBatch = p.sumBatch ?? false;
  const g = registerBody(p, cfg, true, vecB, aRow, sumBatch);
  const vec4s = layout.bytes / 16;
  const code = fill(template("matmul_window.wgsl"), {
    WINDOW: String(vec4s),
    B_ARRAY: vecB ? "array<vec4<f32>>" : "array<f32>",
    OUT_ARRAY: g.vecOut ? "array<vec4<f32>>" : "array<f32>",
    ...g.values,
  });
  const dispatches = layout.dispatches.map((d): MatmulDispatch => ({
    windowOffset: d.offset,
    workgroups: [Math.ceil(p.n / g.tn), d.blocks, 1],
    params: new Uint32Array([
      p.m,
      p.n,
      p.k,
      g.kMain,
      d.m0,
      d.aFirst,
      p.lda / 4,
      p.bOffset + d.z * p.bBatchStride,
      p.ldb,
      sumBatch ? 0 : d.z * p.m * p.n,
      sumBatch && d.z > 0 ? 1 : 0,
      0,
    ]).buffer,
  }));
  return {
    key: `matmul/window/w${vec4s}rm${rm}cg${cg}wx${wx}ku${ku}/${g.flagKey}sB${+sumBatch}`,
    code,
    dispatches,
    windowBytes: layout.bytes,
  };
}

// ---- workgroup-memory tiled variant (GPUs) -------------------------------------------------

function planTiled(p: MatmulProblem, cfg: TiledConfig): MatmulPlan {
  if (p.sumBatch) throw new Error("matmul: sumBatch needs the window variant");
  const { tx, ty, bk } = cfg;
  const tm = 4 * ty, tn = 4 * tx, threads = tx * ty;
  if ((tm * bk) % threads !== 0 || (tn * bk) % threads !== 0) {
    throw new Error(`matmul: tiled config ${tx}×${ty}, bk ${bk}: tiles not divisible by threads`);
  }
  const vecOut = p.n % 4 === 0;
  const fitsM = p.m % tm === 0, fitsN = p.n % tn === 0, fitsK = p.k % bk === 0;
  const flags = { tA: p.transA, tB: p.transB, vO: vecOut, fM: fitsM, fN: fitsN, fK: fitsK };
  const key = `matmul/tiled/tx${tx}ty${ty}bk${bk}/` +
    Object.entries(flags).map(([k, v]) => `${k}${+v}`).join("");

  // Staging loads: element e = t + q·threads of the tile; consecutive invocations walk the
  // stored matrix's contiguous dimension. Out-of-range elements stage as 0.
  const stage = (
    name: "a" | "b",
    rowsOfTile: number, // TM for A (rows m), TN for B (columns n)
    contiguousK: boolean, // the stored matrix is contiguous along k
    fitsRC: boolean,
  ) => {
    const lines: string[] = [];
    const per = (rowsOfTile * bk) / threads;
    const lim = name === "a" ? "params.m" : "params.n";
    const o = name === "a" ? "m0" : "n0";
    const ld = name === "a" ? "lda" : "ldb";
    for (const q of range(per)) {
      const e = `t + ${u(q * threads)}`;
      const [r, kk] = contiguousK
        ? [`(${e}) / ${u(bk)}`, `(${e}) % ${u(bk)}`]
        : [`(${e}) % ${u(rowsOfTile)}`, `(${e}) / ${u(rowsOfTile)}`];
      const body = [`let r = ${r};`, `let kk = ${kk};`, `let rg = ${o} + r;`, `let kg = k0 + kk;`];
      const conds = [fitsRC ? "" : `rg < ${lim}`, fitsK ? "" : `kg < params.k`].filter((s) => s);
      const rc = fitsRC ? "rg" : `min(rg, ${lim} - 1u)`;
      const kc = fitsK ? "kg" : `min(kg, params.k - 1u)`;
      const idx = contiguousK
        ? `${name}_base + ${rc} * ${ld} + ${kc}`
        : `${name}_base + ${kc} * ${ld} + ${rc}`;
      body.push(
        conds.length
          ? `let v = select(0.0, ${name}[${idx}], ${conds.join(" && ")});`
          : `let v = ${name}[${idx}];`,
        `tile_${name}[kk * ${u(rowsOfTile / 4)} + r / 4u][r % 4u] = v;`,
      );
      lines.push(`{`, ...indent(body, 2), `}`);
    }
    return indent(lines, 4).join("\n");
  };

  const inner: string[] = [];
  for (const kk of range(bk)) {
    inner.push(
      `{`,
      `  let av = tile_a[${u(kk * (tm / 4))} + ty];`,
      `  let bv = tile_b[${u(kk * (tn / 4))} + tx];`,
      ...range(4).map((i) => `  acc${i} = fma(vec4<f32>(av[${i}]), bv, acc${i});`),
      `}`,
    );
  }

  const store: string[] = [`let n = n0 + tx * 4u;`];
  for (const i of range(4)) {
    store.push(`{`, `  let m = m0 + ty * 4u + ${u(i)};`, `  let row = out_base + m * params.n;`);
    if (vecOut) {
      const guard = [fitsM ? "" : "m < params.m", fitsN ? "" : "n < params.n"].filter((s) => s)
        .join(" && ");
      const st = `out[(row + n) / 4u] = acc${i};`;
      store.push(guard ? `  if (${guard}) { ${st} }` : `  ${st}`);
    } else {
      for (const c of range(4)) {
        store.push(
          `  if (m < params.m && n + ${u(c)} < params.n) { out[row + n + ${
            u(c)
          }] = acc${i}[${c}]; }`,
        );
      }
    }
    store.push(`}`);
  }

  const code = fill(template("matmul_tiled.wgsl"), {
    OUT_ARRAY: vecOut ? "array<vec4<f32>>" : "array<f32>",
    CONSTS: consts({
      TX: tx,
      TY: ty,
      TM: tm,
      TN: tn,
      BK: bk,
      TRANS_A: p.transA,
      TRANS_B: p.transB,
      FITS_M: fitsM,
      FITS_N: fitsN,
      FITS_K: fitsK,
    }),
    TX: String(tx),
    TY: String(ty),
    LOAD_A: stage("a", tm, !p.transA, fitsM),
    LOAD_B: stage("b", tn, p.transB, fitsN),
    INNER: indent(inner, 4).join("\n"),
    STORE: indent(store, 2).join("\n"),
  });
  return {
    key,
    code,
    dispatches: [{
      params: packParams(p, 0),
      workgroups: [Math.ceil(p.n / tn), Math.ceil(p.m / tm), p.batch],
    }],
  };
}

// ---- naive reference (bench peer, test oracle) ---------------------------------------------

/**
 * The naive kernel: one output per invocation, a plain loop over k, scalar loads. Kept as the
 * bench's baseline and as a second oracle; not used by `planMatmul`.
 */
export function planMatmulNaive(p: MatmulProblem): MatmulPlan {
  checkProblem(p);
  const sa = p.transA ? ["1u", "lda"] : ["lda", "1u"];
  const sb = p.transB ? ["1u", "ldb"] : ["ldb", "1u"];
  const code =
    `// Naive batched matmul: one output per invocation (bench baseline). Params as in matmul.wgsl.
struct Params { batch: u32, m: u32, n: u32, k: u32, a_off: u32, b_off: u32, a_bstride: u32,
  b_bstride: u32, lda: u32, ldb: u32, k_main: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  let z = gid.z;
  if (m >= params.m || n >= params.n) { return; }
  let lda = params.lda;
  let ldb = params.ldb;
  let a_row = params.a_off + z * params.a_bstride + m * ${sa[0]};
  let b_col = params.b_off + z * params.b_bstride + n * ${sb[1]};
  var acc = 0.0;
  for (var k = 0u; k < params.k; k += 1u) {
    acc = fma(a[a_row + k * ${sa[1]}], b[b_col + k * ${sb[0]}], acc);
  }
  out[(z * params.m + m) * params.n + n] = acc;
}
`;
  return {
    key: `matmul/naive/tA${+p.transA}tB${+p.transB}`,
    code,
    dispatches: [{
      params: packParams(p, 0),
      workgroups: [Math.ceil(p.n / 8), Math.ceil(p.m / 8), p.batch],
    }],
  };
}
