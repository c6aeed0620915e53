/**
 * Indexing, sampling and optimiser kernels of the `cpu` backend over contiguous arrays:
 * embedding gather and its scatter-add, gather/scatter along the last axis, the top-k sampler
 * and the fused AdamW update. Each writes every element of the output it is given (outputs come
 * from the backend's pool, not zeroed; the scatters clear theirs first).
 *
 * Legend: N ids, V vocabulary, C columns, R rows, K indices per row.
 *
 * @module
 */
import type { AdamWParams, SampleParams } from "../backend.ts";
import { pcgUniform } from "../../../util/rng.ts";

type Data = Float32Array | Int32Array;

/** `out[n, :] = table[ids[n], :]` for table (V, C) → (N, C). */
export function gatherRows(t: Data, ids: Data, vocab: number, cols: number, out: Float32Array) {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (v < 0 || v >= vocab) {
      throw new RangeError(`gatherRows: id ${v} out of range [0, ${vocab})`);
    }
    out.set(t.subarray(v * cols, (v + 1) * cols), i * cols);
  }
}

/** `out[v, :] = Σ_{n: ids[n] = v} src[n, :]` → (V, C), rows added in order of n. */
export function scatterAddRows(s: Data, ids: Data, cols: number, out: Float32Array): void {
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const o = ids[i] * cols;
    const at = i * cols;
    for (let c = 0; c < cols; c++) out[o + c] += s[at + c];
  }
}

/** `out[r, j] = x[r, idx[r, j]]` for x (R, C), idx (R, K) → (R, K). */
export function gatherLast(
  x: Data,
  idx: Data,
  rows: number,
  cols: number,
  k: number,
  out: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) {
      const c = idx[r * k + j];
      if (c < 0 || c >= cols) {
        throw new RangeError(`gatherLast: index ${c} out of range [0, ${cols})`);
      }
      out[r * k + j] = x[r * cols + c];
    }
  }
}

/** `out[r, c] = Σ_{j: idx[r, j] = c} src[r, j]` → (R, C). */
export function scatterLast(
  src: Data,
  idx: Data,
  rows: number,
  cols: number,
  k: number,
  out: Float32Array,
): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < k; j++) out[r * cols + idx[r * k + j]] += src[r * k + j];
  }
}

/**
 * One token per row of logits (R, V) from `softmax(logits / temperature)` restricted to the
 * top-k (ties at the threshold kept), drawn with the counter-based RNG → i32 (R).
 */
export function multinomial(
  src: Data,
  rows: number,
  cols: number,
  p: SampleParams,
  out: Int32Array,
): void {
  const order = new Float64Array(cols);
  const weight = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    // Top-k threshold: the k-th largest logit.
    let threshold = -Infinity;
    if (p.topK > 0 && p.topK < cols) {
      for (let c = 0; c < cols; c++) order[c] = src[base + c];
      order.sort();
      threshold = order[cols - p.topK];
    }
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, src[base + c]);
    // Unnormalised probabilities, computed once (the scan below reuses them).
    let total = 0;
    for (let c = 0; c < cols; c++) {
      const x = src[base + c];
      const e = x >= threshold ? Math.exp((x - max) / p.temperature) : 0;
      weight[c] = e;
      total += e;
    }
    const u = pcgUniform(p.seed, p.counter, r) * total;
    let acc = 0;
    let pick = -1;
    for (let c = 0; c < cols; c++) {
      if (src[base + c] < threshold) continue;
      acc += weight[c];
      pick = c;
      if (acc > u) break;
    }
    out[r] = pick;
  }
}

/**
 * One AdamW step in place (Loshchilov & Hutter, arXiv 1711.05101, Alg. 2), the gradient
 * multiplied by `scale` first: `m ← β1·m + (1 − β1)·g`, `v ← β2·v + (1 − β2)·g²`,
 * `θ ← θ − α·(m̂/(√v̂ + ε) + λ·θ)` with `m̂ = m/(1 − β1^t)`, `v̂ = v/(1 − β2^t)`.
 */
export function adamw(
  w: Float32Array,
  g: Data,
  m: Float32Array,
  v: Float32Array,
  p: AdamWParams,
  scale: number,
): void {
  const { beta1, beta2, eps, lr, weightDecay } = p;
  const c1 = 1 - Math.pow(beta1, p.step);
  const c2 = 1 - Math.pow(beta2, p.step);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] * scale;
    m[i] = beta1 * m[i] + (1 - beta1) * gi; // first moment
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi; // second moment
    const mi = m[i]; // as stored (f32), like the GPU kernel
    const vi = v[i];
    const wi = w[i];
    w[i] = wi - lr * ((mi / c1) / (Math.sqrt(vi / c2) + eps) + weightDecay * wi);
  }
}
