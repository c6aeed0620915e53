/**
 * The Llama-family decoder (Llama 2/3, Qwen2, Qwen2.5, R1-Distill-Qwen): the layout of
 * transformers' `LlamaForCausalLM` and `Qwen2ForCausalLM`, on the same engine and attention as
 * the GPT (`attention.ts`), so that weights from Hugging Face load as they are (`hf.ts`).
 * References: Touvron et al., "LLaMA" (arXiv 2302.13971); Qwen2 technical report
 * (arXiv 2407.10671); transformers `modeling_llama.py`.
 *
 * - Pre-norm blocks with RMSNorm (Zhang & Sennrich, arXiv 1910.07467), no biases in the norms:
 *   `x + attn(norm1(x))`, then `x + mlp(norm2(x))`; a final RMSNorm.
 * - SwiGLU MLP (Shazeer, arXiv 2002.05202): `down(silu(gate(x)) ⊙ up(x))`, no biases.
 * - RoPE on q and k with base `ropeTheta`, "rotate half" form; no learned positions.
 * - Grouped-query attention: H query heads, Hkv key/value heads (`attention.ts`).
 * - q, k, v projections with biases in Qwen2 (`qkvBias`), the output projection without.
 * - Output head tied to the embedding (Qwen2 small models, Llama 3.2 1B/3B) or its own table.
 *
 * Legend: B batch, T time, C channels (hidden size), H heads, Hkv key/value heads, D head size,
 * V vocab, F MLP width.
 *
 * @module
 */
import { ConfigError } from "../util/config.ts";
import type { Backend } from "../engine/backend/backend.ts";
import { Embedding, Linear, Module, parameter } from "../engine/nn.ts";
import { getBackend, ones, type Tensor } from "../engine/tensor.ts";
import { mixSeed, ropeTables } from "./_kv.ts";
import {
  attend,
  beginPass,
  type ForwardOptions,
  type KvCache,
  newKvCache,
  type Pass,
} from "./attention.ts";

/** The architectures this decoder implements, by their transformers class name. */
export const LLAMA_ARCHITECTURES = ["LlamaForCausalLM", "Qwen2ForCausalLM"] as const;

/** Hyper-parameters of a Llama-family decoder (read from a Hugging Face `config.json`). */
export interface LlamaConfig {
  /** The transformers class (`architectures[0]` of config.json). */
  architecture: (typeof LLAMA_ARCHITECTURES)[number];
  /** Vocabulary size V. */
  vocabSize: number;
  /** Maximum sequence length (`max_position_embeddings`; the RoPE table size). */
  contextLength: number;
  /** Number of blocks. */
  nLayer: number;
  /** Query heads H. */
  nHead: number;
  /** Key/value heads Hkv (divides H). */
  nKvHead: number;
  /** Hidden size C. */
  nEmbd: number;
  /** Head size D (usually C/H; Llama's `head_dim` may differ). Even. */
  headDim: number;
  /** MLP width F (`intermediate_size`). */
  mlpWidth: number;
  /** RoPE base θ. */
  ropeTheta: number;
  /** RMSNorm ε. */
  rmsEps: number;
  /** Biases on the q, k, v projections (Qwen2; Llama's `attention_bias`). */
  qkvBias: boolean;
  /** Output head shares the embedding table. */
  tieEmbeddings: boolean;
  /** Seed of a fresh (random) initialisation. */
  seed: number;
}

/** RMSNorm: `x / √(mean(x²) + ε) · w` over the last axis, w initialised to ones. */
export class RmsNorm extends Module {
  /** (C) */
  weight: Tensor;
  constructor(dim: number, readonly eps: number) {
    super();
    this.weight = parameter(ones([dim]));
  }
  /** (…, C) → (…, C) */
  forward(x: Tensor): Tensor {
    const inv = x.square().mean([x.rank - 1], true).add(this.eps).rsqrt(); // (…, 1)
    return x.mul(inv).mul(this.weight); // (…, C)
  }
}

/** Grouped-query self-attention with separate q, k, v, o projections. */
export class LlamaAttention extends Module {
  /** (C, H·D) */
  q: Linear;
  /** (C, Hkv·D) */
  k: Linear;
  /** (C, Hkv·D) */
  v: Linear;
  /** (H·D, C) */
  o: Linear;
  constructor(readonly cfg: LlamaConfig, seed: (k: number) => number) {
    super();
    const { nEmbd: C, nHead: H, nKvHead: Hkv, headDim: D, qkvBias: bias } = cfg;
    this.q = new Linear(C, H * D, { seed: seed(0), bias });
    this.k = new Linear(C, Hkv * D, { seed: seed(1), bias });
    this.v = new Linear(C, Hkv * D, { seed: seed(2), bias });
    this.o = new Linear(H * D, C, { seed: seed(3), bias: false });
  }
  /** (B·T, C) → (B·T, C); layer `layer` of the model (its cache slot). */
  forward(x: Tensor, pass: Pass, layer: number): Tensor {
    const { B, T } = pass;
    const { nHead: H, nKvHead: Hkv, headDim: D } = this.cfg;
    const q = this.q.forward(x).reshape([B, T, H, D]).transpose(1, 2); // (B, H, T, D)
    const k = this.k.forward(x).reshape([B, T, Hkv, D]).transpose(1, 2); // (B, Hkv, T, D)
    const v = this.v.forward(x).reshape([B, T, Hkv, D]).transpose(1, 2); // (B, Hkv, T, D)
    return this.o.forward(attend(q, k, v, pass, layer)); // (B·T, H·D) → (B·T, C)
  }
}

/** SwiGLU feed-forward network: `down(silu(gate(x)) ⊙ up(x))`. */
export class SwiGlu extends Module {
  /** (C, F) */
  gate: Linear;
  /** (C, F) */
  up: Linear;
  /** (F, C) */
  down: Linear;
  constructor(C: number, F: number, seed: (k: number) => number) {
    super();
    this.gate = new Linear(C, F, { seed: seed(4), bias: false });
    this.up = new Linear(C, F, { seed: seed(5), bias: false });
    this.down = new Linear(F, C, { seed: seed(6), bias: false });
  }
  /** (B·T, C) → (B·T, C) */
  forward(x: Tensor): Tensor {
    return this.down.forward(this.gate.forward(x).silu().mul(this.up.forward(x))); // (B·T, F) → (B·T, C)
  }
}

/** A pre-norm block: RMSNorm, attention, residual; RMSNorm, SwiGLU, residual. */
export class LlamaBlock extends Module {
  norm1: RmsNorm;
  attn: LlamaAttention;
  norm2: RmsNorm;
  mlp: SwiGlu;
  constructor(cfg: LlamaConfig, layer: number) {
    super();
    const seed = (k: number) => mixSeed(cfg.seed, 8 + 8 * layer + k);
    this.norm1 = new RmsNorm(cfg.nEmbd, cfg.rmsEps);
    this.attn = new LlamaAttention(cfg, seed);
    this.norm2 = new RmsNorm(cfg.nEmbd, cfg.rmsEps);
    this.mlp = new SwiGlu(cfg.nEmbd, cfg.mlpWidth, seed);
  }
  /** (B·T, C) → (B·T, C) */
  forward(x: Tensor, pass: Pass, layer: number): Tensor {
    x = x.add(this.attn.forward(this.norm1.forward(x), pass, layer)); // (B·T, C)
    return x.add(this.mlp.forward(this.norm2.forward(x))); // (B·T, C)
  }
}

/**
 * A Llama-family decoder-only transformer with the forward contract of `GPT` (KV cache, prefix,
 * key mask, last-only logits), so `generate()`, the trainers and evaluation take either.
 *
 * @example A random Qwen2-shaped model: GQA with 2 KV heads, q/k/v biases, tied head
 * ```ts
 * import assert from "node:assert/strict";
 * import { Llama } from "./llama.ts";
 * import { tensor } from "../engine/tensor.ts";
 * const model = new Llama({
 *   architecture: "Qwen2ForCausalLM", vocabSize: 11, contextLength: 8, nLayer: 1, nHead: 4,
 *   nKvHead: 2, nEmbd: 16, headDim: 4, mlpWidth: 24, ropeTheta: 1e6, rmsEps: 1e-6,
 *   qkvBias: true, tieEmbeddings: true, seed: 1,
 * });
 * const logits = model.forward(tensor([[1, 2, 3]], undefined, { dtype: "i32" }));
 * assert.deepEqual(logits.shape, [1, 3, 11]);
 * assert.equal(model.lmHead, null);
 * ```
 */
export class Llama extends Module {
  readonly config: LlamaConfig;
  /** Token embedding (V, C). */
  embed: Embedding;
  layers: LlamaBlock[];
  /** Final RMSNorm. */
  norm: RmsNorm;
  /** Output head (V, C), or null when tied to {@linkcode Llama.embed}. */
  lmHead: Embedding | null;
  #rope: { cos: Tensor; sin: Tensor };

  constructor(cfg: LlamaConfig) {
    super();
    checkLlamaConfig(cfg);
    this.config = { ...cfg };
    this.embed = new Embedding(cfg.vocabSize, cfg.nEmbd, { seed: mixSeed(cfg.seed, 0) });
    this.layers = Array.from({ length: cfg.nLayer }, (_, i) => new LlamaBlock(cfg, i));
    this.norm = new RmsNorm(cfg.nEmbd, cfg.rmsEps);
    this.lmHead = cfg.tieEmbeddings
      ? null
      : new Embedding(cfg.vocabSize, cfg.nEmbd, { seed: mixSeed(cfg.seed, 1) });
    this.#rope = ropeTables(getBackend(), cfg.contextLength, cfg.headDim, cfg.ropeTheta);
  }

  /**
   * i32 ids (B, T) → logits (B, T, V), or (B, 1, V) with `lastOnly`; the options are those of
   * `GPT.forward` (a KV cache or a differentiable prefix, a key mask, `kvOut`).
   */
  forward(ids: Tensor, opts: ForwardOptions = {}): Tensor {
    const cfg = this.config;
    const pass = beginPass("Llama", ids, opts, cfg.contextLength, this.#rope);
    const { B, T, start, cache } = pass;
    const C = cfg.nEmbd;
    let x = this.embed.forward(ids).reshape([B * T, C]); // (B·T, C)
    this.layers.forEach((block, layer) => {
      x = block.forward(x, pass, layer); // (B·T, C)
    });
    let rows = T;
    if (opts.lastOnly === true && T > 1) {
      x = x.reshape([B, T, C]).narrow(1, T - 1, 1).reshape([B, C]); // (B, C)
      rows = 1;
    }
    x = this.norm.forward(x); // (B·rows, C)
    const head = (this.lmHead ?? this.embed).weight; // (V, C)
    const logits = x.matmul(head.transpose(0, 1)); // (B·rows, V)
    if (cache !== null) cache.length = start + T;
    return logits.reshape([B, rows, cfg.vocabSize]); // (B, rows, V)
  }

  /** A KV cache for `batch` rows of up to `maxLength` positions: (B, Hkv, maxLen, D) per layer. */
  newCache(batch: number, maxLength: number): KvCache {
    const { contextLength, nLayer, nKvHead, headDim } = this.config;
    const dims = { batch, maxLength, contextLength, nLayer };
    return newKvCache("Llama", this.backend, dims, nKvHead, headDim);
  }

  /** The backend holding the parameters. */
  get backend(): Backend {
    return this.embed.weight.backend;
  }

  /** Frees the parameters and tables (the model cannot be used afterwards). */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    this.#rope.cos.dispose();
    this.#rope.sin.dispose();
  }
}

/** Throws a one-line {@linkcode ConfigError} naming the first inconsistent field of `cfg`. */
export function checkLlamaConfig(cfg: LlamaConfig): void {
  const bad = (field: string, expected: string, got: unknown) => {
    throw new ConfigError(`model.${field}: expected ${expected}, got ${JSON.stringify(got)}`);
  };
  if (!LLAMA_ARCHITECTURES.includes(cfg.architecture)) {
    bad("architecture", LLAMA_ARCHITECTURES.join(" or "), cfg.architecture);
  }
  for (
    const key of [
      "vocabSize",
      "contextLength",
      "nLayer",
      "nHead",
      "nKvHead",
      "nEmbd",
      "headDim",
      "mlpWidth",
    ] as const
  ) {
    if (!Number.isInteger(cfg[key]) || cfg[key] <= 0) bad(key, "a positive integer", cfg[key]);
  }
  if (cfg.nHead % cfg.nKvHead !== 0) {
    bad("nKvHead", `a divisor of nHead (${cfg.nHead})`, cfg.nKvHead);
  }
  if (cfg.headDim % 2 !== 0) bad("headDim", "an even head size (RoPE)", cfg.headDim);
  if (!(cfg.ropeTheta > 0)) bad("ropeTheta", "a positive number", cfg.ropeTheta);
  if (!(cfg.rmsEps > 0)) bad("rmsEps", "a positive number", cfg.rmsEps);
}
