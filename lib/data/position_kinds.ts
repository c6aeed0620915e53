/**
 * What kind of token each position of a generated document holds, so that evaluation can report
 * accuracy per slice and nobody mistakes the ceiling of unpredictable tokens for a failure of
 * the method (issue 17, item 1):
 *
 * - `computable`: a character of a computed number (a {@linkcode MathFact}: a result, a column
 *   sum, a carry, a quantity computed from ones carried from earlier). The next token is a
 *   deterministic function of the context, and a few correct steps derive it.
 * - `unpredictable`: a character drawn at random by the generator (a `drawn` span: the digits of
 *   a given operand, the first mention of a name). No model can do better than chance there.
 * - `other`: everything else: template words, punctuation, numbers restated from the context.
 *   Mostly predictable from the template or by copying, without computing anything.
 *
 * Characters are tagged first, then tokens: a token takes the strongest tag among its characters
 * (unpredictable > computable > other), so a token that merges a drawn digit with a computed one
 * counts as unpredictable, and `" Tom"` (a space, then a drawn name) as unpredictable. Characters
 * map to tokens through their UTF-8 bytes, so a token may hold part of a character.
 *
 * @module
 */
import type { MathDocument } from "./math_doc.ts";

/** The tag of a position. */
export type PositionKind = "computable" | "unpredictable" | "other";

/** The three tags, in a fixed order (for tables). */
export const POSITION_KINDS: readonly PositionKind[] = ["computable", "unpredictable", "other"];

const OTHER = 0, COMPUTABLE = 1, UNPREDICTABLE = 2;
const NAMES: readonly PositionKind[] = ["other", "computable", "unpredictable"];

/** What {@linkcode positionKinds} needs from a tokenizer (`Tokenizer` and `Codec` have it). */
export interface KindTokenizer {
  /** Text to token ids. */
  encode(text: string): number[];
  /** Token ids to their exact bytes. */
  decodeBytes(ids: number[]): Uint8Array;
}

function charCodes(doc: MathDocument): Uint8Array {
  const codes = new Uint8Array(doc.text.length);
  for (const f of doc.facts) codes.fill(COMPUTABLE, f.start, f.end);
  for (const [s, e] of doc.drawn ?? []) codes.fill(UNPREDICTABLE, s, e);
  return codes;
}

/**
 * One tag per UTF-16 code unit of `doc.text` (the units of `MathFact.start`/`end`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DocBuilder, E } from "./math_doc.ts";
 * import { charKinds } from "./position_kinds.ts";
 * const b = new DocBuilder().g(47).t(" + ").g(38).t(" = ").n(E.add(47, 38), false).t(".");
 * const kinds = charKinds({ text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 2, kinds: [] });
 * assert.equal(b.text, "47 + 38 = 85.");
 * assert.equal(kinds.map((k) => k[0]).join(""), "uuooouuooocco");
 * ```
 */
export function charKinds(doc: MathDocument): PositionKind[] {
  return Array.from(charCodes(doc), (c) => NAMES[c]);
}

/**
 * One tag per token of `tok.encode(doc.text)`: entry p tags the token at position p, the target
 * predicted from the tokens before it (method §1.2's position convention).
 *
 * @throws {Error} When the tokens' bytes do not spell the document's UTF-8 bytes (a tokenizer
 *   that normalizes text cannot be aligned).
 *
 * @example Digits of given operands are unpredictable, those of the sum computable
 * ```ts
 * import assert from "node:assert/strict";
 * import { DocBuilder, E } from "./math_doc.ts";
 * import { positionKinds } from "./position_kinds.ts";
 * import { Tokenizer } from "./tokenizer.ts";
 * const b = new DocBuilder().g(47).t(" + ").g(38).t(" = ").n(E.add(47, 38), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 2, kinds: [] };
 * const tok = Tokenizer.train([], { vocabSize: 260 }); // bytes: one token per character here
 * assert.deepEqual(positionKinds(doc, tok).map((k) => k[0]).join(""), "uuooouuooocco");
 * ```
 */
export function positionKinds(doc: MathDocument, tok: KindTokenizer): PositionKind[] {
  const chars = charCodes(doc);
  // Tag of every UTF-8 byte of the text: a code point's bytes take the tag of its first unit.
  const bytes: number[] = [];
  for (let i = 0; i < doc.text.length;) {
    const cp = doc.text.codePointAt(i)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) bytes.push(chars[i]);
    i += cp >= 0x10000 ? 2 : 1;
  }
  const ids = tok.encode(doc.text);
  const out: PositionKind[] = [];
  let at = 0;
  for (const id of ids) {
    const n = tok.decodeBytes([id]).length;
    let code = OTHER;
    for (let k = at; k < at + n && k < bytes.length; k++) code = Math.max(code, bytes[k]);
    out.push(NAMES[code]);
    at += n;
  }
  if (at !== bytes.length) {
    throw new Error(
      `positionKinds: the tokens spell ${at} bytes but the document has ${bytes.length} ` +
        "(a tokenizer that normalizes text cannot be aligned)",
    );
  }
  return out;
}

/** Number of positions of each kind. */
export type KindCounts = Record<PositionKind, number>;

/**
 * Counts the tags of positions `1..n-1` of each document (position 0 has no context and is
 * never predicted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countKinds } from "./position_kinds.ts";
 * assert.deepEqual(countKinds([["other", "computable", "unpredictable", "computable"]]), {
 *   computable: 2, unpredictable: 1, other: 0,
 * });
 * ```
 */
export function countKinds(perDocument: readonly PositionKind[][]): KindCounts {
  const counts: KindCounts = { computable: 0, unpredictable: 0, other: 0 };
  for (const kinds of perDocument) for (let p = 1; p < kinds.length; p++) counts[kinds[p]]++;
  return counts;
}
