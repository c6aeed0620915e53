/**
 * Scratch-pads that teach a procedure a small model can execute (issue 17, item 2): reasoning
 * that really derives the next token of a document cut at a digit of a computed number, step by
 * step and digit by digit, with explicit carries and borrows, then reads off the needed digit.
 * Each comes in two forms over the same derivation:
 *
 * - **concise**: one line per column (`tens: 4 + 8 + 1 = 13, write 3, carry 1`), one line per
 *   result, one line that reads the next digit off the result;
 * - **verbose** (over-thinking): restates the problem, explains every column in words, computes
 *   everything a second time in the concise form, checks sums and differences with the inverse
 *   operation and restates the digits already written: at least 3× the concise form in tokens,
 *   so that a shrinking budget has something to remove without costing accuracy.
 *
 * The text goes between `<think>` and `</think>`; the answer goes in `\boxed{}` (the
 * next-token-reasoning format of `lib/rmt/prompt.ts`, method §11.1). Every statement of either
 * form is arithmetically true (tested), unless a deliberate slip is asked for: then one column
 * of the final step is off by one, consistently, and the answer is wrong (a cap on what
 * imitation alone reaches, leaving headroom for RL).
 *
 * @module
 */
import { pick, randInt, type Rng } from "../util/rng.ts";
import {
  additionColumns,
  COLUMN_NAMES,
  evalExpr,
  exprToString,
  type MathExpr,
  multiplicationColumns,
  subtractionColumns,
} from "./arith.ts";
import { digitDelta } from "./column_scratch.ts";
import { factAt, type MathDocument } from "./math_doc.ts";

/** The two forms of a scratch-pad. */
export type ScratchpadStyle = "concise" | "verbose";

/** One two-operand step of a derivation: `a op b = value`, with its column lines. */
interface Step {
  a: number;
  b: number;
  op: "add" | "sub" | "mul";
  value: number;
  concise: string[];
  verbose: string[];
}

const SYMBOL = { add: "+", sub: "-", mul: "*" } as const;
const col = (i: number) => COLUMN_NAMES[i];

/** A column slip that changes digit `k` (from the left) of `value` and keeps every carry. */
type Slip = { column: number; delta: number } | undefined;

/** The digits of a column result: the written digits, then a final carry if any. */
const readOff = (written: number[], carry: number) =>
  Number(`${carry || ""}${[...written].reverse().join("")}`);

function addStep(a: number, b: number, k?: number): Step {
  const concise: string[] = [], verbose: string[] = [];
  let slip: Slip;
  if (k !== undefined) {
    const s = String(a + b), column = s.length - 1 - k, plain = additionColumns(a, b);
    slip = column < plain.length
      ? { column, delta: digitDelta(plain[column].sum % 10, k === 0 && s.length > 1) }
      : { column: plain.length - 1, delta: 10 }; // the leading carry: 1 becomes 2
  }
  const cols = additionColumns(a, b, slip);
  cols.forEach((c, i) => {
    const plus = c.carryIn ? ` + ${c.carryIn}` : "";
    const carry = c.sum >= 10 ? `, carry ${Math.floor(c.sum / 10)}` : "";
    concise.push(`${col(i)}: ${c.x} + ${c.y}${plus} = ${c.sum}, write ${c.sum % 10}${carry}`);
    const and = c.carryIn ? ` and the carry ${c.carryIn}` : "";
    verbose.push(
      `In the ${col(i)} column I add ${c.x} and ${c.y}${and}: ${c.x} + ${c.y}${plus} = ${c.sum}.` +
        (c.sum >= 10
          ? ` That is 10 or more, so I write ${c.sum % 10} and carry ${Math.floor(c.sum / 10)}.`
          : ` That is less than 10, so I write ${c.sum} and carry nothing.`),
    );
  });
  const last = cols[cols.length - 1];
  if (last.sum >= 10) {
    const carry = Math.floor(last.sum / 10);
    concise.push(`${col(cols.length)}: write the carry ${carry}`);
    verbose.push(`In the ${col(cols.length)} column there is only the carry, so I write ${carry}.`);
  }
  const value = readOff(cols.map((c) => c.sum % 10), Math.floor(last.sum / 10));
  return { a, b, op: "add", value, concise, verbose };
}

function subStep(a: number, b: number, k?: number): Step {
  const concise: string[] = [], verbose: string[] = [];
  let slip: Slip;
  if (k !== undefined) {
    const s = String(a - b);
    slip = { column: s.length - 1 - k, delta: digitDelta(Number(s[k]), k === 0 && s.length > 1) };
  }
  const cols = subtractionColumns(a, b, slip);
  cols.forEach((c, i) => {
    const less = c.borrowIn ? ` - ${c.borrowIn}` : "";
    const what = c.borrowIn ? `${c.y} and the borrowed 1` : `${c.y}`;
    if (c.borrowOut) {
      concise.push(
        `${col(i)}: ${c.x} - ${c.y}${less} needs a borrow, ` +
          `${c.x + 10} - ${c.y}${less} = ${c.result}`,
      );
      verbose.push(
        `In the ${col(i)} column I take ${what} from ${c.x}. ${c.x} is too small, so I borrow 10 ` +
          `from the next column: ${c.x + 10} - ${c.y}${less} = ${c.result}. I write ${c.result}.`,
      );
    } else {
      concise.push(`${col(i)}: ${c.x} - ${c.y}${less} = ${c.result}`);
      verbose.push(
        `In the ${col(i)} column I take ${what} from ${c.x}: ${c.x} - ${c.y}${less} = ` +
          `${c.result}. No borrow is needed, so I write ${c.result}.`,
      );
    }
  });
  return { a, b, op: "sub", value: readOff(cols.map((c) => c.result), 0), concise, verbose };
}

function mulStep(a: number, d: number, k?: number): Step {
  const concise: string[] = [], verbose: string[] = [];
  let slip: Slip;
  if (k !== undefined) {
    const s = String(a * d), column = s.length - 1 - k, plain = multiplicationColumns(a, d);
    const top = Math.floor(plain[plain.length - 1].value / 10);
    slip = column < plain.length
      ? { column, delta: digitDelta(plain[column].value % 10, k === 0 && s.length > 1) }
      : { column: plain.length - 1, delta: top <= 7 ? 10 : -10 }; // the leading carry
  }
  const cols = multiplicationColumns(a, d, slip);
  cols.forEach((c, i) => {
    const plus = c.carryIn ? ` + ${c.carryIn}` : "";
    const carry = c.value >= 10 ? `, carry ${Math.floor(c.value / 10)}` : "";
    concise.push(`${col(i)}: ${c.x} * ${d}${plus} = ${c.value}, write ${c.value % 10}${carry}`);
    const and = c.carryIn ? ` and add the carry ${c.carryIn}` : "";
    verbose.push(
      `In the ${col(i)} column I multiply ${c.x} by ${d}${and}: ${c.x} * ${d}${plus} = ` +
        `${c.value}. I write ${c.value % 10} and carry ` +
        `${c.value >= 10 ? Math.floor(c.value / 10) : "nothing"}.`,
    );
  });
  const last = cols[cols.length - 1];
  if (last.value >= 10) {
    const carry = Math.floor(last.value / 10);
    concise.push(`${col(cols.length)}: write the carry ${carry}`);
    verbose.push(`In the ${col(cols.length)} column there is only the carry, so I write ${carry}.`);
  }
  const value = readOff(cols.map((c) => c.value % 10), Math.floor(last.value / 10));
  return { a, b: d, op: "mul", value, concise, verbose };
}

/**
 * The steps that compute `expr`, innermost first. Supported: sums and differences of two
 * terms and products by one digit (0..9), nested (`(347 + 85) * 6 - 120`). With `slipDigit`
 * the final step makes one column slip that changes that digit (from the left) of its result.
 *
 * @throws {RangeError} On another expression (`ones`, `tens`, three terms, two-digit factors).
 */
function steps(expr: MathExpr, out: Step[] = [], slipDigit?: number): Step[] {
  if (typeof expr === "number") return out;
  const [x, y] = expr.args;
  if (expr.args.length !== 2 || !(expr.op in SYMBOL)) {
    throw new RangeError(`scratchpad: cannot derive ${exprToString(expr)}`);
  }
  steps(x, out);
  steps(y, out);
  const [a, b] = [evalExpr(x), evalExpr(y)];
  if (expr.op === "add") out.push(addStep(a, b, slipDigit));
  else if (expr.op === "sub") out.push(subStep(a, b, slipDigit));
  else if (b <= 9) out.push(mulStep(a, b, slipDigit));
  else if (a <= 9) out.push(mulStep(b, a, slipDigit));
  else throw new RangeError(`scratchpad: cannot derive ${exprToString(expr)} (two-digit factors)`);
  return out;
}

const line = (s: Step) => `${s.a} ${SYMBOL[s.op]} ${s.b}`;

/** The concise form: the problem, its column lines, its result (the caller adds the ending). */
function concise(desc: string, all: Step[]): string[] {
  const out = [`${desc} = ?`];
  for (const s of all) {
    if (all.length > 1) out.push(`${line(s)}:`);
    out.push(...s.concise, `${line(s)} = ${s.value}`);
  }
  return out;
}

/**
 * The verbose form after its `opening` lines: a restatement, worded columns, a second pass,
 * checks, the result (the caller adds the ending).
 */
function verbose(
  opening: string[],
  desc: string,
  all: Step[],
  rng: Rng,
  slipped: boolean,
): string[] {
  const value = all[all.length - 1].value;
  const out = [
    ...opening,
    all.length > 1
      ? `This takes ${all.length} steps, so I will do them one at a time.`
      : `Let me restate the problem: I need ${desc}.`,
  ];
  all.forEach((s, i) => {
    if (all.length > 1) out.push(`Step ${i + 1}: ${line(s)}.`);
    out.push(`I work column by column, starting with the ones.`, ...s.verbose);
    out.push(`Reading the written digits from the highest column down: ${line(s)} = ${s.value}.`);
  });
  out.push(pick(rng, ["Let me double-check by computing it again.", "Let me do it once more."]));
  for (const s of all) out.push(...s.concise, `${line(s)} = ${s.value}`);
  out.push(`Both times I get ${value}.`);
  for (const s of slipped ? [] : all) { // under a slip the inverse checks would be false
    if (s.op === "add") out.push(`Check: ${s.value} - ${s.b} = ${s.a}, which is right.`);
    if (s.op === "sub") out.push(`Check: ${s.value} + ${s.b} = ${s.a}, which is right.`);
  }
  out.push(`So ${desc} = ${value}.`);
  return out;
}

/** The verbose ending at a cut: the digits already written and the next one. */
function nextDigitLines(value: number, written: string, digit: string): string[] {
  const digits = String(value).split("").join(", ");
  return [
    written
      ? `The digits already written are ${written}, so the next digit is digit ` +
        `${written.length + 1} of ${value}, which is ${digit}.`
      : `Nothing of the number is written yet, so the next digit is the first digit of ` +
        `${value}, which is ${digit}.`,
    `To be sure: the digits of ${value} are ${digits}, and after ${written || "nothing"} ` +
    `comes ${digit}.`,
    `The next token is ${digit}.`,
  ];
}

/** A scratch-pad and the digit it arrives at. */
export interface Scratchpad {
  /** Text to put between `<think>` and `</think>`. */
  reasoning: string;
  /** The digit the reasoning arrives at: the true next digit unless it slipped. */
  answer: string;
  /** False when the reasoning contains a deliberate slip. */
  correct: boolean;
}

/**
 * The scratch-pad for the token at character offset `cut` of `doc`, which must be a digit of a
 * computed number (a fact) whose expression {@linkcode canDerive} accepts; undefined otherwise.
 *
 * @param rng Randomness of the verbose form's phrasing (the concise form uses none).
 * @param slip Make one deliberate slip: the column of the final step that produces the needed
 *   digit is off by one (its carry or borrow unchanged; a leading carry digit is off instead),
 *   repeated consistently, without the inverse checks; the answer is then wrong.
 *
 * @example The concise form of a sum cut after its first digit
 * ```ts
 * import assert from "node:assert/strict";
 * import { DocBuilder, E } from "./math_doc.ts";
 * import { scratchpad } from "./scratchpad.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const b = new DocBuilder().g(347).t(" + ").g(85).t(" = ").n(E.add(347, 85), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 3, kinds: [] };
 * const pad = scratchpad(doc, 12, "concise", mulberry32(1))!; // "347 + 85 = 4|32."
 * assert.equal(pad.answer, "3");
 * assert.equal(pad.reasoning, [
 *   "347 + 85 = ?",
 *   "ones: 7 + 5 = 12, write 2, carry 1",
 *   "tens: 4 + 8 + 1 = 13, write 3, carry 1",
 *   "hundreds: 3 + 0 + 1 = 4, write 4",
 *   "347 + 85 = 432",
 *   "written 4, next 3",
 * ].join("\n"));
 * ```
 */
export function scratchpad(
  doc: MathDocument,
  cut: number,
  style: ScratchpadStyle,
  rng: Rng,
  slip = false,
): Scratchpad | undefined {
  const fact = factAt(doc, cut);
  if (fact === undefined || !canDerive(fact.expr)) return undefined;
  const k = cut - fact.start;
  const all = steps(fact.expr, [], slip ? k : undefined);
  const value = String(all[all.length - 1].value);
  const written = value.slice(0, k);
  const digit = value[k];
  const desc = exprToString(fact.expr);
  const opening = [
    written
      ? `The context stops in the middle of a number: ${written} is written so far.`
      : "The context stops right before a number.",
    `Which number is it? Looking back at the context, it is the result of ${desc}.`,
  ];
  const lines = style === "concise"
    ? [...concise(desc, all), `written ${written || "nothing"}, next ${digit}`]
    : [
      ...verbose(opening, desc, all, rng, slip),
      ...nextDigitLines(all[all.length - 1].value, written, digit),
    ];
  return { reasoning: lines.join("\n"), answer: digit, correct: !slip };
}

/**
 * A worked solution of a whole problem (the question demonstrations of pre-training, in the
 * post-training prompt of `question_prompt.ts`): the same derivation as {@linkcode scratchpad}
 * for the value of `expr`, concise or verbose, and the value as the answer; undefined when
 * {@linkcode canDerive} refuses `expr`. With `slip`, one column of the final step is off by one
 * (a random digit of the result, as in {@linkcode scratchpad}) and the answer is wrong.
 *
 * @example The concise solution of a two-step problem
 * ```ts
 * import assert from "node:assert/strict";
 * import { solution } from "./scratchpad.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const s = solution({ op: "mul", args: [{ op: "add", args: [12, 35] }, 4] }, "concise", mulberry32(1))!;
 * assert.equal(s.answer, "188");
 * assert.equal(s.reasoning, [
 *   "(12 + 35) * 4 = ?",
 *   "12 + 35:", "ones: 2 + 5 = 7, write 7", "tens: 1 + 3 = 4, write 4", "12 + 35 = 47",
 *   "47 * 4:", "ones: 7 * 4 = 28, write 8, carry 2", "tens: 4 * 4 + 2 = 18, write 8, carry 1",
 *   "hundreds: write the carry 1", "47 * 4 = 188",
 * ].join("\n"));
 * ```
 */
export function solution(
  expr: MathExpr,
  style: ScratchpadStyle,
  rng: Rng,
  slip = false,
): Scratchpad | undefined {
  if (!canDerive(expr)) return undefined;
  const value = String(evalExpr(expr));
  const all = steps(expr, [], slip ? randInt(rng, 0, value.length - 1) : undefined);
  const answer = String(all[all.length - 1].value);
  const desc = exprToString(expr);
  const lines = style === "concise" ? concise(desc, all) : [
    ...verbose([`The problem asks for ${desc}.`], desc, all, rng, slip),
    `The answer is ${answer}.`,
  ];
  return { reasoning: lines.join("\n"), answer, correct: answer === value };
}

/**
 * Whether {@linkcode scratchpad} can derive an expression: sums and differences of two terms
 * and products with a one-digit factor, nested; not the column facts (`ones`, `tens`) of worked
 * solutions or three-term column sums.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canDerive } from "./scratchpad.ts";
 * assert.equal(canDerive({ op: "mul", args: [{ op: "add", args: [12, 35] }, 4] }), true);
 * assert.equal(canDerive({ op: "mul", args: [12, 35] }), false);
 * assert.equal(canDerive({ op: "add", args: [7, 5, 1] }), false);
 * assert.equal(canDerive({ op: "ones", args: [12] }), false);
 * ```
 */
export function canDerive(expr: MathExpr): boolean {
  try {
    return typeof expr !== "number" && steps(expr).length > 0;
  } catch {
    return false;
  }
}

/**
 * A cut at a digit of a derivable computed number of `doc`, drawn uniformly over such digits
 * (undefined when there is none). Digits are single tokens for the tokenizers of
 * `tokenizer.ts`, so every such cut is a token boundary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateReasoningDocuments } from "./corpus_reasoning.ts";
 * import { pickResultCut } from "./scratchpad.ts";
 * import { factAt } from "./math_doc.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const doc = generateReasoningDocuments(1, 4)[0];
 * const cut = pickResultCut(doc, mulberry32(2))!;
 * assert.ok(factAt(doc, cut) !== undefined && /\d/.test(doc.text[cut]));
 * ```
 */
export function pickResultCut(doc: MathDocument, rng: Rng): number | undefined {
  const digits: number[] = [];
  for (const f of doc.facts) {
    if (canDerive(f.expr)) { for (let c = f.start; c < f.end; c++) digits.push(c); }
  }
  return digits.length === 0 ? undefined : digits[randInt(rng, 0, digits.length - 1)];
}
