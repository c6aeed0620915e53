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
import { above, type ConfigOf, defineConfig, within } from "../util/config.ts";

/** Length-reward settings (method §2.3, §2.4; paper value → ours, §8.3, §11.3). */
export const LENGTH_REWARD = defineConfig("rmt.lengthReward", {
  /** r_max > 0: peak of the triangular reward, at ℓ = B_t (§2.3). Paper: not reported; ours 1. */
  rMax: { default: 1, check: above(0) },
  /**
   * w ∈ [0, 1]: weight of r_len in r = (1 − w)·r_pos + w·r_len (§2.4); 0 = "RMT w/o DTB"'s
   * reward. Paper: not reported; ours 0.2.
   */
  w: { default: 0.2, check: within(0, 1, "[]") },
});

/** Length-reward settings: r_max and w. */
export type LengthRewardConfig = ConfigOf<typeof LENGTH_REWARD>;

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
// method §2.3: r_len = r_max·ℓ/B_t (ℓ ≤ B_t), r_max·(2B_t − ℓ)/B_t (ℓ ≤ 2B_t), 0 beyond
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
// method §2.4: r = (1 − w)·r_pos + w·r_len
export function combinedReward(rPos: number, rLen: number, w: number): number {
  return (1 - w) * rPos + w * rLen;
}
