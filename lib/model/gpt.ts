/**
 * The GPT language model, all of it in this file, read top to bottom as in nanoGPT: causal
 * self-attention, MLP, block, config, model. References: Radford et al., "Language Models are
 * Unsupervised Multitask Learners" (GPT-2, 2019), and karpathy/nanoGPT `model.py`.
 *
 * - Pre-norm blocks: `x + attn(ln1(x))`, then `x + mlp(ln2(x))`; a final layer norm.
 * - Tied output head: logits = x · wteᵀ, with wteᵀ a transposed view of the embedding table.
 * - GPT-2 initialisation: N(0, 0.02²) weights, zero biases, residual projections scaled by
 *   1/√(2·nLayer) ("per GPT-2 paper").
 * - Positions: learned (GPT-2) or rotary (RoPE, Su et al., arXiv 2104.09864) on q and k.
 * - A {@linkcode KvCache} turns `forward` into incremental decoding: new tokens are appended at
 *   `cache.length` and attend to everything cached (inference only, under `noGrad`).
 *
 * The residual stream is kept 2-D, (B·T, C), so every Linear is a plain matrix product whose
 * weight gradient is one (C, B·T)·(B·T, F) product.
 *
 * Legend: B batch, T time, S keys, C channels, H heads, D head size, V vocab, F MLP width.
 *
 * @module
 */
import { check, resolveConfig } from "../util/config.ts";
import { Embedding, LayerNorm, Linear, Module } from "../engine/nn.ts";
import { getBackend, isGradEnabled, keep, type Tensor, zeros } from "../engine/tensor.ts";
import { causalBias, mixSeed, PADDING, ropeTables, writeWindow } from "./_kv.ts";

/** Shapes shared by the layers of one forward pass. */
interface Pass {
  B: number;
  T: number;
  /** Position of the first new token (the cache length before this pass). */
  start: number;
  /** Additive attention bias broadcastable to (B, H, T, S), or null for none. */
  bias: Tensor | null;
  cache: KvCache | null;
  /** Keys and values of earlier positions to attend to, with gradients (see `KvPrefix`). */
  prefix: KvPrefix | null;
  /** When set, receives this pass's keys and values, per layer. */
  kvOut: KvPrefix | null;
  /** RoPE tables narrowed to the new positions, (T, D/2) each; null for learned positions. */
  rope: { cos: Tensor; sin: Tensor } | null;
}

/**
 * Rotates the two halves of the head dimension by the position angles (the "rotate half" form
 * of RoPE): `[x1·cos − x2·sin, x2·cos + x1·sin]`.
 */
function applyRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const half = x.shape[3] / 2;
  const x1 = x.narrow(3, 0, half); // (B, H, T, D/2)
  const x2 = x.narrow(3, half, half); // (B, H, T, D/2)
  const r1 = x1.mul(cos).sub(x2.mul(sin)); // (B, H, T, D/2)
  const r2 = x2.mul(cos).add(x1.mul(sin)); // (B, H, T, D/2)
  return r1.cat([r2], 3); // (B, H, T, D)
}

/** Multi-head causal self-attention with a fused q, k, v projection. */
export class CausalSelfAttention extends Module {
  /** (C, 3C): q, k, v side by side. */
  qkv: Linear;
  /** (C, C) output projection (a residual projection). */
  proj: Linear;
  constructor(
    readonly nEmbd: number,
    readonly nHead: number,
    seeds: [number, number],
    residStd: number,
  ) {
    super();
    this.qkv = new Linear(nEmbd, 3 * nEmbd, { seed: seeds[0] });
    this.proj = new Linear(nEmbd, nEmbd, { seed: seeds[1], std: residStd });
  }

  /** (B·T, C) → (B·T, C); layer `layer` of the model (its cache slot). */
  forward(x: Tensor, pass: Pass, layer: number): Tensor {
    const { B, T, start, cache } = pass;
    const C = this.nEmbd, H = this.nHead, D = C / H;
    const qkv = this.qkv.forward(x); // (B·T, 3C)
    // One copy puts the heads first; q, k and v are then contiguous views of it.
    const heads = qkv.reshape([B, T, 3, H, D]).permute([2, 0, 3, 1, 4]).contiguous(); // (3, B, H, T, D)
    let q = heads.narrow(0, 0, 1).reshape([B, H, T, D]); // (B, H, T, D)
    let k = heads.narrow(0, 1, 1).reshape([B, H, T, D]); // (B, H, T, D)
    let v = heads.narrow(0, 2, 1).reshape([B, H, T, D]); // (B, H, T, D)
    if (pass.rope !== null) {
      q = applyRope(q, pass.rope.cos, pass.rope.sin); // (B, H, T, D)
      k = applyRope(k, pass.rope.cos, pass.rope.sin); // (B, H, T, D)
    }
    if (pass.kvOut !== null) {
      pass.kvOut.k[layer] = k;
      pass.kvOut.v[layer] = v;
    }
    if (pass.prefix !== null) {
      k = pass.prefix.k[layer].cat([k], 2); // (B, H, S, D)
      v = pass.prefix.v[layer].cat([v], 2); // (B, H, S, D)
    }
    if (cache !== null) {
      writeWindow(cache.k[layer], 2, start, k); // cache.k (B, H, maxLen, D)
      writeWindow(cache.v[layer], 2, start, v);
      k = cache.k[layer].narrow(2, 0, start + T); // (B, H, S, D)
      v = cache.v[layer].narrow(2, 0, start + T); // (B, H, S, D)
    }
    // Scaled dot product: softmax(q·kᵀ/√D + bias)·v.
    let att = q.mul(1 / Math.sqrt(D)).matmul(k.transpose(2, 3)); // (B, H, T, S)
    if (pass.bias !== null) att = att.add(pass.bias); // (B, H, T, S)
    att = att.softmax(); // (B, H, T, S)
    const y = att.matmul(v) // (B, H, T, D)
      .transpose(1, 2) // (B, T, H, D)
      .reshape([B * T, C]); // (B·T, C) re-assemble the heads side by side
    return this.proj.forward(y); // (B·T, C)
  }
}

/** The feed-forward network: Linear (C → F), GELU, Linear (F → C). */
export class Mlp extends Module {
  /** (C, F) */
  fc: Linear;
  /** (F, C) (a residual projection). */
  proj: Linear;
  constructor(nEmbd: number, hidden: number, seeds: [number, number], residStd: number) {
    super();
    this.fc = new Linear(nEmbd, hidden, { seed: seeds[0] });
    this.proj = new Linear(hidden, nEmbd, { seed: seeds[1], std: residStd });
  }
  /** (B·T, C) → (B·T, C) */
  forward(x: Tensor): Tensor {
    return this.proj.forward(this.fc.forward(x).gelu()); // (B·T, F) → (B·T, C)
  }
}

/** A pre-norm transformer block. */
export class Block extends Module {
  ln1: LayerNorm;
  attn: CausalSelfAttention;
  ln2: LayerNorm;
  mlp: Mlp;
  constructor(cfg: GptConfig, layer: number) {
    super();
    const seed = (k: number) => mixSeed(cfg.seed, 8 + 4 * layer + k);
    // GPT-2: residual projections get std 0.02/√(2·nLayer) (two residual adds per layer).
    const residStd = 0.02 / Math.sqrt(2 * cfg.nLayer);
    this.ln1 = new LayerNorm(cfg.nEmbd);
    this.attn = new CausalSelfAttention(cfg.nEmbd, cfg.nHead, [seed(0), seed(1)], residStd);
    this.ln2 = new LayerNorm(cfg.nEmbd);
    this.mlp = new Mlp(cfg.nEmbd, mlpWidth(cfg), [seed(2), seed(3)], residStd);
  }
  /** (B·T, C) → (B·T, C) */
  forward(x: Tensor, pass: Pass, layer: number): Tensor {
    x = x.add(this.attn.forward(this.ln1.forward(x), pass, layer)); // (B·T, C)
    return x.add(this.mlp.forward(this.ln2.forward(x))); // (B·T, C)
  }
}

// ---- configuration ---------------------------------------------------------------------------

/** Model hyper-parameters (the YAML section `model`). */
export interface GptConfig {
  /** Vocabulary size V (the tokenizer's). */
  vocabSize: number;
  /** Maximum sequence length (learned position table size; RoPE table size). */
  contextLength: number;
  /** Number of transformer blocks. */
  nLayer: number;
  /** Number of attention heads H (divides nEmbd). */
  nHead: number;
  /** Width C of the residual stream. */
  nEmbd: number;
  /** Learned absolute positions (GPT-2) or rotary embeddings on q, k (RoPE). */
  positional: "learned" | "rope";
  /** MLP width F = mlpRatio · C (GPT-2: 4). */
  mlpRatio: number;
  /** Seed of the parameter initialisation. */
  seed: number;
}

/** Small default: vocab 512, context 512, 4 layers, 4 heads, width 128, learned positions. */
export const GPT_DEFAULTS: GptConfig = {
  vocabSize: 512,
  contextLength: 512,
  nLayer: 4,
  nHead: 4,
  nEmbd: 128,
  positional: "learned",
  mlpRatio: 4,
  seed: 1337,
};

function mlpWidth(cfg: GptConfig): number {
  return Math.round(cfg.mlpRatio * cfg.nEmbd);
}

/**
 * {@linkcode GPT_DEFAULTS} with `overrides` applied and range-checked.
 *
 * @throws {ConfigError} naming the field, e.g. `model.nHead: expected a divisor of nEmbd (128), got 3`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveGptConfig } from "./gpt.ts";
 * assert.equal(resolveGptConfig({ nLayer: 2 }).nLayer, 2);
 * assert.throws(() => resolveGptConfig({ nHead: 3 }), /model.nHead/);
 * ```
 */
export function resolveGptConfig(overrides: unknown, path = "model"): GptConfig {
  const cfg = resolveConfig(GPT_DEFAULTS, overrides, path);
  const posInt = (key: keyof GptConfig) =>
    check(
      Number.isInteger(cfg[key]) && (cfg[key] as number) > 0,
      `${path}.${key}`,
      "a positive integer",
      cfg[key],
    );
  for (const key of ["vocabSize", "contextLength", "nLayer", "nHead", "nEmbd"] as const) {
    posInt(key);
  }
  check(
    cfg.nEmbd % cfg.nHead === 0,
    `${path}.nHead`,
    `a divisor of nEmbd (${cfg.nEmbd})`,
    cfg.nHead,
  );
  check(
    cfg.positional === "learned" || cfg.positional === "rope",
    `${path}.positional`,
    '"learned" or "rope"',
    cfg.positional,
  );
  check(
    cfg.positional !== "rope" || (cfg.nEmbd / cfg.nHead) % 2 === 0,
    `${path}.nHead`,
    `an even head size nEmbd/nHead for rope (nEmbd ${cfg.nEmbd})`,
    cfg.nHead,
  );
  check(
    cfg.mlpRatio > 0 && Number.isInteger(cfg.mlpRatio * cfg.nEmbd),
    `${path}.mlpRatio`,
    "a positive number with mlpRatio·nEmbd an integer",
    cfg.mlpRatio,
  );
  check(Number.isInteger(cfg.seed) && cfg.seed >= 0, `${path}.seed`, "an integer ≥ 0", cfg.seed);
  return cfg;
}

/**
 * Number of parameters of a GPT with this config: V·C (tied embedding and head) + L·C (learned
 * positions only) + nLayer·(2·2C (layer norms) + 3C² + 3C (qkv) + C² + C (proj) + 2·C·F + F + C
 * (MLP)) + 2C (final layer norm).
 */
export function gptParameterCount(cfg: GptConfig): number {
  const C = cfg.nEmbd, F = mlpWidth(cfg);
  const perLayer = 4 * C + (3 * C * C + 3 * C) + (C * C + C) + (2 * C * F + F + C);
  const positions = cfg.positional === "learned" ? cfg.contextLength * C : 0;
  return cfg.vocabSize * C + positions + cfg.nLayer * perLayer + 2 * C;
}

// ---- KV cache --------------------------------------------------------------------------------

/**
 * Keys and values of a prefix, per layer (B, H, P, D), as ordinary tensors of the graph: a
 * forward with `kvOut` fills one, a forward with `prefix` attends to it (gradients flow back into
 * the pass that produced it). GRPO uses it to run a prompt once for its G completions.
 */
export interface KvPrefix {
  /** Per layer: (B, H, P, D). */
  k: Tensor[];
  /** Per layer: (B, H, P, D). */
  v: Tensor[];
}

/**
 * Keys and values of every layer for incremental decoding, preallocated as (B, H, maxLen, D)
 * per layer and filled in place. `length` is the number of positions written.
 */
export class KvCache {
  /** Positions filled so far (the position of the next token). */
  length = 0;
  constructor(
    readonly batch: number,
    readonly maxLength: number,
    /** Per layer: (B, H, maxLen, D). */
    readonly k: Tensor[],
    /** Per layer: (B, H, maxLen, D). */
    readonly v: Tensor[],
  ) {}
  /** Frees the buffers. */
  dispose(): void {
    for (const t of [...this.k, ...this.v]) t.dispose();
  }
}

// ---- the model -------------------------------------------------------------------------------

/**
 * A GPT-2 style decoder-only transformer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT, resolveGptConfig } from "./gpt.ts";
 * import { tensor } from "../engine/tensor.ts";
 * const model = new GPT(resolveGptConfig({ vocabSize: 11, contextLength: 8, nLayer: 1, nHead: 2, nEmbd: 8 }));
 * const logits = model.forward(tensor([[1, 2, 3]], undefined, { dtype: "i32" }));
 * assert.deepEqual(logits.shape, [1, 3, 11]);
 * ```
 */
export class GPT extends Module {
  readonly config: GptConfig;
  /** Token embedding (V, C), also the output head (tied). */
  wte: Embedding;
  /** Learned position embedding (L, C), or null with RoPE. */
  wpe: Embedding | null;
  blocks: Block[];
  /** Final layer norm. */
  lnF: LayerNorm;
  #rope: { cos: Tensor; sin: Tensor } | null;

  constructor(cfg: GptConfig) {
    super();
    this.config = { ...cfg };
    this.wte = new Embedding(cfg.vocabSize, cfg.nEmbd, { seed: mixSeed(cfg.seed, 0) });
    this.wpe = cfg.positional === "learned"
      ? new Embedding(cfg.contextLength, cfg.nEmbd, { seed: mixSeed(cfg.seed, 1) })
      : null;
    this.blocks = Array.from({ length: cfg.nLayer }, (_, i) => new Block(cfg, i));
    this.lnF = new LayerNorm(cfg.nEmbd);
    this.#rope = cfg.positional === "rope"
      ? ropeTables(getBackend(), cfg.contextLength, cfg.nEmbd / cfg.nHead)
      : null;
  }

  /**
   * i32 ids (B, T) → logits (B, T, V); with `lastOnly`, only the last position's (B, 1, V).
   * With a cache, the T new tokens go at positions `cache.length …` and attend to everything
   * cached plus causally to themselves; the cache grows by T (inference only: call under
   * `noGrad`). A {@linkcode KvPrefix} of P positions does the same with gradients (the new
   * tokens sit at positions P …); `kvOut` collects this pass's keys and values for a later
   * `prefix`. `keyMask` f32 (B, S) with S = P (or cache length) + T: 1 attend, 0 padding key.
   */
  forward(
    ids: Tensor,
    opts: {
      cache?: KvCache;
      keyMask?: Tensor;
      lastOnly?: boolean;
      prefix?: KvPrefix;
      kvOut?: KvPrefix;
    } = {},
  ): Tensor {
    const cfg = this.config;
    const cache = opts.cache ?? null;
    const prefix = opts.prefix ?? null;
    if (prefix !== null && cache !== null) {
      throw new Error("GPT.forward: give a KV cache or a prefix, not both");
    }
    if (ids.dtype !== "i32" || ids.rank !== 2) {
      throw new Error(`GPT.forward: expected i32 ids (B, T), got ${ids.dtype} [${ids.shape}]`);
    }
    const [B, T] = ids.shape;
    const C = cfg.nEmbd;
    const start = cache?.length ?? prefix?.k[0]?.shape[2] ?? 0;
    const S = start + T;
    if (S > cfg.contextLength) {
      throw new Error(`GPT.forward: ${S} positions exceed contextLength ${cfg.contextLength}`);
    }
    if (cache !== null) {
      if (isGradEnabled()) throw new Error("GPT.forward: a KV cache is for inference; use noGrad");
      if (cache.batch !== B || S > cache.maxLength) {
        throw new Error(
          `GPT.forward: cache (batch ${cache.batch}, ${cache.length}/${cache.maxLength}) cannot take [${ids.shape}]`,
        );
      }
    }
    const keyMask = opts.keyMask ?? null;
    if (
      keyMask !== null && (keyMask.rank !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== S)
    ) {
      throw new Error(`GPT.forward: expected keyMask (${B}, ${S}), got [${keyMask.shape}]`);
    }

    // Attention bias, shared by every layer: causal over the new queries, then padding keys.
    let bias: Tensor | null = T > 1 ? causalBias(ids.backend, T, S) : null; // (T, S)
    if (keyMask !== null) {
      const keyBias = keyMask.sub(1).mul(-PADDING).reshape([B, 1, 1, S]); // (B, 1, 1, S)
      bias = bias === null ? keyBias : keyBias.add(bias); // (B, 1, T, S)
    }
    const rope = this.#rope === null
      ? null
      : { cos: this.#rope.cos.narrow(0, start, T), sin: this.#rope.sin.narrow(0, start, T) }; // (T, D/2)
    const pass: Pass = { B, T, start, bias, cache, rope, prefix, kvOut: opts.kvOut ?? null };

    let x = this.wte.forward(ids); // (B, T, C)
    if (this.wpe !== null) x = x.add(this.wpe.weight.narrow(0, start, T)); // (B, T, C)
    x = x.reshape([B * T, C]); // (B·T, C)
    this.blocks.forEach((block, layer) => {
      x = block.forward(x, pass, layer); // (B·T, C)
    });
    let rows = T;
    if (opts.lastOnly === true && T > 1) {
      x = x.reshape([B, T, C]).narrow(1, T - 1, 1).reshape([B, C]); // (B, C)
      rows = 1;
    }
    x = this.lnF.forward(x); // (B·rows, C)
    const logits = x.matmul(this.wte.weight.transpose(0, 1)); // (B·rows, V) tied head, no copy
    if (cache !== null) cache.length = S;
    return logits.reshape([B, rows, cfg.vocabSize]); // (B, rows, V)
  }

  /** A KV cache for `batch` rows of up to `maxLength` positions, on the model's backend. */
  newCache(batch: number, maxLength: number): KvCache {
    const cfg = this.config;
    if (maxLength > cfg.contextLength) {
      throw new Error(
        `GPT.newCache: maxLength ${maxLength} exceeds contextLength ${cfg.contextLength}`,
      );
    }
    const shape = [batch, cfg.nHead, maxLength, cfg.nEmbd / cfg.nHead]; // (B, H, maxLen, D)
    const backend = this.wte.weight.backend;
    const make = () => this.blocks.map(() => keep(zeros(shape, { backend })));
    return new KvCache(batch, maxLength, make(), make());
  }

  /** Frees the parameters and tables (the model cannot be used afterwards). */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    this.#rope?.cos.dispose();
    this.#rope?.sin.dispose();
  }
}
