/**
 * Why NTR gets a computable position right or wrong (issue 17): two readings of the computable
 * sample of `computable.ts`.
 *
 * - **Where the derivation went wrong.** Each completion's reasoning is read back
 *   (`scratchpad_read.ts`) and compared with the true derivation at its position: no derivation,
 *   the wrong problem (a miscopied operand, the wrong step of a chain), the wrong result, the
 *   wrong digit, or right throughout. A right answer after a wrong problem is luck.
 * - **Where the digit sits in its number.** The ones digit of a sum or product depends on one
 *   column, so one forward pass often gets it; a middle digit depends on the carries below it.
 *   NTR and greedy NTP by place say whether reasoning earns its tokens where one pass cannot.
 *
 * Both need the generated documents (`MathDocument`s: their facts); positions of other
 * documents are left out (null).
 *
 * @module
 */
import type { Codec } from "../../data/codec.ts";
import { factAt, type MathDocument } from "../../data/math_doc.ts";
import {
  type DerivationStage,
  derivationStage,
  scratchpadTarget,
} from "../../data/scratchpad_read.ts";
import { type Accuracy, accuracy } from "./ntp.ts";
import type { DocScores } from "./tiers.ts";

/** A position of a document, with the boxed answer of its NTR episode. */
type Episode = { doc: number; pos: number; answer: string | null; reward: number };

/** The character offset of token `pos`: the length of the decoded context before it. */
export function cutOf(
  ids: readonly number[],
  pos: number,
  codec: Pick<Codec, "decodeBytes">,
): number {
  return new TextDecoder().decode(codec.decodeBytes(ids.slice(0, pos))).length;
}

/**
 * Classifies each episode's reasoning against the true derivation at its position
 * (`derivationStage`), null where the position has no scratch-pad. `completions[i]` is the
 * decoded completion of `outcomes[i]`; its reasoning is the text before `</think>`.
 *
 * @example A right derivation, and a sum computed from a miscopied operand
 * ```ts
 * import assert from "node:assert/strict";
 * import { derivationStages } from "./anatomy.ts";
 * import { DocBuilder, E } from "../../data/math_doc.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * const b = new DocBuilder().g(347).t(" + ").g(85).t(" = ").n(E.add(347, 85), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 3, kinds: [] };
 * const tok = Tokenizer.train([], { vocabSize: 260 }); // one token per character
 * const o = { doc: 0, pos: 12, answer: "3", reward: 1 };
 * const stages = derivationStages([doc], [tok.encode(doc.text)], tok, [o, o], [
 *   "347 + 85 = ?\n347 + 85 = 432\nwritten 4, next 3</think>\\boxed{3}",
 *   "347 + 95 = ?\n347 + 95 = 442\nwritten 4, next 4</think>\\boxed{3}",
 * ]);
 * assert.deepEqual(stages, ["right", "wrongProblem"]);
 * ```
 */
export function derivationStages(
  docs: readonly MathDocument[],
  ids: readonly number[][],
  codec: Pick<Codec, "decodeBytes">,
  outcomes: readonly Episode[],
  completions: readonly string[],
): (DerivationStage | null)[] {
  return outcomes.map((o, i) => {
    const d = docs[o.doc];
    if (d === undefined) return null;
    const target = scratchpadTarget(d, cutOf(ids[o.doc], o.pos, codec));
    if (target === undefined) return null;
    const reasoning = (completions[i] ?? "").split("</think>")[0];
    return derivationStage(reasoning, o.answer, target);
  });
}

/** Episodes by {@linkcode DerivationStage}, and how many were classified. */
export type DerivationCounts = Record<DerivationStage, number> & { positions: number };

/**
 * Counts the classified stages; null when none is classified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countStages } from "./anatomy.ts";
 * assert.deepEqual(countStages(["right", null, "wrongProblem", "right"]), { positions: 3,
 *   noDerivation: 0, wrongProblem: 1, wrongResult: 0, wrongDigit: 0, right: 2 });
 * assert.equal(countStages([null]), null);
 * ```
 */
export function countStages(stages: readonly (DerivationStage | null)[]): DerivationCounts | null {
  const counts: DerivationCounts = {
    positions: 0,
    noDerivation: 0,
    wrongProblem: 0,
    wrongResult: 0,
    wrongDigit: 0,
    right: 0,
  };
  for (const s of stages) {
    if (s === null) continue;
    counts[s]++;
    counts.positions++;
  }
  return counts.positions > 0 ? counts : null;
}

/** Where a digit sits in its number: the leading digit, the ones digit, or between. */
export type DigitPlace = "first" | "middle" | "last";

/** The places, in reading order. */
export const DIGIT_PLACES: readonly DigitPlace[] = ["first", "middle", "last"];

/**
 * The place of each position's digit in its computed number: `last` is the ones digit (a
 * one-digit number's only digit too), `first` the leading digit of a longer number, `middle`
 * the rest; null off computed numbers.
 *
 * @example The digits of 347 + 85 = 432
 * ```ts
 * import assert from "node:assert/strict";
 * import { digitPlaces } from "./anatomy.ts";
 * import { DocBuilder, E } from "../../data/math_doc.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * const b = new DocBuilder().g(347).t(" + ").g(85).t(" = ").n(E.add(347, 85), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 3, kinds: [] };
 * const tok = Tokenizer.train([], { vocabSize: 260 }); // one token per character
 * const at = (pos: number) => ({ doc: 0, pos });
 * assert.deepEqual(digitPlaces([doc], [tok.encode(doc.text)], tok, [at(11), at(12), at(13), at(4)]),
 *   ["first", "middle", "last", null]);
 * ```
 */
export function digitPlaces(
  docs: readonly MathDocument[],
  ids: readonly number[][],
  codec: Pick<Codec, "decodeBytes">,
  positions: readonly { doc: number; pos: number }[],
): (DigitPlace | null)[] {
  return positions.map(({ doc, pos }) => {
    const d = docs[doc];
    if (d === undefined) return null;
    const cut = cutOf(ids[doc], pos, codec);
    const f = factAt(d, cut);
    if (f === undefined) return null;
    if (cut === f.end - 1) return "last";
    return cut === f.start ? "first" : "middle";
  });
}

/** NTR and greedy NTP on the same positions, by digit place. */
export type PlaceAccuracy = Record<DigitPlace, { ntr: Accuracy; ntp: Accuracy }>;

/**
 * NTR (the episodes' rewards) and greedy NTP (`predictions`) by digit place; null when no
 * position has a place. `places[i]` belongs to `outcomes[i]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accuracyByPlace } from "./anatomy.ts";
 * const pred = [{ ids: [3, 4, 5], entropy: Float32Array.of(NaN, 2, 2), argmax: Int32Array.of(-1, 4, 0) }];
 * const o = (pos: number, reward: number) => ({ doc: 0, pos, reward, answer: null });
 * const r = accuracyByPlace([o(1, 0), o(2, 1)], pred, ["last", "middle"])!;
 * assert.deepEqual([r.last.ntr.correct, r.last.ntp.correct, r.middle.ntr.correct, r.middle.ntp.correct], [0, 1, 1, 0]);
 * assert.equal(r.first.ntr.accuracy, null);
 * ```
 */
export function accuracyByPlace(
  outcomes: readonly Episode[],
  predictions: readonly DocScores[],
  places: readonly (DigitPlace | null)[],
): PlaceAccuracy | null {
  const tally = Object.fromEntries(DIGIT_PLACES.map((p) => [p, [0, 0, 0]])) as Record<
    DigitPlace,
    [number, number, number] // count, NTR right, NTP right
  >;
  let any = false;
  outcomes.forEach((o, i) => {
    const p = places[i];
    if (p === null || p === undefined) return;
    any = true;
    const t = tally[p];
    t[0]++;
    t[1] += o.reward;
    if (predictions[o.doc].argmax[o.pos] === predictions[o.doc].ids[o.pos]) t[2]++;
  });
  if (!any) return null;
  const out = {} as PlaceAccuracy;
  for (const p of DIGIT_PLACES) {
    const [n, ntr, ntp] = tally[p];
    out[p] = { ntr: accuracy(ntr, n), ntp: accuracy(ntp, n) };
  }
  return out;
}
