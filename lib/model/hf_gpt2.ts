/**
 * Our GPT as transformers' `GPT2LMHeadModel`, both ways. With learned positions the two compute
 * the same function (checked against transformers by `tests/fixtures/hf/make_fixtures.py
 * --check`):
 *
 * | piece            | ours (`gpt.ts`)                        | GPT-2 (transformers)               |
 * | ---------------- | -------------------------------------- | ---------------------------------- |
 * | positions        | learned `wpe` (or RoPE: no GPT-2 form) | learned `wpe`                      |
 * | layer norm       | γ, β, ε = 1e-5                         | `layer_norm_epsilon` 1e-5          |
 * | activation       | GELU, tanh approximation               | `gelu_new` (the tanh form)         |
 * | q, k, v          | one (C, 3C) product with bias          | `c_attn` Conv1D (C, 3C), bias      |
 * | projections      | (in, out) with bias                    | Conv1D weights are (in, out)       |
 * | MLP width        | `mlpRatio`·C                           | `n_inner` (null = 4C)              |
 * | output head      | tied to `wte`                          | tied (`tie_word_embeddings`)       |
 * | attention scale  | 1/√D                                   | `scale_attn_weights`, 1/√D         |
 *
 * A RoPE GPT has no GPT-2 equivalent (GPT-2 adds `wpe` rows; rotating q and k is another
 * function) and is refused with that reason. Dropout is 0 in both at inference.
 *
 * @module
 */
import { GPT_DEFAULTS, type GptConfig, resolveGptConfig } from "./gpt.ts";
import type { HfWeight } from "./hf.ts";
import { CheckpointError } from "./safetensors.ts";

/**
 * The GPT-2 weights of a GPT with this config: transformers' names, our parameter names, shapes
 * (the same in both: Conv1D stores (in, out)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gpt2WeightLayout } from "./hf_gpt2.ts";
 * import { resolveGptConfig } from "./gpt.ts";
 * const layout = gpt2WeightLayout(resolveGptConfig({ nLayer: 1, nEmbd: 8, nHead: 2, vocabSize: 10 }));
 * const qkv = layout.find((w) => w.ours === "blocks.0.attn.qkv.weight")!;
 * assert.equal(qkv.hf, "transformer.h.0.attn.c_attn.weight");
 * assert.deepEqual(qkv.shape, [8, 24]);
 * ```
 */
export function gpt2WeightLayout(cfg: GptConfig): HfWeight[] {
  const C = cfg.nEmbd, F = Math.round(cfg.mlpRatio * C);
  const out: HfWeight[] = [];
  const add = (hf: string, ours: string, shape: number[]) =>
    out.push({ hf: `transformer.${hf}`, ours, shape, transpose: false });
  add("wte.weight", "wte.weight", [cfg.vocabSize, C]);
  add("wpe.weight", "wpe.weight", [cfg.contextLength, C]);
  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `h.${i}`, b = `blocks.${i}`;
    const norm = (hf: string, ours: string) => {
      add(`${h}.${hf}.weight`, `${b}.${ours}.gamma`, [C]);
      add(`${h}.${hf}.bias`, `${b}.${ours}.beta`, [C]);
    };
    const linear = (hf: string, ours: string, inF: number, outF: number) => {
      add(`${h}.${hf}.weight`, `${b}.${ours}.weight`, [inF, outF]);
      add(`${h}.${hf}.bias`, `${b}.${ours}.bias`, [outF]);
    };
    norm("ln_1", "ln1");
    linear("attn.c_attn", "attn.qkv", C, 3 * C);
    linear("attn.c_proj", "attn.proj", C, C);
    norm("ln_2", "ln2");
    linear("mlp.c_fc", "mlp.fc", C, F);
    linear("mlp.c_proj", "mlp.proj", F, C);
  }
  add("ln_f.weight", "lnF.gamma", [C]);
  add("ln_f.bias", "lnF.beta", [C]);
  return out;
}

/**
 * The differences between a GPT with this config and GPT-2, one sentence each; empty when the
 * GPT is exactly a `GPT2LMHeadModel`.
 */
export function gpt2Differences(cfg: GptConfig): string[] {
  const diffs: string[] = [];
  if (cfg.positional !== "learned") {
    diffs.push(
      "positional: rope rotates q and k by position; GPT-2 adds learned position rows (wpe) " +
        "to the input, so no GPT2LMHeadModel computes this model",
    );
  }
  return diffs;
}

/** The transformers `config.json` of a GPT exported as GPT-2; `eot` is the end-of-text id. */
export function gpt2ConfigToHf(cfg: GptConfig, eot: number): object {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: cfg.vocabSize,
    n_positions: cfg.contextLength,
    n_embd: cfg.nEmbd,
    n_layer: cfg.nLayer,
    n_head: cfg.nHead,
    n_inner: Math.round(cfg.mlpRatio * cfg.nEmbd),
    activation_function: "gelu_new",
    layer_norm_epsilon: 1e-5,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    bos_token_id: eot,
    eos_token_id: eot,
    torch_dtype: "float32",
  };
}

/**
 * A {@linkcode GptConfig} from a GPT-2 `config.json`; refuses what our GPT does not compute
 * (another activation or ε, untied head, scaled-by-layer attention).
 */
export function gptConfigFromGpt2(json: Record<string, unknown>, file: string): GptConfig {
  const fail = (what: string) => new CheckpointError(`${file}: ${what}`);
  const act = json.activation_function ?? "gelu_new";
  if (act !== "gelu_new" && act !== "gelu_pytorch_tanh") {
    throw fail(`activation_function ${JSON.stringify(act)} is not supported (gelu_new)`);
  }
  if ((json.layer_norm_epsilon ?? 1e-5) !== 1e-5) {
    throw fail(`layer_norm_epsilon ${json.layer_norm_epsilon} is not supported (1e-5)`);
  }
  if (json.tie_word_embeddings === false) throw fail("an untied GPT-2 head is not supported");
  if (json.scale_attn_by_inverse_layer_idx === true) {
    throw fail("scale_attn_by_inverse_layer_idx true is not supported");
  }
  const nEmbd = json.n_embd as number;
  const inner = (json.n_inner ?? null) as number | null;
  try {
    return resolveGptConfig({
      vocabSize: json.vocab_size,
      contextLength: json.n_positions,
      nLayer: json.n_layer,
      nHead: json.n_head,
      nEmbd,
      positional: "learned",
      mlpRatio: inner === null ? 4 : inner / nEmbd,
      seed: GPT_DEFAULTS.seed,
    });
  } catch (e) {
    throw fail((e as Error).message);
  }
}
