/**
 * The column scratch-pads of the thinking demonstrations (`demonstrations.ts`): lines that
 * compute an expression digit by digit, optionally with one deliberate slip that changes one
 * digit of the result while keeping every carry and borrow (so the error stays local). Their
 * text is pinned by the shipped base checkpoint: change none of it.
 *
 * @module
 */
import {
  additionColumns,
  COLUMN_NAMES,
  evalExpr,
  type MathExpr,
  multiplicationColumns,
  subtractionColumns,
} from "./arith.ts";

const SYMBOL = { add: "+", sub: "-", mul: "*" } as const;

/** A deliberate mistake: change the digit at `index` (from the left) of the top-level result. */
export type Slip = { index: number } | undefined;

/**
 * The change of a digit for a slip: -1 or +1, never producing a leading zero, never crossing
 * 0..9 (so that the column's carry or borrow is unchanged).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digitDelta } from "./column_scratch.ts";
 * assert.equal(digitDelta(0, false), 1);
 * assert.equal(digitDelta(1, true), 1); // a leading 1 never becomes 0
 * assert.equal(digitDelta(1, false), -1);
 * assert.equal(digitDelta(9, false), -1);
 * ```
 */
export function digitDelta(digit: number, leading: boolean): number {
  return digit >= 2 || (digit === 1 && !leading) ? -1 : 1;
}

/**
 * Scratch-pad lines that compute `expr`, and the value they arrive at (wrong under a slip):
 * nested steps first; two-operand additions and subtractions with a multi-digit operand and
 * multiplications by one digit column by column with their carries and borrows; small steps in
 * one line.
 *
 * @example A slip in the tens digit
 * ```ts
 * import assert from "node:assert/strict";
 * import { columnScratch } from "./column_scratch.ts";
 * const right = columnScratch({ op: "add", args: [347, 85] }, undefined);
 * assert.equal(right.value, 432);
 * assert.equal(right.lines[2], "tens: 4 + 8 + 1 = 13, write 3, carry 1.");
 * assert.equal(columnScratch({ op: "add", args: [347, 85] }, { index: 1 }).value, 422);
 * ```
 */
export function columnScratch(expr: MathExpr, slip: Slip): { lines: string[]; value: number } {
  if (typeof expr === "number") return { lines: [], value: expr };
  const lines: string[] = [];
  const vals = expr.args.map((a) => {
    if (typeof a === "number") return a;
    const sub = columnScratch(a, undefined);
    lines.push(...sub.lines);
    return sub.value;
  });
  const correct = evalExpr({ op: expr.op, args: vals });
  const s = String(correct);
  const column = slip ? s.length - 1 - slip.index : -1;
  const leading = slip !== undefined && slip.index === 0 && s.length > 1;
  const [a, b] = vals;
  const name = (i: number) => COLUMN_NAMES[i];

  if (expr.op === "add" && vals.length === 2 && ((a >= 10 && b >= 10) || Math.max(a, b) >= 100)) {
    const n = Math.max(String(a).length, String(b).length);
    let delta = 0, at = column;
    if (slip && column < n) {
      delta = digitDelta(additionColumns(a, b)[column].sum % 10, leading); // keeps the carry
    } else if (slip) [at, delta] = [n - 1, 10]; // the leading carry digit: carry 1 -> 2
    const cols = additionColumns(a, b, slip ? { column: at, delta } : undefined);
    lines.push(`${a} + ${b} column by column:`);
    cols.forEach((c, i) => {
      const carry = c.sum >= 10 ? `, carry ${Math.floor(c.sum / 10)}` : "";
      const plus = c.carryIn ? ` + ${c.carryIn}` : "";
      lines.push(`${name(i)}: ${c.x} + ${c.y}${plus} = ${c.sum}, write ${c.sum % 10}${carry}.`);
    });
    const last = cols[cols.length - 1];
    let digits = cols.map((c) => c.sum % 10).reverse().join("");
    if (last.sum >= 10) {
      lines.push(`${name(n)}: write the carry ${Math.floor(last.sum / 10)}.`);
      digits = Math.floor(last.sum / 10) + digits;
    }
    lines.push(`So ${a} + ${b} = ${digits}.`);
    return { lines, value: Number(digits) };
  }

  if (expr.op === "sub" && vals.length === 2 && ((a >= 10 && b >= 10) || a >= 100)) {
    let slipArg: { column: number; delta: number } | undefined;
    if (slip) {
      slipArg = { column, delta: digitDelta(Number(s[slip.index]), leading) };
    }
    lines.push(`${a} - ${b} column by column:`);
    const cols = subtractionColumns(a, b, slipArg);
    cols.forEach((c, i) => {
      let line = `${name(i)}: `;
      if (!c.borrowIn && !c.borrowOut) line += `${c.x} - ${c.y} = ${c.result}.`;
      else if (!c.borrowIn) line += `${c.x} < ${c.y}, borrow: ${c.x + 10} - ${c.y} = ${c.result}.`;
      else if (!c.borrowOut) line += `${c.x} - ${c.y} - 1 = ${c.result}.`;
      else {line += `${c.x} - ${c.y} - 1 is negative, borrow: ${
          c.x + 10
        } - ${c.y} - 1 = ${c.result}.`;}
      lines.push(line);
    });
    const value = Number(cols.map((c) => c.result).reverse().join(""));
    lines.push(`So ${a} - ${b} = ${value}.`);
    return { lines, value };
  }

  if (expr.op === "mul" && vals.length === 2 && Math.min(a, b) < 10 && Math.max(a, b) >= 10) {
    const [x, d] = a >= 10 ? [a, b] : [b, a];
    const n = String(x).length;
    let slipArg: { column: number; delta: number } | undefined;
    if (slip && column < n) {
      const v = multiplicationColumns(x, d)[column].value;
      slipArg = { column, delta: digitDelta(v % 10, leading) };
    } else if (slip) {
      const carry = Math.floor(multiplicationColumns(x, d)[n - 1].value / 10);
      slipArg = { column: n - 1, delta: carry <= 7 ? 10 : -10 };
    }
    const cols = multiplicationColumns(x, d, slipArg);
    lines.push(`${x} * ${d} column by column:`);
    cols.forEach((c, i) => {
      const carry = c.value >= 10 ? `, carry ${Math.floor(c.value / 10)}` : "";
      const plus = c.carryIn ? ` + ${c.carryIn}` : "";
      lines.push(`${name(i)}: ${c.x} * ${d}${plus} = ${c.value}, write ${c.value % 10}${carry}.`);
    });
    const last = cols[cols.length - 1];
    let digits = cols.map((c) => c.value % 10).reverse().join("");
    if (last.value >= 10) {
      lines.push(`${name(n)}: write the carry ${Math.floor(last.value / 10)}.`);
      digits = Math.floor(last.value / 10) + digits;
    }
    lines.push(`So ${x} * ${d} = ${digits}.`);
    return { lines, value: Number(digits) };
  }

  // Atomic step: small operands, stated in one line.
  let value = correct;
  if (slip) {
    const delta = digitDelta(Number(s[slip.index]), leading);
    value = correct + delta * 10 ** (s.length - 1 - slip.index);
  }
  if (expr.op === "ones") lines.push(`The ones digit of ${a} is ${value}.`);
  else if (expr.op === "tens") lines.push(`The carry of ${a} is ${value}.`);
  else lines.push(`${vals.join(` ${SYMBOL[expr.op]} `)} = ${value}.`);
  return { lines, value };
}
