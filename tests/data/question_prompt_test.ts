import assert from "node:assert/strict";
import {
  buildPostTrainPrompt,
  POSTTRAIN_PROMPT_DEFAULTS,
  postTrainPrompt,
  resolvePostTrainPromptConfig,
} from "../../lib/data/question_prompt.ts";
import { makeCodec } from "../_helpers/codec.ts";

const codec = makeCodec([" the", "Solve", "###"]);

Deno.test("postTrainPrompt() lays out instruction, problem, header and <think>", () => {
  const text = postTrainPrompt("What is 347 + 286?");
  assert.equal(
    text,
    "Solve the problem. Think in <think></think>, then give the answer in \\boxed{}.\n" +
      "### Problem\nWhat is 347 + 286?\n### Answer\n<think>",
  );
  const custom = postTrainPrompt("Q?", { prefix: "P:", suffix: "|" });
  assert.equal(custom, "P:Q?|<think>");
  const ids = buildPostTrainPrompt("What is 347 + 286?", codec);
  assert.equal(ids.at(-1), codec.specialId("thinkOpen"));
  assert.equal(ids.filter((id) => id === codec.specialId("thinkOpen")).length, 2);
  assert.equal(codec.decode(ids), text);
  assert.deepEqual(codec.encode(text), ids);
});

Deno.test("resolvePostTrainPromptConfig() checks fields and special tokens", () => {
  assert.deepEqual(resolvePostTrainPromptConfig({}), POSTTRAIN_PROMPT_DEFAULTS);
  assert.equal(resolvePostTrainPromptConfig({ prefix: "Go.\n" }).prefix, "Go.\n");
  assert.throws(() => resolvePostTrainPromptConfig({ sufix: "x" }), /posttrain.prompt.sufix/);
  assert.throws(
    () => resolvePostTrainPromptConfig({ suffix: "</think>" }),
    /posttrain.prompt.suffix/,
  );
  assert.throws(
    () => resolvePostTrainPromptConfig({ prefix: "<|endoftext|>" }, "pt"),
    /pt.prefix: expected a text without/,
  );
});
