/**
 * Reading a scratch-pad back (issue 17's failure anatomy): what a derivation in the format of
 * `scratchpad.ts` claims (which problem it sets out to compute, which value it arrives at) and
 * what the true derivation at a cut would claim. Comparing the two says where a model's
 * reasoning went wrong: it never derived, it computed the wrong problem (miscopied an operand,
 * took the wrong step of a chain), it computed the right problem wrongly, or it read the wrong
 * digit off a right result.
 *
 * The reader is lenient by design: a model's text is only roughly in the format, so each claim
 * is looked for on its own, and a missing claim is null rather than an error.
 *
 * @module
 */
import { evalExpr, exprToString } from "./arith.ts";
import { factAt, type MathDocument } from "./math_doc.ts";
import { canDerive } from "./scratchpad.ts";

/** What a scratch-pad states. */
export interface ScratchpadClaims {
  /** The problem it sets out to compute (`347 + 85`, `(12 + 35) * 4`), or null: none stated. */
  problem: string | null;
  /** The value of the last result line (`347 + 85 = 432`), or null: none. */
  result: string | null;
}

// "…, it is the result of 347 + 85." (verbose) or "347 + 85 = ?" (concise), whichever comes first
const PROBLEM = /it is the result of ([^\n]+?)\.?\n|^([0-9()+*\- ]+) = \?$/m;
// a line that is only an expression and its value ("41336 * 4 = 165344", "So 9 - 4 = 5.")
const RESULT = /^(?:So )?[0-9()+*\- ]+ = (\d+)\.?$/gm;

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * The claims of a scratch-pad's text (the reasoning between `<think>` and `</think>`).
 *
 * @example The concise form of a product, and a text that never derives
 * ```ts
 * import assert from "node:assert/strict";
 * import { readScratchpad } from "./scratchpad_read.ts";
 * const pad = "41336 * 4 = ?\nones: 6 * 4 = 24, write 4, carry 2\n41336 * 4 = 165344\nwritten 16, next 5";
 * assert.deepEqual(readScratchpad(pad), { problem: "41336 * 4", result: "165344" });
 * assert.deepEqual(readScratchpad("The next token is 7."), { problem: null, result: null });
 * ```
 */
export function readScratchpad(text: string): ScratchpadClaims {
  const p = PROBLEM.exec(text);
  let result: string | null = null;
  for (const m of text.matchAll(RESULT)) result = m[1];
  return { problem: p === null ? null : squash(p[1] ?? p[2]), result };
}

/** What the true derivation at a cut states, and the digit it reads off. */
export interface ScratchpadTarget {
  /** The problem, written as the scratch-pads write it. */
  problem: string;
  /** Its value. */
  value: string;
  /** The digit at the cut (the next token). */
  digit: string;
}

/**
 * The true claims at character offset `cut` of `doc`: defined where `scratchpad()` would write
 * a derivation (a digit of a derivable computed number), undefined elsewhere.
 *
 * @example The second digit of 347 + 85 = 432
 * ```ts
 * import assert from "node:assert/strict";
 * import { DocBuilder, E } from "./math_doc.ts";
 * import { scratchpadTarget } from "./scratchpad_read.ts";
 * const b = new DocBuilder().g(347).t(" + ").g(85).t(" = ").n(E.add(347, 85), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 3, kinds: [] };
 * assert.deepEqual(scratchpadTarget(doc, 12), { problem: "347 + 85", value: "432", digit: "3" });
 * assert.equal(scratchpadTarget(doc, 4), undefined); // the "+" is not a computed digit
 * ```
 */
export function scratchpadTarget(doc: MathDocument, cut: number): ScratchpadTarget | undefined {
  const fact = factAt(doc, cut);
  if (fact === undefined || !canDerive(fact.expr)) return undefined;
  const value = String(evalExpr(fact.expr));
  return { problem: exprToString(fact.expr), value, digit: value[cut - fact.start] };
}

/** Where a derivation went wrong, the first failure along the chain, or `right`. */
export type DerivationStage =
  | "noDerivation"
  | "wrongProblem"
  | "wrongResult"
  | "wrongDigit"
  | "right";

/**
 * Classifies a model's reasoning at a cut against the true derivation: `noDerivation` (it
 * states no problem), `wrongProblem` (another problem than the true one), `wrongResult` (the
 * true problem, a wrong value or none), `wrongDigit` (the true value, another answer), `right`.
 *
 * @param answer The boxed answer of the completion (null: none).
 *
 * @example A miscopied operand, then a right derivation
 * ```ts
 * import assert from "node:assert/strict";
 * import { derivationStage } from "./scratchpad_read.ts";
 * const target = { problem: "15045 * 7", value: "105315", digit: "3" };
 * assert.equal(derivationStage("11045 * 7 = ?\n11045 * 7 = 77315\nwritten 10, next 3", "3", target), "wrongProblem");
 * assert.equal(derivationStage("15045 * 7 = ?\n15045 * 7 = 105315\nwritten 105, next 3", "3", target), "right");
 * ```
 */
export function derivationStage(
  reasoning: string,
  answer: string | null,
  target: ScratchpadTarget,
): DerivationStage {
  const claims = readScratchpad(reasoning);
  if (claims.problem === null) return "noDerivation";
  if (claims.problem !== target.problem) return "wrongProblem";
  if (claims.result !== target.value) return "wrongResult";
  return answer?.trim() === target.digit ? "right" : "wrongDigit";
}
