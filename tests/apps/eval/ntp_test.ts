/**
 * Tests of NTP accuracy by tier (`lib/apps/eval/ntp.ts`) on a hand-made model: a bigram table whose logits rows are chosen so that the entropy and the
 * argmax of every position are known in advance.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { accuracyByTier, ntpAccuracy } from "../../../lib/apps/eval/ntp.ts";
import { scoreDocuments } from "../../../lib/apps/eval/tiers.ts";
import { Bigram } from "./_bigram.ts";

await initBackend("cpu");

Deno.test("NTP accuracy by tier on the hand-made model", async () => {
  // positions 1..5: after 0 comes 0 (low, correct); after 0 comes 1 (low, wrong); after 1
  // comes 2 (medium, argmax 0: wrong); after 2 comes 3 (easy, argmax 2: wrong); after 3 comes 0
  // (medium, argmax 0: correct).
  const docs = [[0, 0, 1, 2, 3, 0]];
  const scores = await scoreDocuments(new Bigram(), docs, { topK: 0, contextLength: 16, padId: 0 });
  const r = ntpAccuracy(scores, scores, [0.5, 1, 1.5]);
  assert.deepEqual(r.all, { count: 5, correct: 2, accuracy: 0.4 });
  assert.deepEqual(r.disjoint.low, { count: 2, correct: 1, accuracy: 0.5 });
  assert.deepEqual(r.disjoint.easy, { count: 1, correct: 0, accuracy: 0 });
  assert.deepEqual(r.disjoint.medium, { count: 2, correct: 1, accuracy: 0.5 });
  assert.deepEqual(r.disjoint.hard, { count: 0, correct: 0, accuracy: null });
  assert.deepEqual(r.nested.easy, { count: 3, correct: 1, accuracy: 1 / 3 }); // H > 0.5
  assert.deepEqual(r.nested.medium, { count: 2, correct: 1, accuracy: 0.5 }); // H > 1
  assert.equal(r.average, null); // the hard split is empty
});

Deno.test("NTP accuracy: tiers from one model, predictions from another", () => {
  const tiers = [{
    ids: [1, 2, 3],
    entropy: Float32Array.of(NaN, 2, 0.7),
    argmax: Int32Array.of(-1, 0, 0),
  }];
  const preds = [{
    ids: [1, 2, 3],
    entropy: Float32Array.of(NaN, 0, 0),
    argmax: Int32Array.of(-1, 2, 3),
  }];
  const r = ntpAccuracy(tiers, preds, [0.5, 1, 1.5]);
  assert.equal(r.disjoint.hard.accuracy, 1);
  assert.equal(r.disjoint.easy.accuracy, 1);
  assert.equal(r.disjoint.low.count, 0);
  assert.throws(
    () => accuracyByTier(Float32Array.of(1), Uint8Array.of(), [0.5, 1, 1.5]),
    /1 entropies but 0/,
  );
});
