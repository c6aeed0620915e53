/**
 * Post-training task data (method §6.5, §11.4 "GRPO on math questions with verifiable answers"):
 * seeded math questions with integer answers, e.g. `"What is 347 + 286?"` → `"633"`.
 *
 * The questions are the problems of the embedded corpus (`lib/data/corpus_math.ts`), drawn
 * from the same generator (same kinds and difficulty grades 1–4), stated without a solution:
 * arithmetic and multi-step expressions as `"What is <expression>?"`, word problems (apples,
 * coins, trains) as their question sentence. The answer is the problem's computed number.
 *
 * Seeds: a question seed is mixed before it reaches the corpus generator, so questions never
 * replay a pre-training document stream that used the same number. Training and held-out
 * questions use different seeds ({@linkcode POSTTRAIN_SEEDS}); {@linkcode questionSplits}
 * also removes from the held-out set any question that is in the training set.
 *
 * Deliberate deviations from the paper: Skywork-OR1 math (256 train / 200 test, filtered for
 * hard instances) → generated arithmetic questions whose difficulty is the corpus grade.
 *
 * @module
 */
import { generateMathDocuments, type MathDocument, PROBLEM_KINDS } from "./corpus_math.ts";
import type { ProblemKind } from "./corpus_math.ts";
import { exprToString, type MathExpr } from "./arith.ts";

export type { ProblemKind } from "./corpus_math.ts";

/**
 * A question with its verifiable answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateQuestions, type Question } from "./questions.ts";
 * const [q]: Question[] = generateQuestions(1, 7, { kinds: ["multiplication"] });
 * const [, x, m] = q.question.match(/^What is (\d+) \* (\d)\?$/)!;
 * assert.equal(q.answer, String(Number(x) * Number(m)));
 * ```
 */
export interface Question {
  /** The question text, one line, e.g. `"What is 347 + 286?"`. */
  question: string;
  /** The answer: a non-negative integer in decimal, e.g. `"633"`. */
  answer: string;
  /** Difficulty grade 1..4 (operand sizes, as in the corpus; see `docs/corpus.md`). */
  difficulty: number;
  /** The problem kind it was generated from. */
  kind: ProblemKind;
  /** The problem's expression (absent in hand-written questions). */
  expr?: MathExpr;
}

/**
 * Options of {@linkcode generateQuestions}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateQuestions, type QuestionOptions } from "./questions.ts";
 * const opts: QuestionOptions = { kinds: ["coins"], difficulties: [1, 2] };
 * assert.ok(generateQuestions(10, 1, opts).every((q) => q.kind === "coins" && q.difficulty <= 2));
 * ```
 */
export interface QuestionOptions {
  /** Difficulty grades to draw from, uniformly (default `[1, 2, 3, 4]`). */
  difficulties?: readonly number[];
  /** Problem kinds to draw from, uniformly (default: all corpus kinds). */
  kinds?: readonly ProblemKind[];
  /** Question texts to skip (e.g. the training questions when drawing held-out ones). */
  exclude?: Iterable<string>;
  /** Skip repeats of a question already drawn (default true). */
  unique?: boolean;
}

/**
 * Default seeds of the post-training questions: training and held-out sets come from
 * different seeds (method §11.1: "held-out documents come from the same generator, another
 * seed").
 */
export const POSTTRAIN_SEEDS: Readonly<{ train: number; heldOut: number }> = {
  train: 9001,
  heldOut: 9002,
};

const ARITHMETIC: ReadonlySet<ProblemKind> = new Set([
  "addition",
  "subtraction",
  "multiplication",
  "expression",
]);

// Distinct from the corpus generator's own seed mixing, so that question seed s and document
// seed s give unrelated streams.
function questionSeed(seed: number): number {
  return (Math.imul(seed | 0, 0x85ebca6b) ^ 0x27d4eb2f) | 0;
}

/** Turns a one-problem, no-solution corpus document into a question. */
function toQuestion(doc: MathDocument): Question {
  const kind = doc.kinds[0];
  if (doc.kinds.length !== 1 || doc.facts.length !== 1) {
    throw new Error(`generateQuestions: unexpected document shape: ${JSON.stringify(doc.text)}`);
  }
  const fact = doc.facts[0];
  const question = ARITHMETIC.has(kind)
    ? `What is ${exprToString(fact.expr)}?`
    : doc.text.slice(0, doc.text.indexOf("\n"));
  if (!question.endsWith("?") || question.includes("\n")) {
    throw new Error(`generateQuestions: cannot read a question from ${JSON.stringify(doc.text)}`);
  }
  return {
    question,
    answer: String(fact.value),
    difficulty: doc.difficulty,
    kind,
    expr: fact.expr,
  };
}

/**
 * Generates `count` questions with integer answers, deterministically from `seed`. Each is one
 * corpus problem (kind and difficulty grade drawn uniformly from `opts`), without its solution.
 * Questions in `opts.exclude` and, unless `opts.unique` is false, repeats are skipped; a
 * `RangeError` is thrown if `4 · count + 1024` problems drawn do not yield `count` questions
 * (the kinds and grades allowed have too few distinct questions), or on an invalid option.
 *
 * @param count Number of questions.
 * @param seed Seed: equal seeds give equal lists (a shorter list is a prefix of a longer one
 *   when nothing is excluded); use another seed for held-out questions.
 * @param opts See {@linkcode QuestionOptions}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateQuestions } from "./questions.ts";
 * const qs = generateQuestions(5, 1, { kinds: ["addition"], difficulties: [3] });
 * for (const { question, answer } of qs) {
 *   const [, a, b] = question.match(/^What is (\d+) \+ (\d+)\?$/)!;
 *   assert.equal(answer, String(Number(a) + Number(b)));
 * }
 * assert.deepEqual(generateQuestions(5, 1, { kinds: ["addition"], difficulties: [3] }), qs);
 * ```
 */
export function generateQuestions(
  count: number,
  seed: number,
  opts: QuestionOptions = {},
): Question[] {
  const { difficulties = [1, 2, 3, 4], kinds = PROBLEM_KINDS, unique = true } = opts;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`generateQuestions: count must be a non-negative integer, got ${count}`);
  }
  const skip = new Set(opts.exclude ?? []);
  const out: Question[] = [];
  const mixed = questionSeed(seed);
  const corpusOpts = { workedFraction: 0, minChars: 0, kinds, difficulties };
  // The corpus generator is prefix-stable (n documents are the first n of any longer run), so
  // drawing more documents when some are skipped keeps the result deterministic.
  let scanned = 0, total = count + 8 + Math.ceil(count / 4);
  const limit = 4 * count + 1024; // bounds time and memory when the options run dry
  while (out.length < count) {
    if (scanned >= limit) {
      throw new RangeError(
        `generateQuestions: only ${out.length} of ${count} distinct questions in ${scanned} ` +
          "draws; allow more kinds or difficulties, or exclude fewer",
      );
    }
    const docs = generateMathDocuments(Math.min(total, limit), mixed, corpusOpts);
    for (; scanned < docs.length && out.length < count; scanned++) {
      const q = toQuestion(docs[scanned]);
      if (skip.has(q.question)) continue;
      if (unique) skip.add(q.question);
      out.push(q);
    }
    total *= 2;
  }
  return out;
}

/**
 * Training and held-out question sets (paper §6.5: 256 train / 200 test), from different seeds;
 * no held-out question appears in the training set, and neither set repeats a question.
 *
 * @param trainCount Number of training questions.
 * @param heldOutCount Number of held-out questions.
 * @param opts Kinds and difficulties (as in {@linkcode generateQuestions}) and the two seeds
 *   (default {@linkcode POSTTRAIN_SEEDS}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { questionSplits } from "./questions.ts";
 * const { train, heldOut } = questionSplits(64, 32);
 * assert.equal(train.length, 64);
 * assert.equal(heldOut.length, 32);
 * const seen = new Set(train.map((q) => q.question));
 * assert.ok(heldOut.every((q) => !seen.has(q.question)));
 * ```
 */
export function questionSplits(
  trainCount: number,
  heldOutCount: number,
  opts: Omit<QuestionOptions, "exclude" | "unique"> & { trainSeed?: number; heldOutSeed?: number } =
    {},
): { train: Question[]; heldOut: Question[] } {
  const {
    trainSeed = POSTTRAIN_SEEDS.train,
    heldOutSeed = POSTTRAIN_SEEDS.heldOut,
    ...rest
  } = opts;
  if (trainSeed === heldOutSeed) {
    throw new RangeError(`questionSplits: the two seeds must differ, got ${trainSeed} twice`);
  }
  const train = generateQuestions(trainCount, trainSeed, rest);
  const heldOut = generateQuestions(heldOutCount, heldOutSeed, {
    ...rest,
    exclude: train.map((q) => q.question),
  });
  return { train, heldOut };
}
