/**
 * Length reward and combined reward of Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375 (method §2.3, §2.4): a triangular reward peaking at the budget, mixed with the
 * matching reward by a convex combination.
 *
 * Deliberate deviations:
 * - r_max = 1 and w = 0.2 are our choices: the paper reports neither (method §8.3).
 *
 * @module
 */
import { check, resolveConfig } from "../util/config.ts";

/**
 * Length-reward parameters (method §2.3, §2.4; paper value → our default, §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LengthRewardConfig } from "./reward_length.ts";
 * const noLength: LengthRewardConfig = { rMax: 1, w: 0 }; // "RMT w/o DTB"
 * assert.equal(noLength.w, 0);
 * ```
 */
export interface LengthRewardConfig {
  /** r_max > 0, peak of the triangular reward at ℓ = B_t. Paper: not reported; ours 1. */
  rMax: number;
  /** w ∈ [0, 1], weight of r_len in r = (1 − w)·r_pos + w·r_len. Paper: not reported; ours 0.2. */
  w: number;
}

/**
 * Default length-reward parameters (method §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LENGTH_REWARD_DEFAULTS } from "./reward_length.ts";
 * assert.deepEqual(LENGTH_REWARD_DEFAULTS, { rMax: 1, w: 0.2 });
 * ```
 */
export const LENGTH_REWARD_DEFAULTS: Readonly<LengthRewardConfig> = { rMax: 1, w: 0.2 };

/**
 * Checks the ranges of a resolved length-reward config; throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateLengthRewardConfig } from "./reward_length.ts";
 * assert.throws(
 *   () => validateLengthRewardConfig({ rMax: 1, w: 2 }, "rmt.lengthReward"),
 *   /rmt.lengthReward.w/,
 * );
 * ```
 */
// §2.3/§2.4 ranges: r_max > 0, w ∈ [0, 1]
export function validateLengthRewardConfig(
  cfg: LengthRewardConfig,
  path: string,
): LengthRewardConfig {
  check(cfg.rMax > 0, `${path}.rMax`, "a number > 0", cfg.rMax);
  check(cfg.w >= 0 && cfg.w <= 1, `${path}.w`, "a number in [0, 1]", cfg.w);
  return cfg;
}

/**
 * Applies overrides to {@linkcode LENGTH_REWARD_DEFAULTS} and checks the ranges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveLengthRewardConfig } from "./reward_length.ts";
 * assert.equal(resolveLengthRewardConfig({ w: 0.5 }).w, 0.5);
 * assert.throws(() => resolveLengthRewardConfig({ rMax: 0 }), /rmt.lengthReward.rMax/);
 * ```
 */
// §2.3/§2.4 config: defaults + overrides, range-checked
export function resolveLengthRewardConfig(
  overrides: unknown,
  path = "rmt.lengthReward",
): LengthRewardConfig {
  return validateLengthRewardConfig(resolveConfig(LENGTH_REWARD_DEFAULTS, overrides, path), path);
}

/**
 * Triangular length reward: r_max·ℓ/B_t for ℓ ≤ B_t, r_max·(2B_t − ℓ)/B_t for B_t < ℓ ≤ 2B_t,
 * 0 beyond. Always in [0, r_max].
 *
 * @param l ℓ, the reasoning length in tokens (≥ 0).
 * @param budget B_t ≥ 1, the budget in the prompt.
 * @param rMax r_max > 0, the peak value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lengthReward } from "./reward_length.ts";
 * assert.equal(lengthReward(0, 100, 1), 0);
 * assert.equal(lengthReward(100, 100, 1), 1);
 * assert.equal(lengthReward(150, 100, 1), 0.5);
 * assert.equal(lengthReward(300, 100, 1), 0);
 * ```
 */
// §2.3 Eq. r_len: triangular length reward, peak r_max at ℓ = B_t, zero at ℓ ≥ 2·B_t
export function lengthReward(l: number, budget: number, rMax: number): number {
  if (!(l >= 0)) throw new RangeError(`Cannot compute r_len: length must be ≥ 0, got ${l}`);
  if (!(budget > 0)) {
    throw new RangeError(`Cannot compute r_len: budget must be > 0, got ${budget}`);
  }
  if (l <= budget) return (rMax * l) / budget;
  if (l <= 2 * budget) return (rMax * (2 * budget - l)) / budget;
  return 0;
}

/**
 * Combined reward r = (1 − w)·r_pos + w·r_len (a sum, not a product: the length term is paid
 * whether or not the prediction is correct).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { combinedReward } from "./reward_length.ts";
 * assert.equal(combinedReward(1, 1, 0.2), 1);
 * assert.equal(combinedReward(0, 1, 0.25), 0.25);
 * assert.equal(combinedReward(1, 0, 0.25), 0.75);
 * ```
 */
// §2.4 Eq. r = (1 − w)·r_pos + w·r_len
export function combinedReward(rPos: number, rLen: number, w: number): number {
  return (1 - w) * rPos + w * rLen;
}
