/**
 * Pre-training settings (method §11.1, §11.3): one typed, commented defaults object,
 * {@linkcode PRETRAIN_DEFAULTS}, overridden by a YAML file (`configs/pretrain.yaml`) and CLI
 * flags. Sections: `data` (corpus and demonstrations, `lib/apps/pretrain/data.ts`), `prompt` (the
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
  check,
  checkBackendKind,
  ConfigError,
  readYamlFile,
  resolveConfig,
} from "../../util/config.ts";
import { GPT_DEFAULTS, type GptConfig, resolveGptConfig } from "../../model/gpt.ts";
import { PROMPT, PROMPT_DEFAULTS, type PromptConfig } from "../../rmt/prompt.ts";
import type { BackendKind } from "../../engine/tensor.ts";
import { PRETRAIN_DATA_DEFAULTS, type PretrainDataConfig, validatePretrainData } from "./data.ts";

/** All pre-training settings. */
export interface PretrainConfig {
  /** Corpus, tokenizer and demonstrations. */
  data: PretrainDataConfig;
  /** Next-token-reasoning prompt used by the demonstrations (and later by RL and evaluation). */
  prompt: PromptConfig;
  /** The GPT (`vocabSize` is replaced by the tokenizer's). */
  model: GptConfig;
  /** Total optimiser steps T (the cosine ends here). */
  steps: number;
  /** Rows per step. */
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** Floor of the cosine as a fraction of `lr`. */
  minLrRatio: number;
  /** Linear warm-up steps. */
  warmupSteps: number;
  /** AdamW decoupled weight decay (matrices only). */
  weightDecay: number;
  /** AdamW β1. */
  beta1: number;
  /** AdamW β2. */
  beta2: number;
  /** Global gradient-norm clip (0 = off). */
  gradClip: number;
  /** Seed of the batches (a step's batch depends only on (seed, step)). */
  seed: number;
  /** Read back and log metrics every this many steps. */
  logEvery: number;
  /** Held-out loss every this many steps (0 = only at the end). */
  evalEvery: number;
  /** Held-out batches per evaluation (fixed, seeded). */
  evalBatches: number;
  /** Checkpoint every this many steps (0 = only at the end). */
  checkpointEvery: number;
  /** Output directory: metrics.jsonl, config.json, checkpoint/. */
  out: string;
  /** Backend: auto (WebGPU if an adapter exists), cpu or webgpu. */
  backend: BackendKind;
}

/** Defaults (see the module doc for the sizing). */
export const PRETRAIN_DEFAULTS: Readonly<PretrainConfig> = {
  data: {
    ...PRETRAIN_DATA_DEFAULTS,
    vocabSize: 512,
    maxDocChars: 160,
    verbosity: 0.25,
    maxDemoTokens: 256,
  },
  prompt: { ...PROMPT_DEFAULTS, maxContextTokens: 64 },
  model: { ...GPT_DEFAULTS, contextLength: 256, nLayer: 2, nHead: 4, nEmbd: 64 },
  steps: 200,
  batchSize: 8,
  lr: 3e-3,
  minLrRatio: 0.1,
  warmupSteps: 10,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  gradClip: 1,
  seed: 1,
  logEvery: 10,
  evalEvery: 50,
  evalBatches: 4,
  checkpointEvery: 50,
  out: "runs/pretrain",
  backend: "cpu",
};

/**
 * Range checks of a resolved config; throws a one-line `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRETRAIN_DEFAULTS, validatePretrainConfig } from "./config.ts";
 * assert.throws(
 *   () => validatePretrainConfig({ ...PRETRAIN_DEFAULTS, batchSize: 0 }),
 *   /pretrain.batchSize: expected an integer ≥ 1, got 0/,
 * );
 * ```
 */
export function validatePretrainConfig(cfg: PretrainConfig, path = "pretrain"): PretrainConfig {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  validatePretrainData(cfg.data, `${path}.data`);
  PROMPT.validate(cfg.prompt, `${path}.prompt`);
  resolveGptConfig(cfg.model, `${path}.model`);
  check(int(cfg.steps, 1), `${path}.steps`, "an integer ≥ 1", cfg.steps);
  check(int(cfg.batchSize, 1), `${path}.batchSize`, "an integer ≥ 1", cfg.batchSize);
  check(cfg.lr > 0, `${path}.lr`, "a number > 0", cfg.lr);
  check(
    cfg.minLrRatio >= 0 && cfg.minLrRatio <= 1,
    `${path}.minLrRatio`,
    "a number in [0, 1]",
    cfg.minLrRatio,
  );
  check(int(cfg.warmupSteps, 0), `${path}.warmupSteps`, "an integer ≥ 0", cfg.warmupSteps);
  check(cfg.weightDecay >= 0, `${path}.weightDecay`, "a number ≥ 0", cfg.weightDecay);
  check(cfg.beta1 >= 0 && cfg.beta1 < 1, `${path}.beta1`, "a number in [0, 1)", cfg.beta1);
  check(cfg.beta2 >= 0 && cfg.beta2 < 1, `${path}.beta2`, "a number in [0, 1)", cfg.beta2);
  check(cfg.gradClip >= 0, `${path}.gradClip`, "a number ≥ 0", cfg.gradClip);
  check(int(cfg.seed, 0), `${path}.seed`, "an integer ≥ 0", cfg.seed);
  check(int(cfg.logEvery, 1), `${path}.logEvery`, "an integer ≥ 1", cfg.logEvery);
  check(int(cfg.evalEvery, 0), `${path}.evalEvery`, "an integer ≥ 0", cfg.evalEvery);
  check(int(cfg.evalBatches, 1), `${path}.evalBatches`, "an integer ≥ 1", cfg.evalBatches);
  check(
    int(cfg.checkpointEvery, 0),
    `${path}.checkpointEvery`,
    "an integer ≥ 0",
    cfg.checkpointEvery,
  );
  check(cfg.out.length > 0, `${path}.out`, "a directory", cfg.out);
  checkBackendKind(cfg.backend, `${path}.backend`);
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
  return cfg;
}

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
 * ```
 */
export function resolvePretrainConfig(overrides: unknown, path = "pretrain"): PretrainConfig {
  return validatePretrainConfig(
    resolveConfig(PRETRAIN_DEFAULTS as PretrainConfig, overrides, path),
    path,
  );
}

/**
 * Reads a YAML config file and resolves it (errors name the file's field).
 *
 * @throws {ConfigError} On a missing file, bad YAML, an unknown key or a bad value.
 */
export function loadPretrainConfig(file: string): PretrainConfig {
  return resolvePretrainConfig(readYamlFile(file), file);
}

/**
 * The first field where two configs differ (dotted path), or null when equal; used by
 * `--resume` to refuse a changed configuration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstDifference } from "./config.ts";
 * assert.equal(firstDifference({ a: { b: 1 } }, { a: { b: 2 } }), "a.b");
 * assert.equal(firstDifference({ a: [1] }, { a: [1] }), null);
 * ```
 */
export function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    return Object.is(a, b) ? null : path || "(root)";
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      path ? `${path}.${k}` : k,
    );
    if (d !== null) return d;
  }
  return null;
}

export { ConfigError };
