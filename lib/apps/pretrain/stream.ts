/**
 * The packed pre-training token stream and its batches: documents joined by `<|endoftext|>`
 * with their start offsets, rows drawn at document boundaries, and per-step batch seeds so that a
 * resumed run draws exactly the batches of an uninterrupted one.
 *
 * Shapes: B = batch size (rows), T = context length.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";

/** A packed token stream with document boundaries. */
export interface TokenStream {
  /** All documents, each followed by `<|endoftext|>`. */
  tokens: Int32Array;
  /** Offset of each document's first token, increasing. */
  starts: Int32Array;
  /** Number of documents that are demonstrations. */
  demos: number;
  /** Number of plain documents. */
  documents: number;
}

/**
 * Packs documents (token ids) into one stream, appending `<|endoftext|>` to each unless it
 * already ends with it (demonstrations do).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packStream } from "./stream.ts";
 * const s = packStream([[1, 2], [3, 9]], 9, 1);
 * assert.deepEqual([...s.tokens], [1, 2, 9, 3, 9]);
 * assert.deepEqual([...s.starts], [0, 3]);
 * ```
 */
export function packStream(docs: number[][], eotId: number, demos = 0): TokenStream {
  let n = 0;
  for (const d of docs) n += d.length + (d.at(-1) === eotId ? 0 : 1);
  const tokens = new Int32Array(n);
  const starts = new Int32Array(docs.length);
  let at = 0;
  docs.forEach((d, i) => {
    starts[i] = at;
    tokens.set(d, at);
    at += d.length;
    if (d.at(-1) !== eotId) tokens[at++] = eotId;
  });
  return { tokens, starts, demos, documents: docs.length - demos };
}

/** A batch of rows for next-token prediction. */
export interface StreamBatch {
  /** (B, T) input ids. */
  inputs: Int32Array;
  /** (B, T) targets: `targets[b, t] = inputs[b, t + 1]` within the stream. */
  targets: Int32Array;
}

/**
 * `batchSize` rows of `contextLength` tokens, each starting at a document boundary drawn
 * uniformly with `rng` (so a demonstration that starts a row is seen whole when it fits).
 * Rows run on into the following documents; starts too close to the end are not drawn.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packStream, sampleStreamBatch } from "./stream.ts";
 * import { mulberry32 } from "../../util/rng.ts";
 * const s = packStream([[1, 2, 3], [4, 5, 6], [7, 8]], 0);
 * const b = sampleStreamBatch(s, 2, 3, mulberry32(1));
 * assert.equal(b.inputs.length, 6);
 * assert.ok([1, 4].includes(b.inputs[0]));
 * assert.equal(b.targets[0], b.inputs[1]);
 * ```
 */
export function sampleStreamBatch(
  stream: TokenStream,
  batchSize: number,
  contextLength: number,
  rng: Rng,
): StreamBatch {
  const last = stream.tokens.length - contextLength - 1; // latest valid row start
  let n = stream.starts.length;
  while (n > 0 && stream.starts[n - 1] > last) n--;
  if (n === 0) {
    throw new RangeError(
      `sampleStreamBatch: stream of ${stream.tokens.length} tokens is too short for contextLength ${contextLength}`,
    );
  }
  const inputs = new Int32Array(batchSize * contextLength); // (B, T)
  const targets = new Int32Array(batchSize * contextLength); // (B, T)
  for (let b = 0; b < batchSize; b++) {
    const s = stream.starts[Math.floor(rng() * n)];
    inputs.set(stream.tokens.subarray(s, s + contextLength), b * contextLength);
    targets.set(stream.tokens.subarray(s + 1, s + 1 + contextLength), b * contextLength);
  }
  return { inputs, targets };
}

/**
 * The seed of the batch at optimiser step `step`: batches depend only on (seed, step), so a
 * resumed run draws exactly the batches of an uninterrupted one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepSeed } from "./stream.ts";
 * assert.equal(stepSeed(1, 5), stepSeed(1, 5));
 * assert.notEqual(stepSeed(1, 5), stepSeed(1, 6));
 * ```
 */
export function stepSeed(seed: number, step: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
