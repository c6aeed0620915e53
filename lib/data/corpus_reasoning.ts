/**
 * A corpus in which reasoning can earn the next token (issue 17, item 1): seeded math documents
 * whose computed numbers are stated without worked steps, so that a good share of positions are
 * *computable* (a deterministic function of the context, hard in one forward pass, easy with a
 * few correct steps: `position_kinds.ts` tags them) and the rest is mostly unpredictable drawn
 * operands or template text. Headroom comes from variety: operands of 2 to 5 digits, addition,
 * subtraction and multiplication by one digit, running totals and multi-step stories that carry
 * quantities from one sentence to the next (sometimes unstated, so a result needs two steps).
 *
 * Families ({@linkcode ReasoningKind}), templates in `docs/corpus.md`; `{…}` drawn, `⟦…⟧` computed:
 * - `arithmetic`: `{a} + {b} = ⟦s⟧.`, `What is {a} - {b}? Answer: ⟦d⟧.`, `The product of {a}
 *   and {m} is ⟦p⟧.` (three phrasings, three operations).
 * - `chain`: `Start with {a}. Add {b}: ⟦x⟧. Subtract {c}: ⟦y⟧. Multiply by {m}: ⟦z⟧.`: every
 *   result is computed from the one before it (a quantity carried from earlier).
 * - `sequence`: `Count up from {a} in steps of {b}: ⟦a+b⟧, ⟦a+2b⟧, ⟦a+3b⟧, ⟦a+4b⟧.` (or down,
 *   or `Double {a} four times: ⟦2a⟧, ⟦4a⟧, …`): one drawn number, several computed ones.
 * - `story`: `{N} has {a} apples. {P} buys {b} more. [Now {P} has ⟦x⟧ apples.] …` ending with
 *   `{N} has ⟦z⟧ apples.`; an unstated intermediate makes the next result a nested expression.
 *
 * Documents are the same {@linkcode MathDocument}s as `corpus_math.ts`'s (facts and drawn spans),
 * so the scratch-pads (`scratchpad.ts`) and the position tags work on both.
 *
 * @module
 */
import { mulberry32, pick, randDigits, randInt, type Rng } from "../util/rng.ts";
import { evalExpr, type MathExpr } from "./arith.ts";
import { DocBuilder, E, type MathDocument } from "./math_doc.ts";
import { NAMES } from "./math_problems.ts";

/** The families of the reasoning corpus. */
export type ReasoningKind = "arithmetic" | "chain" | "sequence" | "story";

/** All families, in a fixed order. */
export const REASONING_KINDS: readonly ReasoningKind[] = [
  "arithmetic",
  "chain",
  "sequence",
  "story",
];

/** Options of {@linkcode generateReasoningDocuments}. */
export interface ReasoningCorpusOptions {
  /** Families to draw problems from, uniformly (default: all of {@linkcode REASONING_KINDS}). */
  kinds?: readonly ReasoningKind[];
  /**
   * Operand lengths in digits, one drawn per document (its `difficulty`); an operand has that
   * many digits or one fewer (at least 1). Default `[2, 3, 4, 5]`.
   */
  digits?: readonly number[];
  /** Probability that a story states an intermediate quantity (default 0.5). */
  statedFraction?: number;
  /** Problems are appended until the document has at least this many characters (default 80). */
  minChars?: number;
  /** A problem is not appended if the document would exceed this length (default 200). */
  maxChars?: number;
}

type Step = { op: "add" | "sub" | "mul"; x: number };
type Writer = (b: DocBuilder, rng: Rng, digits: number, stated: number) => void;

function operand(rng: Rng, digits: number): number {
  return randDigits(rng, Math.max(1, randInt(rng, digits - 1, digits)));
}

/** A step applied to `value`: subtraction only of at most `value`, one multiplication at most. */
function drawStep(rng: Rng, value: number, digits: number, allowMul: boolean): Step {
  const r = randInt(rng, 0, allowMul ? 4 : 3);
  if (r === 4) return { op: "mul", x: randInt(rng, 2, 9) };
  if (r >= 2 && value >= 10) return { op: "sub", x: randInt(rng, 1, value) };
  return { op: "add", x: operand(rng, digits) };
}

const apply = (e: MathExpr, s: Step): MathExpr => E[s.op](e, s.x);

function writeArithmetic(b: DocBuilder, rng: Rng, digits: number): void {
  const op = pick(rng, ["add", "sub", "mul"] as const);
  let a = operand(rng, digits), x = op === "mul" ? randInt(rng, 2, 9) : operand(rng, digits);
  if (op === "sub" && a < x) [a, x] = [x, a];
  const sym = { add: "+", sub: "-", mul: "*" }[op];
  const word = { add: "sum", sub: "difference", mul: "product" }[op];
  switch (randInt(rng, 0, 2)) {
    case 0:
      b.g(a).t(` ${sym} `).g(x).t(" = ");
      break;
    case 1:
      b.t("What is ").g(a).t(` ${sym} `).g(x).t("? Answer: ");
      break;
    default:
      b.t(`The ${word} of `).g(a).t(" and ").g(x).t(" is ");
  }
  b.n(E[op](a, x), false).t(".");
}

function writeChain(b: DocBuilder, rng: Rng, digits: number): void {
  let value = operand(rng, digits);
  b.t("Start with ").g(value).t(".");
  let mul = true;
  for (let i = randInt(rng, 2, 3); i > 0; i--) {
    const s = drawStep(rng, value, digits, mul);
    mul &&= s.op !== "mul";
    b.t(` ${{ add: "Add", sub: "Subtract", mul: "Multiply by" }[s.op]} `).g(s.x).t(": ");
    b.n(apply(value, s), false).t(".");
    value = evalExpr(apply(value, s));
  }
}

function writeSequence(b: DocBuilder, rng: Rng, digits: number): void {
  const terms = randInt(rng, 3, 5);
  const kind = randInt(rng, 0, 2);
  let value: number, step: number, op: "add" | "sub" | "mul";
  if (kind === 2) {
    [value, step, op] = [operand(rng, Math.max(1, digits - 1)), 2, "mul"];
    b.t("Double ").g(value).t(` ${["", "", "", "three", "four", "five"][terms]} times: `);
  } else {
    step = operand(rng, Math.max(1, digits - 1));
    if (kind === 0) {
      [value, op] = [operand(rng, digits), "add"];
      b.t("Count up from ").g(value);
    } else {
      [value, op] = [terms * step + operand(rng, digits), "sub"];
      b.t("Count down from ").g(value);
    }
    b.t(" in steps of ").g(step).t(": ");
  }
  for (let i = 0; i < terms; i++) {
    const e = E[op](value, step);
    b.t(i === 0 ? "" : ", ").n(e, false);
    value = evalExpr(e);
  }
  b.t(".");
}

const THINGS = ["apples", "coins", "stamps", "books", "shells", "cards"] as const;

function writeStory(b: DocBuilder, rng: Rng, digits: number, stated: number): void {
  const [name, he] = pick(rng, NAMES);
  const other = pick(rng, NAMES.filter(([n]) => n !== name))[0];
  const thing = pick(rng, THINGS);
  const start = operand(rng, digits);
  b.g(name).t(" has ").g(start).t(` ${thing}.`);
  // `expr` is what the next result is computed from: the last stated quantity, or the nested
  // expression of the steps since (at most two operations deep, so scratch-pads stay short).
  let expr: MathExpr = start, value = start, depth = 0, mul = true;
  for (let i = randInt(rng, 2, 3); i > 0; i--) {
    const s = drawStep(rng, value, digits, mul);
    mul &&= s.op !== "mul";
    if (s.op === "add") b.t(` ${he} ${pick(rng, ["buys", "finds", "gets"])} `).g(s.x).t(" more.");
    else if (s.op === "sub") b.t(` ${he} gives `).g(s.x).t(" to ").g(other).t(".");
    else b.t(` Then ${he.toLowerCase()} has `).g(s.x).t(" times as many.");
    expr = apply(expr, s);
    value = evalExpr(expr);
    depth++;
    if (i > 1 && (depth === 2 || rng() < stated)) {
      b.t(` Now ${he.toLowerCase()} has `).n(expr, false).t(` ${thing}.`);
      [expr, depth] = [value, 0];
    }
  }
  b.t(` How many ${thing} does ${name} have? ${name} has `).n(expr, false).t(` ${thing}.`);
}

const WRITERS: Record<ReasoningKind, Writer> = {
  arithmetic: writeArithmetic,
  chain: writeChain,
  sequence: writeSequence,
  story: writeStory,
};

/**
 * Generates `count` documents of the reasoning corpus, deterministically from `seed`. Each has
 * one operand length (its `difficulty`) and one or more problems separated by a newline.
 *
 * @throws {RangeError} On an invalid option.
 *
 * @example Every computed number is stated directly and is right
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalExpr } from "./arith.ts";
 * import { generateReasoningDocuments } from "./corpus_reasoning.ts";
 * const docs = generateReasoningDocuments(50, 1);
 * for (const d of docs) {
 *   for (const f of d.facts) {
 *     assert.equal(d.text.slice(f.start, f.end), String(evalExpr(f.expr)));
 *     assert.equal(f.worked, false);
 *   }
 * }
 * assert.deepEqual(generateReasoningDocuments(5, 1), docs.slice(0, 5));
 * ```
 */
export function generateReasoningDocuments(
  count: number,
  seed: number,
  opts: ReasoningCorpusOptions = {},
): MathDocument<ReasoningKind>[] {
  const {
    kinds = REASONING_KINDS,
    digits = [2, 3, 4, 5],
    statedFraction = 0.5,
    minChars = 80,
    maxChars = 200,
  } = opts;
  const fail = (what: string, got: unknown) => {
    throw new RangeError(`generateReasoningDocuments: ${what}, got ${got}`);
  };
  if (!Number.isInteger(count) || count < 0) fail("count must be a non-negative integer", count);
  if (kinds.length === 0 || kinds.some((k) => !REASONING_KINDS.includes(k))) {
    fail(`kinds must be a non-empty subset of ${REASONING_KINDS.join(", ")}`, kinds);
  }
  if (digits.length === 0 || digits.some((d) => !Number.isInteger(d) || d < 1 || d > 6)) {
    fail("digits must be integers in 1..6", digits);
  }
  if (!(statedFraction >= 0 && statedFraction <= 1)) {
    fail("statedFraction must be in [0, 1]", statedFraction);
  }
  if (!(minChars >= 0 && maxChars >= minChars)) {
    fail("need 0 <= minChars <= maxChars", `${minChars}, ${maxChars}`);
  }
  // Mixed like corpus_math's seed, with another constant: the two corpora never share a stream.
  const rng = mulberry32((Math.imul(seed | 0, 0x9e3779b1) ^ 0x2c1b3c6d) >>> 0);
  const docs: MathDocument<ReasoningKind>[] = [];
  for (let i = 0; i < count; i++) {
    const difficulty = pick(rng, digits);
    const doc = new DocBuilder();
    const docKinds: ReasoningKind[] = [];
    while (docKinds.length === 0 || doc.text.length < minChars) {
      const kind = pick(rng, kinds);
      const problem = new DocBuilder();
      WRITERS[kind](problem, rng, difficulty, statedFraction);
      if (docKinds.length > 0 && doc.text.length + 1 + problem.text.length > maxChars) break;
      doc.append(problem, "\n");
      docKinds.push(kind);
    }
    docs.push({ text: doc.text, facts: doc.facts, difficulty, kinds: docKinds, drawn: doc.drawn });
  }
  return docs;
}
