/**
 * Accuracy per position kind (issue 17, item 1): beside the entropy tiers, every scored position
 * is put in the slice of its token's tag (`lib/data/position_kinds.ts`): `computable` (the next
 * token is a deterministic function of the context: reasoning can earn it), `unpredictable` (a
 * freshly drawn operand digit or name: nobody can beat chance) or `other` (template text, copies).
 * Documents that carry no tags (user corpora, plain text) put their positions in `untagged`, so
 * that the ceiling of unpredictable tokens is never mistaken for a failure of the method.
 *
 * Three figures per slice: greedy NTP over every scored position (as `ntpAccuracy`), NTR over the
 * sampled episodes (equal numbers per disjoint tier, not reweighted), and greedy NTP on exactly
 * the NTR positions (the paired comparison: NTR vs NTP on the same positions).
 *
 * @module
 */
import type { Codec } from "../../data/codec.ts";
import { SPECIAL_TOKENS, type SpecialName } from "../../data/codec.ts";
import type { MathDocument } from "../../data/math_doc.ts";
import { type KindTokenizer, type PositionKind, positionKinds } from "../../data/position_kinds.ts";
import { type Accuracy, accuracy } from "./ntp.ts";
import type { NtrOutcome } from "./ntr.ts";
import type { DocScores } from "./tiers.ts";

/** A slice: a position kind, or `untagged` for positions of documents without tags. */
export type SliceName = PositionKind | "untagged";

/** The slices, in table order. */
export const SLICE_NAMES: readonly SliceName[] = [
  "computable",
  "unpredictable",
  "other",
  "untagged",
];

/** One accuracy per slice. */
export type SliceAccuracy = Record<SliceName, Accuracy>;

/** Per-document tags: one kind per token, or null for a document without tags. */
export type DocumentKinds = readonly (readonly PositionKind[] | null)[];

/** Accuracy per slice in an evaluation report. */
export interface SliceReport {
  /** Held-out documents with tags and without. */
  documents: { tagged: number; untagged: number };
  /** Greedy NTP over every scored position (null when NTP was not evaluated). */
  ntp: SliceAccuracy | null;
  /** NTR over the sampled episodes (null when NTR was not evaluated). */
  ntr: SliceAccuracy | null;
  /** Greedy NTP on the NTR episodes' positions (null when NTR was not evaluated). */
  ntpAtNtr: SliceAccuracy | null;
}

/**
 * The tags of held-out documents: {@linkcode positionKinds} for a generated document (one that
 * records its `drawn` spans), null for user text (no facts, no drawn spans) and for a document
 * the tokenizer cannot be aligned with (one that normalizes text).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { documentKinds } from "./slices.ts";
 * import { DocBuilder, E } from "../../data/math_doc.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * const b = new DocBuilder().g(7).t("+").g(5).t("=").n(E.add(7, 5), false);
 * const generated = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 1, kinds: [] };
 * const user = { text: "hello", facts: [], difficulty: 0, kinds: [] };
 * const tok = Tokenizer.train([], { vocabSize: 260 });
 * const [k, none] = documentKinds([generated, user], tok);
 * assert.deepEqual(k, ["unpredictable", "other", "unpredictable", "other", "computable", "computable"]);
 * assert.equal(none, null);
 * ```
 */
export function documentKinds(docs: readonly MathDocument[], tok: KindTokenizer): DocumentKinds {
  return docs.map((d) => {
    if (d.drawn === undefined) return null;
    try {
      return positionKinds(d, tok);
    } catch {
      return null; // a tokenizer that normalizes text cannot be aligned: the positions are untagged
    }
  });
}

/** The slice of position `pos` of document `doc`. */
export function sliceAt(kinds: DocumentKinds | undefined, doc: number, pos: number): SliceName {
  return kinds?.[doc]?.[pos] ?? "untagged";
}

function tally(): { hits: Record<SliceName, number>; counts: Record<SliceName, number> } {
  const zero = () => ({ computable: 0, unpredictable: 0, other: 0, untagged: 0 });
  return { hits: zero(), counts: zero() };
}

function toAccuracy(t: ReturnType<typeof tally>): SliceAccuracy {
  const out = {} as SliceAccuracy;
  for (const s of SLICE_NAMES) out[s] = accuracy(t.hits[s], t.counts[s]);
  return out;
}

/**
 * Greedy NTP accuracy per slice over the positions `ntpAccuracy` scores (those with an entropy
 * and a prediction).
 *
 * @example Two tagged positions right, one wrong; an untagged document
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpBySlice } from "./slices.ts";
 * const doc = (ids: number[], am: number[]) => ({ ids,
 *   entropy: Float32Array.from(ids, (_, p) => (p === 0 ? NaN : 1)), argmax: Int32Array.from(am) });
 * const scores = [doc([5, 6, 7, 8], [-1, 6, 0, 8]), doc([1, 2], [-1, 2])];
 * const r = ntpBySlice(scores, scores, [["other", "computable", "computable", "other"], null]);
 * assert.deepEqual(r.computable, { count: 2, correct: 1, accuracy: 0.5 });
 * assert.equal(r.other.accuracy, 1);
 * assert.equal(r.untagged.count, 1);
 * ```
 */
export function ntpBySlice(
  tierScores: readonly DocScores[],
  predictions: readonly DocScores[],
  kinds: DocumentKinds | undefined,
): SliceAccuracy {
  const t = tally();
  tierScores.forEach((s, doc) => {
    const pred = predictions[doc];
    for (let p = 1; p < s.ids.length; p++) {
      if (!Number.isFinite(s.entropy[p]) || pred.argmax[p] < 0) continue;
      const slice = sliceAt(kinds, doc, p);
      t.counts[slice]++;
      if (pred.argmax[p] === s.ids[p]) t.hits[slice]++;
    }
  });
  return toAccuracy(t);
}

/**
 * NTR accuracy per slice over the episodes, and greedy NTP accuracy on the same positions
 * (`predictions`: the evaluated model's scores).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntrBySlice } from "./slices.ts";
 * const o = (pos: number, reward: number) => ({ doc: 0, pos, tier: 2, entropy: 2, reward,
 *   reasoningLength: 5, closed: true, answer: "x", truth: "x" });
 * const pred = [{ ids: [3, 4, 5], entropy: Float32Array.of(NaN, 2, 2), argmax: Int32Array.of(-1, 0, 5) }];
 * const r = ntrBySlice([o(1, 1), o(2, 0)], pred, [["other", "computable", "unpredictable"]]);
 * assert.equal(r.ntr.computable.accuracy, 1);
 * assert.equal(r.ntpAtNtr.computable.accuracy, 0);
 * assert.equal(r.ntpAtNtr.unpredictable.accuracy, 1);
 * ```
 */
export function ntrBySlice(
  outcomes: readonly NtrOutcome[],
  predictions: readonly DocScores[],
  kinds: DocumentKinds | undefined,
): { ntr: SliceAccuracy; ntpAtNtr: SliceAccuracy } {
  const ntr = tally(), ntp = tally();
  for (const o of outcomes) {
    const slice = sliceAt(kinds, o.doc, o.pos);
    ntr.counts[slice]++;
    ntr.hits[slice] += o.reward;
    const pred = predictions[o.doc];
    ntp.counts[slice]++;
    if (pred.argmax[o.pos] === pred.ids[o.pos]) ntp.hits[slice]++;
  }
  return { ntr: toAccuracy(ntr), ntpAtNtr: toAccuracy(ntp) };
}

/**
 * The special tokens greedy NTP never predicts: `<|pad|>`, `<|endoftext|>`, `<think>`,
 * `</think>` (those the codec has). Demonstrations cut at result digits teach a model to emit
 * `<think>` there, which is not an answer in plain text; so NTP takes the argmax over ordinary
 * tokens only (method §11.4).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specialIds } from "./slices.ts";
 * import { makeCodec } from "../../../tests/_helpers/codec.ts";
 * const codec = makeCodec();
 * assert.ok(specialIds(codec).includes(codec.specialId("thinkOpen")));
 * assert.equal(specialIds(codec).length, 4);
 * ```
 */
export function specialIds(codec: Codec): number[] {
  const ids = new Set<number>();
  for (const name of Object.keys(SPECIAL_TOKENS) as SpecialName[]) {
    try {
      ids.add(codec.specialId(name));
    } catch {
      // a tokenizer without this special token: nothing to exclude
    }
  }
  return [...ids].sort((a, b) => a - b);
}
