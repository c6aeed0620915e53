import assert from "node:assert/strict";
import { groupRewards } from "../../../lib/apps/train/rewards.ts";
import { groupAdvantages } from "../../rmt/reference/grpo.ts";
import { makeCodec } from "../../_helpers/codec.ts";

const codec = makeCodec();
const doc = codec.encode("12+30=42.");
const pos = 6; // τ_pos = "4"
/** A completion: reasoning, `</think>`, a boxed answer, end of text. */
const reply = (reasoning: string, answer: string) =>
  codec.encode(`${reasoning}</think>\\boxed{${answer}}<|endoftext|>`);
const OPTS = { codec, mode: "exact" as const, rMax: 1, w: 0.2, advantageEps: 1e-6 };

Deno.test("groupRewards() scores r_pos, r_len(ℓ; B_t), r = (1 − w)·r_pos + w·r_len per completion", () => {
  const g = groupRewards(doc, pos, [reply("abcd", "4"), reply("ab", "4"), reply("abcdefgh", "5")], {
    ...OPTS,
    budget: 4,
  });
  assert.deepEqual(g.matchReward, [1, 1, 0]);
  assert.deepEqual(g.length, [4, 2, 8]);
  assert.deepEqual(g.lengthReward, [1, 0.5, 0]); // peak at ℓ = B_t, 0 at ℓ = 2·B_t
  assert.deepEqual(g.reward.map((r) => +r.toFixed(12)), [1, 0.9, 0]);
  assert.deepEqual(g.closed, [true, true, true]);
});

Deno.test("groupRewards() whitens r within the group (§4.1), as the oracle does", () => {
  const completions = [reply("a", "4"), reply("abc", "4"), reply("ab", "1"), reply("", "4")];
  const g = groupRewards(doc, pos, completions, { ...OPTS, budget: 3 });
  const expected = groupAdvantages(g.reward, OPTS.advantageEps);
  g.advantage.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) < 1e-12, `A_${i}`));
  assert.ok(Math.abs(g.advantage.reduce((a, b) => a + b, 0)) < 1e-12, "zero mean");
});

Deno.test("groupRewards() without a budget pays no length reward (w/o DTB, RPT)", () => {
  const g = groupRewards(doc, pos, [reply("abcd", "4"), reply("ab", "5")], {
    ...OPTS,
    budget: null,
  });
  assert.deepEqual(g.lengthReward, [0, 0]);
  assert.deepEqual(g.reward, [1, 0]); // w = 0: r = r_pos
});

Deno.test("groupRewards() gives a truncated completion r_pos = 0 and ℓ = its length (§8.4)", () => {
  const truncated = codec.encode("abcdef \\boxed{4}");
  const g = groupRewards(doc, pos, [truncated, reply("ab", "4")], { ...OPTS, budget: 4 });
  assert.deepEqual(g.matchReward, [0, 1]);
  assert.equal(g.length[0], truncated.length);
  assert.deepEqual(g.closed, [false, true]);
});

Deno.test("groupRewards() in prefix mode pays an answer that spans whole tokens of the continuation", () => {
  const g = groupRewards(doc, pos, [reply("a", "42"), reply("a", "42."), reply("a", "43")], {
    ...OPTS,
    mode: "prefix",
    budget: 1,
  });
  assert.deepEqual(g.matchReward, [1, 1, 0]);
  const exact = groupRewards(doc, pos, [reply("a", "42")], { ...OPTS, budget: 1 });
  assert.deepEqual(exact.matchReward, [0]);
});

Deno.test("groupRewards() gives all-equal rewards exactly zero advantage", () => {
  const g = groupRewards(doc, pos, [reply("ab", "4"), reply("ab", "4")], { ...OPTS, budget: 2 });
  assert.deepEqual(g.advantage, [0, 0]);
});
