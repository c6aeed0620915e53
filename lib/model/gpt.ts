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
import { type ConfigOf, defineConfig, integer, oneOf, that } from "../util/config.ts";
import { Embedding, LayerNorm, Linear, Module } from "../engine/nn.ts";
import type { Backend } from "../engine/backend/backend.ts";
import { getBackend, type Tensor } from "../engine/tensor.ts";
import { mixSeed, ropeTables } from "./_kv.ts";
import {
  attend,
  beginPass,
  type ForwardOptions,
  type KvCache,
  newKvCache,
  type Pass,
} from "./attention.ts";

export { KvCache, type KvPrefix } from "./attention.ts";

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
    const { B, T } = pass;
    const C = this.nEmbd, H = this.nHead, D = C / H;
    const qkv = this.qkv.forward(x); // (B·T, 3C)
    // One copy puts the heads first; q, k and v are then contiguous views of it.
    const heads = qkv.reshape([B, T, 3, H, D]).permute([2, 0, 3, 1, 4]).contiguous(); // (3, B, H, T, D)
    const q = heads.narrow(0, 0, 1).reshape([B, H, T, D]); // (B, H, T, D)
    const k = heads.narrow(0, 1, 1).reshape([B, H, T, D]); // (B, H, T, D)
    const v = heads.narrow(0, 2, 1).reshape([B, H, T, D]); // (B, H, T, D)
    const y = attend(q, k, v, pass, layer); // (B·T, C)
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

const positiveInteger = that((v: number) => Number.isInteger(v) && v > 0, "a positive integer");

/** Model hyper-parameters (the YAML section `model`). GPT-2 small → ours: a small default. */
export const GPT_CONFIG = defineConfig("model", {
  /** Vocabulary size V (the tokenizer's). GPT-2 50257; ours 512. */
  vocabSize: { default: 512, check: positiveInteger },
  /** Maximum sequence length (learned position table size; RoPE table size). GPT-2 1024. */
  contextLength: { default: 512, check: positiveInteger },
  /** Number of transformer blocks. GPT-2 small 12; ours 4. */
  nLayer: { default: 4, check: positiveInteger },
  /** Number of attention heads H; divides nEmbd (an even head size with RoPE). GPT-2 small 12. */
  nHead: {
    default: 4,
    check: (h: number, cfg: { nEmbd: number; positional: string }) => {
      if (!(Number.isInteger(h) && h > 0)) return "a positive integer";
      if (!(Number.isInteger(cfg.nEmbd) && cfg.nEmbd > 0)) return true; // nEmbd's check names it
      if (cfg.nEmbd % h !== 0) return `a divisor of nEmbd (${cfg.nEmbd})`;
      const even = cfg.positional !== "rope" || (cfg.nEmbd / h) % 2 === 0;
      return even || `an even head size nEmbd/nHead for rope (nEmbd ${cfg.nEmbd})`;
    },
  },
  /** Width C of the residual stream. GPT-2 small 768; ours 128. */
  nEmbd: { default: 128, check: positiveInteger },
  /** Learned absolute positions (GPT-2) or rotary embeddings on q, k (RoPE). */
  positional: {
    default: "learned" as "learned" | "rope",
    check: oneOf<"learned" | "rope">(["learned", "rope"]),
  },
  /** MLP width F = mlpRatio · C, mlpRatio·nEmbd an integer. GPT-2: 4. */
  mlpRatio: {
    default: 4,
    check: that(
      (r: number, cfg: { nEmbd: number }) => r > 0 && Number.isInteger(r * cfg.nEmbd),
      "a positive number with mlpRatio·nEmbd an integer",
    ),
  },
  /** Seed of the parameter initialisation. */
  seed: { default: 1337, check: integer(0) },
});

/** Model hyper-parameters. */
export type GptConfig = ConfigOf<typeof GPT_CONFIG>;

/** Small default: vocab 512, context 512, 4 layers, 4 heads, width 128, learned positions. */
export const GPT_DEFAULTS: Readonly<GptConfig> = GPT_CONFIG.defaults;

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
  return GPT_CONFIG.resolve(overrides, path);
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
    opts: ForwardOptions = {},
  ): Tensor {
    const cfg = this.config;
    const pass = beginPass("GPT", ids, opts, cfg.contextLength, this.#rope);
    const { B, T, start, cache } = pass;
    const C = cfg.nEmbd;

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
    if (cache !== null) cache.length = start + T;
    return logits.reshape([B, rows, cfg.vocabSize]); // (B, rows, V)
  }

  /** A KV cache for `batch` rows of up to `maxLength` positions, on the model's backend. */
  newCache(batch: number, maxLength: number): KvCache {
    const { contextLength, nLayer, nHead, nEmbd } = this.config;
    const dims = { batch, maxLength, contextLength, nLayer };
    return newKvCache("GPT", this.backend, dims, nHead, nEmbd / nHead);
  }

  /** The backend holding the parameters. */
  get backend(): Backend {
    return this.wte.weight.backend;
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
