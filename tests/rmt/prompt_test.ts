import assert from "node:assert/strict";
import {
  buildPrompt,
  completionText,
  PROMPT_DEFAULTS,
  promptText,
  resolvePromptConfig,
} from "../../lib/rmt/prompt.ts";
import { parseCompletion } from "../../lib/rmt/reward_match.ts";
import { makeCodec } from "../_helpers/codec.ts";

const codec = makeCodec([" the", "ing"]);

Deno.test("buildPrompt() lays out instruction, context, header and <think> (§2.2, §9)", () => {
  const context = codec.encode("2 + 3 = 5, so the");
  const ids = buildPrompt(context, 48, codec, PROMPT_DEFAULTS);
  assert.equal(
    codec.decode(ids),
    "Predict the next token. Think for 48 tokens in <think></think>, then give the token in " +
      "\\boxed{}.\n### Context\n2 + 3 = 5, so the\n### Next token\n<think>",
  );
  assert.equal(ids.at(-1), codec.specialId("thinkOpen"));
  // the context ids are copied verbatim (no re-tokenisation)
  const suffixLength = codec.encode(PROMPT_DEFAULTS.suffix).length + 1;
  assert.deepEqual(ids.slice(ids.length - suffixLength - context.length, -suffixLength), context);
});

Deno.test("buildPrompt() without a budget omits the budget sentence", () => {
  const ids = buildPrompt(codec.encode("abc"), null, codec, PROMPT_DEFAULTS);
  const text = codec.decode(ids);
  assert.ok(text.startsWith("Predict the next token. Think in <think></think>, then give"));
  assert.ok(!/tokens in/.test(text));
});

Deno.test("buildPrompt() truncates the context from the left to maxContextTokens", () => {
  const cfg = { ...PROMPT_DEFAULTS, maxContextTokens: 4 };
  const context = [10, 11, 12, 13, 14, 15];
  const ids = buildPrompt(context, 5, codec, cfg);
  const head = codec.encode(PROMPT_DEFAULTS.prefixWithBudget.replace("{budget}", "5"));
  assert.deepEqual(ids.slice(head.length, head.length + 4), [12, 13, 14, 15]);
  assert.equal(ids.length, head.length + 4 + codec.encode(cfg.suffix).length + 1);
  // a shorter context is kept whole; an empty context is allowed
  const short = buildPrompt([10, 11], 5, codec, cfg);
  assert.deepEqual(short.slice(head.length, head.length + 2), [10, 11]);
  assert.equal(buildPrompt([], 5, codec, cfg).length, ids.length - 4);
});

Deno.test("buildPrompt() rejects a budget that is not an integer ≥ 1", () => {
  assert.throws(
    () => buildPrompt([1], 0, codec, PROMPT_DEFAULTS),
    /budget must be an integer ≥ 1, got 0/,
  );
  assert.throws(() => buildPrompt([1], 2.5, codec, PROMPT_DEFAULTS), /got 2.5/);
});

Deno.test("promptText() is the text of buildPrompt() when nothing is truncated", () => {
  for (const budget of [null, 7, 160]) {
    const context = "The sum is 12 because";
    assert.equal(
      codec.decode(buildPrompt(codec.encode(context), budget, codec, PROMPT_DEFAULTS)),
      promptText(context, budget, PROMPT_DEFAULTS),
    );
  }
});

Deno.test("completionText() parses back to its reasoning length and answer", () => {
  const text = completionText("carry the 1, so", " 4");
  assert.equal(text, "carry the 1, so</think>\\boxed{ 4}<|endoftext|>");
  const parsed = parseCompletion(codec.encode(text), codec);
  assert.equal(parsed.reasoningLength, codec.encode("carry the 1, so").length);
  assert.equal(parsed.closedThinking, true);
  assert.equal(parsed.answer, " 4");
});

Deno.test("resolvePromptConfig() rejects a template without {budget} and a bad length, by name", () => {
  assert.deepEqual(resolvePromptConfig(undefined), PROMPT_DEFAULTS);
  assert.throws(
    () => resolvePromptConfig({ prefixWithBudget: "Think." }),
    /rmt.prompt.prefixWithBudget: expected a text containing \{budget\}/,
  );
  assert.throws(
    () => resolvePromptConfig({ prefixWithoutBudget: "{budget}" }),
    /rmt.prompt.prefixWithoutBudget/,
  );
  assert.throws(
    () => resolvePromptConfig({ maxContextTokens: 1.5 }),
    /rmt.prompt.maxContextTokens: expected an integer ≥ 1/,
  );
  assert.throws(
    () => resolvePromptConfig({ maxContextTokens: "160" }),
    /rmt.prompt.maxContextTokens: expected a number/,
  );
});
