/**
 * The prompt of the post-training task (method §6.5, §11.4): an instruction, the question, a
 * header and the `<think>` token, so that the model continues with its reasoning and writes
 * `reasoning</think>\boxed{answer}<|endoftext|>` (the convention of the next-token-reasoning
 * prompt, `lib/rmt/prompt.ts`). Post-training (`lib/apps/posttrain/`) prompts with it, and the
 * question demonstrations of pre-training (`demoQuestions` in `lib/apps/pretrain/data.ts`) are
 * written in it, byte for byte.
 *
 * @module
 */
import { type ConfigOf, defineConfig, that } from "../util/config.ts";
import { type Codec, SPECIAL_TOKENS } from "./codec.ts";

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
 * import { resolvePostTrainPromptConfig } from "./question_prompt.ts";
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
 * import { postTrainPrompt } from "./question_prompt.ts";
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
 * import { buildPostTrainPrompt, postTrainPrompt } from "./question_prompt.ts";
 * import { makeCodec } from "../../tests/_helpers/codec.ts"; // byte-level fake tokenizer
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
