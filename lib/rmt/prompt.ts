/**
 * Next-token-reasoning prompt of Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375
 * (method §1.3, §2.2, §9), after RPT's "v0" template (Dong et al., arXiv:2506.08007): an
 * instruction with the budget sentence, the document prefix τ_<pos, a header, and `<think>`.
 *
 * Layout (token ids): encode(prefix) ++ context (left-truncated) ++ encode(suffix) ++ [<think>];
 * with a tokenizer that has a chat template (`Codec.chatFrame`), the part before `<think>` is
 * the user message of that template, followed by its assistant header.
 * The completion the model writes is `reasoning </think>\boxed{answer}<|endoftext|>`.
 *
 * Deliberate deviations:
 * - Much shorter wording than RPT's v0 (our model is tiny and learns the format from
 *   demonstrations, method §11.1); no "the token may begin with a space" note.
 * - The budget sentence says "Think for B tokens" rather than "exactly B tokens".
 * - The prompt ends with the `<think>` token, so ℓ counts every generated token before `</think>`.
 * - The context is truncated from the left to `maxContextTokens` = 160 (paper: max prompt 4096).
 *
 * @module
 */
import { type ConfigOf, defineConfig, integer, that } from "../util/config.ts";
import type { Codec } from "../data/codec.ts";
import { SPECIAL_TOKENS } from "../data/codec.ts";

/** Prompt text and context length (method §2.2, §9; paper value → ours, §8.12, §11.3). */
export const PROMPT = defineConfig("rmt.prompt", {
  /** Instruction before the context when a budget is given; `{budget}` is replaced by B_t. */
  prefixWithBudget: {
    default: "Predict the next token. Think for {budget} tokens in <think></think>, " +
      "then give the token in \\boxed{}.\n### Context\n",
    check: that((s: string) => s.includes("{budget}"), "a text containing {budget}"),
  },
  /** Instruction before the context without a budget (NTR, RPT, RMT w/o DTB). */
  prefixWithoutBudget: {
    default: "Predict the next token. Think in <think></think>, then give the token in " +
      "\\boxed{}.\n### Context\n",
    check: that((s: string) => !s.includes("{budget}"), "a text without {budget}"),
  },
  /** Text between the context and the `<think>` token. */
  suffix: { default: "\n### Next token\n" },
  /** Context tokens kept (from the right), an integer ≥ 1. Paper: max prompt 4096; ours 160. */
  maxContextTokens: { default: 160, check: integer(1) },
});

/** Prompt settings: the two instructions, the header and the context length. */
export type PromptConfig = ConfigOf<typeof PROMPT>;

/** {@linkcode PROMPT}'s defaults, for the apps that build prompts. */
export const PROMPT_DEFAULTS: Readonly<PromptConfig> = PROMPT.defaults;

// method §2.2: the instruction, with B_t written in, or without a budget sentence
function instruction(budget: number | null, cfg: PromptConfig): string {
  if (budget === null) return cfg.prefixWithoutBudget;
  if (!(Number.isInteger(budget) && budget >= 1)) {
    throw new RangeError(`Cannot build the prompt: budget must be an integer ≥ 1, got ${budget}`);
  }
  return cfg.prefixWithBudget.replaceAll("{budget}", String(budget));
}

/**
 * Builds the prompt token ids for predicting the token after `contextIds` (τ_<pos), with the
 * budget B_t in the instruction (or none when `budget` is `null`). The context is truncated from
 * the left to `cfg.maxContextTokens`; the result ends with the `<think>` id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildPrompt, PROMPT } from "./prompt.ts";
 * import { makeCodec } from "../../tests/_helpers/codec.ts"; // byte-level fake tokenizer
 * const codec = makeCodec();
 * const cfg = { ...PROMPT.defaults, maxContextTokens: 3 };
 * const ids = buildPrompt(codec.encode("1+2=3"), 12, codec, cfg);
 * assert.equal(ids.at(-1), codec.specialId("thinkOpen"));
 * assert.equal(
 *   codec.decode(ids),
 *   "Predict the next token. Think for 12 tokens in <think></think>, then give the token in " +
 *     "\\boxed{}.\n### Context\n2=3\n### Next token\n<think>",
 * );
 * ```
 */
// method §1.3 step 1, §2.2: instruction(B_t) ++ τ_<pos (left-truncated) ++ header ++ <think>
export function buildPrompt(
  contextIds: number[],
  budget: number | null,
  codec: Codec,
  cfg: PromptConfig,
): number[] {
  const context = contextIds.length > cfg.maxContextTokens
    ? contextIds.slice(contextIds.length - cfg.maxContextTokens)
    : contextIds;
  // A tokenizer with a chat template (an instruct or reasoning model) frames the prompt as one
  // user message and the assistant's turn, as the model saw in its own training.
  const frame = codec.chatFrame?.() ?? null;
  return [
    ...(frame === null ? [] : codec.encode(frame.before)),
    ...codec.encode(instruction(budget, cfg)),
    ...context,
    ...codec.encode(cfg.suffix),
    ...(frame === null ? [] : codec.encode(frame.after)),
    codec.specialId("thinkOpen"),
  ];
}

/**
 * The prompt as text (for logs and demonstrations): instruction ++ context ++ suffix ++ `<think>`.
 * No truncation is applied (truncation is in tokens; use {@linkcode buildPrompt}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROMPT, promptText } from "./prompt.ts";
 * const text = promptText("1+2=", null, PROMPT.defaults);
 * assert.ok(text.startsWith("Predict the next token. Think in <think></think>"));
 * assert.ok(text.endsWith("1+2=\n### Next token\n<think>"));
 * ```
 */
// method §9 template as a string: instruction(B_t) ++ context ++ header ++ <think>
export function promptText(contextText: string, budget: number | null, cfg: PromptConfig): string {
  return instruction(budget, cfg) + contextText + cfg.suffix + SPECIAL_TOKENS.thinkOpen;
}

/**
 * The completion that follows the prompt: `reasoning</think>\boxed{answer}<|endoftext|>`
 * (used to build thinking demonstrations, method §11.1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionText } from "./prompt.ts";
 * assert.equal(completionText("2+1 is 3", "3"), "2+1 is 3</think>\\boxed{3}<|endoftext|>");
 * ```
 */
// method §1.3 step 2: o = (c, y) rendered as c </think> \boxed{y} <|endoftext|>
export function completionText(reasoning: string, answer: string): string {
  return reasoning + SPECIAL_TOKENS.thinkClose + "\\boxed{" + answer + "}" + SPECIAL_TOKENS.eot;
}
