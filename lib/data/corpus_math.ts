/**
 * The embedded default corpus (method §11.1): a seeded generator of short math documents,
 * problems with solutions of graded difficulty. Their tokens range from trivially predictable
 * (template words such as `" apples"`, `"write"`) to genuinely hard (the digits of a result that
 * must be computed, hardest when the result is stated without worked steps).
 *
 * Every computed number in a document is recorded as a {@linkcode MathFact}: its character
 * span, its value and the expression that produces it, which is enough to explain any of its
 * digits (the demonstrations in `demonstrations.ts` use it to write scratch-pads). Numbers that
 * are given (the operands of a problem) are random and not recorded.
 *
 * The grammar (templates, difficulty grades) is documented in `docs/corpus.md`. Training and
 * held-out documents come from the same generator with different seeds.
 *
 * @module
 */
import { mulberry32, pick, randDigits, randInt, type Rng } from "../util/rng.ts";
import { COLUMN_NAMES, evalExpr, exprToString, type MathExpr, type MathOp } from "./arith.ts";
import { additionColumns, multiplicationColumns, subtractionColumns } from "./arith.ts";

export { mulberry32, type Rng } from "../util/rng.ts";
export { evalExpr, type MathExpr, type MathOp } from "./arith.ts";

/**
 * A computed number in a document's text.
 *
 * `text.slice(start, end) === String(value)` and `value === evalExpr(expr)`.
 */
export interface MathFact {
  /** Index of the number's first character in the document text. */
  start: number;
  /** Index one past its last character. */
  end: number;
  /** The number's value (a non-negative integer). */
  value: number;
  /** The top-level operation: `add`, `sub`, `mul`, `ones` (written digit), `tens` (carry). */
  op: MathOp;
  /** The values of the operation's arguments (for `sub`: first minus the rest). */
  operands: number[];
  /** The full expression tree (nested for multi-step problems, e.g. `(12 + 35) * 4`). */
  expr: MathExpr;
  /**
   * True when the text shows the steps that produce it just before it (the final line of a
   * worked solution, a digit or carry read off the column sum just written); false when it
   * must be computed from its operands (a column sum, a result stated directly).
   */
  worked: boolean;
}

/** The kinds of problems the generator writes. */
export type ProblemKind =
  | "addition"
  | "subtraction"
  | "multiplication"
  | "expression"
  | "apples"
  | "coins"
  | "trains";

/** All problem kinds, in a fixed order. */
export const PROBLEM_KINDS: readonly ProblemKind[] = [
  "addition",
  "subtraction",
  "multiplication",
  "expression",
  "apples",
  "coins",
  "trains",
];

/** A generated document. */
export interface MathDocument {
  /** The document text (one or more problems separated by newlines). */
  text: string;
  /** Every computed number in `text`, in order of position (spans never overlap). */
  facts: MathFact[];
  /** Difficulty grade 1..4 (operand sizes; see `docs/corpus.md`). */
  difficulty: number;
  /** Kind of each problem in the document, in order. */
  kinds: ProblemKind[];
}

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

/** Accumulates text and the facts of the computed numbers written into it. */
class DocBuilder {
  text = "";
  facts: MathFact[] = [];

  /** Appends literal text. */
  t(s: string | number): this {
    this.text += String(s);
    return this;
  }

  /** Appends a computed number and records it as a fact. */
  n(expr: MathExpr, worked: boolean): this {
    if (typeof expr === "number") throw new Error("DocBuilder.n: a fact needs an operation");
    const value = evalExpr(expr);
    const start = this.text.length;
    this.text += String(value);
    this.facts.push({
      start,
      end: this.text.length,
      value,
      op: expr.op,
      operands: expr.args.map(evalExpr),
      expr,
      worked,
    });
    return this;
  }

  /** Appends another builder's text and facts after `sep`. */
  append(other: DocBuilder, sep: string): void {
    if (this.text.length > 0) this.text += sep;
    const offset = this.text.length;
    this.text += other.text;
    for (const f of other.facts) {
      this.facts.push({ ...f, start: f.start + offset, end: f.end + offset });
    }
  }
}

const add = (...args: MathExpr[]): MathExpr => ({ op: "add", args });
const sub = (...args: MathExpr[]): MathExpr => ({ op: "sub", args });
const mul = (...args: MathExpr[]): MathExpr => ({ op: "mul", args });
const ones = (x: number): MathExpr => ({ op: "ones", args: [x] });
const tens = (x: number): MathExpr => ({ op: "tens", args: [x] });

const NAMES: readonly [string, string][] = [
  ["Tom", "He"],
  ["Ana", "She"],
  ["Ben", "He"],
  ["Mia", "She"],
  ["Sam", "He"],
  ["Lea", "She"],
  ["Max", "He"],
  ["Zoe", "She"],
];

/** Number of digits of an operand at a difficulty grade. */
function operandDigits(rng: Rng, difficulty: number): number {
  const [lo, hi] = [[1, 2], [2, 3], [3, 4], [4, 5]][difficulty - 1];
  return randInt(rng, lo, hi);
}

function operand(rng: Rng, difficulty: number): number {
  return randDigits(rng, operandDigits(rng, difficulty));
}

function ordered(rng: Rng, difficulty: number): [number, number] {
  const a = operand(rng, difficulty), b = operand(rng, difficulty);
  return a >= b ? [a, b] : [b, a];
}

type ProblemWriter = (b: DocBuilder, rng: Rng, difficulty: number, worked: boolean) => void;

function writeAddition(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const x = operand(rng, difficulty), y = operand(rng, difficulty);
  if (!worked) return writeDirect(b, rng, `${x} + ${y}`, add(x, y));
  b.t(`Add ${x} and ${y}.\n`);
  const cols = additionColumns(x, y);
  cols.forEach((c, i) => {
    b.t(`${COLUMN_NAMES[i]}: ${c.x} + ${c.y}${c.carryIn ? ` + ${c.carryIn}` : ""} = `);
    b.n(c.carryIn ? add(c.x, c.y, c.carryIn) : add(c.x, c.y), false);
    b.t(", write ").n(ones(c.sum), true);
    if (c.sum >= 10) b.t(", carry ").n(tens(c.sum), true);
    b.t(".\n");
  });
  const last = cols[cols.length - 1];
  if (last.sum >= 10) {
    b.t(`${COLUMN_NAMES[cols.length]}: write the carry `).n(tens(last.sum), true).t(".\n");
  }
  b.t(`So ${x} + ${y} = `).n(add(x, y), true);
  b.t(".");
}

function writeSubtraction(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const [x, y] = ordered(rng, difficulty);
  if (!worked) return writeDirect(b, rng, `${x} - ${y}`, sub(x, y));
  b.t(`Subtract ${y} from ${x}.\n`);
  subtractionColumns(x, y).forEach((c, i) => {
    b.t(`${COLUMN_NAMES[i]}: `);
    if (!c.borrowIn && !c.borrowOut) b.t(`${c.x} - ${c.y} = `).n(sub(c.x, c.y), false);
    else if (!c.borrowIn) {
      b.t(`${c.x} < ${c.y}, borrow: `).n(add(c.x, 10), false);
      b.t(` - ${c.y} = `).n(sub(c.x + 10, c.y), false);
    } else if (!c.borrowOut) b.t(`${c.x} - ${c.y} - 1 = `).n(sub(c.x, c.y, 1), false);
    else {
      b.t(`${c.x} - ${c.y} - 1 is negative, borrow: `).n(add(c.x, 10), false);
      b.t(` - ${c.y} - 1 = `).n(sub(c.x + 10, c.y, 1), false);
    }
    b.t(".\n");
  });
  b.t(`So ${x} - ${y} = `).n(sub(x, y), true);
  b.t(".");
}

function writeMultiplication(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const x = operand(rng, difficulty), m = randInt(rng, 2, 9);
  if (!worked) return writeDirect(b, rng, `${x} * ${m}`, mul(x, m));
  b.t(`Multiply ${x} by ${m}.\n`);
  const cols = multiplicationColumns(x, m);
  cols.forEach((c, i) => {
    b.t(`${COLUMN_NAMES[i]}: ${c.x} * ${m}${c.carryIn ? ` + ${c.carryIn}` : ""} = `);
    b.n(c.carryIn ? add(mul(c.x, m), c.carryIn) : mul(c.x, m), false);
    b.t(", write ").n(ones(c.value), true);
    if (c.value >= 10) b.t(", carry ").n(tens(c.value), true);
    b.t(".\n");
  });
  const last = cols[cols.length - 1];
  if (last.value >= 10) {
    b.t(`${COLUMN_NAMES[cols.length]}: write the carry `).n(tens(last.value), true).t(".\n");
  }
  b.t(`So ${x} * ${m} = `).n(mul(x, m), true);
  b.t(".");
}

/** A result stated without steps: one of three fixed templates. */
function writeDirect(b: DocBuilder, rng: Rng, shown: string, expr: MathExpr): void {
  switch (randInt(rng, 0, 2)) {
    case 0:
      b.t(`What is ${shown}?\nAnswer: `).n(expr, false);
      break;
    case 1:
      b.t(`${shown} = `).n(expr, false);
      break;
    default:
      b.t(`Compute ${shown}. The result is `).n(expr, false);
  }
  b.t(".");
}

function writeExpression(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const size = () => randDigits(rng, [1, 2, randInt(rng, 2, 3), 3][difficulty - 1]);
  const c = randInt(rng, 2, 9);
  // inner: the first step; [op, other]: the second step applied to the inner value.
  let inner: MathExpr, op: "add" | "sub" | "mul", other: number, shown: string;
  switch (randInt(rng, 0, 4)) {
    case 0: {
      const [p, q] = [size(), size()];
      [inner, op, other, shown] = [add(p, q), "mul", c, `(${p} + ${q}) * ${c}`];
      break;
    }
    case 1: {
      const [p, q] = [size(), size()];
      [inner, op, other, shown] = [mul(p, c), "add", q, `${p} * ${c} + ${q}`];
      break;
    }
    case 2: {
      let [p, q] = [size(), size()];
      if (p < q) [p, q] = [q, p];
      [inner, op, other, shown] = [sub(p, q), "mul", c, `(${p} - ${q}) * ${c}`];
      break;
    }
    case 3: {
      const [p, q] = [size(), size()];
      const r = randInt(rng, 0, p + q);
      [inner, op, other, shown] = [add(p, q), "sub", r, `${p} + ${q} - ${r}`];
      break;
    }
    default: {
      const p = size();
      const r = randInt(rng, 0, p * c);
      [inner, op, other, shown] = [mul(p, c), "sub", r, `${p} * ${c} - ${r}`];
    }
  }
  const full: MathExpr = { op, args: [inner, other] };
  if (!worked) return writeDirect(b, rng, shown, full);
  const innerValue = evalExpr(inner);
  const symbol = { add: "+", sub: "-", mul: "*" }[op];
  b.t(`Compute ${shown}.\nFirst ${exprToString(inner)} = `).n(inner, false);
  b.t(`.\nThen ${innerValue} ${symbol} ${other} = `).n({ op, args: [innerValue, other] }, false);
  b.t(`.\nSo ${shown} = `).n(full, true);
  b.t(".");
}

function writeApples(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const [name, he] = pick(rng, NAMES);
  const other = pick(rng, NAMES.filter(([n]) => n !== name))[0];
  const kind = randInt(rng, 0, 2);
  if (kind === 0) {
    const x = operand(rng, difficulty), y = operand(rng, difficulty);
    b.t(`${name} has ${x} apples. ${he} buys ${y} more. How many apples does ${name} have now?\n`);
    if (worked) b.t(`${x} + ${y} = `).n(add(x, y), false).t(". ");
    b.t(`${name} has `).n(add(x, y), worked);
    b.t(" apples.");
  } else if (kind === 1) {
    const [x, y] = ordered(rng, difficulty);
    b.t(`${name} has ${x} apples and gives ${y} of them to ${other}. How many apples are left?\n`);
    if (worked) b.t(`${x} - ${y} = `).n(sub(x, y), false).t(". ");
    b.t(`${name} has `).n(sub(x, y), worked);
    b.t(" apples left.");
  } else {
    const boxes = randInt(rng, 2, 9), each = operand(rng, difficulty);
    b.t(`There are ${boxes} boxes with ${each} apples in each box. How many apples are there?\n`);
    if (worked) b.t(`${each} * ${boxes} = `).n(mul(each, boxes), false).t(". ");
    b.t("There are ").n(mul(each, boxes), worked);
    b.t(" apples.");
  }
}

function writeCoins(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const [name] = pick(rng, NAMES);
  const values = [[1, 2, 5], [1, 2, 5, 10], [5, 10, 20, 25], [10, 20, 25, 50]][difficulty - 1];
  const v = pick(rng, values), w = pick(rng, values.filter((u) => u !== v));
  const x = randInt(rng, 2, 9), y = randInt(rng, 2, 9);
  b.t(`${name} has ${x} coins of ${v} cents and ${y} coins of ${w} cents. `);
  b.t(`How many cents does ${name} have?\n`);
  if (worked) {
    b.t(`${x} * ${v} = `).n(mul(x, v), false);
    b.t(`. ${y} * ${w} = `).n(mul(y, w), false);
    b.t(`. ${x * v} + ${y * w} = `).n(add(x * v, y * w), false);
    b.t(". ");
  }
  b.t(`${name} has `).n(add(mul(x, v), mul(y, w)), worked);
  b.t(" cents.");
}

function writeTrains(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  if (randInt(rng, 0, 1) === 0) {
    const speed = randDigits(rng, [randInt(rng, 1, 2), 2, randInt(rng, 2, 3), 3][difficulty - 1]);
    const hours = randInt(rng, 2, 9);
    b.t(`A train travels at ${speed} km per hour for ${hours} hours. How far does it travel?\n`);
    if (worked) b.t(`${speed} * ${hours} = `).n(mul(speed, hours), false).t(". ");
    b.t("The train travels ").n(mul(speed, hours), worked);
    b.t(" km.");
  } else {
    const [x, y] = ordered(rng, difficulty);
    const z = operand(rng, difficulty);
    b.t(`A train has ${x} passengers. At the station ${y} get off and ${z} get on. `);
    b.t("How many passengers are on the train now?\n");
    if (worked) {
      b.t(`${x} - ${y} = `).n(sub(x, y), false);
      b.t(`. ${x - y} + ${z} = `).n(add(x - y, z), false);
      b.t(". ");
    }
    b.t("There are ").n(add(sub(x, y), z), worked);
    b.t(" passengers.");
  }
}

const WRITERS: Record<ProblemKind, ProblemWriter> = {
  addition: writeAddition,
  subtraction: writeSubtraction,
  multiplication: writeMultiplication,
  expression: writeExpression,
  apples: writeApples,
  coins: writeCoins,
  trains: writeTrains,
};

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
      if (docKinds.length > 0 && doc.text.length + 1 + problem.text.length > maxChars) break;
      doc.append(problem, "\n");
      docKinds.push(kind);
    }
    docs.push({ text: doc.text, facts: doc.facts, difficulty, kinds: docKinds });
  }
  return docs;
}

/**
 * The computed number whose span contains character offset `pos`, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { factAt, generateMathDocuments } from "./corpus_math.ts";
 * const doc = generateMathDocuments(1, 3)[0];
 * const f = doc.facts[0];
 * assert.equal(factAt(doc, f.start), f);
 * assert.equal(factAt(doc, f.end - 1), f);
 * ```
 */
export function factAt(doc: MathDocument, pos: number): MathFact | undefined {
  let lo = 0, hi = doc.facts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = doc.facts[mid];
    if (pos < f.start) hi = mid - 1;
    else if (pos >= f.end) lo = mid + 1;
    else return f;
  }
  return undefined;
}
