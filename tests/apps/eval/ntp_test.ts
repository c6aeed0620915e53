/**
 * Tests of per-position scoring and NTP accuracy by tier (`lib/apps/eval/tiers.ts`, `lib/apps/eval/ntp.ts`)
 * on a hand-made model: a bigram table whose logits rows are chosen so that the entropy and the
 * argmax of every position are known in advance.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend, tensor } from "../../../lib/engine/tensor.ts";
import { Module } from "../../../lib/engine/nn.ts";
import { accuracyByTier, ntpAccuracy } from "../../../lib/apps/eval/ntp.ts";
import { allEntropies, cachedScores, scoreDocuments } from "../../../lib/apps/eval/tiers.ts";

await initBackend("cpu");

const V = 4;
/** Row r of the table: the logits after token r. */
const TABLE = [
  [10, 0, 0, 0], // after 0: predicts 0, entropy ≈ 0 (low tier)
  [0, 0, 0, 0], // after 1: uniform, entropy ln 4 ≈ 1.386 (medium tier), argmax 0 (first max)
  [0, 0, 5, 5], // after 2: two-way tie between 2 and 3, entropy ≈ ln 2 ≈ 0.69 (easy), argmax 2
  [0, 0, 0, 0], // after 3: uniform
];

/** A bigram "model": logits (B, T, V) = TABLE[ids]. */
class Bigram extends Module {
  table = tensor(TABLE.flat(), [V, V]).requireGrad();
  forward(ids: ReturnType<typeof tensor>) {
    return this.table.embedding(ids); // (B, T, V)
  }
}

const entropyOf = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return -e.reduce((s, x) => s + (x / z) * Math.log(x / z), 0);
};

Deno.test("scores: entropy and argmax per position follow the index convention", async () => {
  const docs = [[0, 0, 1, 2, 3], [2, 2]];
  const [a, b] = await scoreDocuments(new Bigram(), docs, { topK: 0, contextLength: 16, padId: 0 });
  assert.ok(Number.isNaN(a.entropy[0]));
  assert.equal(a.argmax[0], -1);
  // position p is predicted by logits row p − 1, i.e. the table row of ids[p − 1]
  for (let p = 1; p < 5; p++) {
    assert.ok(Math.abs(a.entropy[p] - entropyOf(TABLE[docs[0][p - 1]])) < 1e-5);
  }
  assert.deepEqual([...a.argmax], [-1, 0, 0, 0, 2]);
  assert.deepEqual([...b.argmax], [-1, 2]);
  assert.equal(allEntropies([a, b]).length, 5);
});

Deno.test("scores: top-k entropy renormalises over the k largest logits", async () => {
  const [s] = await scoreDocuments(new Bigram(), [[1, 1]], { topK: 2, contextLength: 8, padId: 0 });
  assert.ok(Math.abs(s.entropy[1] - Math.log(2)) < 1e-6); // uniform over any 2 of 4
});

Deno.test("scores: documents longer than the window are scored on its first positions", async () => {
  const [s] = await scoreDocuments(new Bigram(), [[0, 1, 2, 3, 0, 1]], {
    topK: 0,
    contextLength: 3,
    padId: 0,
  });
  assert.deepEqual([...s.argmax], [-1, 0, 0, 2, -1, -1]);
});

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

Deno.test("scores cache: written once, read back identically, keyed by weights", async () => {
  const dir = Deno.makeTempDirSync();
  const model = new Bigram();
  const docs = [[0, 1, 2, 3]];
  const opts = { topK: 0, contextLength: 8, padId: 0, cacheDir: dir };
  const first = await cachedScores(model, docs, opts);
  const second = await cachedScores(model, docs, opts);
  assert.equal(first.cached, false);
  assert.equal(second.cached, true);
  assert.equal(first.file, second.file);
  assert.deepEqual(second.scores, first.scores);
  const other = new Bigram();
  other.table = tensor(TABLE.flat().map((x) => x + 1e-3 * Math.random()), [V, V]).requireGrad();
  const third = await cachedScores(other, docs, opts);
  assert.equal(third.cached, false);
  assert.notEqual(third.file, first.file);
  Deno.removeSync(dir, { recursive: true });
});
