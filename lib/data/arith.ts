/**
 * Arithmetic expression trees shared by the math corpus and the demonstrations: evaluation,
 * rendering, and the column (digit-by-digit) procedures with their carries and borrows.
 *
 * @module
 */

/** An operation of a computed number (see `MathFact` in `corpus_math.ts`). */
export type MathOp = "add" | "sub" | "mul" | "ones" | "tens";

/**
 * An expression tree. `add`: sum of args; `sub`: `args[0]` minus the others; `mul`: product;
 * `ones`: `args[0] % 10` (the digit written in a column step); `tens`: `floor(args[0] / 10)`
 * (the carry of a column step).
 */
export type MathExpr = number | { op: MathOp; args: MathExpr[] };

/**
 * Evaluates an expression tree.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evalExpr } from "./arith.ts";
 * assert.equal(evalExpr({ op: "mul", args: [{ op: "add", args: [12, 35] }, 4] }), 188);
 * assert.equal(evalExpr({ op: "tens", args: [13] }), 1);
 * ```
 */
export function evalExpr(e: MathExpr): number {
  if (typeof e === "number") return e;
  const v = e.args.map(evalExpr);
  switch (e.op) {
    case "add":
      return v.reduce((a, b) => a + b, 0);
    case "sub":
      return v.slice(1).reduce((a, b) => a - b, v[0]);
    case "mul":
      return v.reduce((a, b) => a * b, 1);
    case "ones":
      return v[0] % 10;
    case "tens":
      return Math.floor(v[0] / 10);
  }
}

const PRECEDENCE: Record<MathOp, number> = { add: 1, sub: 1, mul: 2, ones: 3, tens: 3 };
const SYMBOL: Record<string, string> = { add: " + ", sub: " - ", mul: " * " };

/**
 * Renders an arithmetic expression with the minimal parentheses (`ones`/`tens` are rendered as
 * words: "the ones digit of 12", "the carry of 12").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exprToString } from "./arith.ts";
 * assert.equal(exprToString({ op: "mul", args: [{ op: "add", args: [12, 35] }, 4] }), "(12 + 35) * 4");
 * assert.equal(exprToString({ op: "sub", args: [9, { op: "sub", args: [5, 2] }] }), "9 - (5 - 2)");
 * ```
 */
export function exprToString(e: MathExpr): string {
  if (typeof e === "number") return String(e);
  if (e.op === "ones") return `the ones digit of ${exprToString(e.args[0])}`;
  if (e.op === "tens") return `the carry of ${exprToString(e.args[0])}`;
  const p = PRECEDENCE[e.op];
  return e.args.map((a, i) => {
    const s = exprToString(a);
    if (typeof a === "number") return s;
    const q = PRECEDENCE[a.op];
    const needParens = q < p || (q === p && i > 0 && e.op === "sub" && q < 3);
    return needParens ? `(${s})` : s;
  }).join(SYMBOL[e.op]);
}

/** Names of decimal columns, ones first. */
export const COLUMN_NAMES = [
  "ones",
  "tens",
  "hundreds",
  "thousands",
  "ten thousands",
  "hundred thousands",
  "millions",
] as const;

/** Digits of `n`, least significant first, padded with zeros to `length`. */
export function digitsLsb(n: number, length = 0): number[] {
  const out = String(n).split("").reverse().map(Number);
  while (out.length < length) out.push(0);
  return out;
}

/** One column of an addition: `x + y (+ carryIn) = sum`, write `sum % 10`, carry `sum / 10`. */
export interface AddColumn {
  x: number;
  y: number;
  carryIn: number;
  sum: number;
}

/**
 * The columns of `a + b` (ones first). `slip` optionally adds `delta` to the sum of column
 * `slip.column` (used to inject a mistake; later columns use the resulting carry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { additionColumns } from "./arith.ts";
 * assert.deepEqual(additionColumns(347, 85).map((c) => c.sum), [12, 13, 4]);
 * ```
 */
export function additionColumns(
  a: number,
  b: number,
  slip?: { column: number; delta: number },
): AddColumn[] {
  const n = Math.max(String(a).length, String(b).length);
  const xs = digitsLsb(a, n), ys = digitsLsb(b, n);
  const cols: AddColumn[] = [];
  let carry = 0;
  for (let i = 0; i < n; i++) {
    let sum = xs[i] + ys[i] + carry;
    if (slip && slip.column === i) sum += slip.delta;
    cols.push({ x: xs[i], y: ys[i], carryIn: carry, sum });
    carry = Math.floor(sum / 10);
  }
  return cols;
}

/** One column of a subtraction: `x - y - borrowIn`, borrowing 10 when negative. */
export interface SubColumn {
  x: number;
  y: number;
  borrowIn: number;
  borrowOut: number;
  result: number;
}

/**
 * The columns of `a - b` for `a >= b` (ones first). `slip.delta` is added to the digit of
 * column `slip.column` (the borrows are unchanged).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { subtractionColumns } from "./arith.ts";
 * assert.deepEqual(subtractionColumns(402, 85).map((c) => c.result), [7, 1, 3]);
 * ```
 */
export function subtractionColumns(
  a: number,
  b: number,
  slip?: { column: number; delta: number },
): SubColumn[] {
  const n = String(a).length;
  const xs = digitsLsb(a, n), ys = digitsLsb(b, n);
  const cols: SubColumn[] = [];
  let borrow = 0;
  for (let i = 0; i < n; i++) {
    const raw = xs[i] - ys[i] - borrow;
    const borrowOut = raw < 0 ? 1 : 0;
    let result = raw + 10 * borrowOut;
    if (slip && slip.column === i) result += slip.delta;
    cols.push({ x: xs[i], y: ys[i], borrowIn: borrow, borrowOut, result });
    borrow = borrowOut;
  }
  return cols;
}

/** One column of a multiplication by a single digit: `x * d (+ carryIn) = value`. */
export interface MulColumn {
  x: number;
  carryIn: number;
  value: number;
}

/**
 * The columns of `a * d` for a single digit `d` (ones first); the final carry, if any, is
 * written as the leading digits. `slip.delta` is added to the value of column `slip.column`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multiplicationColumns } from "./arith.ts";
 * assert.deepEqual(multiplicationColumns(347, 6).map((c) => c.value), [42, 28, 20]);
 * ```
 */
export function multiplicationColumns(
  a: number,
  d: number,
  slip?: { column: number; delta: number },
): MulColumn[] {
  const xs = digitsLsb(a);
  const cols: MulColumn[] = [];
  let carry = 0;
  for (let i = 0; i < xs.length; i++) {
    let value = xs[i] * d + carry;
    if (slip && slip.column === i) value += slip.delta;
    cols.push({ x: xs[i], carryIn: carry, value });
    carry = Math.floor(value / 10);
  }
  return cols;
}
