/**
 * Tests of per-position scoring (`lib/apps/eval/tiers.ts`) on a hand-made bigram model whose
 * entropy and argmax at every position are known in advance, and of the scores cache.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend, tensor } from "../../../lib/engine/tensor.ts";
import { allEntropies, cachedScores, scoreDocuments } from "../../../lib/apps/eval/tiers.ts";
import { Bigram, entropyOf, TABLE, V } from "./_bigram.ts";

await initBackend("cpu");

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
