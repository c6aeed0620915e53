import assert from "node:assert/strict";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import {
  questionAccuracy,
  scoreCompletion,
  summariseQuestions,
} from "../../../lib/apps/posttrain/accuracy.ts";
import type { Question } from "../../../lib/data/questions.ts";
import { tinyTokenizer } from "../../_helpers/tiny_train.ts";

Deno.test("scoreCompletion: the boxed integer after </think> is verified", () => {
  const codec = Tokenizer.fromJSON(tinyTokenizer().toJSON());
  const enc = (s: string) => codec.encode(s);
  assert.equal(scoreCompletion(enc("a</think>\\boxed{ 12 }<|endoftext|>"), "12", codec).reward, 1);
  assert.equal(scoreCompletion(enc("a</think>\\boxed{13}"), "12", codec).reward, 0);
  assert.equal(scoreCompletion(enc("\\boxed{12}"), "12", codec).reward, 0, "no </think>");
  const s = scoreCompletion(enc("abc</think>\\boxed{1}\\boxed{12}"), "12", codec);
  assert.deepEqual(s, { reward: 1, answer: "12", reasoningLength: 3, closed: true });
});

Deno.test("questionAccuracy bookkeeping on a fake generator: overall, by grade, by kind", async () => {
  const codec = Tokenizer.fromJSON(tinyTokenizer().toJSON());
  const questions: Question[] = [
    { question: "What is 1 + 1?", answer: "2", difficulty: 1, kind: "addition" },
    { question: "What is 2 + 2?", answer: "4", difficulty: 1, kind: "addition" },
    { question: "What is 9 - 3?", answer: "6", difficulty: 2, kind: "subtraction" },
    { question: "What is 7 * 3?", answer: "21", difficulty: 2, kind: "multiplication" },
    { question: "What is 5 + 5?", answer: "10", difficulty: 3, kind: "addition" },
  ];
  // answers: right, wrong, right, unclosed, no box
  const replies = [
    "x</think>\\boxed{2}",
    "x</think>\\boxed{5}",
    "yy</think>\\boxed{6}",
    "zzzz",
    "</think>10",
  ];
  const seen: number[][] = [];
  const gen = (prompts: number[][]) => {
    seen.push(...prompts);
    return Promise.resolve(replies.map((r) => codec.encode(r)));
  };
  const { summary, outcomes } = await questionAccuracy(questions, codec, gen, {
    prefix: "Q:",
    suffix: "|",
  });
  assert.equal(seen.length, 5);
  assert.equal(codec.decode(seen[0]!), "Q:What is 1 + 1?|<think>");
  assert.deepEqual(outcomes.map((o) => o.correct), [1, 0, 1, 0, 0]);
  assert.equal(summary.count, 5);
  assert.equal(summary.correct, 2);
  assert.equal(summary.accuracy, 0.4);
  assert.deepEqual(summary.byDifficulty, {
    "1": { count: 2, correct: 1, accuracy: 0.5 },
    "2": { count: 2, correct: 1, accuracy: 0.5 },
    "3": { count: 1, correct: 0, accuracy: 0 },
  });
  assert.deepEqual(summary.byKind.addition, { count: 3, correct: 1, accuracy: 1 / 3 });
  assert.equal(summary.closedFraction, 4 / 5, "the last reply closes </think> without a box");
  assert.equal(summary.answeredFraction, 3 / 5);
  assert.equal(summary.meanReasoningLength, (1 + 1 + 2 + 4 + 0) / 5);
  assert.equal(summariseQuestions([]).accuracy, null);
});
