/**
 * Token-inclusive NTP term of Reinforcement Mid-Training (Tian et al., "Reinforcement
 * Mid-Training", arXiv:2509.24375; method §1.2, §4.2) on a batch of documents: the raw documents
 * padded into one batch with the RL positions of the step masked out, so that no token is trained
 * twice, and the teacher-forced forward whose logits `ntpLoss` (`lib/rmt/objective.ts`) scores.
 *
 * Index convention (`lib/data/codec.ts`): position p is the target ids[p] predicted from
 * ids[0..p); logits row r predicts position r + 1, so row r is weighted by m_{r+1}.
 *
 * Dimension legend: B documents, T longest document (padded), V vocab.
 *
 * Deliberate deviations:
 * - Token mean over the unmasked positions of the whole step (the paper writes a sum), §8.9.
 *   `tokens` may exceed this batch's count so that micro-batches sum to the step's mean.
 *
 * @module
 */
import { type Tensor, tensor } from "../../engine/tensor.ts";
import { ntpLoss, ntpMask } from "../../rmt/objective.ts";
import type { Policy } from "./_policy.ts";

/** A right-padded batch of documents with the NTP targets and mask of logits rows. */
export interface NtpBatch {
  /** Input ids, right-padded (B·T). */
  ids: Int32Array;
  /** Target of logits row r: ids[r + 1] (B·(T − 1)). */
  targets: Int32Array;
  /** m_{r+1}: 1 where row r is NTP-trained, 0 at RL positions and padding (B·(T − 1)). */
  mask: Float32Array;
  /** B documents. */
  batch: number;
  /** T, the padded length. */
  length: number;
  /** Σ m, the number of NTP-trained tokens. */
  tokens: number;
}

/**
 * Builds the NTP batch of documents `docs` whose RL positions are `rlPositions[b]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpBatch } from "./ntp_batch.ts";
 * const b = ntpBatch([[5, 6, 7, 8], [9, 10]], [[2], []], 0);
 * assert.equal(b.length, 4);
 * assert.deepEqual([...b.targets], [6, 7, 8, 10, 0, 0]);
 * assert.deepEqual([...b.mask], [1, 0, 1, 1, 0, 0]);
 * assert.equal(b.tokens, 3);
 * ```
 */
// method §4.2: m_pos = 1[τ_pos ∉ C], shifted to logits rows (row r predicts position r + 1)
export function ntpBatch(docs: number[][], rlPositions: number[][], padId: number): NtpBatch {
  const B = docs.length;
  const T = docs.reduce((m, d) => Math.max(m, d.length), 2);
  const ids = new Int32Array(B * T).fill(padId); // (B, T)
  const targets = new Int32Array(B * (T - 1)).fill(padId); // (B, T − 1)
  const mask = new Float32Array(B * (T - 1)); // (B, T − 1)
  let tokens = 0;
  docs.forEach((doc, b) => {
    ids.set(doc, b * T);
    const m = ntpMask(doc.length, rlPositions[b] ?? []); // (T_b), m[0] = 0
    for (let p = 1; p < doc.length; p++) {
      targets[b * (T - 1) + p - 1] = doc[p]!;
      mask[b * (T - 1) + p - 1] = m[p]!;
      tokens += m[p]!;
    }
  });
  return { ids, targets, mask, batch: B, length: T, tokens };
}

/**
 * NLL_NTP of a batch, with gradient: the policy's teacher-forced logits scored by `ntpLoss`.
 *
 * @param model The policy π_θ (teacher forcing, raw text, no template).
 * @param batch Documents, targets and mask from {@linkcode ntpBatch}.
 * @param opts `tokens`: the divisor (the step's Σ m when the step is split in micro-batches;
 *   default this batch's Σ m).
 *
 * @example A uniform model has NLL ln V everywhere
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, type Tensor } from "../../engine/tensor.ts";
 * import { ntpBatch, ntpBatchLoss } from "./ntp_batch.ts";
 * const V = 4;
 * const model = { forward: (ids: Tensor) => tensor(new Float32Array(ids.size * V), [...ids.shape, V]) };
 * const nll = ntpBatchLoss(model, ntpBatch([[1, 2, 3]], [[1]], 0));
 * assert.ok(Math.abs(await nll.item() - Math.log(V)) < 1e-6);
 * ```
 */
export function ntpBatchLoss(
  model: Policy,
  batch: NtpBatch,
  opts: { tokens?: number } = {},
): Tensor {
  const { batch: B, length: T } = batch;
  const ids = tensor(batch.ids, [B, T], { dtype: "i32" }); // (B, T)
  const logits = model.forward(ids).narrow(1, 0, T - 1); // row r predicts τ_{r+1} (B, T − 1, V)
  const targets = tensor(batch.targets, [B, T - 1], { dtype: "i32" }); // (B, T − 1)
  const mask = tensor(batch.mask, [B, T - 1]); // (B, T − 1)
  return ntpLoss({ logits, targets, mask }, { tokens: opts.tokens ?? batch.tokens }); // scalar
}
