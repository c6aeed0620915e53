/**
 * Row kernels of the `cpu` backend over contiguous (R, C) arrays: reductions, argmax, softmax,
 * cross-entropy and layer norm, forward and backward. Each writes every element of the output
 * arrays it is given (they come from the backend's pool, not zeroed). Arithmetic is f64
 * (JavaScript numbers; f32 would need a `Math.fround` per step and buy nothing); outputs round to
 * f32 once.
 *
 * `reduce` has two versions tested against each other: `reduceReference` walks each output's
 * column with stride `inner` (the definition), `reduce` sums whole rows into an f64 accumulator
 * row (same additions, same order, so the same values) when `inner > 1`, which reads memory in
 * order: the bias gradient (outer 1, size B·T, inner C) is the common case.
 *
 * Legend: R rows, C columns.
 *
 * @module
 */
import type { ReduceOp } from "../backend.ts";
import { fastExp } from "./elementwise.ts";

type Data = Float32Array | Int32Array;

/** f64 scratch rows reused across calls (grown on demand; the backend is single-threaded). */
let scratch = new Float64Array(1024);
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch;
}

/** Reference reduction of the middle axis of `(outer, size, inner)` → `(outer, inner)`. */
export function reduceReference(
  op: ReduceOp,
  src: Data,
  outer: number,
  size: number,
  inner: number,
): Float32Array {
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = op === "sum" ? 0 : -Infinity;
      const at = o * size * inner + j;
      if (op === "sum") {
        for (let s = 0; s < size; s++) acc += src[at + s * inner];
      } else {
        for (let s = 0; s < size; s++) acc = Math.max(acc, src[at + s * inner]);
      }
      out[o * inner + j] = acc;
    }
  }
  return out;
}

/** {@linkcode reduceReference} into `out`, with rows summed in memory order when `inner > 1`. */
export function reduce(
  op: ReduceOp,
  src: Data,
  outer: number,
  size: number,
  inner: number,
  out: Float32Array,
): void {
  if (inner === 1 || op !== "sum") return out.set(reduceReference(op, src, outer, size, inner));
  const acc = scratchOf(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0, 0, inner);
    for (let s = 0; s < size; s++) {
      const at = (o * size + s) * inner;
      for (let j = 0; j < inner; j++) acc[j] += src[at + j];
    }
    out.set(acc.subarray(0, inner), o * inner);
  }
}

/** Index of the maximum of each row (first index on ties) → i32 (R). */
export function argmax(src: Data, rows: number, cols: number, out: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let best = 0;
    for (let c = 1; c < cols; c++) if (src[base + c] > src[base + best]) best = c;
    out[r] = best;
  }
}

/** Largest element of row `src[base .. base + cols)` (NaN if any is NaN). */
function rowMax(src: Data, base: number, cols: number): number {
  let max = -Infinity;
  for (let c = base, end = base + cols; c < end; c++) {
    const v = src[c];
    if (v > max || v !== v) max = v;
  }
  return max;
}

/**
 * `exp(d)` for `d ≤ 0` ({@linkcode fastExp}), with 0 below −110 where the f32 result is 0
 * anyway (`Math.exp` also takes a ~7× slower path for large negative arguments such as the
 * −1e4 padding bias).
 */
function expShifted(d: number): number {
  return d < -110 ? 0 : fastExp(d);
}

/** `log Σ exp` of one row, shifted by its maximum. */
function logSumExp(src: Data, base: number, cols: number): number {
  const max = rowMax(src, base, cols);
  let sum = 0;
  for (let c = base, end = base + cols; c < end; c++) sum += expShifted(src[c] - max);
  return max + Math.log(sum);
}

/** Row-wise `exp(x − max) / Σ exp(x − max)`. */
export function softmax(src: Data, rows: number, cols: number, out: Float32Array): void {
  const e = scratchOf(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const max = rowMax(src, base, cols);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const v = expShifted(src[base + c] - max);
      e[c] = v;
      sum += v;
    }
    const inv = 1 / sum;
    for (let c = 0; c < cols; c++) out[base + c] = e[c] * inv;
  }
}

/** Per-row `lse = logsumexp(x)` and `nll = lse − x[target]` (0 for a target < 0). */
export function crossEntropy(
  src: Data,
  tgt: Data,
  rows: number,
  cols: number,
  nll: Float32Array,
  lse: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const l = logSumExp(src, r * cols, cols);
    lse[r] = l;
    const t = tgt[r];
    if (t >= cols) throw new RangeError(`crossEntropy: target ${t} out of range [0, ${cols})`);
    nll[r] = t < 0 ? 0 : l - src[r * cols + t];
  }
}

/** `dx = (softmax(x) − onehot(target)) · dNll[row]`, rows with a target < 0 zero. */
export function crossEntropyBackward(
  src: Data,
  lse: Data,
  tgt: Data,
  dNll: Data,
  rows: number,
  cols: number,
  out: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const t = tgt[r];
    const base = r * cols;
    if (t < 0) {
      out.fill(0, base, base + cols);
      continue;
    }
    const l = lse[r];
    const g = dNll[r];
    for (let c = 0; c < cols; c++) out[base + c] = expShifted(src[base + c] - l) * g;
    out[base + t] = (Math.exp(src[base + t] - l) - 1) * g; // (p − 1)·g, not p·g − g in f32
  }
}

/** Layer norm of each row: `y = (x − μ)·rstd·γ + β`; also returns `mean` and `rstd` (R). */
export function layerNorm(
  src: Data,
  gm: Data,
  bt: Data,
  rows: number,
  cols: number,
  eps: number,
  out: { y: Float32Array; mean: Float32Array; rstd: Float32Array },
): void {
  const { y, mean, rstd } = out;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let mu = 0;
    for (let c = 0; c < cols; c++) mu += src[base + c];
    mu /= cols;
    let variance = 0;
    for (let c = 0; c < cols; c++) {
      const d = src[base + c] - mu;
      variance += d * d;
    }
    variance /= cols;
    const s = 1 / Math.sqrt(variance + eps);
    mean[r] = mu;
    rstd[r] = s;
    for (let c = 0; c < cols; c++) y[base + c] = (src[base + c] - mu) * s * gm[c] + bt[c];
  }
}

/** Layer norm `dx = rstd·(g − mean(g) − x̂·mean(g·x̂))`, `g = dy·γ`, `x̂ = (x − μ)·rstd`. */
export function layerNormBackward(
  src: Data,
  gm: Data,
  mean: Data,
  rstd: Data,
  dy: Data,
  rows: number,
  cols: number,
  dx: Float32Array,
): void {
  const xhat = scratchOf(2 * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const mu = mean[r];
    const rs = rstd[r];
    let meanG = 0;
    let meanGx = 0;
    for (let c = 0; c < cols; c++) {
      const g = dy[base + c] * gm[c];
      const xh = (src[base + c] - mu) * rs;
      xhat[c] = xh;
      xhat[cols + c] = g;
      meanG += g;
      meanGx += g * xh;
    }
    meanG /= cols;
    meanGx /= cols;
    for (let c = 0; c < cols; c++) dx[base + c] = rs * (xhat[cols + c] - meanG - xhat[c] * meanGx);
  }
}
