/**
 * The CPU backend's hot loops, written for V8: strided gathers that walk the innermost axis in
 * a plain `for` loop (no per-element callback), elementwise maps specialised per operator (a
 * megamorphic callback per element costs ~10× in V8), and a matmul that packs both operands
 * contiguous along K and computes 2×2 output blocks with four accumulators.
 *
 * Every function computes exactly what the one-line loop it replaces computes, in the same
 * order and precision (f64 accumulation, K ascending), so the CPU backend stays the oracle.
 *
 * Legend: N elements, M/K/N matmul dims, B batch.
 *
 * @module
 */
import { numel, type View } from "../backend.ts";

type Data = Float32Array | Int32Array;

/**
 * Calls `fn(i, at)` once per innermost row of `view`: `i` is the row's first row-major index,
 * `at` the storage offset of its first element (the outer axes advance as an odometer).
 */
function forEachRow(view: View, fn: (i: number, at: number) => void): void {
  const rank = view.shape.length;
  const n = numel(view.shape);
  const cols = view.shape[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let at = view.offset;
  for (let i = 0; i < n; i += cols) {
    fn(i, at);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      at += view.strides[d];
      if (index[d] < view.shape[d]) break;
      at -= view.strides[d] * view.shape[d];
      index[d] = 0;
    }
  }
}

/**
 * Copies the elements of `view` (read from `src`) into `out` in row-major order.
 * The innermost axis is a plain loop; the outer axes advance an odometer once per row.
 */
export function gatherInto(src: Data, view: View, out: Data): void {
  const rank = view.shape.length;
  if (numel(view.shape) === 0) return;
  if (rank === 0) {
    out[0] = src[view.offset];
    return;
  }
  const cols = view.shape[rank - 1];
  const stride = view.strides[rank - 1];
  forEachRow(view, (i, at) => {
    if (stride === 1) {
      for (let c = 0; c < cols; c++) out[i + c] = src[at + c];
    } else {
      for (let c = 0; c < cols; c++) out[i + c] = src[at + c * stride];
    }
  });
}

/** Writes `values` (row-major) into the elements of `view` inside `dst`. */
export function scatterInto(values: Data, view: View, dst: Data): void {
  const rank = view.shape.length;
  if (numel(view.shape) === 0) return;
  if (rank === 0) {
    dst[view.offset] = values[0];
    return;
  }
  const cols = view.shape[rank - 1];
  const stride = view.strides[rank - 1];
  forEachRow(view, (i, at) => {
    for (let c = 0; c < cols; c++) dst[at + c * stride] = values[i + c];
  });
}

/**
 * Applies a binary operator elementwise. `add`, `sub`, `mul` and `div` get their own loops;
 * the others go through `fn`.
 */
export function mapBinary(
  op: string,
  fn: (a: number, b: number) => number,
  a: Data,
  b: Data,
  out: Float32Array,
): void {
  const n = out.length;
  switch (op) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    case "div":
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      return;
    default:
      for (let i = 0; i < n; i++) out[i] = fn(a[i], b[i]);
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
