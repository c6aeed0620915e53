/**
 * The embedded default corpus (method §11.1): a seeded generator of short math documents,
 * problems with solutions of graded difficulty. Their tokens range from trivially predictable
 * (template words such as `" apples"`, `"write"`) to genuinely hard (the digits of a result that
 * must be computed, hardest when the result is stated without worked steps).
 *
 * Every computed number in a document is recorded as a {@linkcode MathFact}: its character
 * span, its value and the expression that produces it, which is enough to explain any of its
 * digits (the demonstrations in `demonstrations.ts` use it to write scratch-pads). Numbers that
 * are given (the operands of a problem) are random: they are recorded as `drawn` spans.
 *
 * The grammar (templates, difficulty grades) is documented in `docs/corpus.md`; the problem
 * writers are in `math_problems.ts`. Training and held-out documents come from the same
 * generator with different seeds.
 *
 * @module
 */
import { mulberry32, pick } from "../util/rng.ts";
import { DocBuilder, type MathDocument as AnyMathDocument } from "./math_doc.ts";
import { markStatement, PROBLEM_KINDS, type ProblemKind, WRITERS } from "./math_problems.ts";

export { evalExpr, type MathExpr, type MathOp } from "./arith.ts";
export { factAt, type MathFact, type Span } from "./math_doc.ts";
export { PROBLEM_KINDS, type ProblemKind } from "./math_problems.ts";

/** A document of this generator (its problem kinds are {@linkcode ProblemKind}s). */
export type MathDocument = AnyMathDocument<ProblemKind>;

/** Options of {@linkcode generateMathDocuments}. */
export interface MathCorpusOptions {
  /** Probability that a problem shows its worked solution (default 0.5). */
  workedFraction?: number;
  /** Problem kinds to draw from, uniformly (default: all of {@linkcode PROBLEM_KINDS}). */
  kinds?: readonly ProblemKind[];
  /** Difficulty grades to draw from, uniformly per document (default `[1, 2, 3, 4]`). */
  difficulties?: readonly number[];
  /**
   * Problems are appended until the document has at least this many characters (default 100);
   * a document always has at least one problem.
   */
  minChars?: number;
  /** A problem is not appended if the document would exceed this length (default 400). */
  maxChars?: number;
}

/**
 * Generates `count` math documents, deterministically from `seed`.
 *
 * Each document has one difficulty grade and one or more problems (appended, separated by a
 * newline, until it reaches `minChars`, never exceeding `maxChars` unless its first problem
 * alone does). Each problem shows its worked solution with probability `workedFraction`.
 *
 * @param count Number of documents.
 * @param seed Seed of the generator: equal seeds give equal corpora; use another seed for
 *   held-out documents.
 * @param opts See {@linkcode MathCorpusOptions}.
 * @throws {RangeError} On an invalid option.
 *
 * @example Facts locate every computed number
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalExpr, generateMathDocuments } from "./corpus_math.ts";
 * const docs = generateMathDocuments(20, 1);
 * assert.equal(docs.length, 20);
 * for (const doc of docs) {
 *   for (const f of doc.facts) {
 *     assert.equal(doc.text.slice(f.start, f.end), String(f.value));
 *     assert.equal(evalExpr(f.expr), f.value);
 *   }
 * }
 * assert.deepEqual(generateMathDocuments(3, 1), docs.slice(0, 3));
 * ```
 */
export function generateMathDocuments(
  count: number,
  seed: number,
  opts: MathCorpusOptions = {},
): MathDocument[] {
  const {
    workedFraction = 0.5,
    kinds = PROBLEM_KINDS,
    difficulties = [1, 2, 3, 4],
    minChars = 100,
    maxChars = 400,
  } = opts;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `generateMathDocuments: count must be a non-negative integer, got ${count}`,
    );
  }
  if (!(workedFraction >= 0 && workedFraction <= 1)) {
    throw new RangeError(
      `generateMathDocuments: workedFraction must be in [0, 1], got ${workedFraction}`,
    );
  }
  if (kinds.length === 0 || kinds.some((k) => !(k in WRITERS))) {
    throw new RangeError(
      `generateMathDocuments: kinds must be a non-empty subset of ${
        PROBLEM_KINDS.join(", ")
      }, got ${kinds}`,
    );
  }
  if (difficulties.length === 0 || difficulties.some((d) => ![1, 2, 3, 4].includes(d))) {
    throw new RangeError(
      `generateMathDocuments: difficulties must be grades 1..4, got ${difficulties}`,
    );
  }
  if (!(minChars >= 0 && maxChars >= minChars)) {
    throw new RangeError(
      `generateMathDocuments: need 0 <= minChars <= maxChars, got ${minChars}, ${maxChars}`,
    );
  }
  // Mix the seed so that nearby seeds (0, 1, 2) give unrelated streams.
  const rng = mulberry32((Math.imul(seed | 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0);
  const docs: MathDocument[] = [];
  for (let i = 0; i < count; i++) {
    const difficulty = pick(rng, difficulties);
    const doc = new DocBuilder();
    const docKinds: ProblemKind[] = [];
    while (docKinds.length === 0 || doc.text.length < minChars) {
      const kind = pick(rng, kinds);
      const problem = new DocBuilder();
      WRITERS[kind](problem, rng, difficulty, rng() < workedFraction);
      markStatement(problem);
      if (docKinds.length > 0 && doc.text.length + 1 + problem.text.length > maxChars) break;
      doc.append(problem, "\n");
      docKinds.push(kind);
    }
    docs.push({ text: doc.text, facts: doc.facts, difficulty, kinds: docKinds, drawn: doc.drawn });
  }
  return docs;
}
