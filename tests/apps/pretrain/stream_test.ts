import assert from "node:assert/strict";
import { packStream, sampleStreamBatch, stepSeed } from "../../../lib/apps/pretrain/stream.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";

Deno.test("packStream() appends end-of-text unless a document ends with it", () => {
  const s = packStream([[1, 2], [3, 9], [4]], 9, 1);
  assert.deepEqual([...s.tokens], [1, 2, 9, 3, 9, 4, 9]);
  assert.deepEqual([...s.starts], [0, 3, 5]);
  assert.equal(s.demos, 1);
  assert.equal(s.documents, 2);
});

Deno.test("sampleStreamBatch() rows start at document boundaries and depend only on (seed, step)", () => {
  const s = packStream([[1, 2, 3], [4, 5], [6, 7, 8, 9], [10, 11]], 0);
  const starts = new Set([1, 4, 6]);
  const b1 = sampleStreamBatch(s, 4, 4, mulberry32(stepSeed(1, 7)));
  const b2 = sampleStreamBatch(s, 4, 4, mulberry32(stepSeed(1, 7)));
  assert.deepEqual(b1, b2);
  for (let r = 0; r < 4; r++) {
    assert.ok(starts.has(b1.inputs[r * 4]));
    assert.deepEqual(
      b1.targets.subarray(r * 4, r * 4 + 3),
      b1.inputs.subarray(r * 4 + 1, r * 4 + 4),
    );
  }
  assert.throws(() => sampleStreamBatch(s, 1, 20, mulberry32(1)), /too short/);
});

Deno.test("stepSeed() differs across steps and seeds", () => {
  const seeds = new Set<number>();
  for (let s = 0; s < 4; s++) for (let t = 0; t < 250; t++) seeds.add(stepSeed(s, t));
  assert.equal(seeds.size, 1000);
});
