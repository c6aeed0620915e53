/**
 * Verifier of the post-training task (method §6.5, §11.4): GRPO on math questions with
 * verifiable integer answers, started from the base, RPT and RMT checkpoints. The prompt is
 * `lib/data/question_prompt.ts`; the answer is extracted with `parseCompletion`
 * (`lib/rmt/reward_match.ts`) and scored by {@linkcode verifyAnswer}: reward 1 for the right
 * integer, else 0.
 *
 * Deliberate deviations: Skywork-OR1's rule-based math verifier (symbolic equivalence) →
 * integer comparison, since every answer here is an integer.
 *
 * @module
 */
const INTEGER = /^[+-]?\d+$/;

/**
 * Reads an integer answer: surrounding whitespace and a leading `+` are tolerated, leading
 * zeros too; anything else (extra words, decimals, thousands separators, `1e3`, an empty box)
 * gives `null`. Exact for any number of digits (a `bigint`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIntegerAnswer } from "./verify.ts";
 * assert.equal(parseIntegerAnswer(" +0633 "), 633n);
 * assert.equal(parseIntegerAnswer("-7"), -7n);
 * assert.equal(parseIntegerAnswer("633 apples"), null);
 * assert.equal(parseIntegerAnswer("6.0"), null);
 * ```
 */
export function parseIntegerAnswer(text: string): bigint | null {
  const t = text.trim();
  if (!INTEGER.test(t)) return null;
  return BigInt(t.startsWith("+") ? t.slice(1) : t);
}

/**
 * Verifiable reward of a post-training completion: 1 when the extracted `\boxed{}` answer
 * (from `parseCompletion`; `null` when there is none) reads as the same integer as `answer`
 * (see {@linkcode parseIntegerAnswer}), else 0. Throws a `RangeError` when the ground truth
 * `answer` is not an integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyAnswer } from "./verify.ts";
 * assert.equal(verifyAnswer("633", "633"), 1);
 * assert.equal(verifyAnswer(" +633 ", "633"), 1);
 * assert.equal(verifyAnswer("634", "633"), 0);
 * assert.equal(verifyAnswer("633 apples", "633"), 0);
 * assert.equal(verifyAnswer(null, "633"), 0);
 * ```
 */
export function verifyAnswer(completionAnswer: string | null, answer: string): number {
  const truth = parseIntegerAnswer(answer);
  if (truth === null) {
    throw new RangeError(
      `verifyAnswer: the answer must be an integer, got ${JSON.stringify(answer)}`,
    );
  }
  if (completionAnswer === null) return 0;
  return parseIntegerAnswer(completionAnswer) === truth ? 1 : 0;
}
