import assert from "node:assert/strict";
import {
  buildPrompt,
  completionText,
  PROMPT,
  PROMPT_DEFAULTS,
  promptText,
} from "../../lib/rmt/prompt.ts";
import { HfTokenizer } from "../../lib/data/hf_tokenizer.ts";
import { parseCompletion } from "../../lib/rmt/reward_match.ts";
import { makeCodec } from "../_helpers/codec.ts";

const FIXTURES = new URL("../fixtures/hf/", import.meta.url).pathname;

const codec = makeCodec([" the", "ing"]);

Deno.test("buildPrompt() lays out instruction, context, header and <think> (§2.2, §9)", () => {
  const context = codec.encode("2 + 3 = 5, so the");
  const ids = buildPrompt(context, 48, codec, PROMPT.defaults);
  assert.equal(
    codec.decode(ids),
    "Predict the next token. Think for 48 tokens in <think></think>, then give the token in " +
      "\\boxed{}.\n### Context\n2 + 3 = 5, so the\n### Next token\n<think>",
  );
  assert.equal(ids.at(-1), codec.specialId("thinkOpen"));
  // the context ids are copied verbatim (no re-tokenisation)
  const suffixLength = codec.encode(PROMPT.defaults.suffix).length + 1;
  assert.deepEqual(ids.slice(ids.length - suffixLength - context.length, -suffixLength), context);
});

Deno.test("buildPrompt() without a budget omits the budget sentence", () => {
  const ids = buildPrompt(codec.encode("abc"), null, codec, PROMPT.defaults);
  const text = codec.decode(ids);
  assert.ok(text.startsWith("Predict the next token. Think in <think></think>, then give"));
  assert.ok(!/tokens in/.test(text));
});

Deno.test("buildPrompt() truncates the context from the left to maxContextTokens", () => {
  const cfg = { ...PROMPT.defaults, maxContextTokens: 4 };
  const context = [10, 11, 12, 13, 14, 15];
  const ids = buildPrompt(context, 5, codec, cfg);
  const head = codec.encode(PROMPT.defaults.prefixWithBudget.replace("{budget}", "5"));
  assert.deepEqual(ids.slice(head.length, head.length + 4), [12, 13, 14, 15]);
  assert.equal(ids.length, head.length + 4 + codec.encode(cfg.suffix).length + 1);
  // a shorter context is kept whole; an empty context is allowed
  const short = buildPrompt([10, 11], 5, codec, cfg);
  assert.deepEqual(short.slice(head.length, head.length + 2), [10, 11]);
  assert.equal(buildPrompt([], 5, codec, cfg).length, ids.length - 4);
});

Deno.test("buildPrompt() rejects a budget that is not an integer ≥ 1", () => {
  assert.throws(
    () => buildPrompt([1], 0, codec, PROMPT.defaults),
    /budget must be an integer ≥ 1, got 0/,
  );
  assert.throws(() => buildPrompt([1], 2.5, codec, PROMPT.defaults), /got 2.5/);
});

Deno.test("promptText() is the text of buildPrompt() when nothing is truncated", () => {
  for (const budget of [null, 7, 160]) {
    const context = "The sum is 12 because";
    assert.equal(
      codec.decode(buildPrompt(codec.encode(context), budget, codec, PROMPT.defaults)),
      promptText(context, budget, PROMPT.defaults),
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

Deno.test("PROMPT.resolve() rejects a template without {budget} and a bad length, by name", () => {
  assert.deepEqual(PROMPT.resolve(undefined), PROMPT.defaults);
  assert.throws(
    () => PROMPT.resolve({ prefixWithBudget: "Think." }),
    /rmt.prompt.prefixWithBudget: expected a text containing \{budget\}/,
  );
  assert.throws(
    () => PROMPT.resolve({ prefixWithoutBudget: "{budget}" }),
    /rmt.prompt.prefixWithoutBudget/,
  );
  assert.throws(
    () => PROMPT.resolve({ maxContextTokens: 1.5 }),
    /rmt.prompt.maxContextTokens: expected an integer ≥ 1/,
  );
  assert.throws(
    () => PROMPT.resolve({ maxContextTokens: "160" }),
    /rmt.prompt.maxContextTokens: expected a number/,
  );
});

Deno.test("buildPrompt() frames the NTR prompt with the tokenizer's chat template", async () => {
  const tok = await HfTokenizer.load(`${FIXTURES}qwen2`);
  assert.deepEqual(tok.chatFrame(), {
    before: "<|im_start|>user\n",
    after: "<|im_end|>\n<|im_start|>assistant\n",
  });
  const context = tok.encode("12 + 30 =");
  const ids = buildPrompt(context, 8, tok, PROMPT_DEFAULTS);
  assert.equal(
    tok.decode(ids),
    "<|im_start|>user\nPredict the next token. Think for 8 tokens in <think></think>, then give " +
      "the token in \\boxed{}.\n### Context\n12 + 30 =\n### Next token\n<|im_end|>\n" +
      "<|im_start|>assistant\n<think>",
  );
  assert.equal(ids.at(-1), tok.specialId("thinkOpen"));
  // R1-Distill's template opens the thinking block itself: the frame leaves it to the prompt.
  const json = JSON.parse(await Deno.readTextFile(`${FIXTURES}qwen2/tokenizer.json`));
  const r1 = HfTokenizer.fromJSON(json, {
    chat_template: "{% for m in messages %}<|im_start|>{{ m['content'] }}{% endfor %}" +
      "{% if add_generation_prompt %}<|im_end|><think>\n{% endif %}",
  });
  assert.deepEqual(r1.chatFrame(), { before: "<|im_start|>", after: "<|im_end|>" });
  // Without a template the prompt is the plain one.
  const plain = await HfTokenizer.load(`${FIXTURES}llama`);
  assert.equal(plain.chatFrame(), null);
  assert.ok(plain.decode(buildPrompt(context, 8, plain, PROMPT_DEFAULTS)).startsWith("Predict"));
});
