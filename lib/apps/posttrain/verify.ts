/**
 * Prompt and verifier of the post-training task (method §6.5, §11.4): GRPO on math questions
 * with verifiable integer answers, started from the base, RPT and RMT checkpoints.
 *
 * The prompt follows the convention of the next-token-reasoning prompt (`lib/rmt/prompt.ts`):
 * an instruction, the question, a header, and the `<think>` token, so the model continues with
 * its reasoning and writes `reasoning</think>\boxed{answer}<|endoftext|>`. The answer is
 * extracted with `parseCompletion` (`lib/rmt/reward_match.ts`) and scored by
 * {@linkcode verifyAnswer}: reward 1 for the right integer, else 0.
 *
 * Deliberate deviations: Skywork-OR1's rule-based math verifier (symbolic equivalence) →
 * integer comparison, since every answer here is an integer.
 *
 * @module
 */
import { type ConfigOf, defineConfig, that } from "../../util/config.ts";
import { type Codec, SPECIAL_TOKENS } from "../../data/codec.ts";

export type { Codec, SpecialName } from "../../data/codec.ts";

/**
 * Post-training prompt text, `prefix + question + suffix + "<think>"`, worded like the
 * next-token prompt's instruction. The texts must not contain special tokens other than the
 * instruction's literal `<think></think>`.
 */
export const POSTTRAIN_PROMPT = defineConfig("posttrain.prompt", {
  /** Instruction before the question. */
  prefix: {
    default: "Solve the problem. Think in <think></think>, then give the answer in \\boxed{}.\n" +
      "### Problem\n",
    check: that(
      (s: string) => ![SPECIAL_TOKENS.pad, SPECIAL_TOKENS.eot].some((t) => s.includes(t)),
      "a text without <|pad|> or <|endoftext|>",
    ),
  },
  /** Text between the question and the `<think>` token. */
  suffix: {
    default: "\n### Answer\n",
    check: that(
      (s: string) => !Object.values(SPECIAL_TOKENS).some((t) => s.includes(t)),
      "a text without special tokens",
    ),
  },
});

/** Post-training prompt texts. */
export type PostTrainPromptConfig = ConfigOf<typeof POSTTRAIN_PROMPT>;

/** {@linkcode POSTTRAIN_PROMPT}'s defaults. */
export const POSTTRAIN_PROMPT_DEFAULTS: Readonly<PostTrainPromptConfig> = POSTTRAIN_PROMPT.defaults;

/**
 * Applies overrides to the default prompt and checks them; throws a `ConfigError` naming the
 * field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePostTrainPromptConfig } from "./verify.ts";
 * assert.equal(resolvePostTrainPromptConfig({ suffix: "\nA:\n" }).suffix, "\nA:\n");
 * assert.throws(() => resolvePostTrainPromptConfig({ suffix: 3 }), /posttrain.prompt.suffix/);
 * assert.throws(() => resolvePostTrainPromptConfig({ suffix: "<think>" }), /posttrain.prompt.suffix/);
 * ```
 */
export function resolvePostTrainPromptConfig(
  overrides: unknown,
  path = "posttrain.prompt",
): PostTrainPromptConfig {
  return POSTTRAIN_PROMPT.resolve(overrides, path);
}

/**
 * The post-training prompt as text, ending with `<think>` so that the model continues with its
 * reasoning (as `promptText` in `lib/rmt/prompt.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postTrainPrompt } from "./verify.ts";
 * assert.equal(
 *   postTrainPrompt("What is 347 + 286?"),
 *   "Solve the problem. Think in <think></think>, then give the answer in \\boxed{}.\n" +
 *     "### Problem\nWhat is 347 + 286?\n### Answer\n<think>",
 * );
 * ```
 */
export function postTrainPrompt(
  question: string,
  cfg: PostTrainPromptConfig = POSTTRAIN_PROMPT_DEFAULTS,
): string {
  return cfg.prefix + question + cfg.suffix + SPECIAL_TOKENS.thinkOpen;
}

/**
 * The post-training prompt as token ids: `encode(prefix + question + suffix) ++ [<think>]`
 * (as `buildPrompt` in `lib/rmt/prompt.ts`; the last id is always the `<think>` id).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildPostTrainPrompt, postTrainPrompt } from "./verify.ts";
 * import { makeCodec } from "../../../tests/_helpers/codec.ts"; // byte-level fake tokenizer
 * const codec = makeCodec();
 * const ids = buildPostTrainPrompt("What is 2 + 3?", codec);
 * assert.equal(ids.at(-1), codec.specialId("thinkOpen"));
 * assert.equal(codec.decode(ids), postTrainPrompt("What is 2 + 3?"));
 * ```
 */
export function buildPostTrainPrompt(
  question: string,
  codec: Codec,
  cfg: PostTrainPromptConfig = POSTTRAIN_PROMPT_DEFAULTS,
): number[] {
  return [...codec.encode(cfg.prefix + question + cfg.suffix), codec.specialId("thinkOpen")];
}

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
