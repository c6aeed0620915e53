import assert from "node:assert/strict";
import { demoCount, demoStats, makeDemoRecords } from "../../../lib/apps/pretrain/demo_records.ts";
import { generateMathDocuments } from "../../../lib/data/corpus_math.ts";
import { generateReasoningDocuments } from "../../../lib/data/corpus_reasoning.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import { buildPrompt, PROMPT_DEFAULTS } from "../../../lib/rmt/prompt.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";

const docs = generateMathDocuments(60, 4, { maxChars: 200 });
const tok = Tokenizer.train(docs.map((d) => d.text), { vocabSize: 320 });
const OPTS = {
  prompt: PROMPT_DEFAULTS,
  budgetFraction: 0.5,
  verbosity: 0.5,
  errorRate: 0,
  maxTokens: 0,
};

Deno.test("makeDemoRecords() prompts are buildPrompt's and completions close the thinking", () => {
  const demos = makeDemoRecords(docs, tok, mulberry32(1), { ...OPTS, count: 40 });
  assert.equal(demos.length, 40);
  const think = tok.specialId("thinkOpen"), close = tok.specialId("thinkClose");
  const texts = docs.map((d) => tok.encode(d.text));
  for (const d of demos) {
    assert.equal(d.ids[d.promptLength - 1], think);
    assert.equal(d.ids[d.promptLength + d.reasoningLength], close);
    assert.equal(d.ids.at(-1), tok.specialId("eot"));
    assert.ok(d.budget === null || d.budget === d.reasoningLength);
    assert.equal(d.correct, true);
    const prompt = d.ids.slice(0, d.promptLength);
    const found = texts.some((ids) => {
      for (let j = 1; j < ids.length; j++) {
        const p = buildPrompt(ids.slice(0, j), d.budget, tok, PROMPT_DEFAULTS);
        if (p.length === prompt.length && p.every((id, i) => id === prompt[i])) return true;
      }
      return false;
    });
    assert.ok(found, tok.decode(prompt));
  }
  const withBudget = demos.filter((d) => d.budget !== null).length;
  assert.ok(withBudget > 8 && withBudget < 32, `${withBudget} of 40 with a budget`);
});

Deno.test("makeDemoRecords() redraws demonstrations longer than maxTokens", () => {
  const free = makeDemoRecords(docs, tok, mulberry32(2), { ...OPTS, count: 40 });
  const lengths = free.map((d) => d.ids.length).sort((a, b) => a - b);
  const limit = lengths[20]; // about half of the unconstrained ones are longer
  assert.ok(lengths[39] > limit);
  const demos = makeDemoRecords(docs, tok, mulberry32(2), { ...OPTS, count: 20, maxTokens: limit });
  assert.ok(demos.every((d) => d.ids.length <= limit));
  assert.throws(
    () => makeDemoRecords(docs, tok, mulberry32(2), { ...OPTS, count: 5, maxTokens: 10 }),
    /raise data.maxDemoTokens/,
  );
});

Deno.test("demoStats() averages lengths and shares", () => {
  const d = (n: number, budget: number | null, correct: boolean) => ({
    ids: Array(n).fill(1),
    promptLength: 1,
    reasoningLength: n - 3,
    budget,
    correct,
    kind: "generic" as const,
  });
  const s = demoStats([d(10, 7, true), d(20, null, false)]);
  assert.deepEqual(s, {
    count: 2,
    meanTokens: 15,
    maxTokens: 20,
    meanReasoning: 12,
    withBudget: 0.5,
    correct: 0.5,
  });
});

Deno.test("demoCount() gives a demonstration share of fraction in the stream", () => {
  assert.equal(demoCount(4000, 0.5), 4000);
  assert.equal(demoCount(300, 0.25), 100);
  assert.equal(demoCount(300, 0), 0);
});

Deno.test("makeDemoRecords() scratch-pads only where the truncated prompt shows the operands", () => {
  const rdocs = generateReasoningDocuments(40, 3, { maxChars: 160 });
  const rtok = Tokenizer.train(rdocs.map((d) => d.text), { vocabSize: 400 });
  const narrow = { ...PROMPT_DEFAULTS, maxContextTokens: 24 };
  const demos = makeDemoRecords(rdocs, rtok, mulberry32(5), {
    ...OPTS,
    prompt: narrow,
    count: 80,
    style: "scratchpad",
    verboseFraction: 0.5,
  });
  const think = rtok.specialId("thinkOpen");
  let computed = 0;
  for (const d of demos.filter((d) => d.kind === "computed")) {
    computed++;
    const prompt = rtok.decode(d.ids.slice(0, d.promptLength));
    const context = prompt.split("### Context\n")[1];
    const reasoning = rtok.decode(d.ids.slice(d.promptLength, d.promptLength + d.reasoningLength));
    const header = reasoning.match(/(?:result of |^)([\d+\-* ()]+?)(?:\.\n| = \?)/)!;
    for (const n of header[1].match(/\d+/g)!) {
      if (n.length > 1) assert.ok(new RegExp(`\\b${n}\\b`).test(context), `${n} not in ${context}`);
    }
    assert.equal(d.correct, true);
    assert.equal(d.ids[d.promptLength - 1], think);
  }
  assert.ok(computed > 40, `${computed} of 80 scratch-pads`);
});

Deno.test("makeDemoRecords() never states a budget below the verbose scratch-pad's length", () => {
  const rdocs = generateReasoningDocuments(40, 5, { maxChars: 160 });
  const rtok = Tokenizer.train(rdocs.map((d) => d.text), { vocabSize: 400 });
  const demos = makeDemoRecords(rdocs, rtok, mulberry32(6), {
    ...OPTS,
    prompt: { ...PROMPT_DEFAULTS, maxContextTokens: 128 },
    budgetFraction: 1,
    count: 80,
    style: "scratchpad",
    verboseFraction: 0.5,
  });
  let concise = 0, verbose = 0;
  for (const d of demos) {
    const first = rtok.decode(d.ids.slice(d.promptLength, d.promptLength + d.reasoningLength));
    if (d.kind !== "computed") assert.equal(d.budget, d.reasoningLength);
    else if (first.startsWith("The context")) {
      verbose++;
      assert.equal(d.budget, d.reasoningLength);
    } else {
      concise++;
      assert.ok(d.budget! >= 3 * d.reasoningLength, `${d.budget} for ${d.reasoningLength}`);
    }
  }
  assert.ok(concise > 10 && verbose > 10, `${concise} concise, ${verbose} verbose`);
});

Deno.test("makeDemoRecords() scratch-pads slip at errorRate and then box a wrong digit", () => {
  const rdocs = generateReasoningDocuments(40, 7, { maxChars: 160 });
  const rtok = Tokenizer.train(rdocs.map((d) => d.text), { vocabSize: 400 });
  const make = (errorRate: number) =>
    makeDemoRecords(rdocs, rtok, mulberry32(8), {
      ...OPTS,
      prompt: { ...PROMPT_DEFAULTS, maxContextTokens: 128 },
      errorRate,
      count: 200,
      style: "scratchpad",
    }).filter((d) => d.kind === "computed");
  const box = (d: { ids: number[] }) =>
    [...rtok.decode(d.ids).matchAll(/\\boxed\{(.*?)\}/g)].at(-1)![1]; // the prompt has one too
  const always = make(1);
  assert.ok(always.length > 100 && always.every((d) => !d.correct));
  const some = make(0.3);
  const wrong = some.filter((d) => !d.correct).length / some.length;
  assert.ok(wrong > 0.15 && wrong < 0.45, `slip rate ${wrong}`);
  for (const d of [...always, ...some]) assert.match(box(d), /^\d$/);
});
