/**
 * Per-token log-probabilities log π_θ(o_k | prompt, o_<k) of sampled completions, for the GRPO
 * objective of Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375; method §4.1): one teacher-forced forward over prompt ++ completion, or, with
 * `sharePrompts`, one forward per distinct prompt and one over the completions attending to it
 * (a GRPO group's G rollouts share their prompt; same values, about a third less compute).
 *
 * Layout: prompts are left-padded to a common length P (as `generate` does, so the positions the
 * policy saw while sampling are the positions it sees here) and completions right-padded to L:
 *
 *     [pad … pad | prompt_i | o_i,1 … o_i,K_i | pad … pad]      (N, P + L)
 *
 * Completion token k sits in column P + k and is predicted by logits row P + k − 1.
 *
 * Dimension legend: N responses, P longest prompt, L longest completion, V vocab.
 *
 * Deliberate deviations:
 * - Logits are divided by the sampling temperature before the softmax (as verl, which RPT used),
 *   so log π is the log-probability of the distribution the tokens were drawn from.
 * - log π = −crossEntropy(logits, o): the fused per-row NLL equals gatherLast(logSoftmax(logits))
 *   without materialising the (N, L, V) log-softmax (tested against the composite).
 *
 * @module
 */
import { type Tensor, tensor } from "../../engine/tensor.ts";
import type { KvPrefix } from "../../model/gpt.ts";
import { type PromptGroups, promptGroups, spreadRows } from "../../model/prefix.ts";
import type { Policy, PrefixPolicy } from "./_policy.ts";

/**
 * A padded batch of prompt ++ completion sequences (plain arrays, built once per step).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sequenceBatch, type SequenceBatch } from "./logprobs.ts";
 * const b: SequenceBatch = sequenceBatch([[7, 8]], [[1, 2, 3]], 0);
 * assert.deepEqual([b.promptLength, b.completionLength], [2, 3]);
 * ```
 */
export interface SequenceBatch {
  /** prompt ++ completion, left/right padded (N·(P + L)). */
  ids: Int32Array;
  /** 1 on real tokens, 0 on padding (N·(P + L)). */
  keyMask: Float32Array;
  /** The completion tokens o_ik, right-padded (N·L). */
  targets: Int32Array;
  /** 1 on completion tokens, 0 on padding (N·L). */
  mask: Float32Array;
  /** N sequences. */
  count: number;
  /** P, the longest prompt. */
  promptLength: number;
  /** L, the longest completion (≥ 1). */
  completionLength: number;
}

/**
 * Pads `prompts` on the left (to `opts.promptLength` when given: the padded length `generate`
 * used, so that every token keeps the absolute position it was sampled at) and `completions` on
 * the right into one batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sequenceBatch } from "./logprobs.ts";
 * const b = sequenceBatch([[7, 8], [9]], [[1], [2, 3]], 0);
 * assert.deepEqual([...b.ids], [7, 8, 1, 0, 0, 9, 2, 3]);
 * assert.deepEqual([...b.keyMask], [1, 1, 1, 0, 0, 1, 1, 1]);
 * assert.deepEqual([...b.targets], [1, 0, 2, 3]);
 * assert.deepEqual([...b.mask], [1, 0, 1, 1]);
 * ```
 */
// §4.1 support: the layout of prompt ++ o^i for one teacher-forced forward
export function sequenceBatch(
  prompts: number[][],
  completions: number[][],
  padId: number,
  opts: { promptLength?: number } = {},
): SequenceBatch {
  if (prompts.length !== completions.length) {
    throw new RangeError(
      `Cannot batch sequences: ${prompts.length} prompts but ${completions.length} completions`,
    );
  }
  const N = prompts.length;
  const P = prompts.reduce((m, p) => Math.max(m, p.length), opts.promptLength ?? 1);
  const L = completions.reduce((m, c) => Math.max(m, c.length), 1);
  const ids = new Int32Array(N * (P + L)).fill(padId); // (N, P + L)
  const keyMask = new Float32Array(N * (P + L)); // (N, P + L)
  const targets = new Int32Array(N * L).fill(padId); // (N, L)
  const mask = new Float32Array(N * L); // (N, L)
  for (let i = 0; i < N; i++) {
    const prompt = prompts[i]!, completion = completions[i]!;
    if (prompt.length === 0) throw new RangeError(`Cannot batch sequences: prompt ${i} is empty`);
    const row = i * (P + L);
    ids.set(prompt, row + P - prompt.length);
    keyMask.fill(1, row + P - prompt.length, row + P + completion.length);
    ids.set(completion, row + P);
    targets.set(completion, i * L);
    mask.fill(1, i * L, i * L + completion.length);
  }
  return { ids, keyMask, targets, mask, count: N, promptLength: P, completionLength: L };
}

/**
 * log π_θ of every completion token, (N, L), differentiable, and the mask of real tokens.
 *
 * @param model The policy (or the frozen reference under `noGrad`).
 * @param batch From {@linkcode sequenceBatch}.
 * @param opts `temperature` of the sampling distribution (default 1).
 *
 * @example A uniform model gives −ln V for every token
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, type Tensor } from "../../engine/tensor.ts";
 * import { completionLogprobs, sequenceBatch } from "./logprobs.ts";
 * const V = 5;
 * const model = { forward: (ids: Tensor) => tensor(new Float32Array(ids.size * V), [...ids.shape, V]) };
 * const { logp, mask } = completionLogprobs(model, sequenceBatch([[1, 2]], [[3, 4]], 0));
 * assert.deepEqual(logp.shape, [1, 2]);
 * for (const x of await logp.toArray()) assert.ok(Math.abs(x + Math.log(V)) < 1e-6);
 * assert.deepEqual([...await mask.toArray()], [1, 1]);
 * ```
 */
// §4.1: log π_θ(o_ik | prompt, o_i,<k) from one forward (row P + k − 1 predicts token k)
export function completionLogprobs(
  model: Policy,
  batch: SequenceBatch,
  opts: { temperature?: number; sharePrompts?: boolean } = {},
): { logp: Tensor; mask: Tensor } {
  const { count: N, promptLength: P, completionLength: L } = batch;
  const keyMask = tensor(batch.keyMask, [N, P + L]); // (N, P + L)
  const targets = tensor(batch.targets, [N, L], { dtype: "i32" }); // (N, L)
  const mask = tensor(batch.mask, [N, L]); // (N, L)
  let logits: Tensor; // (N, L, V)
  const groups = opts.sharePrompts === true
    ? promptGroups(
      Array.from({ length: N }, (_, i) => batch.ids.subarray(i * (P + L), i * (P + L) + P)),
    )
    : null;
  if (groups !== null && groups.first.length < N) {
    logits = sharedPromptLogits(model as PrefixPolicy, batch, groups, keyMask);
  } else {
    const ids = tensor(batch.ids, [N, P + L], { dtype: "i32" }); // (N, P + L)
    logits = model.forward(ids, { keyMask }).narrow(1, P - 1, L); // (N, L, V)
  }
  const temperature = opts.temperature ?? 1;
  if (temperature !== 1) logits = logits.div(temperature);
  const logp = logits.crossEntropy(targets).neg(); // log softmax(z/τ)[o_ik] (N, L)
  return { logp, mask };
}

/**
 * The logits of {@linkcode completionLogprobs} with each distinct prompt run once: the U prompts
 * (U, P) give their keys/values and the logits of their last position (which predict o_1); the
 * N completions (N, L) attend to their prompt's keys/values gathered into N rows. Gradients
 * of the G rows of a prompt add up in the gather's backward. Same values as the one forward over
 * (N, P + L), up to float summation order.
 */
function sharedPromptLogits(
  model: PrefixPolicy,
  batch: SequenceBatch,
  groups: PromptGroups,
  keyMask: Tensor,
): Tensor {
  const { count: N, promptLength: P, completionLength: L } = batch;
  const U = groups.first.length;
  const uIds = new Int32Array(U * P); // (U, P)
  const uMask = new Float32Array(U * P); // (U, P)
  const cIds = new Int32Array(N * L); // (N, L)
  groups.first.forEach((i, u) => {
    uIds.set(batch.ids.subarray(i * (P + L), i * (P + L) + P), u * P);
    uMask.set(batch.keyMask.subarray(i * (P + L), i * (P + L) + P), u * P);
  });
  for (let i = 0; i < N; i++) {
    cIds.set(batch.ids.subarray(i * (P + L) + P, (i + 1) * (P + L)), i * L);
  }
  const spread = (t: Tensor) => spreadRows(t, groups.source); // (U, …) → (N, …)
  const kv: KvPrefix = { k: [], v: [] };
  const promptLogits = model.forward(tensor(uIds, [U, P], { dtype: "i32" }), {
    keyMask: tensor(uMask, [U, P]),
    lastOnly: true,
    kvOut: kv,
  }); // (U, 1, V): predicts o_1
  const prefix: KvPrefix = { k: kv.k.map(spread), v: kv.v.map(spread) }; // (N, H, P, D) each
  const first = spread(promptLogits); // (N, 1, V)
  if (L === 1) return first;
  const rest = model.forward(tensor(cIds, [N, L], { dtype: "i32" }), { keyMask, prefix }); // (N, L, V)
  return first.cat([rest.narrow(1, 0, L - 1)], 1); // (N, L, V)
}
