import assert from "node:assert/strict";
import { packDocuments, padSequences, sampleBatch } from "../../lib/data/batches.ts";
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import { Tokenizer } from "../../lib/data/tokenizer.ts";

Deno.test("packDocuments() joins documents with end-of-text", () => {
  assert.deepEqual(packDocuments([], 0), new Int32Array(0));
  assert.deepEqual(packDocuments([[], [4, 5]], 9), Int32Array.from([9, 4, 5, 9]));
  const docs = generateMathDocuments(20, 3).map((d) => d.text);
  const tok = Tokenizer.train(docs, { vocabSize: 300 });
  const eot = tok.specialId("eot");
  const stream = packDocuments(docs.map((d) => tok.encode(d)), eot);
  assert.equal(tok.decode(Array.from(stream)), docs.map((d) => d + "<|endoftext|>").join(""));
});

Deno.test("sampleBatch() returns targets shifted by one within the stream", () => {
  const stream = Int32Array.from({ length: 50 }, (_, i) => 1000 + i);
  const B = 64, T = 10;
  const { inputs, targets } = sampleBatch(stream, B, T, mulberry32(1));
  assert.equal(inputs.length, B * T);
  assert.equal(targets.length, B * T);
  const seenStarts = new Set<number>();
  for (let b = 0; b < B; b++) {
    const start = inputs[b * T] - 1000;
    seenStarts.add(start);
    assert.ok(start >= 0 && start + T < stream.length);
    for (let t = 0; t < T; t++) {
      assert.equal(inputs[b * T + t], stream[start + t]);
      assert.equal(targets[b * T + t], stream[start + t + 1]);
    }
  }
  assert.ok(seenStarts.size > 20);
});

Deno.test("sampleBatch() reaches every window and is deterministic per seed", () => {
  const stream = Int32Array.from({ length: 12 }, (_, i) => i);
  const { inputs } = sampleBatch(stream, 500, 4, mulberry32(2));
  const starts = new Set<number>();
  for (let b = 0; b < 500; b++) starts.add(inputs[b * 4]);
  assert.deepEqual([...starts].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(
    sampleBatch(stream, 8, 4, mulberry32(3)),
    sampleBatch(stream, 8, 4, mulberry32(3)),
  );
  // The shortest valid stream: exactly one window.
  const one = sampleBatch(Int32Array.from([7, 8, 9]), 2, 2, mulberry32(0));
  assert.deepEqual(one.inputs, Int32Array.from([7, 8, 7, 8]));
  assert.deepEqual(one.targets, Int32Array.from([8, 9, 8, 9]));
});

Deno.test("sampleBatch() rejects a too-short stream and invalid sizes", () => {
  const rng = mulberry32(0);
  assert.throws(
    () => sampleBatch(Int32Array.from([1, 2]), 1, 2, rng),
    /too short for contextLength 2/,
  );
  assert.throws(() => sampleBatch(Int32Array.from([1, 2, 3]), 0, 2, rng), /batchSize/);
  assert.throws(() => sampleBatch(Int32Array.from([1, 2, 3]), 1, 0, rng), /contextLength/);
});

Deno.test("padSequences() right-pads and reports lengths", () => {
  const p = padSequences([[1], [2, 3, 4], []], 7);
  assert.equal(p.length, 3);
  assert.deepEqual(p.ids, Int32Array.from([1, 7, 7, 2, 3, 4, 7, 7, 7]));
  assert.deepEqual(p.lengths, Int32Array.from([1, 3, 0]));
  const q = padSequences([[1, 2]], 0, 4);
  assert.deepEqual(q.ids, Int32Array.from([1, 2, 0, 0]));
  assert.equal(q.length, 4);
  assert.throws(() => padSequences([[1, 2, 3]], 0, 2), /shorter than the longest sequence \(3\)/);
  assert.deepEqual(padSequences([], 0).ids, new Int32Array(0));
});
