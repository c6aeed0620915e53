/**
 * The `cpu` backend's batched matrix product: CBLAS `sgemm` when a BLAS loaded (see
 * `blas.ts`), the TypeScript loop `matmulInto` (the reference, f64 accumulation) otherwise.
 *
 * A strided operand maps to CBLAS without a copy when one of its two matrix strides is 1: unit
 * column stride is a plain row-major matrix (leading dimension = row stride), unit row stride
 * is the transpose of one (leading dimension = column stride). Anything else (both strides
 * larger than 1, a broadcast row) is gathered contiguous first. Batches loop, one `sgemm` each,
 * except that a right operand shared by every batch against a left operand whose batches are
 * stacked rows makes one tall product. Products under {@linkcode THREADED_MIN_FLOPS} per call run
 * on one OpenBLAS thread: waking a second costs more than it saves there (attention's per-head
 * products, everything in generation), and on a busy machine a spinning helper thread hurts.
 *
 * Legend: B batch, M/K/N matmul dims.
 *
 * @module
 */
import type { View } from "../backend.ts";
import { type Blas, blasMissReason, loadBlas } from "./blas.ts";
import { gatherInto, matmulInto } from "./loops.ts";

/** FLOPs (2·M·N·K) of one `sgemm` call from which it may use all of `Blas.maxThreads`. */
export const THREADED_MIN_FLOPS = 2 ** 27;

/** How a (rows, cols) operand is handed to CBLAS: transposed or not, and its leading dimension. */
export interface CblasLayout {
  /** True when the stored array is the operand's transpose (unit row stride). */
  trans: boolean;
  /** Leading dimension: the stride between consecutive stored rows. */
  ld: number;
}

/**
 * The CBLAS layout of a (rows, cols) matrix with row stride `rs` and column stride `cs`, or null
 * when it has none (it must be copied). A dimension of size 1 may have any stride.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cblasLayout } from "./matmul.ts";
 * assert.deepEqual(cblasLayout(4, 3, 5, 1), { trans: false, ld: 5 }); // rows of a wider array
 * assert.deepEqual(cblasLayout(4, 3, 1, 4), { trans: true, ld: 4 }); // a transposed view
 * assert.equal(cblasLayout(4, 3, 6, 2), null); // every other column: copy
 * ```
 */
export function cblasLayout(
  rows: number,
  cols: number,
  rs: number,
  cs: number,
): CblasLayout | null {
  if ((cs === 1 || cols <= 1) && (rows <= 1 || rs >= Math.max(1, cols))) {
    return { trans: false, ld: rows <= 1 ? Math.max(1, cols) : rs };
  }
  if ((rs === 1 || rows <= 1) && (cols <= 1 || cs >= Math.max(1, rows))) {
    return { trans: true, ld: cols <= 1 ? Math.max(1, rows) : cs };
  }
  return null;
}

/** One operand ready for CBLAS: its array, the offset of batch 0, the batch stride, the layout. */
interface Operand {
  data: Float32Array;
  offset: number;
  batchStride: number;
  layout: CblasLayout;
}

/** Maps a (B, rows, cols) view to an {@linkcode Operand}, gathering it contiguous if it must. */
function operand(data: Float32Array, view: View): Operand {
  const [batch, rows, cols] = view.shape;
  const layout = cblasLayout(rows, cols, view.strides[1], view.strides[2]);
  const batchStride = batch === 1 ? 0 : view.strides[0];
  if (layout !== null) return { data, offset: view.offset, batchStride, layout };
  // A broadcast batch is gathered once, not once per batch.
  const copies = batchStride === 0 ? 1 : batch;
  const packed = new Float32Array(copies * rows * cols);
  gatherInto(data, { ...view, shape: [copies, rows, cols] }, packed);
  return {
    data: packed,
    offset: 0,
    batchStride: batchStride === 0 ? 0 : rows * cols,
    layout: { trans: false, ld: Math.max(1, cols) },
  };
}

/**
 * `out[b] = a[b] · bm[b]` through CBLAS for f32 views a (B, M, K) and bm (B, K, N) into a
 * contiguous out (B, M, N), every element written (K = 0 gives zeros).
 */
export function matmulBlas(
  blas: Blas,
  av: Float32Array,
  a: View,
  bv: Float32Array,
  bm: View,
  out: Float32Array,
): void {
  const [batch, m, k] = a.shape;
  const n = bm.shape[2];
  if (batch * m * n === 0) return;
  if (k === 0) return void out.fill(0, 0, batch * m * n);
  const x = operand(av, a);
  const y = operand(bv, bm);
  if (y.batchStride === 0 && !x.layout.trans && x.batchStride === m * x.layout.ld) {
    // Every batch times the same matrix, batches stacked as rows: one (B·M, K)·(K, N) product.
    blas.setThreads(2 * batch * m * n * k >= THREADED_MIN_FLOPS ? blas.maxThreads : 1);
    blas.sgemm(
      false,
      y.layout.trans,
      batch * m,
      n,
      k,
      x.data.subarray(x.offset),
      x.layout.ld,
      y.data.subarray(y.offset),
      y.layout.ld,
      out,
      n,
    );
    return;
  }
  blas.setThreads(2 * m * n * k >= THREADED_MIN_FLOPS ? blas.maxThreads : 1);
  for (let b = 0; b < batch; b++) {
    blas.sgemm(
      x.layout.trans,
      y.layout.trans,
      m,
      n,
      k,
      x.data.subarray(x.offset + b * x.batchStride),
      x.layout.ld,
      y.data.subarray(y.offset + b * y.batchStride),
      y.layout.ld,
      out.subarray(b * m * n),
      n,
    );
  }
}

let shared: Blas | null | undefined;

/**
 * The process's BLAS, loaded on first use (null when none). When none loads for a reason other
 * than `RMT_BLAS=off`, one line on stderr says that matmul runs as TypeScript loops.
 */
export function sharedBlas(): Blas | null {
  if (shared !== undefined) return shared;
  shared = loadBlas();
  const reason = blasMissReason();
  if (shared === null && reason !== "RMT_BLAS=off") {
    console.error(`cpu backend: ${reason}; matmul runs as TypeScript loops (slow)`);
  }
  return shared;
}

/**
 * The backend's matmul: BLAS when `blas` is given and both operands are f32, the reference loop
 * otherwise. `out` (B, M, N) is contiguous; every element is written.
 */
export function matmul(
  blas: Blas | null,
  av: Float32Array | Int32Array,
  a: View,
  bv: Float32Array | Int32Array,
  bm: View,
  out: Float32Array,
): void {
  if (blas !== null && av instanceof Float32Array && bv instanceof Float32Array) {
    matmulBlas(blas, av, a, bv, bm, out);
  } else {
    matmulInto(av, a, bv, bm, out); // (B, M, N), f64 accumulation over K ascending
  }
}
