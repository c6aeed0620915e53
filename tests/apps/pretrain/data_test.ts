/**
 * Tests of the pre-training corpus (`lib/apps/pretrain/data.ts`): demonstrations are in the exact
 * next-token-reasoning prompt format (byte for byte what `lib/rmt/prompt.ts` builds), half of
 * them state their own reasoning length as the budget, they parse as valid completions, and
 * the corpus is deterministic.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  buildPretrainCorpus,
  PRETRAIN_DATA_DEFAULTS,
  type PretrainDataConfig,
  validatePretrainData,
} from "../../../lib/apps/pretrain/data.ts";
import { buildPrompt, PROMPT_DEFAULTS, promptText } from "../../../lib/rmt/prompt.ts";
import { parseCompletion } from "../../../lib/rmt/reward_match.ts";
import { generateQuestions, POSTTRAIN_SEEDS } from "../../../lib/data/questions.ts";

const DATA: PretrainDataConfig = {
  ...PRETRAIN_DATA_DEFAULTS,
  trainDocs: 40,
  heldOutDocs: 8,
  vocabSize: 320,
  maxDocChars: 140,
  verbosity: 0,
  maxDemoTokens: 0,
};
const PROMPT = { ...PROMPT_DEFAULTS, maxContextTokens: 48 };

/** The documents of a stream as id arrays. */
function streamDocs(s: { tokens: Int32Array; starts: Int32Array }): number[][] {
  return [...s.starts].map((a, i) => [
    ...s.tokens.subarray(a, i + 1 < s.starts.length ? s.starts[i + 1] : s.tokens.length),
  ]);
}

Deno.test("stream: demonstrations are in the exact RL prompt format, byte for byte", () => {
  const corpus = buildPretrainCorpus(DATA, PROMPT);
  const tok = corpus.tokenizer;
  const think = tok.specialId("thinkOpen");
  const docs = streamDocs(corpus.train);
  const trainIds = corpus.documents.train.map((d) => tok.encode(d.text));
  const starts = (p: string) => tok.encode(p.split("{budget}")[0]);
  const isDemo = (d: number[]) => {
    const head = starts(PROMPT.prefixWithoutBudget);
    const headB = starts(PROMPT.prefixWithBudget);
    return [head, headB].some((h) => h.every((id, i) => d[i] === id));
  };
  const demos = docs.filter(isDemo);
  assert.equal(demos.length, corpus.train.demos);
  assert.equal(demos.length, 40); // demoFraction 0.5: as many demonstrations as documents
  let withBudget = 0;
  for (const d of demos) {
    const promptLength = d.lastIndexOf(think) + 1; // the instruction also mentions <think>
    // The prompt is what buildPrompt makes for some prefix of a training document.
    const found = trainIds.some((doc) => {
      for (let j = 1; j < doc.length; j++) {
        for (const budget of [null, parseBudget(tok.decode(d.slice(0, promptLength)))]) {
          if (budget === undefined) continue;
          const p = buildPrompt(doc.slice(0, j), budget, tok, PROMPT);
          if (p.length === promptLength && p.every((id, i) => id === d[i])) return true;
        }
      }
      return false;
    });
    assert.ok(found, `demonstration prompt not built by buildPrompt: ${tok.decode(d)}`);
    // The completion parses; ℓ equals the stated budget when there is one.
    const parsed = parseCompletion(d.slice(promptLength), tok);
    assert.equal(parsed.closedThinking, true);
    assert.notEqual(parsed.answer, null);
    assert.equal(d.at(-1), tok.specialId("eot"));
    const budget = parseBudget(tok.decode(d.slice(0, promptLength)));
    if (budget !== null && budget !== undefined) {
      withBudget++;
      assert.equal(parsed.reasoningLength, budget);
    }
    // The text form agrees with promptText (left-truncation aside: contexts here fit).
    const context = tok.decode(d.slice(0, promptLength)).split("### Context\n")[1]
      .split(PROMPT.suffix)[0];
    assert.equal(tok.decode(d.slice(0, promptLength)), promptText(context, budget ?? null, PROMPT));
  }
  assert.ok(withBudget > 8 && withBudget < 32, `with budget: ${withBudget} of 40`);
  assert.ok(corpus.demoStats.meanReasoning > 20, "reasoning is verbose");
});

/** The budget stated in a prompt's text, null without one, undefined if unparseable. */
function parseBudget(text: string): number | null | undefined {
  const m = /Think for (\d+) tokens/.exec(text);
  if (m) return Number(m[1]);
  return text.startsWith("Predict the next token. Think in") ? null : undefined;
}

Deno.test("corpus: deterministic in the seeds; held-out documents differ from training ones", () => {
  const a = buildPretrainCorpus(DATA, PROMPT);
  const b = buildPretrainCorpus(DATA, PROMPT);
  assert.deepEqual(a.train.tokens, b.train.tokens);
  assert.deepEqual(a.tokenizer.toJSON(), b.tokenizer.toJSON());
  const train = new Set(a.documents.train.map((d) => d.text));
  assert.ok(a.documents.heldOut.every((d) => !train.has(d.text)));
  assert.ok(a.documents.train.every((d) => d.text.length <= DATA.maxDocChars));
});

const REASONING: PretrainDataConfig = {
  ...PRETRAIN_DATA_DEFAULTS,
  source: "reasoning",
  trainDocs: 60,
  heldOutDocs: 8,
  vocabSize: 400,
  maxDocChars: 160,
  maxDemoTokens: 0,
  demoStyle: "scratchpad",
  verboseFraction: 0.5,
  errorRate: 0,
};
const WIDE = { ...PROMPT_DEFAULTS, maxContextTokens: 128 };

Deno.test("buildPretrainCorpus() scratch-pad demonstrations derive the true next token at result digits", () => {
  const corpus = buildPretrainCorpus(REASONING, WIDE);
  const tok = corpus.tokenizer;
  const think = tok.specialId("thinkOpen");
  const texts = corpus.documents.train.map((d) => d.text);
  assert.ok(texts.every((t) => t.length <= REASONING.maxDocChars));
  const demos = streamDocs(corpus.train).filter((d) => tok.decode(d).startsWith("Predict"));
  assert.equal(demos.length, 60);
  let computed = 0, verbose = 0;
  for (const d of demos) {
    const promptLength = d.lastIndexOf(think) + 1;
    const prompt = tok.decode(d.slice(0, promptLength));
    const context = prompt.split("### Context\n")[1].split(WIDE.suffix)[0];
    const doc = texts.find((t) => t.startsWith(context))!;
    assert.ok(doc !== undefined, context);
    const parsed = parseCompletion(d.slice(promptLength), tok);
    assert.equal(parsed.closedThinking, true);
    const reasoning = tok.decode(d.slice(promptLength, promptLength + parsed.reasoningLength));
    if (/^\d$/.test(doc[context.length]) && /^(The context stops|.* = \?\n)/.test(reasoning)) {
      computed++;
      assert.equal(parsed.answer, doc[context.length], reasoning);
      assert.equal(reasoning.trim().at(reasoning.startsWith("The") ? -2 : -1), parsed.answer);
      if (reasoning.startsWith("The")) verbose++;
    }
  }
  assert.ok(computed > 30 && computed < 60, `${computed} of 60 at result digits`);
  assert.ok(verbose > 0.25 * computed && verbose < 0.75 * computed, `${verbose} verbose`);
});

Deno.test("buildPretrainCorpus() builds the classic corpus from a record without demoStyle", () => {
  const { demoStyle: _s, verboseFraction: _v, questionFraction: _q, ...old } = DATA;
  const a = buildPretrainCorpus(old as PretrainDataConfig, PROMPT);
  const b = buildPretrainCorpus(DATA, PROMPT);
  assert.deepEqual(a.train.tokens, b.train.tokens);
});

Deno.test("validatePretrainData() accepts the reasoning source and checks the new fields", () => {
  assert.equal(validatePretrainData(REASONING, "data"), REASONING);
  assert.throws(
    () => validatePretrainData({ ...REASONING, demoStyle: "fancy" as "classic" }, "data"),
    /data\.demoStyle: expected "classic" or "scratchpad"/,
  );
  assert.throws(
    () => validatePretrainData({ ...REASONING, verboseFraction: 2 }, "data"),
    /data\.verboseFraction/,
  );
  assert.throws(
    () => validatePretrainData({ ...REASONING, questionFraction: -0.1 }, "data"),
    /data\.questionFraction: expected a number in \[0, 1\]/,
  );
  assert.throws(
    () => validatePretrainData({ ...REASONING, heldOutSeed: REASONING.trainSeed }, "data"),
    /data\.heldOutSeed/,
  );
  assert.throws(() => validatePretrainData({ ...REASONING, source: "poems" }, "data"), /source/);
  assert.throws(
    () => validatePretrainData({ ...REASONING, reasoningKinds: [] }, "data"),
    /data\.reasoningKinds: expected a non-empty list of distinct families among arithmetic, chain, sequence, story, got \[\]/,
  );
  assert.throws(
    () => validatePretrainData({ ...REASONING, reasoningKinds: ["chain", "chain"] }, "data"),
    /data\.reasoningKinds/,
  );
  assert.throws(
    () => validatePretrainData({ ...REASONING, operandDigits: [2, 7] }, "data"),
    /data\.operandDigits: expected a non-empty list of integers in 1\.\.6, got \[2,7\]/,
  );
});

Deno.test("buildPretrainCorpus() turns a share questionFraction of the demonstrations into solved questions in the post-training prompt", () => {
  const cfg = { ...REASONING, questionFraction: 0.25 };
  const corpus = buildPretrainCorpus(cfg, WIDE);
  const tok = corpus.tokenizer;
  const docs = streamDocs(corpus.train).map((d) => tok.decode(d));
  const questions = docs.filter((t) => t.startsWith("Solve the problem."));
  const nextToken = docs.filter((t) => t.startsWith("Predict the next token."));
  assert.equal(questions.length, 15); // a quarter of the 60 demonstrations
  assert.equal(nextToken.length, 45);
  for (const t of questions) {
    const m = t.match(
      /^Solve the problem\. .*\n### Problem\nWhat is (.+)\?\n### Answer\n<think>([^]*)<\/think>\\boxed\{(\d+)\}<\|endoftext\|>$/,
    ) ??
      t.match(
        /### Problem\n(.+)\n### Answer\n<think>([^]*)<\/think>\\boxed\{(\d+)\}<\|endoftext\|>$/,
      );
    assert.ok(m !== null, t);
    if (t.includes("What is ")) { // errorRate 0: every answer is the expression's value
      assert.equal(Number(m[3]), Function(`return ${m[1]}`)(), t);
    }
  }
  // the held-out stream has question demonstrations too; none of the default held-out questions
  const heldOut = new Set(generateQuestions(2000, POSTTRAIN_SEEDS.heldOut).map((q) => q.question));
  assert.ok(questions.every((t) => !heldOut.has(t.split("### Problem\n")[1].split("\n")[0])));
  assert.ok(streamDocs(corpus.heldOut).some((d) => tok.decode(d).startsWith("Solve the problem.")));
});

Deno.test("buildPretrainCorpus() uses a given tokenizer instead of training one", () => {
  const first = buildPretrainCorpus(REASONING, WIDE);
  const other = buildPretrainCorpus({ ...REASONING, trainSeed: 99, vocabSize: 300 }, WIDE, {
    tokenizer: first.tokenizer,
  });
  assert.equal(other.tokenizer, first.tokenizer);
  assert.deepEqual(other.tokenizer.toJSON(), first.tokenizer.toJSON());
  assert.notDeepEqual(other.train.tokens, first.train.tokens); // another corpus, same BPE
});
