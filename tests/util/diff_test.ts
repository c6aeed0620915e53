/** `lib/util/diff.ts`: the first key path where two JSON-like values differ. */
import assert from "node:assert/strict";
import { firstDifference } from "../../lib/util/diff.ts";

Deno.test("firstDifference() names the first differing path, in key order of the first value", () => {
  const a = { lr: 0.1, rmt: { w: 1, grpo: { groupSize: 4 } }, seeds: [1, 2] };
  assert.equal(firstDifference(a, structuredClone(a)), null);
  assert.equal(
    firstDifference(a, { ...a, rmt: { w: 1, grpo: { groupSize: 8 } } }),
    "rmt.grpo.groupSize",
  );
  assert.equal(firstDifference(a, { ...a, lr: 0.2, seeds: [1] }), "lr");
  assert.equal(firstDifference(a, { ...a, seeds: [1] }, "train"), "train.seeds.1");
  assert.equal(firstDifference({ x: 1 }, { y: 1 }), "x", "a key missing on one side");
  assert.equal(firstDifference({ x: 1 }, { x: 1, y: 1 }), "y");
  assert.equal(firstDifference({ b: 1, a: 2 }, { a: 2, b: 1 }), null, "key order does not matter");
});

Deno.test("firstDifference() compares leaves with Object.is: NaN equals NaN, 0 differs from -0", () => {
  assert.equal(firstDifference({ x: NaN }, { x: NaN }), null);
  assert.equal(firstDifference({ x: 0 }, { x: -0 }), "x");
  assert.equal(firstDifference({ x: null }, { x: {} }), "x");
  assert.equal(firstDifference("1", 1, "field"), "field");
  assert.equal(firstDifference(null, null), null);
});
