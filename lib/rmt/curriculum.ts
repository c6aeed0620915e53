/**
 * Curriculum-based adaptive sampling (CAS) of Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375 (method §3.2, §3.3): a piecewise-linear schedule over the easy / medium / hard
 * tiers and a two-step sampler (tier, then position) choosing the RL positions of a document.
 *
 * Deliberate deviations:
 * - p_t1 = (0.6, 0.3, 0.1) and p_t2 = (0.1, 0.3, 0.6) are our choices (not reported, §8.7).
 * - One RL position per document by default (§8.8); more without duplicates.
 * - p_t is renormalised over the tiers that still have candidates in the document; a tier with
 *   p = 0 is never drawn, so fewer than `count` positions (or none) may come back.
 * - "Not yet used in the current epoch" (§3.3 [I]) is left to the caller: set the tier of a used
 *   position to −1 before sampling.
 *
 * @module
 */
import { type ConfigOf, defineConfig, integer, that, within } from "../util/config.ts";
import { randomInt, sampleCategorical } from "../util/rng.ts";

/** A distribution over the tiers (easy, medium, hard). */
export type TierProbs = [number, number, number];

// method §3.2: a distribution over the 3 tiers (sum 1 within 1e-6)
const distribution = that(
  (p: number[]) =>
    p.length === 3 && p.every((x) => x >= 0) && Math.abs(p.reduce((a, b) => a + b, 0) - 1) <= 1e-6,
  "3 non-negative numbers summing to 1",
);

/** Curriculum settings (method §3.2, §3.3; paper value → ours, §8.7, §11.3). */
export const CURRICULUM = defineConfig("rmt.curriculum", {
  /** t_1/T ∈ (0, 1): end of the early phase (§3.2). Paper 0.3; ours 0.3. */
  t1Frac: { default: 0.3, check: within(0, 1, "()") },
  /** t_2/T ∈ (t_1/T, 1): start of the late phase (§3.2). Paper 0.7; ours 0.7. */
  t2Frac: {
    default: 0.7,
    check: that(
      (t2: number, cfg: { t1Frac: number }) => t2 > cfg.t1Frac && t2 < 1,
      (cfg) => `a number in (t1Frac = ${cfg.t1Frac}, 1)`,
    ),
  },
  /** p_t1 over (easy, medium, hard), sums to 1. Paper: not reported; ours (0.6, 0.3, 0.1). */
  pT1: { default: [0.6, 0.3, 0.1], check: distribution },
  /** p_t2 over (easy, medium, hard), sums to 1. Paper: not reported; ours (0.1, 0.3, 0.6). */
  pT2: { default: [0.1, 0.3, 0.6], check: distribution },
  /** |C| per document per step, an integer ≥ 1 (§3.3). Paper: not reported; ours 1 (§8.8). */
  positionsPerDoc: { default: 1, check: integer(1) },
});

/** Curriculum settings: t_1, t_2, p_t1, p_t2 and positions per document. */
export type CurriculumConfig = ConfigOf<typeof CURRICULUM>;

/**
 * The tier distribution p_t at step `t` of `T`: p_t1 before t_1, linear from p_t1 to p_t2 on
 * [t_1, t_2), p_t2 from t_2 on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CURRICULUM, tierProbs } from "./curriculum.ts";
 * assert.deepEqual(tierProbs(0, 100, CURRICULUM.defaults), [0.6, 0.3, 0.1]);
 * const halfway = tierProbs(50, 100, CURRICULUM.defaults).map((p) => +p.toFixed(12));
 * assert.deepEqual(halfway, [0.35, 0.3, 0.35]);
 * assert.deepEqual(tierProbs(70, 100, CURRICULUM.defaults), [0.1, 0.3, 0.6]);
 * ```
 */
// method §3.2: p_t = p_t1 (t < t_1); (1−τ)p_t1 + τp_t2, τ = (t−t_1)/(t_2−t_1); p_t2 (t ≥ t_2)
export function tierProbs(
  t: number,
  T: number,
  cfg: Pick<CurriculumConfig, "t1Frac" | "t2Frac" | "pT1" | "pT2">,
): TierProbs {
  if (!(T > 0)) throw new RangeError(`Cannot compute tier probabilities: T must be > 0, got ${T}`);
  const t1 = cfg.t1Frac * T;
  const t2 = cfg.t2Frac * T;
  const pT1 = cfg.pT1, pT2 = cfg.pT2;
  if (t < t1) return [pT1[0]!, pT1[1]!, pT1[2]!];
  if (t >= t2) return [pT2[0]!, pT2[1]!, pT2[2]!];
  const tau = (t - t1) / (t2 - t1);
  const mix = (d: number) => (1 - tau) * pT1[d]! + tau * pT2[d]!;
  return [mix(0), mix(1), mix(2)];
}

/**
 * Two-step sampling of up to `count` distinct RL positions of one document: draw a tier
 * d ~ Categorical(p_t renormalised over the tiers with candidates left), then a position of
 * tier d uniformly. Only tiers 0..2 at positions ≥ 1 are eligible (tier −1 and position 0 never
 * are). Returns the positions in increasing order; `[]` when nothing is eligible.
 *
 * @param tiers Tier of each position of the document (from `assignTiers`).
 * @param probs p_t over (easy, medium, hard).
 * @param count Number of positions wanted (`positionsPerDoc`).
 * @param rng Uniform generator on [0, 1) (`mulberry32(seed)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleRlPositions } from "./curriculum.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const tiers = Int8Array.from([2, -1, 0, 0, 2, -1]);
 * assert.deepEqual(sampleRlPositions(tiers, [0, 0, 1], 3, mulberry32(1)), [4]); // position 0 excluded
 * assert.equal(sampleRlPositions(tiers, [0.6, 0.3, 0.1], 2, mulberry32(1)).length, 2);
 * const none = Int8Array.from([-1, -1]);
 * assert.deepEqual(sampleRlPositions(none, [0.6, 0.3, 0.1], 1, mulberry32(1)), []);
 * ```
 */
// method §3.3, two-step sampling: d ~ Categorical(p_t | non-empty tiers), pos ~ Uniform(tier d)
export function sampleRlPositions(
  tiers: Int8Array,
  probs: readonly number[],
  count: number,
  rng: () => number,
): number[] {
  const candidates: number[][] = [[], [], []];
  for (let p = 1; p < tiers.length; p++) {
    const d = tiers[p]!;
    if (d >= 0 && d <= 2) candidates[d]!.push(p);
  }
  const chosen: number[] = [];
  while (chosen.length < count) {
    const weights = candidates.map((c, d) => (c.length > 0 ? probs[d] ?? 0 : 0));
    if (!(weights.reduce((a, b) => a + b, 0) > 0)) break;
    const tier = candidates[sampleCategorical(weights, rng)]!;
    const at = randomInt(tier.length, rng);
    chosen.push(tier[at]!);
    tier[at] = tier[tier.length - 1]!; // remove without duplicates
    tier.pop();
  }
  return chosen.sort((a, b) => a - b);
}
