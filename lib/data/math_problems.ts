/**
 * The problem writers of the embedded math corpus (`corpus_math.ts`; templates in
 * `docs/corpus.md`): one function per {@linkcode ProblemKind}, each appending one problem, worked
 * or direct, to a {@linkcode DocBuilder}. The text they write is pinned by the shipped base
 * checkpoint (`checkpoints/base` was trained on it): change none of it.
 *
 * @module
 */
import { pick, randDigits, randInt, type Rng } from "../util/rng.ts";
import { COLUMN_NAMES, evalExpr, exprToString, type MathExpr } from "./arith.ts";
import { additionColumns, multiplicationColumns, subtractionColumns } from "./arith.ts";
import { DocBuilder, E } from "./math_doc.ts";

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

/** Names drawn for word problems, with their pronouns. */
export const NAMES: readonly [string, string][] = [
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
  if (!worked) return writeDirect(b, rng, `${x} + ${y}`, E.add(x, y));
  b.t(`Add ${x} and ${y}.\n`);
  const cols = additionColumns(x, y);
  cols.forEach((c, i) => {
    b.t(`${COLUMN_NAMES[i]}: ${c.x} + ${c.y}${c.carryIn ? ` + ${c.carryIn}` : ""} = `);
    b.n(c.carryIn ? E.add(c.x, c.y, c.carryIn) : E.add(c.x, c.y), false);
    b.t(", write ").n(E.ones(c.sum), true);
    if (c.sum >= 10) b.t(", carry ").n(E.tens(c.sum), true);
    b.t(".\n");
  });
  const last = cols[cols.length - 1];
  if (last.sum >= 10) {
    b.t(`${COLUMN_NAMES[cols.length]}: write the carry `).n(E.tens(last.sum), true).t(".\n");
  }
  b.t(`So ${x} + ${y} = `).n(E.add(x, y), true);
  b.t(".");
}

function writeSubtraction(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const [x, y] = ordered(rng, difficulty);
  if (!worked) return writeDirect(b, rng, `${x} - ${y}`, E.sub(x, y));
  b.t(`Subtract ${y} from ${x}.\n`);
  subtractionColumns(x, y).forEach((c, i) => {
    b.t(`${COLUMN_NAMES[i]}: `);
    if (!c.borrowIn && !c.borrowOut) b.t(`${c.x} - ${c.y} = `).n(E.sub(c.x, c.y), false);
    else if (!c.borrowIn) {
      b.t(`${c.x} < ${c.y}, borrow: `).n(E.add(c.x, 10), false);
      b.t(` - ${c.y} = `).n(E.sub(c.x + 10, c.y), false);
    } else if (!c.borrowOut) b.t(`${c.x} - ${c.y} - 1 = `).n(E.sub(c.x, c.y, 1), false);
    else {
      b.t(`${c.x} - ${c.y} - 1 is negative, borrow: `).n(E.add(c.x, 10), false);
      b.t(` - ${c.y} - 1 = `).n(E.sub(c.x + 10, c.y, 1), false);
    }
    b.t(".\n");
  });
  b.t(`So ${x} - ${y} = `).n(E.sub(x, y), true);
  b.t(".");
}

function writeMultiplication(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  const x = operand(rng, difficulty), m = randInt(rng, 2, 9);
  if (!worked) return writeDirect(b, rng, `${x} * ${m}`, E.mul(x, m));
  b.t(`Multiply ${x} by ${m}.\n`);
  const cols = multiplicationColumns(x, m);
  cols.forEach((c, i) => {
    b.t(`${COLUMN_NAMES[i]}: ${c.x} * ${m}${c.carryIn ? ` + ${c.carryIn}` : ""} = `);
    b.n(c.carryIn ? E.add(E.mul(c.x, m), c.carryIn) : E.mul(c.x, m), false);
    b.t(", write ").n(E.ones(c.value), true);
    if (c.value >= 10) b.t(", carry ").n(E.tens(c.value), true);
    b.t(".\n");
  });
  const last = cols[cols.length - 1];
  if (last.value >= 10) {
    b.t(`${COLUMN_NAMES[cols.length]}: write the carry `).n(E.tens(last.value), true).t(".\n");
  }
  b.t(`So ${x} * ${m} = `).n(E.mul(x, m), true);
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
      [inner, op, other, shown] = [E.add(p, q), "mul", c, `(${p} + ${q}) * ${c}`];
      break;
    }
    case 1: {
      const [p, q] = [size(), size()];
      [inner, op, other, shown] = [E.mul(p, c), "add", q, `${p} * ${c} + ${q}`];
      break;
    }
    case 2: {
      let [p, q] = [size(), size()];
      if (p < q) [p, q] = [q, p];
      [inner, op, other, shown] = [E.sub(p, q), "mul", c, `(${p} - ${q}) * ${c}`];
      break;
    }
    case 3: {
      const [p, q] = [size(), size()];
      const r = randInt(rng, 0, p + q);
      [inner, op, other, shown] = [E.add(p, q), "sub", r, `${p} + ${q} - ${r}`];
      break;
    }
    default: {
      const p = size();
      const r = randInt(rng, 0, p * c);
      [inner, op, other, shown] = [E.mul(p, c), "sub", r, `${p} * ${c} - ${r}`];
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
    if (worked) b.t(`${x} + ${y} = `).n(E.add(x, y), false).t(". ");
    b.t(`${name} has `).n(E.add(x, y), worked);
    b.t(" apples.");
  } else if (kind === 1) {
    const [x, y] = ordered(rng, difficulty);
    b.t(`${name} has ${x} apples and gives ${y} of them to ${other}. How many apples are left?\n`);
    if (worked) b.t(`${x} - ${y} = `).n(E.sub(x, y), false).t(". ");
    b.t(`${name} has `).n(E.sub(x, y), worked);
    b.t(" apples left.");
  } else {
    const boxes = randInt(rng, 2, 9), each = operand(rng, difficulty);
    b.t(`There are ${boxes} boxes with ${each} apples in each box. How many apples are there?\n`);
    if (worked) b.t(`${each} * ${boxes} = `).n(E.mul(each, boxes), false).t(". ");
    b.t("There are ").n(E.mul(each, boxes), worked);
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
    b.t(`${x} * ${v} = `).n(E.mul(x, v), false);
    b.t(`. ${y} * ${w} = `).n(E.mul(y, w), false);
    b.t(`. ${x * v} + ${y * w} = `).n(E.add(x * v, y * w), false);
    b.t(". ");
  }
  b.t(`${name} has `).n(E.add(E.mul(x, v), E.mul(y, w)), worked);
  b.t(" cents.");
}

function writeTrains(b: DocBuilder, rng: Rng, difficulty: number, worked: boolean): void {
  if (randInt(rng, 0, 1) === 0) {
    const speed = randDigits(rng, [randInt(rng, 1, 2), 2, randInt(rng, 2, 3), 3][difficulty - 1]);
    const hours = randInt(rng, 2, 9);
    b.t(`A train travels at ${speed} km per hour for ${hours} hours. How far does it travel?\n`);
    if (worked) b.t(`${speed} * ${hours} = `).n(E.mul(speed, hours), false).t(". ");
    b.t("The train travels ").n(E.mul(speed, hours), worked);
    b.t(" km.");
  } else {
    const [x, y] = ordered(rng, difficulty);
    const z = operand(rng, difficulty);
    b.t(`A train has ${x} passengers. At the station ${y} get off and ${z} get on. `);
    b.t("How many passengers are on the train now?\n");
    if (worked) {
      b.t(`${x} - ${y} = `).n(E.sub(x, y), false);
      b.t(`. ${x - y} + ${z} = `).n(E.add(x - y, z), false);
      b.t(". ");
    }
    b.t("There are ").n(E.add(E.sub(x, y), z), worked);
    b.t(" passengers.");
  }
}

export const WRITERS: Record<ProblemKind, ProblemWriter> = {
  addition: writeAddition,
  subtraction: writeSubtraction,
  multiplication: writeMultiplication,
  expression: writeExpression,
  apples: writeApples,
  coins: writeCoins,
  trains: writeTrains,
};

const NAME_PATTERN = new RegExp(`\\b(?:${NAMES.map(([n]) => n).join("|")})\\b`, "g");

/**
 * Records the drawn spans of a problem written by one of {@linkcode WRITERS}: every number and
 * the first mention of every name in its statement, i.e. the text before its first line break or
 * its first computed number, whichever comes first. Every template draws its numbers and names
 * there; everything after it is computed from them or restates them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DocBuilder, E } from "./math_doc.ts";
 * import { markStatement } from "./math_problems.ts";
 * const b = new DocBuilder().t("Tom has 47 apples. Tom buys 38 more.\n").n(E.add(47, 38), false);
 * markStatement(b);
 * assert.deepEqual(b.drawn.map(([s, e]) => b.text.slice(s, e)), ["Tom", "47", "38"]);
 * ```
 */
export function markStatement(b: DocBuilder): void {
  const line = b.text.indexOf("\n");
  const end = Math.min(line < 0 ? b.text.length : line, b.facts[0]?.start ?? b.text.length);
  const statement = b.text.slice(0, end);
  const seen = new Set<string>();
  const spans: [number, number][] = [];
  for (const m of statement.matchAll(NAME_PATTERN)) {
    if (seen.has(m[0])) continue;
    seen.add(m[0]);
    spans.push([m.index, m.index + m[0].length]);
  }
  for (const m of statement.matchAll(/\d+/g)) spans.push([m.index, m.index + m[0].length]);
  b.drawn.push(...spans.sort((x, y) => x[0] - y[0]));
}
