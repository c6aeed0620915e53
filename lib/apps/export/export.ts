/**
 * Writes a model directory (ours or a Hugging Face one) as a Hugging Face directory that
 * transformers' `AutoModelForCausalLM` and `AutoTokenizer` load:
 *
 *     config.json            GPT2LMHeadModel (our GPT, learned positions) or LlamaForCausalLM /
 *                            Qwen2ForCausalLM (a Llama-family model)
 *     model.safetensors      F32, transformers' names and (out, in) linear weights
 *     tokenizer.json         our byte-level BPE converted (`bpe_json.ts`), or the source's
 *     tokenizer_config.json  eos/pad tokens (ours), or the source's (chat template included)
 *
 * A GPT with RoPE is refused with the reason (`gpt2Differences`): no GPT-2 computes it.
 *
 * @module
 */
import { HfTokenizer } from "../../data/hf_tokenizer.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import { GPT } from "../../model/gpt.ts";
import {
  type HfWeight,
  layoutTensors,
  llamaConfigToHf,
  llamaWeightLayout,
  transpose2d,
} from "../../model/hf.ts";
import { gpt2ConfigToHf, gpt2Differences, gpt2WeightLayout } from "../../model/hf_gpt2.ts";
import { Llama } from "../../model/llama.ts";
import { loadModel } from "../../model/load.ts";
import { encodeSafetensors, type StTensor } from "../../model/safetensors.ts";
import { bpeToHf } from "./bpe_json.ts";

/** What {@linkcode exportModel} wrote. */
export interface ExportResult {
  /** The transformers class of config.json. */
  architecture: string;
  /** The files written, in `out`. */
  files: string[];
}

/**
 * Exports the model directory `dir` to `out` (created; it must not exist or be empty).
 *
 * @throws {Error} one line: `out` not empty, a GPT that GPT-2 cannot express, or the loader's
 * error for `dir`.
 */
export async function exportModel(dir: string, out: string): Promise<ExportResult> {
  await checkEmpty(out);
  const loaded = await loadModel(dir);
  const { model, codec } = loaded;
  try {
    let layout: HfWeight[];
    let config: object;
    const eot = codec.specialId("eot");
    if (model instanceof GPT) {
      const diffs = gpt2Differences(model.config);
      if (diffs.length > 0) {
        throw new Error(`export: ${dir} is not a GPT2LMHeadModel: ${diffs.join("; ")}`);
      }
      layout = gpt2WeightLayout(model.config);
      config = gpt2ConfigToHf(model.config, eot);
    } else if (model instanceof Llama) {
      layout = llamaWeightLayout(model.config);
      config = llamaConfigToHf(model.config, { eos_token_id: eot, bos_token_id: null });
    } else throw new Error(`export: ${dir}: no Hugging Face layout for this model`);

    const weights: [string, StTensor][] = [];
    for (const { weight, tensor } of layoutTensors(model, layout)) {
      const ours = Float32Array.from(await tensor.toArray());
      // Ours (in, out) → stored (out, in) = weight.shape.
      const data = weight.transpose ? transpose2d(ours, weight.shape[1], weight.shape[0]) : ours;
      weights.push([weight.hf, { dtype: "F32", shape: weight.shape, data }]);
    }
    const files: [string, Uint8Array][] = [
      ["config.json", json(config)],
      ["model.safetensors", await encodeSafetensors(weights, { format: "pt" })],
    ];
    if (codec instanceof Tokenizer) {
      const { tokenizer, config: tokConfig } = bpeToHf(codec);
      files.push(["tokenizer.json", json(tokenizer)]);
      files.push(["tokenizer_config.json", json(tokConfig)]);
    } else if (codec instanceof HfTokenizer) {
      const { tokenizer, config: tokConfig } = codec.toJSON();
      files.push(["tokenizer.json", json(tokenizer)]);
      files.push(["tokenizer_config.json", json(tokConfig)]);
    }
    await Deno.mkdir(out, { recursive: true });
    for (const [name, bytes] of files) await Deno.writeFile(`${out}/${name}`, bytes);
    return {
      architecture: (config as { architectures: string[] }).architectures[0],
      files: files.map(([name]) => name),
    };
  } finally {
    model.dispose();
  }
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n");
}

async function checkEmpty(out: string): Promise<void> {
  try {
    for await (const _ of Deno.readDir(out)) {
      throw new Error(`--out: ${out} exists and is not empty (expected a new directory)`);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
}
