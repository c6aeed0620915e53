/**
 * Trainer settings for Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375; method §5, §9, §11.3): one typed, commented defaults object,
 * {@linkcode TRAIN_DEFAULTS}, overridden by a YAML file (`configs/*.yaml`) and CLI flags.
 *
 * The baselines and ablations are VALUES of {@linkcode MethodConfig}, not code paths: every run
 * minimises the same loss −rlWeight·J_RL + ntpWeight·NLL_NTP built from the same components
 * (method §6.6, §7):
 *
 * | run          | rlWeight | ntpWeight | budget  | sampling       | reward |
 * |--------------|----------|-----------|---------|----------------|--------|
 * | RMT          | 1        | 0.1       | dynamic | curriculum     | exact  |
 * | RMT w/o DTB  | 1        | 0.1       | none    | curriculum     | exact  |
 * | RMT w/o CAS  | 1        | 0.1       | dynamic | uniform        | exact  |
 * | RMT w/o NTP  | 1        | 0         | dynamic | curriculum     | exact  |
 * | RPT (§7.2)   | 1        | 0         | none    | entropy-filter | prefix |
 * | NTP          | 0        | 1         | none    | uniform        | exact  |
 *
 * Deliberate deviations:
 * - `method.ntpWeight` is λ and `method.reward` the matching mode: they replace
 *   `rmt.objective.lambda` and `rmt.reward.mode`, which a config may not set (one source of truth).
 * - `budget: "none"` drops the budget sentence AND r_len (w = 0), our reading of "w/o DTB" (§6.6).
 * - `rlWeight` (not in the paper, which always has RL) lets continued NTP be the same loss with
 *   J_RL weighted 0; rollouts are then skipped because they cannot change the gradient.
 *
 * @module
 */
import {
  check,
  checkBackendKind,
  checkPositiveInteger,
  ConfigError,
  readYamlFile,
  resolveConfig,
} from "../../util/config.ts";
import type { BackendKind } from "../../engine/tensor.ts";
import { resolveRmtConfig, RMT_DEFAULTS, type RmtConfig } from "../../rmt/config.ts";
import { type TierProbs, tierProbs } from "../../rmt/curriculum.ts";
import type { RewardMode } from "../../rmt/reward_match.ts";

/** How B_t enters the prompt and the reward: `dynamic` (§2) or `none` (no sentence, w = 0). */
export type BudgetMode = "dynamic" | "none";

/**
 * How RL positions are drawn: `curriculum` (§3.2 p_t), `uniform` (p = ⅓ over the three tiers,
 * "w/o CAS"), `entropy-filter` (RPT §7.2: hard tier only, uniformly).
 */
export type SamplingMode = "curriculum" | "uniform" | "entropy-filter";

/**
 * The method as values of the shared components (see the table in the module doc).
 *
 * @example RPT as a method config
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MethodConfig } from "./config.ts";
 * const rpt: MethodConfig = {
 *   rlWeight: 1, ntpWeight: 0, budget: "none", sampling: "entropy-filter", reward: "prefix",
 * };
 * assert.equal(rpt.ntpWeight, 0);
 * ```
 */
export interface MethodConfig {
  /** Weight of −J_RL in the loss, ≥ 0. RMT 1; 0 = continued NTP only (no rollouts). */
  rlWeight: number;
  /** λ ≥ 0, weight of NLL_NTP (§4.3). Paper 0.1; 0 = "RMT w/o NTP" and RPT. */
  ntpWeight: number;
  /** Dynamic token budget (§2) or none ("w/o DTB", RPT). */
  budget: BudgetMode;
  /** Position sampler (§3.3): curriculum, uniform over tiers ("w/o CAS"), entropy filter (RPT). */
  sampling: SamplingMode;
  /** Matching reward (§1.4): exact (RMT Eq. 5) or prefix (RPT Eq. 3). */
  reward: RewardMode;
}

/** Where the training documents come from. */
export interface DataConfig {
  /** `"base"`: the training documents recorded with the base checkpoint; else a .txt/.jsonl file. */
  source: string;
  /** Number of documents used (0 = all). */
  documents: number;
}

/**
 * All trainer settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveTrainConfig } from "./config.ts";
 * const cfg = resolveTrainConfig({ steps: 10, method: { sampling: "uniform" } });
 * assert.equal(cfg.steps, 10);
 * assert.equal(cfg.rmt.grpo.groupSize, 8);
 * ```
 */
export interface TrainConfig {
  /**
   * Backend the `train` command initialises (`--backend` overrides it): `auto` is WebGPU when an
   * adapter exists. The experiment runner sets it to its own `backend`. Not part of a run's
   * identity: `--resume` may change it.
   */
  backend: BackendKind;
  /** Directory of the base checkpoint π_θ0 (also π_ref when rmt.grpo.klBeta > 0). */
  baseCheckpoint: string;
  /** Output directory: checkpoint/, metrics.jsonl, summary.json, config.json. */
  out: string;
  /** T, total optimiser steps (§8.2). Paper ≈ 320; ours 40. */
  steps: number;
  /** |C| per step: RL positions (prompts) per step (§11.3). Paper 128; ours 16. */
  positionsPerStep: number;
  /** Peak AdamW learning rate. Paper 1e-6 (14B); ours 1e-4 (tiny model, §11.3). */
  lr: number;
  /** Linear warm-up steps of the learning rate (0 = constant lr, as the paper). */
  warmupSteps: number;
  /** AdamW weight decay. RPT 0.01. */
  weightDecay: number;
  /** AdamW β1. RPT 0.9. */
  beta1: number;
  /** AdamW β2. RPT 0.999. */
  beta2: number;
  /** Global gradient-norm clip (0 = off). Not reported; ours 1. */
  gradClip: number;
  /** Longest completion o^i in tokens. Paper 2048; ours a few × B_0. */
  maxNewTokens: number;
  /** Sampling top-k for rollouts (0 = full distribution). RPT: none. */
  topK: number;
  /** Sequences per forward/backward pass (gradient accumulation inside a step). */
  microBatch: number;
  /** Seed of position sampling and rollouts; a step's randomness depends only on (seed, t). */
  seed: number;
  /** Print a progress line every this many steps. */
  logEvery: number;
  /** Write the (atomic) checkpoint every this many steps, and always at the end. */
  checkpointEvery: number;
  /** Write every completion's token ids into metrics.jsonl (needed to recompute rewards). */
  logCompletions: boolean;
  /** Training documents. */
  data: DataConfig;
  /** The method, as values of the shared components. */
  method: MethodConfig;
  /** Component settings (lib/rmt); `objective` and `reward` are set through `method`. */
  rmt: RmtConfig;
}

/**
 * Default method: RMT as described (method §4.3, §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METHOD_DEFAULTS } from "./config.ts";
 * assert.equal(METHOD_DEFAULTS.ntpWeight, 0.1);
 * ```
 */
export const METHOD_DEFAULTS: Readonly<MethodConfig> = {
  rlWeight: 1,
  ntpWeight: 0.1,
  budget: "dynamic",
  sampling: "curriculum",
  reward: "exact",
};

/**
 * Default trainer settings (method §11.3): RMT from `checkpoints/base`, sized to finish in minutes
 * on 2 CPU cores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRAIN_DEFAULTS } from "./config.ts";
 * assert.equal(TRAIN_DEFAULTS.rmt.grpo.groupSize, 8);
 * assert.equal(TRAIN_DEFAULTS.method.budget, "dynamic");
 * ```
 */
export const TRAIN_DEFAULTS: Readonly<TrainConfig> = {
  backend: "auto",
  baseCheckpoint: "checkpoints/base",
  out: "runs/rmt",
  steps: 40,
  positionsPerStep: 16,
  lr: 1e-4,
  warmupSteps: 0,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  gradClip: 1,
  maxNewTokens: 128,
  topK: 0,
  microBatch: 32,
  seed: 1,
  logEvery: 1,
  checkpointEvery: 10,
  logCompletions: true,
  data: { source: "base", documents: 0 },
  method: METHOD_DEFAULTS,
  rmt: RMT_DEFAULTS,
};

const SAMPLING_MODES: readonly SamplingMode[] = ["curriculum", "uniform", "entropy-filter"];

/**
 * Checks a resolved trainer config; throws a one-line `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRAIN_DEFAULTS, validateTrainConfig } from "./config.ts";
 * assert.throws(() => validateTrainConfig({ ...TRAIN_DEFAULTS, steps: 0 }), /train.steps/);
 * ```
 */
// §5, §11.3 ranges
export function validateTrainConfig(cfg: TrainConfig, path = "train"): TrainConfig {
  checkBackendKind(cfg.backend, `${path}.backend`);
  check(cfg.baseCheckpoint.length > 0, `${path}.baseCheckpoint`, "a directory", cfg.baseCheckpoint);
  check(cfg.out.length > 0, `${path}.out`, "a directory", cfg.out);
  checkPositiveInteger(cfg.steps, `${path}.steps`);
  checkPositiveInteger(cfg.positionsPerStep, `${path}.positionsPerStep`);
  check(cfg.lr > 0, `${path}.lr`, "a number > 0", cfg.lr);
  check(
    Number.isInteger(cfg.warmupSteps) && cfg.warmupSteps >= 0,
    `${path}.warmupSteps`,
    "an integer ≥ 0",
    cfg.warmupSteps,
  );
  check(cfg.weightDecay >= 0, `${path}.weightDecay`, "a number ≥ 0", cfg.weightDecay);
  check(cfg.beta1 >= 0 && cfg.beta1 < 1, `${path}.beta1`, "a number in [0, 1)", cfg.beta1);
  check(cfg.beta2 >= 0 && cfg.beta2 < 1, `${path}.beta2`, "a number in [0, 1)", cfg.beta2);
  check(cfg.gradClip >= 0, `${path}.gradClip`, "a number ≥ 0", cfg.gradClip);
  checkPositiveInteger(cfg.maxNewTokens, `${path}.maxNewTokens`);
  check(Number.isInteger(cfg.topK) && cfg.topK >= 0, `${path}.topK`, "an integer ≥ 0", cfg.topK);
  checkPositiveInteger(cfg.microBatch, `${path}.microBatch`);
  check(Number.isInteger(cfg.seed), `${path}.seed`, "an integer", cfg.seed);
  checkPositiveInteger(cfg.logEvery, `${path}.logEvery`);
  checkPositiveInteger(cfg.checkpointEvery, `${path}.checkpointEvery`);
  check(cfg.data.source.length > 0, `${path}.data.source`, '"base" or a file', cfg.data.source);
  check(
    Number.isInteger(cfg.data.documents) && cfg.data.documents >= 0,
    `${path}.data.documents`,
    "an integer ≥ 0",
    cfg.data.documents,
  );
  const m = cfg.method;
  check(m.rlWeight >= 0, `${path}.method.rlWeight`, "a number ≥ 0", m.rlWeight);
  check(m.ntpWeight >= 0, `${path}.method.ntpWeight`, "a number ≥ 0", m.ntpWeight);
  check(
    m.rlWeight > 0 || m.ntpWeight > 0,
    `${path}.method.ntpWeight`,
    "a number > 0 when method.rlWeight is 0 (nothing to train)",
    m.ntpWeight,
  );
  check(
    m.budget === "dynamic" || m.budget === "none",
    `${path}.method.budget`,
    '"dynamic" or "none"',
    m.budget,
  );
  check(
    SAMPLING_MODES.includes(m.sampling),
    `${path}.method.sampling`,
    SAMPLING_MODES.map((s) => `"${s}"`).join(", "),
    m.sampling,
  );
  check(
    m.reward === "exact" || m.reward === "prefix",
    `${path}.method.reward`,
    '"exact" or "prefix"',
    m.reward,
  );
  return cfg;
}

/**
 * Applies overrides (a parsed YAML mapping) to {@linkcode TRAIN_DEFAULTS}, resolves the `rmt`
 * section with `resolveRmtConfig`, writes `method.ntpWeight`/`method.reward` into it, and checks
 * every range. `rmt.objective` and `rmt.reward` are rejected: set them through `method`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveTrainConfig } from "./config.ts";
 * const cfg = resolveTrainConfig({ method: { ntpWeight: 0, reward: "prefix" } });
 * assert.equal(cfg.rmt.objective.lambda, 0);
 * assert.equal(cfg.rmt.reward.mode, "prefix");
 * assert.throws(() => resolveTrainConfig({ stpes: 3 }), /train.stpes: unknown key/);
 * assert.throws(() => resolveTrainConfig({ rmt: { objective: { lambda: 1 } } }), /method.ntpWeight/);
 * ```
 */
// §5, §11.3: defaults + overrides, one source of truth per switch
export function resolveTrainConfig(overrides: unknown, path = "train"): TrainConfig {
  const { rmt: rmtOverrides, ...rest } = (overrides ?? {}) as Record<string, unknown>;
  if (rmtOverrides !== undefined && rmtOverrides !== null && typeof rmtOverrides === "object") {
    const r = rmtOverrides as Record<string, unknown>;
    if ("objective" in r) {
      throw new ConfigError(`${path}.rmt.objective: set λ with method.ntpWeight instead`);
    }
    if ("reward" in r) {
      throw new ConfigError(`${path}.rmt.reward: set the reward mode with method.reward instead`);
    }
  }
  const { rmt: _rmtDefaults, ...defaults } = TRAIN_DEFAULTS;
  const base = resolveConfig(defaults, typeof overrides === "object" ? rest : overrides, path);
  const rmt = resolveRmtConfig(rmtOverrides, `${path}.rmt`);
  const cfg: TrainConfig = { ...base, rmt };
  validateTrainConfig(cfg, path);
  cfg.rmt.objective.lambda = cfg.method.ntpWeight;
  cfg.rmt.reward.mode = cfg.method.reward;
  return cfg;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `override` laid over `base`, mapping by mapping (arrays and scalars replace). */
function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const below = out[key];
    out[key] = isMapping(below) && isMapping(value) ? deepMerge(below, value) : value;
  }
  return out;
}

/**
 * Reads a YAML config file as a raw mapping, following `extends: <file>` (relative to the file):
 * the parent is read first and this file's keys are laid over it, so an ablation states only
 * what it changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTrainYaml } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.yaml`, "steps: 7\nmethod:\n  ntpWeight: 0.5\n");
 * await Deno.writeTextFile(`${dir}/b.yaml`, "extends: a.yaml\nmethod:\n  budget: none\n");
 * assert.deepEqual(readTrainYaml(`${dir}/b.yaml`), {
 *   steps: 7, method: { ntpWeight: 0.5, budget: "none" },
 * });
 * ```
 */
export function readTrainYaml(file: string, seen: string[] = []): Record<string, unknown> {
  if (seen.includes(file)) {
    throw new ConfigError(`${file}: extends itself (${[...seen, file].join(" → ")})`);
  }
  const { extends: parent, ...own } = readYamlFile(file);
  if (parent === undefined) return own;
  if (typeof parent !== "string") {
    throw new ConfigError(`${file}: extends: expected a file name, got ${JSON.stringify(parent)}`);
  }
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const parentFile = parent.startsWith("/") ? parent : dir + parent;
  return deepMerge(readTrainYaml(parentFile, [...seen, file]), own);
}

/**
 * Reads a YAML config file (following `extends`) and resolves it (see
 * {@linkcode resolveTrainConfig}); errors are one line naming the file or the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTrainConfig } from "./config.ts";
 * assert.throws(() => loadTrainConfig("no/such/file.yaml"), /cannot read config file/);
 * ```
 */
export function loadTrainConfig(file: string): TrainConfig {
  return resolveTrainConfig(readTrainYaml(file));
}

/**
 * The tier distribution used at step t (§3.2, §3.3) for the configured sampler.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplingProbs, TRAIN_DEFAULTS } from "./config.ts";
 * assert.deepEqual(samplingProbs(0, 10, TRAIN_DEFAULTS), [0.6, 0.3, 0.1]);
 * const rpt = { ...TRAIN_DEFAULTS, method: { ...TRAIN_DEFAULTS.method, sampling: "entropy-filter" as const } };
 * assert.deepEqual(samplingProbs(0, 10, rpt), [0, 0, 1]);
 * ```
 */
// §3.2 p_t (curriculum), ⅓ each (w/o CAS), hard tier only (RPT §7.2 entropy filter)
export function samplingProbs(
  t: number,
  T: number,
  cfg: Pick<TrainConfig, "method" | "rmt">,
): TierProbs {
  switch (cfg.method.sampling) {
    case "uniform":
      return [1 / 3, 1 / 3, 1 / 3];
    case "entropy-filter":
      return [0, 0, 1];
    case "curriculum":
      return tierProbs(t, T, cfg.rmt.curriculum);
  }
}
