/**
 * From token ids to training tensors: packing documents into one token stream separated by
 * end-of-text, sampling random windows of it for teacher-forced next-token prediction, and
 * right-padding variable-length prompts.
 *
 * Tensors are flat, row-major `Int32Array`s: element `(b, t)` of a `[B, T]` batch is at
 * `b * T + t`.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

/**
 * Concatenates documents into one stream, each followed by `eotId`
 * (`doc0 eot doc1 eot ...`), so that the model learns where documents end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packDocuments } from "./batches.ts";
 * assert.deepEqual(packDocuments([[1, 2], [3]], 9), Int32Array.from([1, 2, 9, 3, 9]));
 * ```
 */
export function packDocuments(docsIds: number[][], eotId: number): Int32Array {
  let n = 0;
  for (const d of docsIds) n += d.length + 1;
  const out = new Int32Array(n);
  let at = 0;
  for (const d of docsIds) {
    out.set(d, at);
    at += d.length;
    out[at++] = eotId;
  }
  return out;
}

/** A batch of windows for next-token prediction. */
export interface Batch {
  /** `[B, T]` input ids. */
  inputs: Int32Array;
  /** `[B, T]` target ids: `targets[b, t] = inputs[b, t + 1]` within the stream. */
  targets: Int32Array;
}

/**
 * Draws `batchSize` windows of `contextLength + 1` consecutive tokens at uniform random
 * offsets of `stream`; inputs are the first `contextLength` tokens of each window, targets the
 * last `contextLength` (shifted by one).
 *
 * @throws {RangeError} If the stream is shorter than `contextLength + 1` or sizes are invalid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleBatch } from "./batches.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const stream = Int32Array.from({ length: 100 }, (_, i) => i);
 * const { inputs, targets } = sampleBatch(stream, 4, 8, mulberry32(0));
 * assert.equal(inputs.length, 32);
 * for (let i = 0; i < 32; i++) assert.equal(targets[i], inputs[i] + 1);
 * ```
 */
export function sampleBatch(
  stream: Int32Array,
  batchSize: number,
  contextLength: number,
  rng: Rng,
): Batch {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`sampleBatch: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isInteger(contextLength) || contextLength < 1) {
    throw new RangeError(
      `sampleBatch: contextLength must be a positive integer, got ${contextLength}`,
    );
  }
  const starts = stream.length - contextLength; // valid window starts: 0..starts-1
  if (starts < 1) {
    throw new RangeError(
      `sampleBatch: stream of ${stream.length} tokens is too short for contextLength ${contextLength}`,
    );
  }
  const inputs = new Int32Array(batchSize * contextLength);
  const targets = new Int32Array(batchSize * contextLength);
  for (let b = 0; b < batchSize; b++) {
    const s = Math.floor(rng() * starts);
    inputs.set(stream.subarray(s, s + contextLength), b * contextLength);
    targets.set(stream.subarray(s + 1, s + 1 + contextLength), b * contextLength);
  }
  return { inputs, targets };
}

/** Right-padded sequences. */
export interface PaddedBatch {
  /** `[B, length]` ids, each row right-padded with the pad id. */
  ids: Int32Array;
  /** `[B]` true length of each row. */
  lengths: Int32Array;
  /** Row length (the longest sequence, or the requested length). */
  length: number;
}

/**
 * Right-pads sequences to a common length (the longest one, or `length` if given).
 *
 * @throws {RangeError} If a sequence is longer than the requested `length`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { padSequences } from "./batches.ts";
 * const p = padSequences([[5, 6, 7], [8]], 0);
 * assert.deepEqual(p.ids, Int32Array.from([5, 6, 7, 8, 0, 0]));
 * assert.deepEqual(p.lengths, Int32Array.from([3, 1]));
 * assert.equal(p.length, 3);
 * ```
 */
export function padSequences(seqs: number[][], padId: number, length?: number): PaddedBatch {
  const longest = seqs.reduce((m, s) => Math.max(m, s.length), 0);
  const L = length ?? longest;
  if (!Number.isInteger(L) || L < longest) {
    throw new RangeError(
      `padSequences: length ${L} is shorter than the longest sequence (${longest})`,
    );
  }
  const ids = new Int32Array(seqs.length * L).fill(padId);
  const lengths = new Int32Array(seqs.length);
  seqs.forEach((s, i) => {
    ids.set(s, i * L);
    lengths[i] = s.length;
  });
  return { ids, lengths, length: L };
}
