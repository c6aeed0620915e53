/**
 * Pre-training settings (method §11.1, §11.3): one typed, commented defaults object,
 * {@linkcode PRETRAIN_DEFAULTS}, overridden by a YAML file (`configs/pretrain.yaml`) and CLI
 * flags. Sections: `data` (corpus and demonstrations, `lib/apps/pretrain/data_config.ts`), `prompt` (the
 * next-token-reasoning prompt, shared byte for byte with RL, `lib/rmt/prompt.ts`), `model` (the
 * GPT, `lib/model/gpt.ts`; `vocabSize` is always the trained tokenizer's) and the optimisation
 * loop (AdamW, warm-up + cosine, clipping, logging, checkpoints).
 *
 * Sizing: the defaults are chosen for this project's reference machine (2 shared CPU cores,
 * ≈ 200–400 training tokens/s, see `docs/base-model.md`), so that pre-training fits in about
 * 15–20 minutes: a 2-layer, width-64 model, a 256-token window, and demonstrations short enough
 * to fit it whole.
 *
 * @module
 */
import {
  above,
  atLeast,
  check,
  ConfigError,
  type ConfigOf,
  defineConfig,
  integer,
  nonEmpty,
  readYamlFile,
  sectionOf,
  that,
  within,
} from "../../util/config.ts";
import { backendKind } from "../../engine/device.ts";
import { GPT_CONFIG } from "../../model/gpt.ts";
import { PROMPT } from "../../rmt/prompt.ts";
import type { BackendKind } from "../../engine/tensor.ts";
import { PRETRAIN_DATA_DEFAULTS, validatePretrainData } from "./data_config.ts";

/** All pre-training settings, sized as the module doc says. */
export const PRETRAIN = defineConfig("pretrain", {
  /** Corpus, tokenizer and demonstrations (`data.ts`). */
  data: sectionOf("pretrain.data", PRETRAIN_DATA_DEFAULTS, validatePretrainData).withDefaults({
    vocabSize: 512,
    maxDocChars: 160,
    verbosity: 0.25,
    maxDemoTokens: 256,
  }),
  /** Next-token-reasoning prompt used by the demonstrations (and later by RL and evaluation). */
  prompt: PROMPT.withDefaults({ maxContextTokens: 64 }),
  /** The GPT (`vocabSize` is replaced by the tokenizer's). */
  model: GPT_CONFIG.withDefaults({ contextLength: 256, nLayer: 2, nHead: 4, nEmbd: 64 }),
  /**
   * Checkpoint directory whose weights and tokenizer the run starts from (continued
   * pre-training with a fresh optimizer and schedule; its model config must equal `model`), or
   * `""`: from scratch. Whether it holds a checkpoint is checked when the run starts.
   */
  init: {
    default: "",
    check: that((s: string) => s === s.trim(), "a path without surrounding spaces"),
  },
  /** Total optimiser steps T (the cosine ends here). */
  steps: { default: 200, check: integer(1) },
  /** Rows per step. */
  batchSize: { default: 8, check: integer(1) },
  /** Peak learning rate. */
  lr: { default: 3e-3, check: above(0) },
  /** Floor of the cosine as a fraction of `lr`. */
  minLrRatio: { default: 0.1, check: within(0, 1, "[]") },
  /** Linear warm-up steps. */
  warmupSteps: { default: 10, check: integer(0) },
  /** AdamW decoupled weight decay (matrices only). */
  weightDecay: { default: 0.1, check: atLeast(0) },
  /** AdamW β1. */
  beta1: { default: 0.9, check: within(0, 1, "[)") },
  /** AdamW β2. */
  beta2: { default: 0.95, check: within(0, 1, "[)") },
  /** Global gradient-norm clip (0 = off). */
  gradClip: { default: 1, check: atLeast(0) },
  /** Seed of the batches (a step's batch depends only on (seed, step)). */
  seed: { default: 1, check: integer(0) },
  /** Read back and log metrics every this many steps. */
  logEvery: { default: 10, check: integer(1) },
  /** Held-out loss every this many steps (0 = only at the end). */
  evalEvery: { default: 50, check: integer(0) },
  /** Held-out batches per evaluation (fixed, seeded). */
  evalBatches: { default: 4, check: integer(1) },
  /** Checkpoint every this many steps (0 = only at the end). */
  checkpointEvery: { default: 50, check: integer(0) },
  /** Output directory: metrics.jsonl, config.yaml, checkpoint/. */
  out: { default: "runs/pretrain", check: nonEmpty("a directory") },
  /** Backend: auto (a hardware GPU through WebGPU, else the CPU), cpu or webgpu. */
  backend: { default: "auto" as BackendKind, check: backendKind },
}, (cfg, path) => {
  // a prompt, its reasoning and the demonstrations must fit the model's window
  const promptMax = cfg.prompt.maxContextTokens + 48;
  check(
    cfg.model.contextLength > promptMax,
    `${path}.model.contextLength`,
    `more than prompt.maxContextTokens + 48 (${promptMax}) so a prompt and its reasoning fit`,
    cfg.model.contextLength,
  );
  check(
    cfg.data.maxDemoTokens === 0 || cfg.data.maxDemoTokens <= cfg.model.contextLength,
    `${path}.data.maxDemoTokens`,
    `0 or at most model.contextLength (${cfg.model.contextLength})`,
    cfg.data.maxDemoTokens,
  );
});

/** All pre-training settings. */
export type PretrainConfig = ConfigOf<typeof PRETRAIN>;

/** Defaults (see the module doc for the sizing). */
export const PRETRAIN_DEFAULTS: Readonly<PretrainConfig> = PRETRAIN.defaults;

/**
 * Applies overrides (a parsed YAML mapping) to {@linkcode PRETRAIN_DEFAULTS} and checks them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePretrainConfig } from "./config.ts";
 * const cfg = resolvePretrainConfig({ steps: 10, model: { nLayer: 1 } });
 * assert.equal(cfg.steps, 10);
 * assert.equal(cfg.model.nLayer, 1);
 * assert.throws(() => resolvePretrainConfig({ stpes: 1 }), /pretrain.stpes: unknown key/);
 * assert.throws(() => resolvePretrainConfig({ batchSize: 0 }), /pretrain.batchSize: expected an integer ≥ 1, got 0/);
 * ```
 */
export function resolvePretrainConfig(overrides: unknown, path = "pretrain"): PretrainConfig {
  return PRETRAIN.resolve(overrides, path);
}

/**
 * Reads a YAML config file and resolves it (errors name the file's field).
 *
 * @throws {ConfigError} On a missing file, bad YAML, an unknown key or a bad value.
 */
export function loadPretrainConfig(file: string): PretrainConfig {
  return resolvePretrainConfig(readYamlFile(file), file);
}

export { ConfigError };
