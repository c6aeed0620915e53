/**
 * Causal self-attention as the decoders of this folder share it (`gpt.ts`, `llama.ts`): the
 * per-pass bookkeeping (attention bias, RoPE window, KV cache or differentiable prefix), rotary
 * embeddings, and scaled dot-product attention with grouped-query heads (GQA: Ainslie et al.,
 * arXiv 2305.13245), where H query heads share Hkv key/value heads, H/Hkv queries per group.
 *
 * GQA without copies: the query heads of one group are adjacent (head h reads group
 * ⌊h·Hkv/H⌋, as `repeat_kv` in transformers), so q (B, H, T, D) is viewed as (B, Hkv, R·T, D)
 * with R = H/Hkv, one product per group against its keys, and the scores viewed back as
 * (B, H, T, S) for the bias and the softmax.
 *
 * Legend: B batch, T time (new queries), S keys, P prefix length, H query heads, Hkv key/value
 * heads, R = H/Hkv, D head size, C channels.
 *
 * @module
 */
import type { Backend } from "../engine/backend/backend.ts";
import { isGradEnabled, keep, type Tensor, zeros } from "../engine/tensor.ts";
import { causalBias, PADDING, writeWindow } from "./_kv.ts";

/**
 * Keys and values of a prefix, per layer (B, Hkv, P, D), as ordinary tensors of the graph: a
 * forward with `kvOut` fills one, a forward with `prefix` attends to it (gradients flow back into
 * the pass that produced it). GRPO uses it to run a prompt once for its G completions.
 */
export interface KvPrefix {
  /** Per layer: (B, Hkv, P, D). */
  k: Tensor[];
  /** Per layer: (B, Hkv, P, D). */
  v: Tensor[];
}

/**
 * Keys and values of every layer for incremental decoding, preallocated as (B, Hkv, maxLen, D)
 * per layer and filled in place. `length` is the number of positions written.
 */
export class KvCache {
  /** Positions filled so far (the position of the next token). */
  length = 0;
  constructor(
    readonly batch: number,
    readonly maxLength: number,
    /** Per layer: (B, Hkv, maxLen, D). */
    readonly k: Tensor[],
    /** Per layer: (B, Hkv, maxLen, D). */
    readonly v: Tensor[],
  ) {}
  /** Frees the buffers. */
  dispose(): void {
    for (const t of [...this.k, ...this.v]) t.dispose();
  }
}

/** Options of a decoder's `forward` (see `GPT.forward`). */
export interface ForwardOptions {
  /** Incremental decoding: the new tokens go at `cache.length` (inference only). */
  cache?: KvCache;
  /** f32 (B, S): 1 attend, 0 padding key. */
  keyMask?: Tensor;
  /** Only the last position's logits (B, 1, V). */
  lastOnly?: boolean;
  /** Keys and values of earlier positions to attend to, with gradients. */
  prefix?: KvPrefix;
  /** Receives this pass's keys and values, per layer. */
  kvOut?: KvPrefix;
}

/** Shapes shared by the layers of one forward pass. */
export interface Pass {
  B: number;
  T: number;
  /** Position of the first new token (the cache or prefix length before this pass). */
  start: number;
  /** Additive attention bias broadcastable to (B, H, T, S), or null for none. */
  bias: Tensor | null;
  cache: KvCache | null;
  prefix: KvPrefix | null;
  kvOut: KvPrefix | null;
  /** RoPE tables narrowed to the new positions, (T, D/2) each; null without rotary positions. */
  rope: { cos: Tensor; sin: Tensor } | null;
}

/**
 * Checks the inputs of a forward pass and builds its {@linkcode Pass}: the causal bias over the
 * new queries plus the padding keys, and the RoPE window. `name` prefixes the errors.
 */
export function beginPass(
  name: string,
  ids: Tensor,
  opts: ForwardOptions,
  contextLength: number,
  ropeTables: { cos: Tensor; sin: Tensor } | null,
): Pass {
  const cache = opts.cache ?? null;
  const prefix = opts.prefix ?? null;
  if (prefix !== null && cache !== null) {
    throw new Error(`${name}.forward: give a KV cache or a prefix, not both`);
  }
  if (ids.dtype !== "i32" || ids.rank !== 2) {
    throw new Error(`${name}.forward: expected i32 ids (B, T), got ${ids.dtype} [${ids.shape}]`);
  }
  const [B, T] = ids.shape;
  const start = cache?.length ?? prefix?.k[0]?.shape[2] ?? 0;
  const S = start + T;
  if (S > contextLength) {
    throw new Error(`${name}.forward: ${S} positions exceed contextLength ${contextLength}`);
  }
  if (cache !== null) {
    if (isGradEnabled()) {
      throw new Error(`${name}.forward: a KV cache is for inference; use noGrad`);
    }
    if (cache.batch !== B || S > cache.maxLength) {
      throw new Error(
        `${name}.forward: cache (batch ${cache.batch}, ${cache.length}/${cache.maxLength}) cannot take [${ids.shape}]`,
      );
    }
  }
  const keyMask = opts.keyMask ?? null;
  if (
    keyMask !== null && (keyMask.rank !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== S)
  ) {
    throw new Error(`${name}.forward: expected keyMask (${B}, ${S}), got [${keyMask.shape}]`);
  }
  // Attention bias, shared by every layer: causal over the new queries, then padding keys.
  let bias: Tensor | null = T > 1 ? causalBias(ids.backend, T, S) : null; // (T, S)
  if (keyMask !== null) {
    const keyBias = keyMask.sub(1).mul(-PADDING).reshape([B, 1, 1, S]); // (B, 1, 1, S)
    bias = bias === null ? keyBias : keyBias.add(bias); // (B, 1, T, S)
  }
  const rope = ropeTables === null
    ? null
    : { cos: ropeTables.cos.narrow(0, start, T), sin: ropeTables.sin.narrow(0, start, T) }; // (T, D/2)
  return { B, T, start, bias, cache, rope, prefix, kvOut: opts.kvOut ?? null };
}

/**
 * A zeroed cache of `nLayer` layers, (B, Hkv, maxLen, D) each; `name` prefixes the error when
 * `maxLength` exceeds `contextLength`.
 */
export function newKvCache(
  name: string,
  backend: Backend,
  dims: { batch: number; maxLength: number; contextLength: number; nLayer: number },
  kvHeads: number,
  headSize: number,
): KvCache {
  const { batch, maxLength, contextLength, nLayer } = dims;
  if (maxLength > contextLength) {
    throw new Error(
      `${name}.newCache: maxLength ${maxLength} exceeds contextLength ${contextLength}`,
    );
  }
  const shape = [batch, kvHeads, maxLength, headSize]; // (B, Hkv, maxLen, D)
  const make = () => Array.from({ length: nLayer }, () => keep(zeros(shape, { backend })));
  return new KvCache(batch, maxLength, make(), make());
}

/**
 * Rotates the two halves of the head dimension by the position angles (the "rotate half" form
 * of RoPE, as GPT-NeoX and transformers' Llama): `[x1·cos − x2·sin, x2·cos + x1·sin]`.
 */
export function applyRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const half = x.shape[3] / 2;
  const x1 = x.narrow(3, 0, half); // (B, H, T, D/2)
  const x2 = x.narrow(3, half, half); // (B, H, T, D/2)
  const r1 = x1.mul(cos).sub(x2.mul(sin)); // (B, H, T, D/2)
  const r2 = x2.mul(cos).add(x1.mul(sin)); // (B, H, T, D/2)
  return r1.cat([r2], 3); // (B, H, T, D)
}

/**
 * softmax(q·kᵀ/√D + bias)·v for layer `layer` of the pass, with RoPE applied to q and k when the
 * pass has tables, the keys and values routed through `kvOut`, `prefix` and the cache.
 * q (B, H, T, D); k, v (B, Hkv, T, D) → (B·T, H·D), the heads side by side.
 */
export function attend(q: Tensor, k: Tensor, v: Tensor, pass: Pass, layer: number): Tensor {
  const { B, T, start, cache } = pass;
  const [, H, , D] = q.shape;
  const Hkv = k.shape[1];
  if (pass.rope !== null) {
    q = applyRope(q, pass.rope.cos, pass.rope.sin); // (B, H, T, D)
    k = applyRope(k, pass.rope.cos, pass.rope.sin); // (B, Hkv, T, D)
  }
  if (pass.kvOut !== null) {
    pass.kvOut.k[layer] = k;
    pass.kvOut.v[layer] = v;
  }
  if (pass.prefix !== null) {
    k = pass.prefix.k[layer].cat([k], 2); // (B, Hkv, S, D)
    v = pass.prefix.v[layer].cat([v], 2); // (B, Hkv, S, D)
  }
  if (cache !== null) {
    writeWindow(cache.k[layer], 2, start, k); // cache.k (B, Hkv, maxLen, D)
    writeWindow(cache.v[layer], 2, start, v);
    k = cache.k[layer].narrow(2, 0, start + T); // (B, Hkv, S, D)
    v = cache.v[layer].narrow(2, 0, start + T); // (B, Hkv, S, D)
  }
  const S = k.shape[2];
  const R = H / Hkv;
  // The R query heads of a group are adjacent: (B, H, T, D) is (B, Hkv, R·T, D) as it stands.
  if (R > 1) q = q.contiguous().reshape([B, Hkv, R * T, D]); // (B, Hkv, R·T, D)
  let att = q.mul(1 / Math.sqrt(D)).matmul(k.transpose(2, 3)); // (B, Hkv, R·T, S)
  if (R > 1) att = att.reshape([B, H, T, S]); // (B, H, T, S)
  if (pass.bias !== null) att = att.add(pass.bias); // (B, H, T, S)
  att = att.softmax(); // (B, H, T, S)
  if (R > 1) att = att.reshape([B, Hkv, R * T, S]); // (B, Hkv, R·T, S)
  return att.matmul(v) // (B, Hkv, R·T, D)
    .reshape([B, H, T, D]) // (B, H, T, D)
    .transpose(1, 2) // (B, T, H, D)
    .reshape([B * T, H * D]); // (B·T, H·D) the heads side by side
}
