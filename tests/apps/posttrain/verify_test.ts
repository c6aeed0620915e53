import assert from "node:assert/strict";
import { parseIntegerAnswer, verifyAnswer } from "../../../lib/apps/posttrain/verify.ts";
import { buildPostTrainPrompt } from "../../../lib/data/question_prompt.ts";
import { generateQuestions } from "../../../lib/data/questions.ts";
import { completionText } from "../../../lib/rmt/prompt.ts";
import { parseCompletion } from "../../../lib/rmt/reward_match.ts";
import { makeCodec } from "../../_helpers/codec.ts";

const codec = makeCodec([" the", "Solve", "###"]);

Deno.test("verifyAnswer() accepts the same integer with spaces, '+' or leading zeros", () => {
  for (const given of ["633", " 633", "633 ", "\t633\n", "+633", " +633 ", "0633", "000633"]) {
    assert.equal(verifyAnswer(given, "633"), 1, JSON.stringify(given));
  }
  assert.equal(verifyAnswer("0", "0"), 1);
  assert.equal(verifyAnswer("-0", "0"), 1);
  assert.equal(verifyAnswer("-12", "-12"), 1);
  assert.equal(verifyAnswer("633", " 633 "), 1); // the ground truth is read the same way
  // exact beyond 2^53
  assert.equal(verifyAnswer("9007199254740993", "9007199254740993"), 1);
  assert.equal(verifyAnswer("9007199254740992", "9007199254740993"), 0);
});

Deno.test("verifyAnswer() rejects other numbers, extra text and non-integers", () => {
  for (
    const given of [
      null,
      "",
      "   ",
      "634",
      "-633",
      "63 3",
      "633 apples",
      "x = 633",
      "633.",
      "633.0",
      "6.33e2",
      "1e3",
      "6,33",
      "0x279",
      "+ 633",
      "++633",
      "+-633",
      "６３３", // full-width digits
      "\\boxed{633}",
      "{633}",
      "633}",
    ]
  ) assert.equal(verifyAnswer(given, "633"), 0, JSON.stringify(given));
  assert.throws(() => verifyAnswer("1", "one"), /the answer must be an integer, got "one"/);
  assert.throws(() => verifyAnswer("1", ""), RangeError);
});

Deno.test("parseIntegerAnswer() reads integers exactly", () => {
  assert.equal(parseIntegerAnswer("42"), 42n);
  assert.equal(parseIntegerAnswer(" +007 "), 7n);
  assert.equal(parseIntegerAnswer("-15"), -15n);
  assert.equal(
    parseIntegerAnswer("123456789012345678901234567890"),
    123456789012345678901234567890n,
  );
  assert.equal(parseIntegerAnswer("1.5"), null);
  assert.equal(parseIntegerAnswer(""), null);
});

Deno.test("prompt, completion, parseCompletion and verifyAnswer fit together", () => {
  for (const q of generateQuestions(20, 11)) {
    const prompt = buildPostTrainPrompt(q.question, codec);
    const right = codec.encode(completionText(`The answer is ${q.answer}.`, q.answer));
    const wrong = codec.encode(completionText("Guess.", String(Number(q.answer) + 1)));
    const ids = [...prompt, ...right];
    const parsed = parseCompletion(ids.slice(prompt.length), codec);
    assert.equal(verifyAnswer(parsed.answer, q.answer), 1, q.question);
    assert.equal(verifyAnswer(parseCompletion(wrong, codec).answer, q.answer), 0);
    // no </think>: no answer, no reward
    assert.equal(verifyAnswer(parseCompletion(codec.encode(q.answer), codec).answer, q.answer), 0);
  }
});
