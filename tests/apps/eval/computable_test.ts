/**
 * Tests of the computable sample (`lib/apps/eval/computable.ts`) through `evaluateModel`, on a
 * hand-made bigram model over the fake codec whose greedy prediction at every position is known,
 * and on a generated document whose computed digits have concise scratch-pads.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { evaluateModel } from "../../../lib/apps/eval/evaluate.ts";
import { formatReport } from "../../../lib/apps/eval/report.ts";
import { conciseLengths, sampleComputablePositions } from "../../../lib/apps/eval/computable.ts";
import { documentKinds } from "../../../lib/apps/eval/slices.ts";
import { DocBuilder, E } from "../../../lib/data/math_doc.ts";
import { scratchpad } from "../../../lib/data/scratchpad.ts";
import { PROMPT_DEFAULTS } from "../../../lib/rmt/prompt.ts";
import { ENTROPY_DEFAULTS } from "../../../lib/rmt/entropy.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";
import type { CausalLM } from "../../../lib/model/causal_lm.ts";
import { makeCodec } from "../../_helpers/codec.ts";
import { BigramTable } from "./_bigram.ts";

await initBackend("cpu");

const codec = makeCodec(); // ids 0..255 bytes, then the specials
const V = 260;
const b = (ch: string) => ch.charCodeAt(0);

// "47 + 38 = 85." : drawn operands, template text, a computed sum (positions 10 and 11).
const builder = new DocBuilder().g(47).t(" + ").g(38).t(" = ").n(E.add(47, 38), false).t(".");
const DOC = {
  text: builder.text,
  facts: builder.facts,
  drawn: builder.drawn,
  difficulty: 2,
  kinds: [],
};
const IDS = codec.encode(DOC.text);

/** Greedy predictions: "8" after " " (right), "4" after "8" (wrong: the truth is "5"). */
function model(): CausalLM {
  const rows = new Float32Array(V * V).fill(0);
  rows[b(" ") * V + b("8")] = 5;
  rows[b("8") * V + b("4")] = 5;
  return new BigramTable(rows, V) as unknown as CausalLM;
}
const ALL_HARD = { ...ENTROPY_DEFAULTS, thresholds: [0.001, 0.002, 0.003] };
/** A generator that reasons for 100 tokens and answers "5". */
const answersFive = (prompts: number[][]) =>
  Promise.resolve(
    prompts.map(
      () => [...Array(100).fill(b("x")), ...codec.encode("</think>\\boxed{5}<|endoftext|>")],
    ),
  );

Deno.test("sampleComputablePositions() draws only computable positions, each once, when asked for more than there are", () => {
  const kinds = documentKinds([DOC], codec);
  const scores = [{
    ids: IDS,
    entropy: Float32Array.from(IDS, (_, p) => (p === 0 ? NaN : 1)),
    argmax: new Int32Array(IDS.length),
  }];
  const r = sampleComputablePositions(scores, kinds, [0.5, 0.8, 2], 10, mulberry32(3));
  assert.equal(r.population, 2);
  assert.deepEqual(r.positions.map((p) => p.pos).sort((x, y) => x - y), [10, 11]);
  assert.ok(r.positions.every((p) => p.tier === 1)); // H = 1 lies in (0.8, 2]
});

Deno.test("conciseLengths() is the token length of the concise scratch-pad at a computed digit", () => {
  const [first, second, plus] = conciseLengths([DOC], [IDS], codec, [
    { doc: 0, pos: 10 },
    { doc: 0, pos: 11 },
    { doc: 0, pos: 3 },
  ]);
  const pad = scratchpad(DOC, 11, "concise", mulberry32(0))!;
  assert.equal(pad.answer, "5");
  assert.equal(second, codec.encode(pad.reasoning).length);
  assert.equal(
    first,
    codec.encode(scratchpad(DOC, 10, "concise", mulberry32(0))!.reasoning).length,
  );
  assert.equal(plus, null); // "+" is template text
});

/** Evaluates the bigram model on DOC with a computable sample of up to 8 and one tier position. */
const evaluateDoc = (generator: typeof answersFive) =>
  evaluateModel({
    model: model(),
    tokenizer: codec,
    documents: [IDS],
    kinds: documentKinds([DOC], codec),
    heldOut: [DOC],
    prompt: PROMPT_DEFAULTS,
    generator,
    config: { positions: 1, computable: 8, entropy: ALL_HARD, cacheDir: null },
  });

Deno.test("evaluateModel() scores NTR against greedy NTP on the computable sample and compares lengths with the concise scratch-pads", async () => {
  const r = await evaluateDoc(answersFive);
  const c = r.computable!;
  assert.equal(c.population, 2);
  assert.deepEqual(c.ntr, { count: 2, correct: 1, accuracy: 0.5 }); // "5" is right at "85"[1]
  assert.deepEqual(c.ntpAtNtr, { count: 2, correct: 1, accuracy: 0.5 }); // "8" right, "4" wrong
  assert.equal(c.meanReasoningLength, 100);
  const lengths = conciseLengths([DOC], [IDS], codec, [{ doc: 0, pos: 10 }, { doc: 0, pos: 11 }]);
  const concise = (lengths[0]! + lengths[1]!) / 2;
  assert.deepEqual(c.concise, {
    positions: 2,
    meanLength: concise,
    meanReasoningLength: 100,
    ratio: 100 / concise,
  });
  const a = (correct: number, count: number) => ({
    count,
    correct,
    accuracy: count > 0 ? correct / count : null,
  });
  assert.deepEqual(c.byPlace, { // "8" is the leading digit of 85, "5" its ones digit
    first: { ntr: a(0, 1), ntp: a(1, 1) },
    middle: { ntr: a(0, 0), ntp: a(0, 0) },
    last: { ntr: a(1, 1), ntp: a(0, 1) },
  });
  const text = formatReport(r);
  assert.match(text, /computable slice, 2 positions drawn from 2: NTR 50\.0 %/);
  assert.match(text, /leading NTR 0\.0 \/ NTP 100\.0 % \(1\)/);
  assert.equal(text.split("computable slice,").length, 2, "said once");
  assert.equal(r.ntr!.samples, 1); // the tier sample is unchanged: one position (all are hard)
});

Deno.test("evaluateModel() counts where the computable sample's derivations go wrong", async () => {
  // one derivation for both prompts: right at "8|5" (answer 5), a wrong digit at "|85"
  const derives = (prompts: number[][]) =>
    Promise.resolve(
      prompts.map(() =>
        codec.encode(
          "47 + 38 = ?\nones: 7 + 8 = 15, write 5, carry 1\n47 + 38 = 85\n" +
            "written 8, next 5</think>\\boxed{5}<|endoftext|>",
        )
      ),
    );
  const none = { noDerivation: 0, wrongProblem: 0, wrongResult: 0, wrongDigit: 0, right: 0 };
  const derived = await evaluateDoc(derives);
  assert.deepEqual(derived.computable!.derivations, {
    ...none,
    positions: 2,
    wrongDigit: 1,
    right: 1,
  });
  assert.match(formatReport(derived), /wrong digit 50\.0 %; all right 50\.0 %/);
  const guessed = await evaluateDoc(answersFive);
  assert.deepEqual(guessed.computable!.derivations, { ...none, positions: 2, noDerivation: 2 });
});

Deno.test("evaluateModel() skips the computable sample when documents carry no tags", async () => {
  const r = await evaluateModel({
    model: model(),
    tokenizer: codec,
    documents: [IDS],
    prompt: PROMPT_DEFAULTS,
    generator: answersFive,
    config: { positions: 1, computable: 8, entropy: ALL_HARD, cacheDir: null },
  });
  assert.equal(r.computable, null);
  assert.doesNotMatch(formatReport(r), /computable slice/);
});
