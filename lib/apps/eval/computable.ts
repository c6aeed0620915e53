/**
 * The computable slice measured on its own (issue 17's targets): NTR episodes drawn uniformly
 * from the held-out positions whose next token follows from the context (`position_kinds.ts`),
 * scored beside greedy NTP on the same positions, with the length of the concise scratch-pad
 * that derives the same token (`scratchpad.ts`) as the yardstick of over-thinking.
 *
 * The tier sample of `ntr.ts` reaches this slice only through the entropy tiers (a few dozen
 * episodes per evaluation), too few to compare NTR with NTP on it; this sample is sized on its
 * own (`--computable N`). It does not enter the tier accuracies.
 *
 * Lengths are in tokens of the evaluated model's tokenizer. A computable position has a concise
 * scratch-pad when it is a digit of a derivable computed number (sums, differences, products by
 * one digit, nested); the ratio compares the mean reasoning length with the concise mean over
 * exactly those positions. On the same positions `anatomy.ts` reads each completion's
 * derivation back and counts where it first went wrong (no derivation, the wrong problem, the
 * wrong result, the wrong digit), and splits NTR and NTP by the digit's place in its number.
 *
 * @module
 */
import type { Codec } from "../../data/codec.ts";
import type { MathDocument } from "../../data/math_doc.ts";
import { scratchpad } from "../../data/scratchpad.ts";
import { assignTiers } from "../../rmt/entropy.ts";
import { mulberry32, type Rng } from "../../util/rng.ts";
import { type Accuracy, accuracy } from "./ntp.ts";
import {
  accuracyByPlace,
  countStages,
  cutOf,
  type DerivationCounts,
  derivationStages,
  digitPlaces,
  type PlaceAccuracy,
} from "./anatomy.ts";
import {
  type CompletionGenerator,
  type NtrOptions,
  type NtrOutcome,
  type NtrPosition,
  runNtr,
} from "./ntr.ts";
import type { DocumentKinds } from "./slices.ts";
import type { DocScores } from "./tiers.ts";

/** NTR against greedy NTP on a uniform sample of computable positions. */
export interface ComputableReport {
  /** Computable positions in the held-out documents (those with an entropy). */
  population: number;
  /** NTR accuracy on the sampled positions. */
  ntr: Accuracy;
  /** Greedy NTP accuracy on the same positions. */
  ntpAtNtr: Accuracy;
  /** Mean ℓ of the NTR completions. */
  meanReasoningLength: number | null;
  /** Share of completions that closed `</think>`. */
  closedFraction: number | null;
  /**
   * The concise scratch-pads of the same positions (null: none of them has one): how many
   * positions have one, their mean length, the NTR completions' mean ℓ on those positions, and
   * the ratio of the two.
   */
  concise: {
    positions: number;
    meanLength: number;
    meanReasoningLength: number;
    ratio: number;
  } | null;
  /**
   * Where the NTR completions' derivations went wrong, counted over the positions with a
   * scratch-pad (`anatomy.ts`): the first failure along problem → result → digit (absent in
   * reports written before it existed).
   */
  derivations?: DerivationCounts | null;
  /** NTR and greedy NTP by the place of the digit in its number (`anatomy.ts`; absent before). */
  byPlace?: PlaceAccuracy | null;
}

/**
 * Draws up to `n` computable positions (tag `computable`, finite entropy) uniformly without
 * replacement; each carries its disjoint tier under `thresholds` (-1 below the easy one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleComputablePositions } from "./computable.ts";
 * import { mulberry32 } from "../../util/rng.ts";
 * const s = { ids: [1, 2, 3, 4], entropy: Float32Array.of(NaN, 0.2, 1.2, 2), argmax: Int32Array.of(-1, 0, 0, 0) };
 * const kinds = [["other", "computable", "other", "computable"] as const];
 * const r = sampleComputablePositions([s], kinds, [0.5, 1, 1.5], 5, mulberry32(1));
 * assert.deepEqual(r.positions.map((p) => [p.pos, p.tier]).sort(), [[1, -1], [3, 2]]);
 * assert.equal(r.population, 2);
 * ```
 */
export function sampleComputablePositions(
  scores: readonly DocScores[],
  kinds: DocumentKinds,
  thresholds: number[],
  n: number,
  rng: Rng,
): { positions: NtrPosition[]; population: number } {
  const pool: NtrPosition[] = [];
  scores.forEach((s, doc) => {
    const tags = kinds[doc];
    if (tags === null || tags === undefined) return;
    const tiers = assignTiers(s.entropy, { thresholds });
    for (let pos = 1; pos < s.ids.length; pos++) {
      if (tags[pos] === "computable" && Number.isFinite(s.entropy[pos])) {
        pool.push({ doc, pos, tier: tiers[pos], entropy: s.entropy[pos] });
      }
    }
  });
  const k = Math.min(n, pool.length);
  for (let i = 0; i < k; i++) { // partial Fisher-Yates: the first k are the sample
    const j = i + Math.floor(rng() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return { positions: pool.slice(0, k), population: pool.length };
}

/**
 * The length in tokens of the concise scratch-pad that derives the token at each position, or
 * null where there is none (not a digit of a derivable computed number). `ids[d]` must be
 * `codec.encode(docs[d].text)`.
 *
 * @example The third digit of a sum: "ones: 7 + 5 = 12, …" derives it
 * ```ts
 * import assert from "node:assert/strict";
 * import { conciseLengths } from "./computable.ts";
 * import { DocBuilder, E } from "../../data/math_doc.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * const b = new DocBuilder().g(347).t(" + ").g(85).t(" = ").n(E.add(347, 85), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 3, kinds: [] };
 * const tok = Tokenizer.train([], { vocabSize: 260 }); // one token per character
 * const ids = tok.encode(doc.text);
 * const [digit, plus] = conciseLengths([doc], [ids], tok, [{ doc: 0, pos: 13 }, { doc: 0, pos: 4 }]);
 * assert.ok(digit !== null && digit > 60);
 * assert.equal(plus, null);
 * ```
 */
export function conciseLengths(
  docs: readonly MathDocument[],
  ids: readonly number[][],
  codec: Pick<Codec, "encode" | "decodeBytes">,
  positions: readonly { doc: number; pos: number }[],
): (number | null)[] {
  return positions.map(({ doc, pos }) => {
    const d = docs[doc];
    if (d === undefined) return null;
    const pad = scratchpad(d, cutOf(ids[doc], pos, codec), "concise", mulberry32(0));
    return pad === undefined ? null : codec.encode(pad.reasoning).length;
  });
}

const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/**
 * Summarises the computable sample: NTR and greedy NTP (`predictions`, the evaluated model's
 * scores) on the same positions, and the concise comparison (`concise[i]` belongs to
 * `outcomes[i]`).
 *
 * @example Two episodes, one right; one position has a 40-token concise scratch-pad
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseComputable } from "./computable.ts";
 * const o = (pos: number, reward: number, reasoningLength: number) => ({ doc: 0, pos, tier: 2,
 *   entropy: 2, reward, reasoningLength, closed: true, answer: "1", truth: "1" });
 * const pred = [{ ids: [3, 4, 5], entropy: Float32Array.of(NaN, 2, 2), argmax: Int32Array.of(-1, 4, 0) }];
 * const r = summariseComputable([o(1, 1, 200), o(2, 0, 100)], pred, 9, [40, null]);
 * assert.equal(r.ntr.accuracy, 0.5);
 * assert.equal(r.ntpAtNtr.accuracy, 0.5);
 * assert.deepEqual(r.concise, { positions: 1, meanLength: 40, meanReasoningLength: 200, ratio: 5 });
 * ```
 */
export function summariseComputable(
  outcomes: readonly NtrOutcome[],
  predictions: readonly DocScores[],
  population: number,
  concise: readonly (number | null)[],
): ComputableReport {
  let ntr = 0, ntp = 0;
  const pairs: [number, number][] = [];
  outcomes.forEach((o, i) => {
    ntr += o.reward;
    if (predictions[o.doc].argmax[o.pos] === predictions[o.doc].ids[o.pos]) ntp++;
    const c = concise[i];
    if (c !== null && c !== undefined) pairs.push([c, o.reasoningLength]);
  });
  const n = outcomes.length;
  const lengths = mean(pairs.map((p) => p[0]));
  const reasoning = mean(pairs.map((p) => p[1]));
  return {
    population,
    ntr: accuracy(ntr, n),
    ntpAtNtr: accuracy(ntp, n),
    meanReasoningLength: mean(outcomes.map((o) => o.reasoningLength)),
    closedFraction: n > 0 ? outcomes.filter((o) => o.closed).length / n : null,
    concise: lengths === null || reasoning === null ? null : {
      positions: pairs.length,
      meanLength: lengths,
      meanReasoningLength: reasoning,
      ratio: reasoning / lengths,
    },
  };
}

/** Inputs of {@linkcode evaluateComputable}. */
export interface ComputableInput {
  /** Entropies of the tier model (which positions have one) and the tier thresholds. */
  tierScores: readonly DocScores[];
  thresholds: number[];
  /** The evaluated model's scores (greedy NTP on the same positions). */
  predictions: readonly DocScores[];
  /** Position tags of the held-out documents, and the documents as ids and as generated. */
  kinds: DocumentKinds;
  documents: number[][];
  heldOut: readonly MathDocument[];
  /** The tokenizer, the completion generator and the NTR prompt/reward settings. */
  codec: Codec;
  generate: CompletionGenerator;
  ntr: NtrOptions;
  /** Episodes to draw, and the seed of the draw. */
  count: number;
  seed: number;
  /** Progress messages. */
  log?: (line: string) => void;
}

/**
 * The computable sample end to end: draws `count` computable positions
 * ({@linkcode sampleComputablePositions}, seed `seed`), runs one NTR episode on each, and
 * summarises them against greedy NTP and the concise scratch-pads
 * ({@linkcode summariseComputable}). Tested through `evaluateModel`
 * (`tests/apps/eval/computable_test.ts`).
 */
export async function evaluateComputable(input: ComputableInput): Promise<ComputableReport> {
  const { documents, codec } = input;
  const pick = sampleComputablePositions(
    input.tierScores,
    input.kinds,
    input.thresholds,
    input.count,
    mulberry32(input.seed),
  );
  input.log?.(`NTR: ${pick.positions.length} episodes on the computable slice…`);
  const texts: string[] = []; // decoded completions, in the order of the positions
  const recording: CompletionGenerator = async (prompts) => {
    const c = await input.generate(prompts);
    texts.push(...c.map((x) => codec.decode(x)));
    return c;
  };
  const done = await runNtr(pick.positions, documents, codec, recording, input.ntr);
  const concise = conciseLengths(input.heldOut, documents, codec, pick.positions);
  const stages = derivationStages(input.heldOut, documents, codec, done, texts);
  const places = digitPlaces(input.heldOut, documents, codec, done);
  return {
    ...summariseComputable(done, input.predictions, pick.population, concise),
    derivations: countStages(stages),
    byPlace: accuracyByPlace(done, input.predictions, places),
  };
}
