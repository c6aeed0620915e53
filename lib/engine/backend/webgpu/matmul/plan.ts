/**
 * Batched matmul planning for the WebGPU backend: the rules that pick a kernel variant and its
 * configuration for a problem and an adapter, and that reshape a problem so a faster variant
 * applies. The kernels are `kernels/matmul_*.wgsl`; `variants.ts` turns a choice into a plan.
 *
 * - `window` (`kernels/matmul_window.wgsl`): the CPU-adapter default where A allows it (row
 *   major or a transposed matrix that fits one window, vec4-aligned, enough work per window):
 *   A's rows read through a 64 KiB uniform-buffer window, one dispatch per window.
 * - `register` (`kernels/matmul_register.wgsl`): CPU adapters elsewhere, and skinny products
 *   (M ≤ 16) on GPUs: no workgroup memory, no barriers, an RM × 4·CG block per invocation.
 * - `tiled` (`kernels/matmul_tiled.wgsl`): GPUs: 64 × 64 tiles staged in workgroup memory.
 *
 * Why the window variant: on lavapipe a storage load in a loop costs several vector
 * multiply-adds per float, a uniform load at a per-lane address about half of that; the
 * measurements behind each rule are in docs/performance.md ("WebGPU kernels: design
 * measurements").
 *
 * @module
 */
import {
  checkProblem,
  CPU_CONFIG,
  GPU_CONFIG,
  GPU_SKINNY_CONFIG,
  type MatmulConfig,
  type MatmulPlan,
  type MatmulProblem,
  type WindowConfig,
} from "./problem.ts";
import { planNaive, planRegister, planTiled, planWindow } from "./variants.ts";
import { WINDOW_WX, windowLayout } from "./window.ts";

/**
 * Plans one batched matmul: the variant per adapter kind (`cpu`: window or register-tiled;
 * `gpu`: workgroup-memory tiled, default), tile sizes fitted to small M, and the fits flags.
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

/**
 * The naive kernel: one output per invocation, a plain loop over k, scalar loads. Kept as the
 * bench's baseline and as a second oracle; not used by `planMatmul`.
 */
export function planMatmulNaive(p: MatmulProblem): MatmulPlan {
  checkProblem(p);
  return planNaive(p);
}

/**
 * The window config `planMatmul` uses on a CPU adapter, or null where the variant does not
 * apply: A not vec4-aligned or a transposed matrix larger than a window, no `aBytes`, rows too
 * long for 16 in a 64 KiB window, too few column workgroups per dispatch to keep the adapter's
 * threads busy (N ≤ 64), or too little work per window to pay for its dispatch (under 2 MFLOP,
 * about 0.2 ms of arithmetic against ~30 µs of dispatch overhead).
 */
function chooseWindowConfig(p: MatmulProblem, limits: GPUSupportedLimits): WindowConfig | null {
  const cg = p.n >= 256 ? 2 : 1;
  if (Math.ceil(p.n / (WINDOW_WX * cg * 4)) < 2) return null;
  // 8-row blocks (K = 2048) do not beat the register variant: 32 or 16 rows only.
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
 * per dispatch, and its (N, M) result costs one transposing copy of M·N floats; where N = M/2 or
 * K ≤ 512, the direct product was as fast or faster.
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
 * - A transposed (stored (K, M): the weight gradient Xᵀ·dY): the window variant cannot read a
 *   large one at all, and runs about twice the register variant's speed.
 * - A row major with long rows: a 64 KiB window holds only 16 rows of K = 1024 (and fewer than
 *   16 from K = 2048 on), so each B load serves 16 rows instead of 32, or the register variant
 *   runs. Chunks of 512 or 256 columns give 32-row blocks. With N < 512 the gain does not pay
 *   for the copy: those products are chunked only where no window applies at all, and the
 *   narrow ones are swapped instead ({@linkcode swapForNarrowOutput}).
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
