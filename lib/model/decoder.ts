/**
 * The decoders a checkpoint's `config.json` can describe: our {@linkcode GPT} (a `GptConfig`)
 * or a Llama-family model (a {@linkcode LlamaConfig}, told apart by its `architecture` field),
 * so that `checkpoint.ts` saves and loads either.
 *
 * @module
 */
import { ConfigError } from "../util/config.ts";
import { GPT, type GptConfig, resolveGptConfig } from "./gpt.ts";
import { checkLlamaConfig, Llama, LLAMA_ARCHITECTURES, type LlamaConfig } from "./llama.ts";

/** The config of either decoder. */
export type ModelConfig = GptConfig | LlamaConfig;

/** True for a {@linkcode LlamaConfig} (it names its transformers architecture). */
export function isLlamaConfig(cfg: unknown): cfg is LlamaConfig {
  return typeof cfg === "object" && cfg !== null && "architecture" in cfg;
}

/**
 * Validates a saved model config: a Llama-family config is checked field by field (every field
 * present), anything else is resolved as a `GptConfig` (defaults filled in).
 *
 * @throws {ConfigError} naming the field, e.g. `model.nKvHead: expected a divisor of nHead (4), got 3`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveModelConfig } from "./decoder.ts";
 * assert.equal(resolveModelConfig({ nLayer: 2 }).nLayer, 2);
 * assert.throws(() => resolveModelConfig({ architecture: "LlamaForCausalLM" }), /model.vocabSize/);
 * ```
 */
export function resolveModelConfig(json: unknown, path = "model"): ModelConfig {
  if (!isLlamaConfig(json)) return resolveGptConfig(json, path);
  const cfg = json as LlamaConfig;
  if (!LLAMA_ARCHITECTURES.includes(cfg.architecture)) {
    throw new ConfigError(
      `${path}.architecture: expected ${LLAMA_ARCHITECTURES.join(" or ")}, got ${
        JSON.stringify(cfg.architecture)
      }`,
    );
  }
  checkLlamaConfig(cfg);
  const flags = ["qkvBias", "tieEmbeddings"] as const;
  for (const key of flags) {
    if (typeof cfg[key] !== "boolean") {
      throw new ConfigError(
        `${path}.${key}: expected true or false, got ${JSON.stringify(cfg[key])}`,
      );
    }
  }
  if (!Number.isInteger(cfg.seed)) {
    throw new ConfigError(`${path}.seed: expected an integer, got ${JSON.stringify(cfg.seed)}`);
  }
  return { ...cfg };
}

/** A fresh decoder for a resolved config (random weights, on the default backend). */
export function newDecoder(cfg: ModelConfig): GPT | Llama {
  return isLlamaConfig(cfg) ? new Llama(cfg) : new GPT(cfg);
}
