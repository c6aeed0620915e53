/**
 * NTR accuracy (next-token reasoning, method §1.3, §6.2, §7.1): for sampled held-out positions,
 * the model is prompted with the next-token-reasoning prompt (`buildPrompt`, with the budget
 * sentence or without), generates one completion, and the content of the last `\boxed{}` after
 * `</think>` is scored against the ground-truth token (`parseCompletion`, `matchReward`, exact
 * mode by default). Also reported: the mean reasoning length ℓ and the share of completions that
 * closed `</think>` (format health).
 *
 * Positions are sampled per disjoint tier (a stratified sample: `perTier` positions from each of
 * easy/medium/hard, uniformly without replacement); nested accuracies (H > t_d) are the
 * stratified estimates Σ_{e≥d} N_e·acc_e / Σ_{e≥d} N_e with N_e the tier's population.
 *
 * The generator is a parameter ({@linkcode CompletionGenerator}), so the scoring pipeline is
 * tested with a fake and reused by the RMT runner with any policy.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";
import type { Codec } from "../../data/codec.ts";
import { assignTiers } from "../../rmt/entropy.ts";
import { buildPrompt, type PromptConfig } from "../../rmt/prompt.ts";
import {
  groundTruthAt,
  matchReward,
  parseCompletion,
  type RewardMode,
} from "../../rmt/reward_match.ts";
import { type Accuracy, accuracy, TIER_NAMES } from "./ntp.ts";
import type { DocScores } from "./tiers.ts";

/** A held-out position chosen for NTR. */
export interface NtrPosition {
  /** Index of the document. */
  doc: number;
  /** Position p (the target is ids[p], the context ids[0..p)). */
  pos: number;
  /** Disjoint tier 0 easy, 1 medium, 2 hard. */
  tier: number;
  /** H_pos of the tier model. */
  entropy: number;
}

/**
 * Draws up to `perTier` positions from each disjoint RL tier (easy, medium, hard), uniformly
 * without replacement, in a deterministic order for a given `rng`. Also returns the population
 * N_d of each tier (for the nested estimates).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleNtrPositions } from "./ntr.ts";
 * import { mulberry32 } from "../../util/rng.ts";
 * const s = { ids: [1, 2, 3, 4], entropy: Float32Array.of(NaN, 0.7, 1.2, 2), argmax: Int32Array.of(-1, 0, 0, 0) };
 * const r = sampleNtrPositions([s], [0.5, 1, 1.5], 5, mulberry32(1));
 * assert.deepEqual(r.population, [1, 1, 1]);
 * assert.deepEqual(r.positions.map((p) => p.pos), [1, 2, 3]);
 * ```
 */
export function sampleNtrPositions(
  scores: DocScores[],
  thresholds: number[],
  perTier: number,
  rng: Rng,
): { positions: NtrPosition[]; population: number[] } {
  const byTier: NtrPosition[][] = [[], [], []];
  scores.forEach((s, doc) => {
    const tiers = assignTiers(s.entropy, { thresholds });
    for (let pos = 1; pos < s.ids.length; pos++) {
      const tier = tiers[pos];
      if (tier >= 0 && Number.isFinite(s.entropy[pos])) {
        byTier[tier].push({ doc, pos, tier, entropy: s.entropy[pos] });
      }
    }
  });
  const positions: NtrPosition[] = [];
  for (const pool of byTier) {
    const items = [...pool];
    const n = Math.min(perTier, items.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(rng() * (items.length - i));
      [items[i], items[j]] = [items[j], items[i]];
      positions.push(items[i]);
    }
  }
  return { positions, population: byTier.map((p) => p.length) };
}

/** Generates one completion (token ids after the prompt) per prompt. */
export type CompletionGenerator = (prompts: number[][]) => Promise<number[][]>;

/** Options of {@linkcode runNtr}. */
export interface NtrOptions {
  /** Budget B in the instruction, or null for the no-budget instruction. */
  budget: number | null;
  /** Prompt format (as in training). */
  prompt: PromptConfig;
  /** Matching reward: `exact` (RMT) or `prefix` (RPT). */
  reward: RewardMode;
}

/** The outcome of one NTR episode. */
export interface NtrOutcome extends NtrPosition {
  /** Matching reward r ∈ {0, 1}. */
  reward: number;
  /** ℓ: reasoning tokens (all generated tokens when `</think>` is missing). */
  reasoningLength: number;
  /** Whether `</think>` was generated. */
  closed: boolean;
  /** The boxed answer, or null. */
  answer: string | null;
  /** The ground-truth token's text. */
  truth: string;
}

/**
 * Runs NTR on `positions` of `docs`: builds each prompt with `buildPrompt`, calls `generate`
 * once with all prompts, parses and scores each completion.
 *
 * @example A fake generator that always answers "4"
 * ```ts
 * import assert from "node:assert/strict";
 * import { runNtr } from "./ntr.ts";
 * import { PROMPT_DEFAULTS } from "../../rmt/prompt.ts";
 * import { makeCodec } from "../../../tests/_helpers/codec.ts";
 * const codec = makeCodec();
 * const doc = codec.encode("2+2=4");
 * const gen = (prompts: number[][]) =>
 *   Promise.resolve(prompts.map(() => codec.encode("ok</think>\\boxed{4}<|endoftext|>")));
 * const [o] = await runNtr([{ doc: 0, pos: 4, tier: 2, entropy: 2 }], [doc], codec, gen,
 *   { budget: null, prompt: PROMPT_DEFAULTS, reward: "exact" });
 * assert.equal(o.reward, 1);
 * assert.equal(o.reasoningLength, 2);
 * ```
 */
export async function runNtr(
  positions: NtrPosition[],
  docs: number[][],
  codec: Codec,
  generate: CompletionGenerator,
  opts: NtrOptions,
): Promise<NtrOutcome[]> {
  const prompts = positions.map((p) =>
    buildPrompt(docs[p.doc].slice(0, p.pos), opts.budget, codec, opts.prompt)
  );
  const completions = await generate(prompts);
  if (completions.length !== prompts.length) {
    throw new Error(`runNtr: ${prompts.length} prompts but ${completions.length} completions`);
  }
  return positions.map((p, i) => {
    const parsed = parseCompletion(completions[i], codec);
    const truth = groundTruthAt(docs[p.doc], p.pos, codec);
    return {
      ...p,
      reward: matchReward(parsed.answerBytes, truth, opts.reward),
      reasoningLength: parsed.reasoningLength,
      closed: parsed.closedThinking,
      answer: parsed.answer,
      truth: codec.decode([docs[p.doc][p.pos]]),
    };
  });
}

/** NTR figures. */
export interface NtrSummary {
  /** Number of episodes. */
  samples: number;
  /** Accuracy per disjoint tier (on the sampled positions). */
  disjoint: { easy: Accuracy; medium: Accuracy; hard: Accuracy };
  /** Nested accuracy (H > t_d), stratified estimates; `count` is the number of samples used. */
  nested: { easy: Accuracy; medium: Accuracy; hard: Accuracy };
  /** Mean of the nested easy/medium/hard accuracies. */
  average: number | null;
  /** Mean of the disjoint easy/medium/hard accuracies. */
  averageDisjoint: number | null;
  /** Mean ℓ over all episodes. */
  meanReasoningLength: number | null;
  /** Mean ℓ over episodes that closed `</think>`. */
  meanReasoningLengthClosed: number | null;
  /** Share of episodes that closed `</think>`. */
  closedFraction: number | null;
  /** Share of episodes with a `\boxed{}` answer after `</think>`. */
  answeredFraction: number | null;
}

/**
 * Summarises NTR outcomes; `population` is the number of positions of each disjoint tier (from
 * {@linkcode sampleNtrPositions}) and weights the nested estimates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseNtr } from "./ntr.ts";
 * const o = (tier: number, reward: number) => ({ doc: 0, pos: 1, tier, entropy: 1, reward,
 *   reasoningLength: 10, closed: true, answer: "x", truth: "x" });
 * const s = summariseNtr([o(0, 1), o(1, 0), o(2, 1)], [2, 1, 1]);
 * assert.equal(s.nested.easy.accuracy, (2 * 1 + 1 * 0 + 1 * 1) / 4);
 * assert.equal(s.nested.hard.accuracy, 1);
 * assert.equal(s.meanReasoningLength, 10);
 * ```
 */
export function summariseNtr(outcomes: NtrOutcome[], population: number[]): NtrSummary {
  const tierAcc = TIER_NAMES.map((_, d) => {
    const inTier = outcomes.filter((o) => o.tier === d);
    return accuracy(inTier.reduce((n, o) => n + o.reward, 0), inTier.length);
  });
  const nested = TIER_NAMES.map((_, d) => {
    let weight = 0, weighted = 0, count = 0, correct = 0;
    for (let e = d; e < 3; e++) {
      const a = tierAcc[e];
      if (a.accuracy === null) continue;
      weight += population[e];
      weighted += population[e] * a.accuracy;
      count += a.count;
      correct += a.correct;
    }
    return { count, correct, accuracy: weight > 0 ? weighted / weight : null };
  });
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const avg = (a: Accuracy[]) =>
    a.some((x) => x.accuracy === null) ? null : a.reduce((s, x) => s + x.accuracy!, 0) / 3;
  const closed = outcomes.filter((o) => o.closed);
  const n = outcomes.length;
  return {
    samples: n,
    disjoint: { easy: tierAcc[0], medium: tierAcc[1], hard: tierAcc[2] },
    nested: { easy: nested[0], medium: nested[1], hard: nested[2] },
    average: avg(nested),
    averageDisjoint: avg(tierAcc),
    meanReasoningLength: mean(outcomes.map((o) => o.reasoningLength)),
    meanReasoningLengthClosed: mean(closed.map((o) => o.reasoningLength)),
    closedFraction: n > 0 ? closed.length / n : null,
    answeredFraction: n > 0 ? outcomes.filter((o) => o.answer !== null).length / n : null,
  };
}
