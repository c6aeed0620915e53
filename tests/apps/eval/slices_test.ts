/**
 * Tests of accuracy per position kind (`lib/apps/eval/slices.ts`), greedy NTP over ordinary
 * tokens (`tiers.ts`'s `excludeIds`) and the number of NTR positions per tier
 * (`evaluate.ts`), on a hand-made bigram model whose prediction at every position is known:
 * logits row r (after token r) is TABLE[r].
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { BigramTable } from "./_bigram.ts";
import { evaluateModel } from "../../../lib/apps/eval/evaluate.ts";
import { formatReport } from "../../../lib/apps/eval/report.ts";
import { scoreDocuments } from "../../../lib/apps/eval/tiers.ts";
import { specialIds } from "../../../lib/apps/eval/slices.ts";
import { PROMPT_DEFAULTS } from "../../../lib/rmt/prompt.ts";
import { ENTROPY_DEFAULTS } from "../../../lib/rmt/entropy.ts";
import { resolveExperimentConfig } from "../../../lib/apps/experiment/plan.ts";
import type { CausalLM } from "../../../lib/model/causal_lm.ts";
import type { PositionKind } from "../../../lib/data/position_kinds.ts";
import { makeCodec } from "../../_helpers/codec.ts";

await initBackend("cpu");

const codec = makeCodec(); // ids 0..255 bytes, 256..259 pad, eot, <think>, </think>
const V = 260;
const THINK = codec.specialId("thinkOpen");
const b = (ch: string) => ch.charCodeAt(0);

/** A bigram "model" over the fake codec: logits (B, T, V) = rows[ids]. */
class Bigram extends BigramTable {
  constructor(rows: Float32Array) {
    super(rows, V);
  }
}
const asLM = (m: Bigram) => m as unknown as CausalLM;

/** Row `after` of the table: logit 5 on `top`, and 8 on `<think>` when `think` is set. */
function table(peaks: [after: string, top: string, think?: boolean][]): Float32Array {
  const rows = new Float32Array(V * V);
  for (const [after, top, think] of peaks) {
    rows[b(after) * V + b(top)] = 5;
    if (think) rows[b(after) * V + THINK] = 8;
  }
  return rows;
}

// "7+5=12": drawn operands, template text, a computed result.
const TEXT = "7+5=12";
const KINDS: PositionKind[] = [
  "unpredictable",
  "other",
  "unpredictable",
  "other",
  "computable",
  "computable",
];
// Greedy predictions of positions 1..5 ('+', '5', '=', '1', '2'): right, wrong ('3'), right,
// right only because <think> (the top logit) is left out, wrong ('3').
const MODEL = table([["7", "+"], ["+", "3"], ["5", "="], ["=", "1", true], ["1", "3"]]);
const ALL_HARD = { ...ENTROPY_DEFAULTS, thresholds: [0.001, 0.002, 0.003] }; // every H > 0.003
/** A generator whose boxed answer is always "1": right only where the truth is "1". */
const answersOne = (prompts: number[][]) =>
  Promise.resolve(prompts.map(() => codec.encode("ok</think>\\boxed{1}<|endoftext|>")));

Deno.test("scoreDocuments() leaves excluded ids out of the argmax but not out of the entropy", async () => {
  const model = new Bigram(MODEL);
  const doc = [codec.encode(TEXT)];
  const opts = { topK: 0, contextLength: 64, padId: 0 };
  const [all] = await scoreDocuments(model, doc, opts);
  const [ordinary] = await scoreDocuments(model, doc, { ...opts, excludeIds: specialIds(codec) });
  assert.equal(all.argmax[4], THINK); // after "=", the top logit is <think>
  assert.equal(ordinary.argmax[4], b("1")); // the second one is the right digit
  assert.deepEqual(ordinary.entropy, all.entropy);
  assert.deepEqual([...ordinary.argmax], [-1, b("+"), b("3"), b("="), b("1"), b("3")]);
});

Deno.test("evaluateModel() reports NTP and NTR accuracy per position kind when documents carry tags", async () => {
  const model = asLM(new Bigram(MODEL));
  const r = await evaluateModel({
    model,
    tokenizer: codec,
    documents: [codec.encode(TEXT)],
    kinds: [KINDS],
    prompt: PROMPT_DEFAULTS,
    generator: answersOne,
    config: { positions: 64, entropy: ALL_HARD, cacheDir: null },
  });
  const s = r.slices!;
  assert.deepEqual(s.documents, { tagged: 1, untagged: 0 });
  // greedy NTP: computable 1/2 ("1" right thanks to the exclusion, "2" wrong), other 2/2
  assert.deepEqual(s.ntp!.computable, { count: 2, correct: 1, accuracy: 0.5 });
  assert.deepEqual(s.ntp!.unpredictable, { count: 1, correct: 0, accuracy: 0 });
  assert.deepEqual(s.ntp!.other, { count: 2, correct: 2, accuracy: 1 });
  assert.equal(s.ntp!.untagged.count, 0);
  assert.equal(r.ntp!.all.correct, 3);
  // NTR answers "1" everywhere: right at the first result digit only
  assert.equal(r.ntr!.samples, 5);
  assert.deepEqual(s.ntr!.computable, { count: 2, correct: 1, accuracy: 0.5 });
  assert.deepEqual(s.ntr!.other, { count: 2, correct: 0, accuracy: 0 });
  assert.deepEqual(s.ntr!.unpredictable, { count: 1, correct: 0, accuracy: 0 });
  // greedy NTP on the same (here: all) positions
  assert.deepEqual(s.ntpAtNtr, s.ntp);
  assert.deepEqual(r.ntpExcludedTokens, ["<|pad|>", "<|endoftext|>", "<think>", "</think>"]);
  const text = formatReport(r);
  assert.match(text, /NTP \(greedy\) is the argmax over ordinary tokens: <\|pad\|>, .*<think>/);
  assert.match(text, /\| mode +\| computable \| unpredictable \| +other \|\n/);
  assert.match(
    text,
    /\| NTP \(greedy\), all positions +\| +50\.0 \(2\) \| +0\.0 \(1\) \| 100\.0 \(2\) \|/,
  );
  assert.match(
    text,
    /\| NTR \(T=0\.8, B=none\), sampled positions \| +50\.0 \(2\) \| +0\.0 \(1\) \| +0\.0 \(2\) \|/,
  );
});

Deno.test("evaluateModel() counts positions of documents without tags as untagged", async () => {
  const model = asLM(new Bigram(MODEL));
  const input = {
    model,
    tokenizer: codec,
    documents: [codec.encode(TEXT), codec.encode(TEXT)],
    prompt: PROMPT_DEFAULTS,
    config: { mode: "ntp" as const, entropy: ALL_HARD, cacheDir: null },
  };
  // one tagged document and one of user text: an untagged column beside the kinds
  const mixed = await evaluateModel({ ...input, kinds: [KINDS, null] });
  assert.deepEqual(mixed.slices!.documents, { tagged: 1, untagged: 1 });
  assert.deepEqual(mixed.slices!.ntp!.untagged, { count: 5, correct: 3, accuracy: 0.6 });
  assert.equal(mixed.slices!.ntp!.computable.count, 2);
  assert.equal(mixed.slices!.ntr, null);
  assert.match(formatReport(mixed), /\| computable \| unpredictable \| +other \| untagged \|/);
  // no tags at all (a user corpus): every position untagged, one line instead of the table
  const none = await evaluateModel(input);
  assert.deepEqual(none.slices!.documents, { tagged: 0, untagged: 2 });
  assert.equal(none.slices!.ntp!.untagged.count, 10);
  assert.equal(none.slices!.ntp!.computable.count, 0);
  const text = formatReport(none);
  assert.match(text, /accuracy by position kind: not reported: none of the 2 held-out documents/);
  assert.doesNotMatch(text, /\| computable/);
});

Deno.test("evaluateModel() draws 256 NTR positions per tier when the tiers hold them", async () => {
  // three groups of tokens whose rows have a low, middle and high entropy: after "a" one peak of
  // 12 (H ≈ 0.01 nats), after "b" a peak of 5 (H ≈ 4.2), after "c" and "x" uniform (ln 260 ≈ 5.56)
  const rows = new Float32Array(V * V);
  rows[b("a") * V + b("b")] = 12;
  rows[b("b") * V + b("c")] = 5;
  const thresholds = [0.001, 4, 5];
  const docs: number[][] = [];
  for (let d = 0; d < 60; d++) {
    docs.push(codec.encode("xabcabcabcabcabcabcabcabcabcabcabcabcabcab"));
  }
  const r = await evaluateModel({
    model: asLM(new Bigram(rows)),
    tokenizer: codec,
    documents: docs,
    prompt: PROMPT_DEFAULTS,
    generator: answersOne,
    config: { positions: 256, entropy: { ...ENTROPY_DEFAULTS, thresholds }, cacheDir: null },
  });
  assert.ok(r.tiers.population.easy >= 256 && r.tiers.population.hard >= 256);
  assert.deepEqual(
    [r.ntr!.disjoint.easy.count, r.ntr!.disjoint.medium.count, r.ntr!.disjoint.hard.count],
    [256, 256, 256],
  );
  assert.equal(r.slices!.ntr!.untagged.count, 768);
  // the experiment's evaluation takes the number from experiment.yaml's eval.positions
  assert.equal(resolveExperimentConfig({ eval: { positions: 256 } }).eval.positions, 256);
  assert.throws(() => resolveExperimentConfig({ eval: { positions: 0 } }), /eval\.positions/);
});
