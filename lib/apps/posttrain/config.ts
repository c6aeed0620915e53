/**
 * Settings of the post-training stage (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, method §6.5, §11.4): GRPO on math questions with verifiable integer answers,
 * started from any checkpoint (the base model, RPT, RMT), with held-out accuracy before and
 * after. One typed defaults object, {@linkcode POSTTRAIN_DEFAULTS}, overridden by a YAML file
 * (`configs/posttrain.yaml`) and CLI flags.
 *
 * Paper value → ours (method §6.5): Skywork-OR1 math, 256 train / 200 test questions, batch 64,
 * 15 epochs, responses ≤ 4096 tokens → generated questions (`lib/apps/posttrain/questions.ts`),
 * 256 / 200 by default, 8 questions × G = 8 per step, a few dozen steps, responses ≤ 96 tokens.
 *
 * Deliberate deviations:
 * - No KL term (β = 0, as RPT's recipe) and one update per rollout batch (ρ ≡ 1, on-policy).
 * - Held-out accuracy is measured with GREEDY decoding by default (`eval.temperature: 0`), so
 *   "before" and "after" differ only by the weights, not by sampling noise; set
 *   `eval.temperature: 0.6` for RPT's sampled protocol.
 *
 * @module
 */
import {
  check,
  checkPositiveInteger,
  ConfigError,
  readYamlFile,
  resolveConfig,
} from "../../util/config.ts";
import { PROBLEM_KINDS } from "../../data/corpus_math.ts";
import { POSTTRAIN_SEEDS } from "./questions.ts";
import {
  POSTTRAIN_PROMPT_DEFAULTS,
  type PostTrainPromptConfig,
  resolvePostTrainPromptConfig,
} from "./verify.ts";

/** GRPO settings of the post-training stage (method §4.1 applied to questions). */
export interface PostTrainGrpoConfig {
  /** G, completions per question. Paper/RPT 8. */
  groupSize: number;
  /** ε of the clipped surrogate (inactive on-policy, kept for the shared loss). */
  clipEps: number;
  /** Rollout sampling temperature. RPT 0.8 (training), 0.6 (evaluation). */
  temperature: number;
  /** δ of the advantage whitening. */
  advantageEps: number;
}

/** How held-out accuracy is measured (before and after). */
export interface PostTrainEvalConfig {
  /** Decoding temperature; 0 = greedy (default: deterministic before/after comparison). */
  temperature: number;
  /** Longest answer completion in tokens. */
  maxNewTokens: number;
  /** Prompts per generation call. */
  batchSize: number;
  /** Seed of the sampler (ignored when greedy). */
  seed: number;
}

/**
 * All post-training settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePostTrainConfig } from "./config.ts";
 * const cfg = resolvePostTrainConfig({ steps: 3, grpo: { groupSize: 4 } });
 * assert.equal(cfg.steps, 3);
 * assert.equal(cfg.grpo.groupSize, 4);
 * assert.equal(cfg.eval.temperature, 0);
 * ```
 */
export interface PostTrainConfig {
  /** Starting checkpoint (base, RPT, RMT …). */
  checkpoint: string;
  /** Output directory: result.json, metrics.jsonl, config.json, checkpoint/. */
  out: string;
  /** Optimiser steps. */
  steps: number;
  /** Questions per step (each gets G completions). Paper 64. */
  questionsPerStep: number;
  /** Training questions (paper 256). */
  trainQuestions: number;
  /** Held-out questions for accuracy before/after (paper 200). */
  heldOutQuestions: number;
  /** Difficulty grades 1..4 to draw questions from. */
  difficulties: number[];
  /** Problem kinds to draw from (empty = all corpus kinds). */
  kinds: string[];
  /** Seed of the training questions. */
  trainSeed: number;
  /** Seed of the held-out questions (must differ from trainSeed). */
  heldOutSeed: number;
  /** AdamW learning rate (constant). */
  lr: number;
  /** AdamW weight decay. */
  weightDecay: number;
  /** AdamW β1. */
  beta1: number;
  /** AdamW β2. */
  beta2: number;
  /** Global gradient-norm clip (0 = off). */
  gradClip: number;
  /** Longest rollout completion in tokens. */
  maxNewTokens: number;
  /** Rollout sampling top-k (0 = all). */
  topK: number;
  /** Sequences per forward/backward (gradient accumulation inside a step). */
  microBatch: number;
  /** Seed of question order and rollouts. */
  seed: number;
  /** Progress line every this many steps. */
  logEvery: number;
  /** Save the post-trained checkpoint into `out/checkpoint`. */
  saveCheckpoint: boolean;
  /** GRPO settings. */
  grpo: PostTrainGrpoConfig;
  /** Accuracy measurement. */
  eval: PostTrainEvalConfig;
  /** Prompt texts. */
  prompt: PostTrainPromptConfig;
}

/**
 * Defaults: ~minutes on 2 CPU cores for the project's base model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { POSTTRAIN_DEFAULTS } from "./config.ts";
 * assert.equal(POSTTRAIN_DEFAULTS.grpo.groupSize, 8);
 * assert.notEqual(POSTTRAIN_DEFAULTS.trainSeed, POSTTRAIN_DEFAULTS.heldOutSeed);
 * ```
 */
export const POSTTRAIN_DEFAULTS: Readonly<PostTrainConfig> = {
  checkpoint: "checkpoints/base",
  out: "runs/posttrain",
  steps: 20,
  questionsPerStep: 8,
  trainQuestions: 256,
  heldOutQuestions: 200,
  difficulties: [1, 2, 3, 4],
  kinds: [],
  trainSeed: POSTTRAIN_SEEDS.train,
  heldOutSeed: POSTTRAIN_SEEDS.heldOut,
  lr: 1e-4,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  gradClip: 1,
  maxNewTokens: 96,
  topK: 0,
  microBatch: 32,
  seed: 1,
  logEvery: 1,
  saveCheckpoint: true,
  grpo: { groupSize: 8, clipEps: 0.2, temperature: 0.8, advantageEps: 1e-6 },
  eval: { temperature: 0, maxNewTokens: 96, batchSize: 50, seed: 1 },
  prompt: POSTTRAIN_PROMPT_DEFAULTS,
};

/**
 * Checks a resolved config; throws a one-line `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { POSTTRAIN_DEFAULTS, validatePostTrainConfig } from "./config.ts";
 * assert.throws(() => validatePostTrainConfig({ ...POSTTRAIN_DEFAULTS, steps: 0 }), /posttrain.steps/);
 * assert.throws(
 *   () => validatePostTrainConfig({ ...POSTTRAIN_DEFAULTS, kinds: ["poems"] }),
 *   /posttrain.kinds/,
 * );
 * ```
 */
export function validatePostTrainConfig(cfg: PostTrainConfig, path = "posttrain"): PostTrainConfig {
  check(cfg.checkpoint.length > 0, `${path}.checkpoint`, "a directory", cfg.checkpoint);
  check(cfg.out.length > 0, `${path}.out`, "a directory", cfg.out);
  checkPositiveInteger(cfg.steps, `${path}.steps`);
  checkPositiveInteger(cfg.questionsPerStep, `${path}.questionsPerStep`);
  checkPositiveInteger(cfg.trainQuestions, `${path}.trainQuestions`);
  checkPositiveInteger(cfg.heldOutQuestions, `${path}.heldOutQuestions`);
  check(
    cfg.difficulties.length > 0 &&
      cfg.difficulties.every((d) => Number.isInteger(d) && d >= 1 && d <= 4),
    `${path}.difficulties`,
    "a non-empty list of grades 1..4",
    cfg.difficulties,
  );
  check(
    cfg.kinds.every((k) => (PROBLEM_KINDS as readonly string[]).includes(k)),
    `${path}.kinds`,
    `a list of ${PROBLEM_KINDS.join(", ")} (empty = all)`,
    cfg.kinds,
  );
  check(
    Number.isInteger(cfg.trainSeed) && Number.isInteger(cfg.heldOutSeed) &&
      cfg.trainSeed !== cfg.heldOutSeed,
    `${path}.heldOutSeed`,
    "an integer different from trainSeed",
    cfg.heldOutSeed,
  );
  check(cfg.lr > 0, `${path}.lr`, "a number > 0", cfg.lr);
  check(cfg.weightDecay >= 0, `${path}.weightDecay`, "a number ≥ 0", cfg.weightDecay);
  check(cfg.beta1 >= 0 && cfg.beta1 < 1, `${path}.beta1`, "a number in [0, 1)", cfg.beta1);
  check(cfg.beta2 >= 0 && cfg.beta2 < 1, `${path}.beta2`, "a number in [0, 1)", cfg.beta2);
  check(cfg.gradClip >= 0, `${path}.gradClip`, "a number ≥ 0", cfg.gradClip);
  checkPositiveInteger(cfg.maxNewTokens, `${path}.maxNewTokens`);
  check(Number.isInteger(cfg.topK) && cfg.topK >= 0, `${path}.topK`, "an integer ≥ 0", cfg.topK);
  checkPositiveInteger(cfg.microBatch, `${path}.microBatch`);
  check(Number.isInteger(cfg.seed), `${path}.seed`, "an integer", cfg.seed);
  checkPositiveInteger(cfg.logEvery, `${path}.logEvery`);
  checkPositiveInteger(cfg.grpo.groupSize, `${path}.grpo.groupSize`);
  check(cfg.grpo.groupSize >= 2, `${path}.grpo.groupSize`, "an integer ≥ 2", cfg.grpo.groupSize);
  check(
    cfg.grpo.clipEps > 0 && cfg.grpo.clipEps < 1,
    `${path}.grpo.clipEps`,
    "a number in (0, 1)",
    cfg.grpo.clipEps,
  );
  check(cfg.grpo.temperature > 0, `${path}.grpo.temperature`, "a number > 0", cfg.grpo.temperature);
  check(
    cfg.grpo.advantageEps >= 0,
    `${path}.grpo.advantageEps`,
    "a number ≥ 0",
    cfg.grpo.advantageEps,
  );
  check(
    cfg.eval.temperature >= 0,
    `${path}.eval.temperature`,
    "a number ≥ 0",
    cfg.eval.temperature,
  );
  checkPositiveInteger(cfg.eval.maxNewTokens, `${path}.eval.maxNewTokens`);
  checkPositiveInteger(cfg.eval.batchSize, `${path}.eval.batchSize`);
  check(Number.isInteger(cfg.eval.seed), `${path}.eval.seed`, "an integer", cfg.eval.seed);
  return cfg;
}

/**
 * Applies overrides (a parsed YAML mapping) to {@linkcode POSTTRAIN_DEFAULTS} and checks every
 * range; unknown keys are rejected with a message naming them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePostTrainConfig } from "./config.ts";
 * assert.equal(resolvePostTrainConfig({ eval: { temperature: 0.6 } }).eval.temperature, 0.6);
 * assert.throws(() => resolvePostTrainConfig({ stepz: 1 }), /posttrain.stepz: unknown key/);
 * ```
 */
export function resolvePostTrainConfig(overrides: unknown, path = "posttrain"): PostTrainConfig {
  const raw = (overrides ?? {}) as Record<string, unknown>;
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a mapping of keys to values`);
  }
  const { prompt, ...rest } = raw;
  const { prompt: _p, ...defaults } = POSTTRAIN_DEFAULTS;
  const base = resolveConfig(defaults, rest, path);
  const cfg: PostTrainConfig = {
    ...base,
    prompt: resolvePostTrainPromptConfig(prompt, `${path}.prompt`),
  };
  return validatePostTrainConfig(cfg, path);
}

/**
 * Reads and resolves a YAML config file (`configs/posttrain.yaml`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadPostTrainConfig } from "./config.ts";
 * assert.throws(() => loadPostTrainConfig("no/such.yaml"), /cannot read config file/);
 * ```
 */
export function loadPostTrainConfig(file: string): PostTrainConfig {
  return resolvePostTrainConfig(readYamlFile(file));
}
