/**
 * Seeded pseudo-random numbers for the RMT curriculum sampler (Tian et al., "Reinforcement
 * Mid-Training", arXiv:2509.24375, spec §3.3): mulberry32, a 32-bit generator that is small,
 * fast and reproducible across platforms.
 *
 * Deliberate deviations:
 * - Not cryptographic and not the generator of any reference framework: runs are reproducible
 *   within this project only.
 *
 * @module
 */
import { mulberry32 } from "../_random.ts";

/**
 * Returns a generator of uniform numbers in [0, 1) seeded by `seed` (taken modulo 2^32).
 *
 * @example Same seed, same stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeRng } from "./_rng.ts";
 * const a = makeRng(42), b = makeRng(42);
 * const x = a();
 * assert.equal(x, b());
 * assert.ok(x >= 0 && x < 1);
 * ```
 */
// §3.3 support: mulberry32 uniform generator on [0, 1) (the project's one implementation)
export function makeRng(seed: number): () => number {
  return mulberry32(seed);
}

/**
 * Draws an index from the categorical distribution `probs` (non-negative weights, not
 * necessarily normalised) using one call of `rng`. Throws when the total weight is not positive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleCategorical } from "./_rng.ts";
 * assert.equal(sampleCategorical([0, 1, 0], () => 0.99), 1);
 * assert.equal(sampleCategorical([1, 1], () => 0.25), 0);
 * assert.equal(sampleCategorical([1, 1], () => 0.75), 1);
 * ```
 */
// §3.3 step 1: d ~ Categorical(p) by inverse CDF
export function sampleCategorical(probs: readonly number[], rng: () => number): number {
  let total = 0;
  for (const p of probs) total += p;
  if (!(total > 0)) {
    throw new RangeError(`Cannot sample a categorical: total weight is ${total}`);
  }
  const u = rng() * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p <= 0) continue;
    cumulative += p;
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u ≈ total through rounding: the last index with positive weight
}

/**
 * Uniform integer in [0, n) from one call of `rng`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomInt } from "./_rng.ts";
 * assert.equal(randomInt(4, () => 0.6), 2);
 * ```
 */
// §3.3 step 2: uniform choice among n candidates
export function randomInt(n: number, rng: () => number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}
