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
  loadDocuments,
  PRETRAIN_DATA_DEFAULTS,
  type PretrainDataConfig,
} from "../../../lib/apps/pretrain/data.ts";
import { buildPrompt, PROMPT_DEFAULTS, promptText } from "../../../lib/rmt/prompt.ts";
import { parseCompletion } from "../../../lib/rmt/reward_match.ts";

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

Deno.test("corpus: a .jsonl source is split into training and held-out documents", () => {
  const file = Deno.makeTempFileSync({ suffix: ".jsonl" });
  const lines = Array.from(
    { length: 30 },
    (_, i) => JSON.stringify({ text: `Document ${i}: the cat sat on mat number ${i}.` }),
  );
  Deno.writeTextFileSync(file, lines.join("\n"));
  const cfg = { ...DATA, source: file, trainDocs: 0, heldOutDocs: 5 };
  const docs = loadDocuments(cfg);
  assert.equal(docs.heldOut.length, 5);
  assert.equal(docs.train.length, 25);
  const corpus = buildPretrainCorpus(cfg, PROMPT);
  assert.equal(corpus.train.demos, 25);
  Deno.removeSync(file);
});
