/**
 * Settings of the post-training stage (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, method §6.5, §11.4): GRPO on math questions with verifiable integer answers,
 * started from any checkpoint (the base model, RPT, RMT), with held-out accuracy before and
 * after. One typed defaults object, {@linkcode POSTTRAIN_DEFAULTS}, overridden by a YAML file
 * (`configs/posttrain.yaml`) and CLI flags.
 *
 * Paper value → ours (method §6.5): Skywork-OR1 math, 256 train / 200 test questions, batch 64,
 * 15 epochs, responses ≤ 4096 tokens → generated questions (`lib/data/questions.ts`),
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
  above,
  atLeast,
  type ConfigOf,
  defineConfig,
  integer,
  nonEmpty,
  readYamlFile,
  that,
  within,
} from "../../util/config.ts";
import { PROBLEM_KINDS } from "../../data/corpus_math.ts";
import { POSTTRAIN_SEEDS } from "../../data/questions.ts";
import { POSTTRAIN_PROMPT } from "../../data/question_prompt.ts";

/** GRPO settings of the post-training stage (method §4.1 applied to questions, §6.5). */
export const POSTTRAIN_GRPO = defineConfig("posttrain.grpo", {
  /** G ≥ 2: completions per question (one alone has no group to compare with). Paper/RPT 8. */
  groupSize: { default: 8, check: integer(2) },
  /** ε ∈ (0, 1) of the clipped surrogate (inactive on-policy, kept for the shared loss). */
  clipEps: { default: 0.2, check: within(0, 1, "()") },
  /** Rollout sampling temperature > 0. RPT 0.8 (training), 0.6 (evaluation); ours 0.8. */
  temperature: { default: 0.8, check: above(0) },
  /** δ ≥ 0 of the advantage whitening; ours 1e-6. */
  advantageEps: { default: 1e-6, check: atLeast(0) },
});

/** GRPO settings of the post-training stage. */
export type PostTrainGrpoConfig = ConfigOf<typeof POSTTRAIN_GRPO>;

/** How held-out accuracy is measured (before and after). */
export const POSTTRAIN_EVAL = defineConfig("posttrain.eval", {
  /** Decoding temperature ≥ 0; 0 = greedy (default: deterministic before/after comparison). */
  temperature: { default: 0, check: atLeast(0) },
  /** Longest answer completion, tokens. */
  maxNewTokens: { default: 96, check: integer(1) },
  /** Prompts per generation call. */
  batchSize: { default: 50, check: integer(1) },
  /** Seed of the sampler (ignored when greedy). */
  seed: { default: 1, check: integer() },
});

/** How held-out accuracy is measured. */
export type PostTrainEvalConfig = ConfigOf<typeof POSTTRAIN_EVAL>;

/**
 * All post-training settings (paper value → ours, method §6.5). Defaults: ~minutes on 2 CPU
 * cores for the project's base model.
 */
export const POSTTRAIN = defineConfig("posttrain", {
  /** Starting checkpoint (base, RPT, RMT …). */
  checkpoint: { default: "checkpoints/base", check: nonEmpty("a directory") },
  /** Output directory: result.json, metrics.jsonl, config.json, checkpoint/. */
  out: { default: "runs/posttrain", check: nonEmpty("a directory") },
  /** Optimiser steps. Paper 15 epochs of 4 batches; ours 20. */
  steps: { default: 20, check: integer(1) },
  /** Questions per step (each gets G completions). Paper 64; ours 8. */
  questionsPerStep: { default: 8, check: integer(1) },
  /** Training questions. Paper 256; ours 256. */
  trainQuestions: { default: 256, check: integer(1) },
  /** Held-out questions for accuracy before/after. Paper 200; ours 200. */
  heldOutQuestions: { default: 200, check: integer(1) },
  /** Difficulty grades 1..4 to draw questions from. */
  difficulties: {
    default: [1, 2, 3, 4],
    check: that(
      (d: number[]) => d.length > 0 && d.every((g) => Number.isInteger(g) && g >= 1 && g <= 4),
      "a non-empty list of grades 1..4",
    ),
  },
  /** Problem kinds to draw from (empty = all corpus kinds). */
  kinds: {
    default: [] as string[],
    check: that(
      (k: string[]) => k.every((x) => (PROBLEM_KINDS as readonly string[]).includes(x)),
      `a list of ${PROBLEM_KINDS.join(", ")} (empty = all)`,
    ),
  },
  /** Seed of the training questions. */
  trainSeed: { default: POSTTRAIN_SEEDS.train, check: integer() },
  /** Seed of the held-out questions (must differ from trainSeed). */
  heldOutSeed: {
    default: POSTTRAIN_SEEDS.heldOut,
    check: that(
      (seed: number, cfg: { trainSeed: number }) =>
        Number.isInteger(seed) && seed !== cfg.trainSeed,
      "an integer different from trainSeed",
    ),
  },
  /** AdamW learning rate > 0 (constant). Ours 1e-4. */
  lr: { default: 1e-4, check: above(0) },
  /** AdamW weight decay ≥ 0. RPT 0.01. */
  weightDecay: { default: 0.01, check: atLeast(0) },
  /** AdamW β1 ∈ [0, 1). RPT 0.9. */
  beta1: { default: 0.9, check: within(0, 1, "[)") },
  /** AdamW β2 ∈ [0, 1). RPT 0.999. */
  beta2: { default: 0.999, check: within(0, 1, "[)") },
  /** Global gradient-norm clip (0 = off). */
  gradClip: { default: 1, check: atLeast(0) },
  /** Longest rollout completion, tokens. Paper 4096; ours 96. */
  maxNewTokens: { default: 96, check: integer(1) },
  /** Rollout sampling top-k (0 = all). */
  topK: { default: 0, check: integer(0) },
  /** Sequences per forward/backward (gradient accumulation inside a step). */
  microBatch: { default: 32, check: integer(1) },
  /** Seed of question order and rollouts. */
  seed: { default: 1, check: integer() },
  /** Progress line every this many steps. */
  logEvery: { default: 1, check: integer(1) },
  /** Save the post-trained checkpoint into `out/checkpoint`. */
  saveCheckpoint: { default: true },
  /** GRPO settings. */
  grpo: POSTTRAIN_GRPO,
  /** Accuracy measurement. */
  eval: POSTTRAIN_EVAL,
  /** Prompt texts. */
  prompt: POSTTRAIN_PROMPT,
});

/** All post-training settings. */
export type PostTrainConfig = ConfigOf<typeof POSTTRAIN>;

/** {@linkcode POSTTRAIN}'s defaults. */
export const POSTTRAIN_DEFAULTS: Readonly<PostTrainConfig> = POSTTRAIN.defaults;

/**
 * Applies overrides (a parsed YAML mapping) to the defaults and checks every range; unknown keys
 * are rejected with a message naming them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePostTrainConfig } from "./config.ts";
 * assert.equal(resolvePostTrainConfig({ eval: { temperature: 0.6 } }).eval.temperature, 0.6);
 * assert.throws(() => resolvePostTrainConfig({ stepz: 1 }), /posttrain.stepz: unknown key/);
 * assert.throws(() => resolvePostTrainConfig({ kinds: ["poems"] }), /posttrain.kinds/);
 * ```
 */
export function resolvePostTrainConfig(overrides: unknown, path = "posttrain"): PostTrainConfig {
  return POSTTRAIN.resolve(overrides, path);
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
