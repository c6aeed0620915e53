/**
 * NTP accuracy by entropy tier (method §6.2, §7.1): a position counts as correct when the greedy
 * prediction argmax p(·|τ_<pos) equals the ground truth τ_pos. Reported per tier in both forms
 * of §8.13:
 *
 * - **nested** (RPT-compatible, §7.2): easy/medium/hard = positions with H > t_1 / t_2 / t_3;
 * - **disjoint** (the tiers RMT samples from, §3.1): low [0, t_1), easy [t_1, t_2),
 *   medium [t_2, t_3), hard [t_3, ∞).
 *
 * The "average" is the plain mean of the three nested accuracies, as the paper's tables (§6.2).
 *
 * @module
 */
import { assignTiers, nestedTierMasks } from "../../rmt/entropy.ts";
import type { DocScores } from "./tiers.ts";

/** Names of the three RL tiers, in order (index d = tier d of `assignTiers`). */
export const TIER_NAMES = ["easy", "medium", "hard"] as const;

/** One accuracy figure. */
export interface Accuracy {
  /** Positions counted. */
  count: number;
  /** Correct positions. */
  correct: number;
  /** correct / count, or null when count is 0. */
  accuracy: number | null;
}

/** Accuracies by tier. */
export interface TierAccuracy {
  /** The thresholds [t_1, t_2, t_3] in nats. */
  thresholds: number[];
  /** Disjoint tiers: low, easy, medium, hard. */
  disjoint: { low: Accuracy; easy: Accuracy; medium: Accuracy; hard: Accuracy };
  /** Nested splits H > t_d: easy, medium, hard. */
  nested: { easy: Accuracy; medium: Accuracy; hard: Accuracy };
  /** Every scored position. */
  all: Accuracy;
  /** Mean of the nested easy/medium/hard accuracies (null if one is undefined). */
  average: number | null;
  /** Mean of the disjoint easy/medium/hard accuracies (null if one is undefined). */
  averageDisjoint: number | null;
}

/**
 * An {@linkcode Accuracy} from counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accuracy } from "./ntp.ts";
 * assert.deepEqual(accuracy(1, 4), { count: 4, correct: 1, accuracy: 0.25 });
 * assert.equal(accuracy(0, 0).accuracy, null);
 * ```
 */
export function accuracy(correct: number, count: number): Accuracy {
  return { count, correct, accuracy: count > 0 ? correct / count : null };
}

function mean3(a: Accuracy, b: Accuracy, c: Accuracy): number | null {
  if (a.accuracy === null || b.accuracy === null || c.accuracy === null) return null;
  return (a.accuracy + b.accuracy + c.accuracy) / 3;
}

/**
 * Accuracy by tier from flat per-position arrays: the entropy of each position (from the tier
 * model) and whether the evaluated prediction was correct.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accuracyByTier } from "./ntp.ts";
 * const h = Float32Array.of(0.1, 0.7, 1.2, 2.0);
 * const r = accuracyByTier(h, Uint8Array.of(1, 1, 0, 1), [0.5, 1, 1.5]);
 * assert.equal(r.disjoint.low.accuracy, 1);
 * assert.equal(r.disjoint.medium.accuracy, 0);
 * assert.equal(r.nested.easy.accuracy, 2 / 3); // H > 0.5: 0.7, 1.2, 2.0
 * assert.equal(r.all.accuracy, 0.75);
 * ```
 */
export function accuracyByTier(
  entropy: Float32Array,
  correct: Uint8Array,
  thresholds: number[],
): TierAccuracy {
  if (entropy.length !== correct.length) {
    throw new RangeError(
      `accuracyByTier: ${entropy.length} entropies but ${correct.length} outcomes`,
    );
  }
  const tiers = assignTiers(entropy, { thresholds }); // (P) −1 low, 0..2
  const counts = [0, 0, 0, 0], hits = [0, 0, 0, 0]; // low, easy, medium, hard
  let total = 0, totalHits = 0;
  for (let p = 0; p < entropy.length; p++) {
    const k = tiers[p] + 1;
    counts[k]++;
    hits[k] += correct[p];
    total++;
    totalHits += correct[p];
  }
  const masks = nestedTierMasks(entropy, thresholds); // 3 × (P)
  const nested = masks.map((m) => {
    let n = 0, c = 0;
    for (let p = 0; p < m.length; p++) {
      if (m[p]) {
        n++;
        c += correct[p];
      }
    }
    return accuracy(c, n);
  });
  const disjoint = {
    low: accuracy(hits[0], counts[0]),
    easy: accuracy(hits[1], counts[1]),
    medium: accuracy(hits[2], counts[2]),
    hard: accuracy(hits[3], counts[3]),
  };
  const nestedObj = { easy: nested[0], medium: nested[1], hard: nested[2] };
  return {
    thresholds: [...thresholds],
    disjoint,
    nested: nestedObj,
    all: accuracy(totalHits, total),
    average: mean3(nestedObj.easy, nestedObj.medium, nestedObj.hard),
    averageDisjoint: mean3(disjoint.easy, disjoint.medium, disjoint.hard),
  };
}

/**
 * NTP accuracy by tier: tiers from `tierScores` (the entropy of the fixed tier model, usually the
 * base model), predictions from `predictions` (the evaluated model's argmax on the same
 * documents; may be the same object). Positions without an entropy or a prediction are skipped.
 *
 * @example Hand-made scores: two documents, one wrong prediction
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpAccuracy } from "./ntp.ts";
 * const doc = (ids: number[], h: number[], am: number[]) =>
 *   ({ ids, entropy: Float32Array.from(h), argmax: Int32Array.from(am) });
 * const scores = [doc([5, 6, 7], [NaN, 0.2, 1.7], [-1, 6, 3]), doc([1, 2], [NaN, 0.8], [-1, 2])];
 * const r = ntpAccuracy(scores, scores, [0.5, 1, 1.5]);
 * assert.equal(r.all.accuracy, 2 / 3);
 * assert.equal(r.disjoint.hard.accuracy, 0);
 * assert.equal(r.disjoint.easy.accuracy, 1);
 * ```
 */
export function ntpAccuracy(
  tierScores: DocScores[],
  predictions: DocScores[],
  thresholds: number[],
): TierAccuracy {
  if (tierScores.length !== predictions.length) {
    throw new RangeError(
      `ntpAccuracy: ${tierScores.length} documents with entropy but ${predictions.length} with predictions`,
    );
  }
  const h: number[] = [];
  const ok: number[] = [];
  tierScores.forEach((s, i) => {
    const pred = predictions[i];
    for (let p = 1; p < s.ids.length; p++) {
      if (!Number.isFinite(s.entropy[p]) || pred.argmax[p] < 0) continue;
      h.push(s.entropy[p]);
      ok.push(pred.argmax[p] === s.ids[p] ? 1 : 0);
    }
  });
  return accuracyByTier(Float32Array.from(h), Uint8Array.from(ok), thresholds);
}
