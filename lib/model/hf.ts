/**
 * Hugging Face model directories in and out for the Llama family: `config.json` ↔
 * {@linkcode LlamaConfig}, the transformers weight names ↔ {@linkcode Llama}'s parameters, and
 * loading the weights (`hf_safetensors.ts`) with every name and shape checked before the model
 * is allocated.
 *
 *     config.json                         architectures[0]: LlamaForCausalLM | Qwen2ForCausalLM
 *     model.safetensors                   or model-0000k-of-0000n.safetensors shards with
 *     model.safetensors.index.json          { weight_map: { tensor: shard file } }
 *     tokenizer.json, tokenizer_config.json   (lib/data/hf_tokenizer.ts)
 *
 * transformers stores a linear layer's weight as (out, in); ours is (in, out), so q, k, v, o,
 * gate, up and down are transposed on load and export. Embedding and head tables are (V, C) in
 * both.
 *
 * @module
 */
import type { Tensor } from "../engine/tensor.ts";
import { CheckpointError } from "./safetensors.ts";
import { LLAMA_ARCHITECTURES, type LlamaConfig } from "./llama.ts";
import type { StEntry } from "./hf_safetensors.ts";

/** One weight of the layout: its transformers name, our parameter name, the stored shape. */
export interface HfWeight {
  /** Name in the safetensors files, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  hf: string;
  /** Our dotted parameter name, e.g. `layers.0.attn.q.weight`. */
  ours: string;
  /** Shape as transformers stores it. */
  shape: number[];
  /** Stored as (out, in), ours (in, out). */
  transpose: boolean;
}

/**
 * The weights of a Llama-family model with this config, in transformers' names and shapes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { llamaWeightLayout } from "./hf.ts";
 * const layout = llamaWeightLayout({
 *   architecture: "LlamaForCausalLM", vocabSize: 10, contextLength: 8, nLayer: 1, nHead: 4,
 *   nKvHead: 2, nEmbd: 16, headDim: 4, mlpWidth: 24, ropeTheta: 1e4, rmsEps: 1e-5,
 *   qkvBias: false, tieEmbeddings: false, seed: 0,
 * });
 * const k = layout.find((w) => w.ours === "layers.0.attn.k.weight")!;
 * assert.equal(k.hf, "model.layers.0.self_attn.k_proj.weight");
 * assert.deepEqual(k.shape, [8, 16]); // (Hkv·D, C)
 * assert.equal(layout.at(-1)!.hf, "lm_head.weight");
 * ```
 */
export function llamaWeightLayout(cfg: LlamaConfig): HfWeight[] {
  const { vocabSize: V, nEmbd: C, nHead: H, nKvHead: Hkv, headDim: D, mlpWidth: F } = cfg;
  const out: HfWeight[] = [
    { hf: "model.embed_tokens.weight", ours: "embed.weight", shape: [V, C], transpose: false },
  ];
  const linear = (hf: string, ours: string, outF: number, inF: number, bias: boolean) => {
    out.push({ hf: `${hf}.weight`, ours: `${ours}.weight`, shape: [outF, inF], transpose: true });
    if (bias) out.push({ hf: `${hf}.bias`, ours: `${ours}.bias`, shape: [outF], transpose: false });
  };
  for (let i = 0; i < cfg.nLayer; i++) {
    const hf = `model.layers.${i}`, ours = `layers.${i}`;
    const norm = (h: string, o: string) =>
      out.push({
        hf: `${hf}.${h}.weight`,
        ours: `${ours}.${o}.weight`,
        shape: [C],
        transpose: false,
      });
    norm("input_layernorm", "norm1");
    linear(`${hf}.self_attn.q_proj`, `${ours}.attn.q`, H * D, C, cfg.qkvBias);
    linear(`${hf}.self_attn.k_proj`, `${ours}.attn.k`, Hkv * D, C, cfg.qkvBias);
    linear(`${hf}.self_attn.v_proj`, `${ours}.attn.v`, Hkv * D, C, cfg.qkvBias);
    linear(`${hf}.self_attn.o_proj`, `${ours}.attn.o`, C, H * D, false);
    norm("post_attention_layernorm", "norm2");
    linear(`${hf}.mlp.gate_proj`, `${ours}.mlp.gate`, F, C, false);
    linear(`${hf}.mlp.up_proj`, `${ours}.mlp.up`, F, C, false);
    linear(`${hf}.mlp.down_proj`, `${ours}.mlp.down`, C, F, false);
  }
  out.push({ hf: "model.norm.weight", ours: "norm.weight", shape: [C], transpose: false });
  if (!cfg.tieEmbeddings) {
    out.push({ hf: "lm_head.weight", ours: "lmHead.weight", shape: [V, C], transpose: false });
  }
  return out;
}

/**
 * A {@linkcode LlamaConfig} from the JSON of a transformers `config.json` (`file` names it in
 * errors). Refused, in one line: an architecture other than {@linkcode LLAMA_ARCHITECTURES},
 * scaled RoPE (`rope_scaling`, or a `rope_type` other than `default`), sliding-window attention,
 * an activation other than SiLU, MLP biases.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { llamaConfigFromHf } from "./hf.ts";
 * const base = {
 *   vocab_size: 10, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 1,
 *   num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 8,
 * };
 * const cfg = llamaConfigFromHf({ ...base, architectures: ["Qwen2ForCausalLM"] }, "config.json");
 * assert.equal(cfg.qkvBias, true);
 * assert.equal(cfg.headDim, 4);
 * assert.throws(
 *   () => llamaConfigFromHf({ ...base, architectures: ["MistralForCausalLM"] }, "config.json"),
 *   /config.json: architecture "MistralForCausalLM" is not supported/,
 * );
 * assert.throws(
 *   () => llamaConfigFromHf({ ...base, architectures: ["LlamaForCausalLM"], rope_scaling: { rope_type: "llama3", factor: 8 } }, "config.json"),
 *   /rope_scaling .* is not supported/,
 * );
 * ```
 */
export function llamaConfigFromHf(json: unknown, file: string): LlamaConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CheckpointError(`${file}: expected a JSON object`);
  }
  const c = json as Record<string, unknown>;
  const fail = (what: string) => new CheckpointError(`${file}: ${what}`);
  const arch = Array.isArray(c.architectures) ? c.architectures[0] : undefined;
  if (!LLAMA_ARCHITECTURES.includes(arch as LlamaConfig["architecture"])) {
    throw fail(
      `architecture ${JSON.stringify(arch ?? null)} is not supported (${
        LLAMA_ARCHITECTURES.join(", ")
      })`,
    );
  }
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) <= 0) {
      throw fail(`${key}: expected a positive integer, got ${JSON.stringify(v ?? null)}`);
    }
    return v as number;
  };
  const num = (key: string, v: unknown): number => {
    if (typeof v !== "number" || !(v > 0)) {
      throw fail(`${key}: expected a positive number, got ${JSON.stringify(v ?? null)}`);
    }
    return v;
  };
  // RoPE: transformers 4.x writes rope_theta and rope_scaling, 5.x rope_parameters.
  const params = (c.rope_parameters ?? null) as Record<string, unknown> | null;
  for (const [key, value] of [["rope_scaling", c.rope_scaling], ["rope_parameters", params]]) {
    const v = value as Record<string, unknown> | null | undefined;
    const type = v?.rope_type ?? v?.type ?? "default";
    if (v !== null && v !== undefined && type !== "default") {
      throw fail(
        `${key} ${JSON.stringify(v)} is not supported (only unscaled RoPE, rope_type "default")`,
      );
    }
  }
  if ((c.hidden_act ?? "silu") !== "silu") {
    throw fail(`hidden_act ${JSON.stringify(c.hidden_act)} is not supported (silu)`);
  }
  if (c.mlp_bias === true) throw fail("mlp_bias true is not supported");
  if (c.use_sliding_window === true) {
    throw fail("use_sliding_window true is not supported (full attention only)");
  }
  const nHead = int("num_attention_heads");
  const nEmbd = int("hidden_size");
  return {
    architecture: arch as LlamaConfig["architecture"],
    vocabSize: int("vocab_size"),
    contextLength: int("max_position_embeddings"),
    nLayer: int("num_hidden_layers"),
    nHead,
    nKvHead: int("num_key_value_heads", nHead),
    nEmbd,
    headDim: int("head_dim", nEmbd / nHead),
    mlpWidth: int("intermediate_size"),
    ropeTheta: num("rope_theta", params?.rope_theta ?? c.rope_theta ?? 10000),
    rmsEps: num("rms_norm_eps", c.rms_norm_eps ?? 1e-6),
    qkvBias: arch === "Qwen2ForCausalLM" || c.attention_bias === true,
    tieEmbeddings: c.tie_word_embeddings === true,
    seed: 0,
  };
}

/**
 * The transformers `config.json` of a {@linkcode LlamaConfig} (the fields transformers reads;
 * written by export).
 */
export function llamaConfigToHf(cfg: LlamaConfig, extra: Record<string, unknown> = {}): object {
  const qwen = cfg.architecture === "Qwen2ForCausalLM";
  return {
    architectures: [cfg.architecture],
    model_type: qwen ? "qwen2" : "llama",
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.nEmbd,
    intermediate_size: cfg.mlpWidth,
    num_hidden_layers: cfg.nLayer,
    num_attention_heads: cfg.nHead,
    num_key_value_heads: cfg.nKvHead,
    head_dim: cfg.headDim,
    max_position_embeddings: cfg.contextLength,
    hidden_act: "silu",
    rms_norm_eps: cfg.rmsEps,
    rope_theta: cfg.ropeTheta,
    rope_scaling: null,
    ...(qwen ? { use_sliding_window: false } : { attention_bias: cfg.qkvBias, mlp_bias: false }),
    tie_word_embeddings: cfg.tieEmbeddings,
    torch_dtype: "float32",
    ...extra,
  };
}

/** Stored tensors that are not weights: a tied head's copy, RoPE and GPT-2 mask buffers. */
const IGNORED = /^lm_head\.weight$|\.rotary_emb\.inv_freq$|\.attn\.(masked_)?bias$/;

/**
 * Matches the stored tensors against the layout: every weight present with its shape; extras
 * refused except a tied `lm_head.weight`, RoPE's `inv_freq` and GPT-2's causal-mask buffers
 * (written by older transformers), which are ignored.
 *
 * @throws {CheckpointError} naming the file and tensor.
 */
export function matchLayout(
  layout: ReadonlyArray<HfWeight>,
  stored: ReadonlyMap<string, StEntry>,
  dir: string,
): StEntry[] {
  const entries = layout.map((w) => {
    const e = stored.get(w.hf);
    if (e === undefined) throw new CheckpointError(`${dir}: missing tensor "${w.hf}"`);
    if (e.shape.length !== w.shape.length || e.shape.some((d, i) => d !== w.shape[i])) {
      throw new CheckpointError(
        `${e.file}: tensor "${w.hf}" has shape [${e.shape}], expected [${w.shape}] (config.json)`,
      );
    }
    return e;
  });
  const known = new Set(layout.map((w) => w.hf));
  for (const [name, e] of stored) {
    if (known.has(name) || IGNORED.test(name)) {
      continue;
    }
    throw new CheckpointError(`${e.file}: unexpected tensor "${name}" (not in the model)`);
  }
  return entries;
}

/** (R, K) row-major → (K, R). */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < cols; k++) out[k * rows + r] = data[r * cols + k];
  }
  return out;
}

/** The layout's weights paired with the model's parameter tensors (by our name). */
export function layoutTensors(
  model: { namedParameters(): { name: string; tensor: Tensor }[] },
  layout: ReadonlyArray<HfWeight>,
): { weight: HfWeight; tensor: Tensor }[] {
  const byName = new Map(model.namedParameters().map((p) => [p.name, p.tensor]));
  return layout.map((weight) => {
    const tensor = byName.get(weight.ours);
    if (tensor === undefined) throw new Error(`hf: no parameter "${weight.ours}" in the model`);
    return { weight, tensor };
  });
}
