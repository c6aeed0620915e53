import assert from "node:assert/strict";
import {
  generateQuestions,
  POSTTRAIN_SEEDS,
  type Question,
  type QuestionOptions,
  questionSplits,
} from "../../lib/data/questions.ts";
import { generateMathDocuments, PROBLEM_KINDS } from "../../lib/data/corpus_math.ts";

const qs = generateQuestions(600, 3);

/** Recomputes the answer of a question from its text alone, independently of the generator. */
function solve(q: Question): number {
  const text = q.question;
  let m = text.match(/^What is ([\d+\-*() ]+)\?$/);
  if (m) {
    // only digits, + - * ( ) and spaces: safe to evaluate as JavaScript
    return Function(`"use strict"; return (${m[1]});`)() as number;
  }
  m = text.match(/has (\d+) apples\. \w+ buys (\d+) more/);
  if (m) return Number(m[1]) + Number(m[2]);
  m = text.match(/has (\d+) apples and gives (\d+) of them/);
  if (m) return Number(m[1]) - Number(m[2]);
  m = text.match(/^There are (\d+) boxes with (\d+) apples in each box/);
  if (m) return Number(m[1]) * Number(m[2]);
  m = text.match(/has (\d+) coins of (\d+) cents and (\d+) coins of (\d+) cents/);
  if (m) return Number(m[1]) * Number(m[2]) + Number(m[3]) * Number(m[4]);
  m = text.match(/at (\d+) km per hour for (\d+) hours/);
  if (m) return Number(m[1]) * Number(m[2]);
  m = text.match(/has (\d+) passengers\. At the station (\d+) get off and (\d+) get on/);
  if (m) return Number(m[1]) - Number(m[2]) + Number(m[3]);
  throw new Error(`unrecognised question: ${text}`);
}

Deno.test("generateQuestions() is deterministic per seed and prefix-stable", () => {
  assert.deepEqual(generateQuestions(600, 3), qs);
  assert.deepEqual(generateQuestions(50, 3), qs.slice(0, 50));
  assert.deepEqual(generateQuestions(0, 3), []);
  const other = new Set(generateQuestions(600, 4).map((q) => q.question));
  const shared = qs.filter((q) => other.has(q.question)).length;
  assert.ok(shared < 30, `seeds 3 and 4 share ${shared} of 600 questions`);
});

Deno.test("generateQuestions() answers are correct (recomputed from the question text)", () => {
  for (const q of qs) {
    assert.match(q.answer, /^(0|[1-9]\d*)$/, q.question);
    assert.equal(Number(q.answer), solve(q), q.question);
    assert.ok(q.question.endsWith("?") && !q.question.includes("\n"), q.question);
  }
  assert.equal(
    generateQuestions(3, 1, { kinds: ["addition"] })[0].question.slice(0, 8),
    "What is ",
  );
});

Deno.test("generateQuestions() covers every kind and grade, and grades scale operands", () => {
  assert.deepEqual(new Set(qs.map((q) => q.kind)), new Set(PROBLEM_KINDS));
  assert.deepEqual(new Set(qs.map((q) => q.difficulty)), new Set([1, 2, 3, 4]));
  const maxOperand = (d: number) =>
    Math.max(
      ...generateQuestions(40, 5, { kinds: ["addition"], difficulties: [d] })
        .map((q) => Math.max(...q.question.match(/\d+/g)!.map(Number))),
    );
  assert.ok(maxOperand(1) < 100 && maxOperand(2) < 1000);
  assert.ok(maxOperand(4) >= 1000 && maxOperand(4) < 100000);
  const hard = generateQuestions(30, 5, { difficulties: [4], kinds: ["subtraction"] });
  assert.ok(hard.every((q) => q.difficulty === 4 && q.kind === "subtraction"));
});

Deno.test("generateQuestions() skips repeats and excluded questions", () => {
  const few: QuestionOptions = { kinds: ["addition"], difficulties: [1] };
  const a = generateQuestions(200, 8, few);
  assert.equal(new Set(a.map((q) => q.question)).size, 200);
  const withRepeats = generateQuestions(2000, 8, {
    ...few,
    kinds: ["multiplication"],
    unique: false,
  });
  assert.ok(new Set(withRepeats.map((q) => q.question)).size < 2000, "repeats kept");
  const b = generateQuestions(50, 8, {
    kinds: ["addition"],
    difficulties: [1],
    exclude: a.map((q) => q.question),
  });
  const seen = new Set(a.map((q) => q.question));
  assert.ok(b.every((q) => !seen.has(q.question)));
  // coins of grade 1 have 3072 distinct texts: 3100 cannot be drawn
  assert.throws(
    () => generateQuestions(3100, 1, { kinds: ["coins"], difficulties: [1] }),
    /only \d+ of 3100 distinct questions/,
  );
  assert.throws(() => generateQuestions(-1, 1), /count must be a non-negative integer/);
  assert.throws(() => generateQuestions(1, 1, { difficulties: [5] }), RangeError);
});

Deno.test("question streams differ from the corpus documents of the same seed", () => {
  const docs = generateMathDocuments(300, 3, { workedFraction: 0, minChars: 0 });
  const texts = new Set(docs.map((d) => d.text.split("\n")[0]));
  const shared = qs.slice(0, 300).filter((q) => texts.has(q.question)).length;
  assert.ok(shared < 15, `${shared} of 300 questions replay seed-3 documents`);
});

Deno.test("questionSplits() gives disjoint training and held-out sets from two seeds", () => {
  const { train, heldOut } = questionSplits(256, 200);
  assert.equal(train.length, 256);
  assert.equal(heldOut.length, 200);
  assert.deepEqual(train, generateQuestions(256, POSTTRAIN_SEEDS.train));
  const seen = new Set(train.map((q) => q.question));
  assert.ok(heldOut.every((q) => !seen.has(q.question)));
  assert.equal(new Set(heldOut.map((q) => q.question)).size, 200);
  // a narrow pool, where overlaps between the seeds would otherwise occur
  const narrow = questionSplits(150, 150, { kinds: ["addition"], difficulties: [1] });
  const narrowSeen = new Set(narrow.train.map((q) => q.question));
  assert.ok(narrow.heldOut.every((q) => !narrowSeen.has(q.question)));
  assert.throws(() => questionSplits(1, 1, { trainSeed: 4, heldOutSeed: 4 }), /seeds must differ/);
});
