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
import type { BackendKind } from "../../engine/tensor.ts";
import {
  above,
  atLeast,
  ConfigError,
  type ConfigOf,
  defineConfig,
  integer,
  nonEmpty,
  oneOf,
  readYamlFile,
  that,
  within,
} from "../../util/config.ts";
import { firstDifference } from "../../util/diff.ts";
import { backendKind } from "../../engine/device.ts";
import { RMT } from "../../rmt/config.ts";
import { type TierProbs, tierProbs } from "../../rmt/curriculum.ts";
import type { RewardMode } from "../../rmt/reward_match.ts";

/** How B_t enters the prompt and the reward: `dynamic` (§2) or `none` (no sentence, w = 0). */
export type BudgetMode = "dynamic" | "none";

/**
 * How RL positions are drawn: `curriculum` (§3.2 p_t), `uniform` (p = ⅓ over the three tiers,
 * "w/o CAS"), `entropy-filter` (RPT §7.2: hard tier only, uniformly).
 */
export type SamplingMode = "curriculum" | "uniform" | "entropy-filter";

/** The method as values of the shared components (see the table in the module doc). */
export const METHOD = defineConfig("train.method", {
  /** Weight of −J_RL in the loss, ≥ 0. RMT 1; 0 = continued NTP only (no rollouts). */
  rlWeight: { default: 1, check: atLeast(0) },
  /** λ ≥ 0, weight of NLL_NTP (§4.3), > 0 when rlWeight is 0. Paper 0.1; 0 = "RMT w/o NTP", RPT. */
  ntpWeight: {
    default: 0.1,
    check: that(
      (w: number, m: { rlWeight: number }) => w >= 0 && (m.rlWeight > 0 || w > 0),
      (m) =>
        m.rlWeight > 0
          ? "a number ≥ 0"
          : "a number > 0 when method.rlWeight is 0 (nothing to train)",
    ),
  },
  /** Dynamic token budget (§2) or none ("w/o DTB", RPT). */
  budget: { default: "dynamic" as BudgetMode, check: oneOf<BudgetMode>(["dynamic", "none"]) },
  /** Position sampler (§3.3): curriculum, uniform over tiers ("w/o CAS"), entropy filter (RPT). */
  sampling: {
    default: "curriculum" as SamplingMode,
    check: oneOf<SamplingMode>(["curriculum", "uniform", "entropy-filter"]),
  },
  /** Matching reward (§1.4): exact (RMT Eq. 5) or prefix (RPT Eq. 3). */
  reward: { default: "exact" as RewardMode, check: oneOf<RewardMode>(["exact", "prefix"]) },
});

/** The method: loss weights, budget, sampler and reward mode. */
export type MethodConfig = ConfigOf<typeof METHOD>;

/** Default method: RMT as described (method §4.3, §11.3). */
export const METHOD_DEFAULTS: Readonly<MethodConfig> = METHOD.defaults;

/** Where the training documents come from. */
export const DATA = defineConfig("train.data", {
  /** `"base"`: the documents recorded with the base checkpoint; else a .txt/.jsonl file. */
  source: { default: "base", check: nonEmpty('"base" or a file') },
  /** Number of documents used (0 = all). */
  documents: { default: 0, check: integer(0) },
});

/** Where the training documents come from. */
export type DataConfig = ConfigOf<typeof DATA>;

/**
 * All trainer settings (method §5, §11.3: paper value → ours). RMT from `checkpoints/base`, sized
 * to finish in minutes on 2 CPU cores.
 */
export const TRAIN = defineConfig("train", {
  /**
   * Backend the `train` command initialises (`--backend` overrides it): `auto` is WebGPU when an
   * adapter exists. The experiment runner sets it to its own `backend`. Not part of a run's
   * identity: `--resume` may change it.
   */
  backend: { default: "auto" as BackendKind, check: backendKind },
  /** Directory of the base checkpoint π_θ0 (also π_ref when rmt.grpo.klBeta > 0). */
  baseCheckpoint: { default: "checkpoints/base", check: nonEmpty("a directory") },
  /** Output directory: checkpoint/, metrics.jsonl, summary.json, config.yaml. */
  out: { default: "runs/rmt", check: nonEmpty("a directory") },
  /** T, total optimiser steps (§8.2). Paper ≈ 320; ours 40. */
  steps: { default: 40, check: integer(1) },
  /** |C| per step: RL positions (prompts) per step (§11.3). Paper 128; ours 16. */
  positionsPerStep: { default: 16, check: integer(1) },
  /** Peak AdamW learning rate > 0. Paper 1e-6 (14B); ours 1e-4 (tiny model, §11.3). */
  lr: { default: 1e-4, check: above(0) },
  /** Linear warm-up steps of the learning rate (0 = constant lr, as the paper). */
  warmupSteps: { default: 0, check: integer(0) },
  /** AdamW weight decay ≥ 0. RPT 0.01; ours 0.01. */
  weightDecay: { default: 0.01, check: atLeast(0) },
  /** AdamW β1 ∈ [0, 1). RPT 0.9; ours 0.9. */
  beta1: { default: 0.9, check: within(0, 1, "[)") },
  /** AdamW β2 ∈ [0, 1). RPT 0.999; ours 0.999. */
  beta2: { default: 0.999, check: within(0, 1, "[)") },
  /** Global gradient-norm clip (0 = off). Not reported; ours 1. */
  gradClip: { default: 1, check: atLeast(0) },
  /** Longest completion o^i, tokens. Paper 2048; ours 128, a few × B_0. */
  maxNewTokens: { default: 128, check: integer(1) },
  /** Sampling top-k for rollouts (0 = full distribution). RPT: none; ours 0. */
  topK: { default: 0, check: integer(0) },
  /** Sequences per forward/backward pass (gradient accumulation inside a step). */
  microBatch: { default: 32, check: integer(1) },
  /** Seed of position sampling and rollouts; a step's randomness depends only on (seed, t). */
  seed: { default: 1, check: integer() },
  /** Print a progress line every this many steps. */
  logEvery: { default: 1, check: integer(1) },
  /** Write the (atomic) checkpoint every this many steps, and always at the end. */
  checkpointEvery: { default: 10, check: integer(1) },
  /** Write every completion's token ids into metrics.jsonl (needed to recompute rewards). */
  logCompletions: { default: true },
  /** Training documents. */
  data: DATA,
  /** The method, as values of the shared components. */
  method: METHOD,
  /** Component settings (lib/rmt); `objective` and `reward` are set through `method`. */
  rmt: RMT,
});

/** All trainer settings. */
export type TrainConfig = ConfigOf<typeof TRAIN>;

/** Default trainer settings (method §11.3). */
export const TRAIN_DEFAULTS: Readonly<TrainConfig> = TRAIN.defaults;

/**
 * Applies overrides (a parsed YAML mapping) to {@linkcode TRAIN}'s defaults and checks every
 * range, then writes `method.ntpWeight`/`method.reward` into `rmt`. `rmt.objective` and
 * `rmt.reward` are rejected: set them through `method` (one source of truth per switch).
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
  // rmt.objective and rmt.reward are derived from `method`; a written config (<out>/config.yaml)
  // holds them, so they are accepted when they agree and refused when they would contradict it
  let given = overrides;
  let derived: { objective?: unknown; reward?: unknown } = {};
  const rmt = (overrides as { rmt?: unknown } | null | undefined)?.rmt;
  if (typeof rmt === "object" && rmt !== null && ("objective" in rmt || "reward" in rmt)) {
    const { objective, reward, ...rest } = rmt as Record<string, unknown>;
    derived = { objective, reward };
    given = { ...(overrides as object), rmt: rest };
  }
  const cfg = TRAIN.resolve(given, path);
  cfg.rmt.objective.lambda = cfg.method.ntpWeight;
  cfg.rmt.reward.mode = cfg.method.reward;
  if (
    derived.objective !== undefined &&
    firstDifference(derived.objective, cfg.rmt.objective) !== null
  ) {
    throw new ConfigError(`${path}.rmt.objective: set λ with method.ntpWeight instead`);
  }
  if (derived.reward !== undefined && firstDifference(derived.reward, cfg.rmt.reward) !== null) {
    throw new ConfigError(`${path}.rmt.reward: set the reward mode with method.reward instead`);
  }
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
