/**
 * One entry point for `--checkpoint DIR`: this project's checkpoints (`checkpoint.ts`: a GPT
 * and our byte-level BPE) and Hugging Face model directories (`hf.ts`: a Llama-family model, or
 * `hf_gpt2.ts`: a GPT-2 as our GPT; with its `tokenizer.json`), told apart by `config.json` (transformers writes `architectures` and
 * `model_type`; ours is a `GptConfig`).
 *
 * @module
 */
import type { Codec } from "../data/codec.ts";
import { codecFromJson, HfTokenizer } from "../data/hf_tokenizer.ts";
import type { CausalLM } from "./causal_lm.ts";
import { type Checkpoint, loadCheckpoint, type LoadCheckpointOptions } from "./checkpoint.ts";
import { GPT } from "./gpt.ts";
import {
  type HfWeight,
  layoutTensors,
  llamaConfigFromHf,
  llamaWeightLayout,
  matchLayout,
  transpose2d,
} from "./hf.ts";
import { gpt2WeightLayout, gptConfigFromGpt2 } from "./hf_gpt2.ts";
import { readTensorsF32, readWeightHeaders } from "./hf_safetensors.ts";
import { Llama, LLAMA_ARCHITECTURES } from "./llama.ts";
import { CheckpointError } from "./safetensors.ts";

/** The two kinds of model directory. */
export type CheckpointFormat = "rmt" | "hf";

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/**
 * `"hf"` when `dir/config.json` is a transformers config (has `architectures` or `model_type`),
 * else `"rmt"` (whose loader reports what is missing or wrong).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectCheckpointFormat } from "./load.ts";
 * assert.equal(await detectCheckpointFormat("tests/fixtures/hf/llama"), "hf");
 * ```
 */
export async function detectCheckpointFormat(dir: string): Promise<CheckpointFormat> {
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  } catch {
    return "rmt";
  }
  const c = json as Record<string, unknown> | null;
  return c !== null && typeof c === "object" && ("architectures" in c || "model_type" in c)
    ? "hf"
    : "rmt";
}

/** The transformers classes {@linkcode loadHfModel} reads. */
export const HF_ARCHITECTURES = [...LLAMA_ARCHITECTURES, "GPT2LMHeadModel"] as const;

/**
 * Loads a Hugging Face directory on the default backend — a Llama-family model, or a
 * `GPT2LMHeadModel` as our GPT (`hf_gpt2.ts`): config, then every weight header with its name
 * and shape checked against the config, then the model, then the tensors one by one (F32, F16
 * and BF16 become f32).
 *
 * @param opts.contextLength a shorter window than the config's (smaller RoPE tables).
 * @throws {CheckpointError} one line naming the file: a missing file, an unsupported
 * architecture or RoPE scaling, a tensor of the wrong shape, a shard outside the directory.
 */
export async function loadHfModel(
  dir: string,
  opts: { contextLength?: number } = {},
): Promise<{ model: Llama | GPT; architecture: string }> {
  const configFile = join(dir, "config.json");
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(configFile));
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "missing" : "unreadable";
    throw new CheckpointError(`${configFile}: ${why} (${(e as Error).message.split("\n")[0]})`);
  }
  const arch = Array.isArray(json?.architectures) ? json.architectures[0] : undefined;
  if (!HF_ARCHITECTURES.includes(arch)) {
    throw new CheckpointError(
      `${configFile}: architecture ${JSON.stringify(arch ?? null)} is not supported (${
        HF_ARCHITECTURES.join(", ")
      })`,
    );
  }
  let layout: HfWeight[];
  let make: () => Llama | GPT;
  let stored = await readWeightHeaders(dir);
  if (arch === "GPT2LMHeadModel") {
    const cfg = gptConfigFromGpt2(json, configFile);
    if (opts.contextLength !== undefined) {
      cfg.contextLength = Math.min(cfg.contextLength, opts.contextLength);
    }
    layout = gpt2WeightLayout(cfg);
    // The original GPT-2 files name the base model's tensors without "transformer.".
    if (!stored.has("transformer.wte.weight") && stored.has("wte.weight")) {
      stored = new Map(
        [...stored].map(([k, v]) => [k.startsWith("lm_head.") ? k : `transformer.${k}`, v]),
      );
    }
    make = () => new GPT(cfg);
  } else {
    const cfg = llamaConfigFromHf(json, configFile);
    if (opts.contextLength !== undefined) {
      cfg.contextLength = Math.min(cfg.contextLength, opts.contextLength);
    }
    layout = llamaWeightLayout(cfg);
    make = () => new Llama(cfg);
  }
  const entries = matchLayout(layout, stored, dir);
  const model = make();
  try {
    const tensors = layoutTensors(model, layout);
    await readTensorsF32(entries, (i, data) => {
      const { weight, tensor } = tensors[i];
      const [rows, cols] = weight.shape;
      const ours = weight.transpose ? transpose2d(data, rows, cols) : data;
      tensor.backend.write(tensor.view.storage, ours);
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, architecture: arch as string };
}

/** A checkpoint of either format, with its tokenizer ready to use. */
export interface AnyCheckpoint extends Checkpoint {
  format: CheckpointFormat;
  /** The tokenizer (ours or a Hugging Face one), with its vocabulary size. */
  codec: Codec & { vocabSize: number };
}

/**
 * {@linkcode loadCheckpoint} for either format: a Hugging Face directory loads as a checkpoint
 * with empty `state`, no optimizer state and its tokenizer stored as `HfTokenizerJSON` in
 * `tokenizerJson` (what a run's checkpoints then save); ours as `loadCheckpoint` does, its
 * tokenizer ours or a Hugging Face one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadAnyCheckpoint } from "./load.ts";
 * const ck = await loadAnyCheckpoint("tests/fixtures/hf/llama");
 * assert.equal(ck.format, "hf");
 * assert.equal(ck.modelConfig.vocabSize, ck.codec.vocabSize);
 * ck.model.dispose();
 * ```
 */
export async function loadAnyCheckpoint(
  dir: string,
  opts: LoadCheckpointOptions & { contextLength?: number } = {},
): Promise<AnyCheckpoint> {
  if (await detectCheckpointFormat(dir) === "hf") {
    const codec = await HfTokenizer.load(dir);
    const { model } = await loadHfModel(dir, opts);
    return {
      format: "hf",
      model,
      modelConfig: model.config,
      tokenizerJson: codec.toJSON(),
      codec,
      state: {},
    };
  }
  const ck = await loadCheckpoint(dir, opts);
  try {
    return {
      ...ck,
      format: "rmt",
      codec: codecFromJson(ck.tokenizerJson, join(dir, "tokenizer.json")),
    };
  } catch (e) {
    ck.model.dispose();
    throw e;
  }
}

/** A model directory of either format, loaded. */
export interface LoadedModel {
  format: CheckpointFormat;
  model: CausalLM;
  /** The tokenizer (ours or a Hugging Face one), with its vocabulary size. */
  codec: Codec & { vocabSize: number };
  /** Training state of our checkpoints (`{}` for Hugging Face directories). */
  state: Record<string, unknown>;
}

/**
 * Loads `dir` in whichever format it is (see {@linkcode detectCheckpointFormat}), without
 * optimizer state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadModel } from "./load.ts";
 * const { format, model, codec } = await loadModel("tests/fixtures/hf/qwen2");
 * assert.equal(format, "hf");
 * assert.equal(model.config.vocabSize, codec.vocabSize);
 * model.dispose();
 * ```
 */
export async function loadModel(
  dir: string,
  opts: { contextLength?: number } = {},
): Promise<LoadedModel> {
  const { format, model, codec, state } = await loadAnyCheckpoint(dir, {
    ...opts,
    optimizer: false,
  });
  return { format, model, codec, state };
}
