/**
 * The documents and RL positions C of one Reinforcement Mid-Training step (Tian et al.,
 * "Reinforcement Mid-Training", arXiv:2509.24375; method §3.3, §8.8, §9): documents in a
 * seeded random order, and in each the two-step curriculum sampler of `lib/rmt/curriculum.ts`
 * (tier d ~ p_t, then a position of tier d uniformly), until the step has its |C| positions.
 *
 * Deliberate deviations:
 * - Documents are drawn afresh each step from a generator seeded by (seed, t), not walked in
 *   epochs: a step depends only on (seed, t) and the weights, so resuming needs no sampler state.
 * - A document without an eligible position (all tiers empty or with p = 0) is skipped.
 * - With `rl: false` (continued NTP) documents are drawn the same way and carry no position.
 *
 * @module
 */
import { mulberry32 } from "../../util/rng.ts";
import { sampleRlPositions, type TierProbs } from "../../rmt/curriculum.ts";

/** One document of the step and its RL positions. */
export interface StepDocument {
  /** Index of the document in the training corpus. */
  doc: number;
  /** Its RL positions (increasing); empty for continued NTP. */
  positions: number[];
  /** The tier (0 easy, 1 medium, 2 hard) of each position. */
  tiers: number[];
}

/**
 * A seed for stream `stream` of step `t` (splitmix-style mixing of the three integers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepSeed } from "./positions.ts";
 * assert.equal(stepSeed(1, 5, 0), stepSeed(1, 5, 0));
 * assert.notEqual(stepSeed(1, 5, 0), stepSeed(1, 6, 0));
 * assert.notEqual(stepSeed(1, 5, 0), stepSeed(1, 5, 1));
 * ```
 */
export function stepSeed(seed: number, t: number, stream: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(t + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) ^ Math.imul(stream + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Draws the documents of a step and, when `rl`, up to `count` RL positions with the two-step
 * sampler under p_t = `probs`. Without `rl`, `count` documents.
 *
 * @param tiers Tier of every position of every training document (−1: not RL-eligible).
 * @param opts `count` (|C|, or documents for NTP), `probs` p_t, `positionsPerDoc`, `rl`, `seed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleStep } from "./positions.ts";
 * const tiers = [Int8Array.from([-1, 0, 2, 2]), Int8Array.from([-1, -1]), Int8Array.from([-1, 1, 2])];
 * const step = sampleStep(tiers, { count: 2, probs: [0, 0, 1], positionsPerDoc: 1, rl: true, seed: 7 });
 * assert.equal(step.length, 2);
 * for (const d of step) assert.deepEqual(d.tiers, [2]); // hard tier only; doc 1 has none
 * ```
 */
// §3.3 two-step sampling per document; §8.8: C = the union over the step's documents
export function sampleStep(
  tiers: readonly Int8Array[],
  opts: { count: number; probs: TierProbs; positionsPerDoc: number; rl: boolean; seed: number },
): StepDocument[] {
  const rng = mulberry32(opts.seed);
  const order = [...tiers.keys()];
  const out: StepDocument[] = [];
  let positions = 0;
  for (let i = 0; i < order.length && positions < opts.count; i++) {
    // lazy Fisher–Yates: document i of a uniformly random permutation
    const j = i + Math.floor(rng() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
    const doc = order[i]!;
    if (!opts.rl) {
      if (tiers[doc]!.length < 2) continue;
      out.push({ doc, positions: [], tiers: [] });
      positions++;
      continue;
    }
    const want = Math.min(opts.positionsPerDoc, opts.count - positions);
    const chosen = sampleRlPositions(tiers[doc]!, opts.probs, want, rng);
    if (chosen.length === 0) continue;
    out.push({ doc, positions: chosen, tiers: chosen.map((p) => tiers[doc]![p]!) });
    positions += chosen.length;
  }
  return out;
}
