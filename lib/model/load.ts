/**
 * One entry point for `--checkpoint DIR`: this project's checkpoints (`checkpoint.ts`: a GPT
 * and our byte-level BPE) and Hugging Face model directories (`hf.ts`: a Llama-family model and
 * its `tokenizer.json`), told apart by `config.json` (transformers writes `architectures` and
 * `model_type`; ours is a `GptConfig`).
 *
 * @module
 */
import type { Codec } from "../data/codec.ts";
import { HfTokenizer } from "../data/hf_tokenizer.ts";
import { Tokenizer } from "../data/tokenizer.ts";
import type { CausalLM } from "./causal_lm.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import {
  layoutTensors,
  llamaConfigFromHf,
  llamaWeightLayout,
  matchLayout,
  transpose2d,
} from "./hf.ts";
import { readTensorsF32, readWeightHeaders } from "./hf_safetensors.ts";
import { Llama, type LlamaConfig } from "./llama.ts";
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

/**
 * Loads a Hugging Face Llama-family directory on the default backend: config, then every
 * weight header with its name and shape checked against the config, then the model, then the
 * tensors one by one (F32, F16 and BF16 become f32).
 *
 * @param opts.contextLength a shorter window than `max_position_embeddings` (smaller RoPE tables).
 * @throws {CheckpointError} one line naming the file: a missing file, an unsupported
 * architecture or RoPE scaling, a tensor of the wrong shape, a shard outside the directory.
 */
export async function loadHfModel(
  dir: string,
  opts: { contextLength?: number } = {},
): Promise<{ model: Llama; config: LlamaConfig }> {
  const configFile = join(dir, "config.json");
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(configFile));
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "missing" : "unreadable";
    throw new CheckpointError(`${configFile}: ${why} (${(e as Error).message.split("\n")[0]})`);
  }
  const config = llamaConfigFromHf(json, configFile);
  if (opts.contextLength !== undefined) {
    config.contextLength = Math.min(config.contextLength, opts.contextLength);
  }
  const layout = llamaWeightLayout(config);
  const entries = matchLayout(layout, await readWeightHeaders(dir), dir);
  const model = new Llama(config);
  try {
    const tensors = layoutTensors(model);
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
  return { model, config };
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
  if (await detectCheckpointFormat(dir) === "hf") {
    const codec = await HfTokenizer.load(dir);
    const { model } = await loadHfModel(dir, opts);
    return { format: "hf", model, codec, state: {} };
  }
  const ck = await loadCheckpoint(dir, { optimizer: false });
  try {
    const codec = Tokenizer.fromJSON(ck.tokenizerJson, join(dir, "tokenizer.json"));
    return { format: "rmt", model: ck.model, codec, state: ck.state };
  } catch (e) {
    ck.model.dispose();
    throw e;
  }
}
