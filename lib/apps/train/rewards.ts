/**
 * Rewards of one rollout group in Reinforcement Mid-Training (Tian et al., "Reinforcement
 * Mid-Training", arXiv:2509.24375; method §1.3, §1.4, §2.3, §2.4, §4.1): parse each completion,
 * score its prediction against the ground-truth token, score its reasoning length against the
 * budget, combine, and whiten within the group. Every number comes from a `lib/rmt` function, so
 * a test can recompute a logged group from its completions alone.
 *
 * Dimension legend: G group size (completions of one RL position).
 *
 * Deliberate deviations:
 * - No budget (`budget = null`: "w/o DTB", RPT) means r_len is not paid at all (w = 0).
 * - A completion without `</think>` (truncated) gets r_pos = 0 and ℓ = its generated length
 *   (method §8.4; `parseCompletion` returns no answer for it).
 *
 * @module
 */
import type { Codec } from "../../data/codec.ts";
import { advantage } from "../../rmt/grpo.ts";
import { combinedReward, lengthReward } from "../../rmt/reward_length.ts";
import {
  groundTruthAt,
  matchReward,
  parseCompletion,
  type RewardMode,
} from "../../rmt/reward_match.ts";

/** Settings of the group reward (a slice of the RMT config). */
export interface RewardOptions {
  /** Matching reward mode (§1.4). */
  mode: RewardMode;
  /** r_max, peak of the length reward (§2.3). */
  rMax: number;
  /** w, weight of r_len (§2.4); ignored (0) when there is no budget. */
  w: number;
  /** δ of the advantage whitening (§4.1). */
  advantageEps: number;
}

/** The rewards of one group: per completion r_pos, r_len, ℓ and r, then the advantages. */
export interface GroupRewards {
  /** r_pos ∈ {0, 1} (G). */
  matchReward: number[];
  /** r_len ∈ [0, r_max] (G); 0 without a budget. */
  lengthReward: number[];
  /** ℓ, reasoning length in tokens (G). */
  length: number[];
  /** Whether `</think>` was generated (G). */
  closed: boolean[];
  /** r = (1 − w)·r_pos + w·r_len (G). */
  reward: number[];
  /** A_i, whitened within the group (G). */
  advantage: number[];
}

/**
 * Scores the G completions sampled for RL position `pos` of document `docIds` under budget B_t
 * (`null`: no budget).
 *
 * @param docIds The raw document S (its token ids).
 * @param pos The RL position: the target is τ_pos = docIds[pos].
 * @param completions The G sampled completions o^i (token ids after `<think>`).
 * @param opts Budget, codec and reward settings.
 *
 * @example One right and one wrong prediction, on budget
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupRewards } from "./rewards.ts";
 * const bytes = (s: string) => [...new TextEncoder().encode(s)];
 * const codec = {
 *   encode: bytes,
 *   decode: (ids: number[]) => new TextDecoder().decode(new Uint8Array(ids)),
 *   decodeBytes: (ids: number[]) => new Uint8Array(ids),
 *   specialId: (n: string) => ({ pad: 256, eot: 257, thinkOpen: 258, thinkClose: 259 })[n]!,
 * };
 * const doc = bytes("1+1=2");
 * const right = [...bytes("ab"), 259, ...bytes("\\boxed{2}"), 257];
 * const wrong = [...bytes("ab"), 259, ...bytes("\\boxed{3}"), 257];
 * const g = groupRewards(doc, 4, [right, wrong], {
 *   budget: 2, codec, mode: "exact", rMax: 1, w: 0.2, advantageEps: 0,
 * });
 * assert.deepEqual(g.matchReward, [1, 0]);
 * assert.deepEqual(g.lengthReward, [1, 1]);
 * assert.deepEqual(g.reward, [1, 0.2]);
 * assert.deepEqual(g.advantage.map((a) => +a.toFixed(12)), [1, -1]);
 * ```
 */
// §1.4, §2.3, §2.4, §4.1: r_pos, r_len(ℓ; B_t), r = (1 − w)·r_pos + w·r_len, A = whiten(r)
export function groupRewards(
  docIds: number[],
  pos: number,
  completions: number[][],
  opts: RewardOptions & { budget: number | null; codec: Codec },
): GroupRewards {
  const { budget, codec } = opts;
  const groundTruth = groundTruthAt(docIds, pos, codec);
  const w = budget === null ? 0 : opts.w;
  const out: GroupRewards = {
    matchReward: [],
    lengthReward: [],
    length: [],
    closed: [],
    reward: [],
    advantage: [],
  };
  for (const completion of completions) {
    // §1.3 steps 3–4: ℓ = |c|, y = last \boxed{} after </think>
    const parsed = parseCompletion(completion, codec);
    // §1.4 Eq. 5: r_pos = 1[y = τ_pos] (exact) or RPT prefix match
    const rPos = matchReward(parsed.answerBytes, groundTruth, opts.mode);
    // §2.3: triangular r_len, peak r_max at ℓ = B_t
    const rLen = budget === null ? 0 : lengthReward(parsed.reasoningLength, budget, opts.rMax);
    out.matchReward.push(rPos);
    out.lengthReward.push(rLen);
    out.length.push(parsed.reasoningLength);
    out.closed.push(parsed.closedThinking);
    out.reward.push(combinedReward(rPos, rLen, w));
  }
  // §4.1: A_i = (r_i − mean r)/(std r + δ)
  out.advantage = advantage(out.reward, opts.advantageEps);
  return out;
}
