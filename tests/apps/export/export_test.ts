/**
 * Export round trips: a GPT with our tokenizer as GPT2LMHeadModel, a Llama-family fixture as
 * itself; loaded back, the logits are the source's (the same f32 weights, the same code) and the
 * exported tokenizer.json encodes as ours. (transformers' side: make_fixtures.py --check DIR.)
 */
import assert from "node:assert/strict";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import { HfTokenizer } from "../../../lib/data/hf_tokenizer.ts";
import { saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import { loadModel } from "../../../lib/model/load.ts";
import { noGrad } from "../../../lib/engine/tensor.ts";
import { exportModel } from "../../../lib/apps/export/export.ts";
import { ids, maxDiff, tinyModel } from "../../_helpers/tiny_model.ts";

const FIXTURES = new URL("../../fixtures/hf/", import.meta.url).pathname;
const TEXTS = [
  "The theme of these three themes: 12 + 30 = 42.",
  "  spaces,\n\nnewlines\tand tabs — ünïcödé 🙂 <think>x</think><|endoftext|>",
  "then the thesis, then the theory",
];

async function ourCheckpoint(dir: string, positional: "learned" | "rope"): Promise<Tokenizer> {
  const tok = Tokenizer.train([TEXTS[0], TEXTS[2], "the these theme thesis"], { vocabSize: 280 });
  const model = await tinyModel({ vocabSize: tok.vocabSize, positional });
  await saveCheckpoint(dir, { model, tokenizerJson: tok.toJSON(), state: {} });
  model.dispose();
  return tok;
}

Deno.test("exportModel() writes our GPT as GPT-2 that loads back with the same logits and ids", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "rmt-export-" });
  try {
    const tok = await ourCheckpoint(`${tmp}/ck`, "learned");
    const r = await exportModel(`${tmp}/ck`, `${tmp}/hf`);
    assert.equal(r.architecture, "GPT2LMHeadModel");
    const source = await loadModel(`${tmp}/ck`);
    const back = await loadModel(`${tmp}/hf`);
    assert.equal(back.format, "hf");
    const x = ids([[3, 1, 4, 1, 5, 9, 2, 6]]);
    const want = await noGrad(() => source.model.forward(x)).toArray();
    const got = await noGrad(() => back.model.forward(x)).toArray();
    assert.equal(maxDiff(got, want), 0);
    const hfTok = await HfTokenizer.load(`${tmp}/hf`);
    for (const text of TEXTS) {
      assert.deepEqual(hfTok.encode(text), tok.encode(text), text);
      assert.equal(hfTok.decode(tok.encode(text)), text);
    }
    assert.equal(hfTok.specialId("eot"), tok.specialId("eot"));
    source.model.dispose();
    back.model.dispose();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("exportModel() round-trips a Llama-family directory (BF16 in, F32 out)", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "rmt-export-" });
  try {
    const r = await exportModel(`${FIXTURES}qwen2`, `${tmp}/hf`);
    assert.equal(r.architecture, "Qwen2ForCausalLM");
    const source = await loadModel(`${FIXTURES}qwen2`);
    const back = await loadModel(`${tmp}/hf`);
    const x = ids([[3, 1, 4, 1, 5]]);
    const want = await noGrad(() => source.model.forward(x)).toArray();
    const got = await noGrad(() => back.model.forward(x)).toArray();
    assert.equal(maxDiff(got, want), 0);
    assert.equal(
      (back.codec as HfTokenizer).chatTemplate,
      (source.codec as HfTokenizer).chatTemplate,
    );
    source.model.dispose();
    back.model.dispose();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("exportModel() refuses a RoPE GPT and a non-empty --out, saying why", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "rmt-export-" });
  try {
    await ourCheckpoint(`${tmp}/ck`, "rope");
    await assert.rejects(
      () => exportModel(`${tmp}/ck`, `${tmp}/hf`),
      /is not a GPT2LMHeadModel: positional: rope rotates q and k/,
    );
    await assert.rejects(() => exportModel(`${tmp}/ck`, tmp), /--out: .* is not empty/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
