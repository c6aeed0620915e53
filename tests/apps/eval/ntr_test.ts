/**
 * Tests of the NTR scoring pipeline (`lib/apps/eval/ntr.ts`) with fake generators.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";
import { PROMPT_DEFAULTS, promptText } from "../../../lib/rmt/prompt.ts";
import { runNtr, sampleNtrPositions, summariseNtr } from "../../../lib/apps/eval/ntr.ts";
import { makeCodec } from "../../_helpers/codec.ts";
import type { DocScores } from "../../../lib/apps/eval/tiers.ts";

await initBackend("cpu");

const codec = makeCodec([" cat", " sat"]);
const doc = codec.encode("the cat sat on 42");
/** Hand-made tier scores: positions 1..k get entropies cycling through the three RL tiers. */
const scores: DocScores[] = [{
  ids: doc,
  entropy: Float32Array.from(doc, (_, p) => (p === 0 ? NaN : [0.2, 0.7, 1.2, 1.9][p % 4])),
  argmax: Int32Array.from(doc, () => 0),
}];
const THRESHOLDS = [0.5, 1, 1.5];

Deno.test("NTR: prompts are buildPrompt's, answers are scored by exact match", async () => {
  const { positions, population } = sampleNtrPositions(scores, THRESHOLDS, 2, mulberry32(3));
  assert.deepEqual(population.map((n) => n > 0), [true, true, true]);
  assert.equal(positions.length, 6);
  const seen: string[] = [];
  // The fake model answers the true next token on easy positions, a wrong one on medium
  // positions and never closes </think> on hard ones.
  const generate = (prompts: number[][]) => {
    seen.push(...prompts.map((p) => codec.decode(p)));
    return Promise.resolve(positions.map((p) => {
      const truth = codec.decode([doc[p.pos]]);
      if (p.tier === 0) return codec.encode(`a b c</think>\\boxed{${truth}}<|endoftext|>`);
      if (p.tier === 1) return codec.encode(`a b</think>\\boxed{#}<|endoftext|>`);
      return codec.encode("thinking forever");
    }));
  };
  const outcomes = await runNtr(positions, [doc], codec, generate, {
    budget: 12,
    prompt: PROMPT_DEFAULTS,
    reward: "exact",
  });
  positions.forEach((p, i) => {
    assert.equal(seen[i], promptText(codec.decode(doc.slice(0, p.pos)), 12, PROMPT_DEFAULTS));
  });
  const s = summariseNtr(outcomes, population);
  assert.equal(s.disjoint.easy.accuracy, 1);
  assert.equal(s.disjoint.medium.accuracy, 0);
  assert.equal(s.disjoint.hard.accuracy, 0);
  assert.equal(s.closedFraction, 4 / 6);
  assert.equal(s.answeredFraction, 4 / 6);
  assert.equal(s.meanReasoningLengthClosed, (5 + 5 + 3 + 3) / 4); // "a b c" 5 bytes, "a b" 3
  assert.equal(s.meanReasoningLength, (5 + 5 + 3 + 3 + 16 + 16) / 6);
  const [nE, nM, nH] = population;
  assert.ok(Math.abs(s.nested.easy.accuracy! - nE / (nE + nM + nH)) < 1e-12);
  assert.equal(s.nested.hard.accuracy, 0);
});

Deno.test("NTR: a multi-token answer is wrong in exact mode, right in prefix mode", async () => {
  const p = { doc: 0, pos: 3, tier: 2, entropy: 2 }; // τ_3 = " cat"
  assert.equal(codec.decode([doc[3]]), " cat");
  const gen = () => Promise.resolve([codec.encode("x</think>\\boxed{ cat sat}<|endoftext|>")]);
  const opts = { budget: null, prompt: PROMPT_DEFAULTS };
  const [exact] = await runNtr([p], [doc], codec, gen, { ...opts, reward: "exact" });
  const [prefix] = await runNtr([p], [doc], codec, gen, { ...opts, reward: "prefix" });
  assert.equal(exact.reward, 0);
  assert.equal(prefix.reward, 1);
  await assert.rejects(
    () => runNtr([p], [doc], codec, () => Promise.resolve([]), { ...opts, reward: "exact" }),
    /1 prompts but 0 completions/,
  );
});
