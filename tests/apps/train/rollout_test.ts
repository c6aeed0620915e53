import assert from "node:assert/strict";
import { rolloutPrompts, sampleRollouts } from "../../../lib/apps/train/rollout.ts";
import { buildPrompt } from "../../../lib/rmt/prompt.ts";
import { TINY_PROMPT, tinyModel, tinyTexts, tinyTokenizer } from "../../_helpers/tiny_train.ts";

const codec = tinyTokenizer();
const docs = tinyTexts(3).map((t) => codec.encode(t));

Deno.test("rolloutPrompts() is the §2.2 prompt of τ_<pos with B_t, one per RL position", () => {
  const positions = [{ doc: 0, pos: 5 }, { doc: 2, pos: 1 }];
  const prompts = rolloutPrompts(docs, positions, { budget: 7, codec, prompt: TINY_PROMPT });
  assert.equal(prompts.length, 2);
  positions.forEach(({ doc, pos }, p) => {
    assert.deepEqual(prompts[p], buildPrompt(docs[doc]!.slice(0, pos), 7, codec, TINY_PROMPT));
    assert.ok(codec.decode(prompts[p]!).startsWith("B7:"));
    assert.equal(prompts[p]!.at(-1), codec.specialId("thinkOpen"));
  });
  const none = rolloutPrompts(docs, positions, { budget: null, codec, prompt: TINY_PROMPT });
  assert.ok(codec.decode(none[0]!).startsWith("N:"));
});

Deno.test("sampleRollouts() samples G completions per prompt, grouped, seeded, cut after <|endoftext|>", async () => {
  const model = tinyModel();
  try {
    const prompts = rolloutPrompts(docs, [{ doc: 0, pos: 4 }, { doc: 1, pos: 6 }], {
      budget: 3,
      codec,
      prompt: TINY_PROMPT,
    });
    const opts = { groupSize: 3, maxNewTokens: 6, temperature: 1.5, topK: 0, seed: 11, codec };
    const a = await sampleRollouts(model, prompts, opts);
    assert.equal(a.completions.length, 2 * 3);
    const eot = codec.specialId("eot");
    for (const c of a.completions) {
      assert.ok(c.length >= 1 && c.length <= 6);
      const stop = c.indexOf(eot);
      assert.ok(stop === -1 || stop === c.length - 1, "nothing after <|endoftext|>");
    }
    assert.equal(a.generatedTokens, a.completions.reduce((n, c) => n + c.length, 0));
    const b = await sampleRollouts(model, prompts, opts);
    assert.deepEqual(b.completions, a.completions, "same seed, same completions");
    const c = await sampleRollouts(model, prompts, { ...opts, seed: 12 });
    assert.notDeepEqual(c.completions, a.completions);
  } finally {
    model.dispose();
  }
});
