/**
 * Helpers of the GPT that are not part of its reading path: the in-place window write of the KV
 * cache, the additive attention biases (cached per backend and shape), RoPE tables and seed
 * mixing for parameter initialisation.
 *
 * Legend: B batch, T time (new queries), S keys, D head size.
 *
 * @module
 */
import type { Backend } from "../engine/backend/backend.ts";
import { keep, type Tensor, tensor } from "../engine/tensor.ts";

/**
 * Additive bias of a future key: removes it from the softmax. Finite, because WGSL leaves
 * infinities undefined; the diagonal is never masked, so no row is all future keys.
 */
export const MASKED = -1e9;

/**
 * Additive bias of a padding key: exp(−1e4) underflows to 0 next to any real key, yet in a row
 * of padding only (a padded query) the scores keep their f32 precision, so the row stays a
 * smooth function of its inputs, and padding keys still beat future keys ({@linkcode MASKED}).
 */
export const PADDING = -1e4;

/**
 * Copies `src` into `dst[…, start : start + src.shape[axis], …]` in place (a strided copy on the
 * device; not recorded by autograd). `src` has `dst`'s shape except along `axis`.
 */
export function writeWindow(dst: Tensor, axis: number, start: number, src: Tensor): void {
  const window = dst.view;
  const ok = src.rank === dst.rank &&
    src.shape.every((d, i) => i === axis ? start + d <= dst.shape[i] : d === dst.shape[i]);
  if (!ok || src.backend !== dst.backend || src.dtype !== dst.dtype) {
    throw new Error(
      `writeWindow: cannot write [${src.shape}] at ${start} on axis ${axis} of [${dst.shape}]`,
    );
  }
  if (src.size === 0) return;
  dst.backend.copy(src.view, {
    storage: window.storage,
    shape: src.shape,
    strides: window.strides,
    offset: window.offset + start * window.strides[axis],
  });
}

const CAUSAL_CACHE_LIMIT = 64;
const causalCache = new WeakMap<Backend, Map<string, Tensor>>();

/**
 * The causal bias (T, S) for T new queries at the end of S keys: 0 where key j ≤ S − T + i,
 * {@linkcode MASKED} after. Cached per backend and (T, S); the cache keeps the newest 64.
 */
export function causalBias(backend: Backend, T: number, S: number): Tensor {
  let cache = causalCache.get(backend);
  if (cache === undefined) causalCache.set(backend, cache = new Map());
  const key = `${T},${S}`;
  let bias = cache.get(key);
  if (bias === undefined) {
    const data = new Float32Array(T * S);
    for (let i = 0; i < T; i++) data.fill(MASKED, i * S + S - T + i + 1, (i + 1) * S);
    bias = keep(tensor(data, [T, S], { backend })); // (T, S)
    if (cache.size >= CAUSAL_CACHE_LIMIT) {
      const [oldKey, old] = cache.entries().next().value!;
      cache.delete(oldKey);
      old.dispose();
    }
    cache.set(key, bias);
  }
  return bias;
}

/**
 * RoPE tables cos, sin (L, D/2) for positions 0 … L−1 and frequencies θ_i = base^(−2i/D)
 * (Su et al., "RoFormer", arXiv 2104.09864).
 */
export function ropeTables(
  backend: Backend,
  L: number,
  D: number,
  base = 10000,
): { cos: Tensor; sin: Tensor } {
  const half = D / 2;
  const cos = new Float32Array(L * half);
  const sin = new Float32Array(L * half);
  for (let p = 0; p < L; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(base, (-2 * i) / D);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return {
    cos: keep(tensor(cos, [L, half], { backend })),
    sin: keep(tensor(sin, [L, half], { backend })),
  };
}

/** A 32-bit seed for parameter `k` of a model seeded with `seed` (murmur3 finaliser). */
export function mixSeed(seed: number, k: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
