/**
 * The CPU backend's shared loops: a row plan for walking strided views without per-element
 * index arithmetic, the strided gather and scatter built on it, and the reference matmul.
 *
 * A {@linkcode RowPlan} collapses the dimensions of one or more views of the same shape (size-1
 * axes dropped, neighbours merged where every view steps through them as one axis), so that a
 * contiguous view becomes one row of N elements and a row-broadcast bias becomes (R, C) rows
 * with inner stride 1 or 0. Kernels then run one plain loop per row with a fixed inner stride.
 *
 * `matmulInto` is the readable reference product (f64 accumulation, K ascending) that the BLAS
 * path is tested against and that runs when no BLAS loads.
 *
 * Legend: N elements, R rows, C columns, M/K/N matmul dims, B batch.
 *
 * @module
 */
import { numel, type View } from "../backend.ts";

type Data = Float32Array | Int32Array;

/** The layout of a strided view as seen by a row plan: its strides and offset. */
export interface Strided {
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Rows of an elementwise walk over views of one shape: `rows` × `cols` elements in row-major
 * order; for view `v`, row `r` starts at `starts[v][r]` and steps by `inner[v]`.
 */
export interface RowPlan {
  rows: number;
  cols: number;
  inner: number[];
  starts: Int32Array[];
}

/**
 * Plans the rows of a walk over `views`, all of logical shape `shape` (module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRows } from "./loops.ts";
 * // A (3, 4) contiguous view and a bias broadcast along rows: three rows of four.
 * const plan = planRows([3, 4], [{ strides: [4, 1], offset: 0 }, { strides: [0, 1], offset: 2 }]);
 * assert.deepEqual([plan.rows, plan.cols, plan.inner], [3, 4, [1, 1]]);
 * assert.deepEqual([...plan.starts[0]], [0, 4, 8]);
 * assert.deepEqual([...plan.starts[1]], [2, 2, 2]);
 * // Both contiguous: one row of twelve.
 * assert.equal(planRows([3, 4], [{ strides: [4, 1], offset: 0 }]).rows, 1);
 * ```
 */
export function planRows(shape: readonly number[], views: readonly Strided[]): RowPlan {
  // Collapse: keep axes of size > 1, merging an axis into the one inside it when every view
  // steps through the pair as one axis.
  const dims: number[] = [];
  const strides: number[][] = views.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (
      last >= 0 &&
      views.every((v, i) => strides[i][last] === v.strides[d] * shape[d])
    ) {
      dims[last] *= shape[d];
      views.forEach((v, i) => (strides[i][last] = v.strides[d]));
    } else {
      dims.push(shape[d]);
      views.forEach((v, i) => strides[i].push(v.strides[d]));
    }
  }
  const n = numel(shape);
  const cols = dims.length === 0 ? 1 : dims[dims.length - 1];
  const rows = n === 0 ? 0 : n / cols;
  const outer = dims.length - 1;
  const starts = views.map((v, i) => {
    const out = new Int32Array(rows);
    const index = new Array<number>(Math.max(0, outer)).fill(0);
    let at = v.offset;
    const st = strides[i];
    for (let r = 0; r < rows; r++) {
      out[r] = at;
      for (let d = outer - 1; d >= 0; d--) {
        index[d]++;
        at += st[d];
        if (index[d] < dims[d]) break;
        at -= st[d] * dims[d];
        index[d] = 0;
      }
    }
    return out;
  });
  const inner = strides.map((st) => (dims.length === 0 ? 0 : st[dims.length - 1]));
  return { rows, cols, inner, starts };
}

/** Copies the elements of `view` (read from `src`) into `out` in row-major order. */
export function gatherInto(src: Data, view: View, out: Data): void {
  const { rows, cols, inner, starts } = planRows(view.shape, [view]);
  const s = inner[0];
  const at = starts[0];
  for (let r = 0; r < rows; r++) {
    const a = at[r];
    const o = r * cols;
    if (s === 1) out.set(src.subarray(a, a + cols), o);
    else for (let c = 0; c < cols; c++) out[o + c] = src[a + c * s];
  }
}

/** Writes `values` (row-major) into the elements of `view` inside `dst`. */
export function scatterInto(values: Data, view: View, dst: Data): void {
  const { rows, cols, inner, starts } = planRows(view.shape, [view]);
  const s = inner[0];
  const at = starts[0];
  for (let r = 0; r < rows; r++) {
    const a = at[r];
    const o = r * cols;
    if (s === 1) dst.set(values.subarray(o, o + cols), a);
    else for (let c = 0; c < cols; c++) dst[a + c * s] = values[o + c];
  }
}

/** Copies the elements of view `src` (in `from`) into view `dst` (in `to`), same shape. */
export function copyStrided(from: Data, src: View, to: Data, dst: View): void {
  const { rows, cols, inner, starts } = planRows(src.shape, [src, dst]);
  const [si, di] = inner;
  const [sa, da] = starts;
  for (let r = 0; r < rows; r++) {
    const a = sa[r];
    const b = da[r];
    if (si === 1 && di === 1) to.set(from.subarray(a, a + cols), b);
    else for (let c = 0; c < cols; c++) to[b + c * di] = from[a + c * si];
  }
}

/**
 * Packs batch `b` of a matmul operand (B, rows, inner) given as a strided view into a
 * contiguous (rows, inner) Float64Array. With `transpose`, packs (inner, rows) as (rows, inner).
 */
function pack(
  src: Data,
  view: View,
  b: number,
  rows: number,
  inner: number,
  transpose: boolean,
  out: Float64Array,
): void {
  const base = view.offset + b * view.strides[0];
  const rs = transpose ? view.strides[2] : view.strides[1];
  const cs = transpose ? view.strides[1] : view.strides[2];
  for (let r = 0; r < rows; r++) {
    const o = r * inner;
    const at = base + r * rs;
    for (let c = 0; c < inner; c++) out[o + c] = src[at + c * cs];
  }
}

/**
 * `out[b] = a[b] · bm[b]` for views a (B, M, K) and bm (B, K, N), out (B, M, N) contiguous.
 * Both operands are packed contiguous along K (A as M×K, B as Nᵀ: N×K); each 2×2 output block
 * is four f64 dot products over K in ascending order.
 */
export function matmulInto(
  av: Data,
  a: View,
  bv: Data,
  bm: View,
  out: Float32Array,
): void {
  const [batch, m, k] = a.shape;
  const n = bm.shape[2];
  const ap = new Float64Array(m * k); // (M, K)
  const bt = new Float64Array(n * k); // (N, K)
  for (let b = 0; b < batch; b++) {
    pack(av, a, b, m, k, false, ap);
    pack(bv, bm, b, n, k, true, bt);
    const o = b * m * n;
    let i = 0;
    for (; i + 1 < m; i += 2) {
      const a0 = i * k;
      const a1 = a0 + k;
      let j = 0;
      for (; j + 1 < n; j += 2) {
        const b0 = j * k;
        const b1 = b0 + k;
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        for (let kk = 0; kk < k; kk++) {
          const x0 = ap[a0 + kk];
          const x1 = ap[a1 + kk];
          const y0 = bt[b0 + kk];
          const y1 = bt[b1 + kk];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
        out[o + i * n + j] = s00;
        out[o + i * n + j + 1] = s01;
        out[o + (i + 1) * n + j] = s10;
        out[o + (i + 1) * n + j + 1] = s11;
      }
      if (j < n) {
        out[o + i * n + j] = dot(ap, a0, bt, j * k, k);
        out[o + (i + 1) * n + j] = dot(ap, a1, bt, j * k, k);
      }
    }
    if (i < m) {
      for (let j = 0; j < n; j++) out[o + i * n + j] = dot(ap, i * k, bt, j * k, k);
    }
  }
}

function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, k: number): number {
  let s = 0;
  for (let kk = 0; kk < k; kk++) s += x[xo + kk] * y[yo + kk];
  return s;
}
