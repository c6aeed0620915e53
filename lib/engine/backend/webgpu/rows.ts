/**
 * The row kernels (`kernels/rows.wgsl`: softmax, argmax, cross-entropy and layer norm with
 * their backwards) over a contiguous (R, C) matrix: the layout per adapter and row length, and
 * the dispatch.
 *
 * Legend: R rows, C columns.
 *
 * @module
 */
import { flatGrid } from "./elementwise.ts";
import type { KernelRunner, KERNELS } from "./kernels.ts";
import type { GpuBuffer } from "./pool.ts";

/**
 * Most elements of a row each invocation of a row kernel keeps in private memory, so that rows
 * of up to `ROW_CACHE · workgroup size` columns are read from storage once. CPU adapters:
 * 128 × 8 lanes covers 1024 columns (private arrays are plain stack memory there). GPUs: 16
 * (registers), × 64 or 256 invocations.
 */
const ROW_CACHE_CPU = 128;
const ROW_CACHE_GPU = 16;
/**
 * On CPU adapters, rows of up to this many columns run one row per invocation, without the
 * barrier trees: a barrier is a coroutine switch there. Longer rows keep one workgroup per row,
 * which reads a row from storage once (the row cache) and spreads it over the lanes.
 */
const LANE_ROWS_MAX_COLS = 1024;

/**
 * Workgroup size of the kernels that give a row one workgroup. On CPU adapters one SIMD group
 * (8 lanes on llvmpipe AVX2): barriers are costly there and 8 lanes keep tree reductions at
 * 3 levels. On GPUs, 64 for short rows and 256 for long ones.
 */
export function rowWorkgroup(adapterKind: "cpu" | "gpu", cols: number): number {
  if (adapterKind === "cpu") return 8;
  return cols <= 1024 ? 64 : 256;
}

/** Records row kernel `name` over `buffers` (its bindings in order) for an (R, C) matrix. */
export function dispatchRows(
  runner: KernelRunner,
  name: keyof typeof KERNELS,
  buffers: GpuBuffer[],
  rows: number,
  cols: number,
  eps = 0,
): void {
  const wg = rowWorkgroup(runner.adapterKind, cols);
  const params = { rows, cols, eps };
  if (runner.adapterKind === "cpu" && cols <= LANE_ROWS_MAX_COLS) {
    // One row per invocation: no barriers (LANES = 1).
    const kernel = runner.kernel(name, { CACHED: "false", ROW_CACHE: 1, LANES: 1 }, wg);
    runner.recorder.dispatch(kernel, buffers, params, ...flatGrid(rows, wg));
    return;
  }
  // Private cache slots per invocation: the next power of two ≥ C / wg (few pipelines).
  const slots = 2 ** Math.ceil(Math.log2(Math.max(4, Math.ceil(cols / wg))));
  const cached = slots <= (runner.adapterKind === "cpu" ? ROW_CACHE_CPU : ROW_CACHE_GPU);
  const constants = { CACHED: String(cached), ROW_CACHE: cached ? slots : 1, LANES: wg };
  const kernel = runner.kernel(name, constants, wg);
  runner.recorder.dispatch(kernel, buffers, params, ...flatGrid(rows, 1));
}
