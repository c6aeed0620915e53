/**
 * Dual training objective of Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375
 * (method §1.2, §4.2, §4.3): teacher-forced NTP on every position except the RL positions,
 * combined with the RL objective of `grpo.ts` as L = −J_RL + λ·NLL_NTP. These are the functions
 * the trainer (`lib/apps/train/step.ts`) backpropagates; `tests/rmt/reference/objective.ts` holds
 * the same equations on plain arrays, as the tests' oracle.
 *
 * Index convention (`lib/data/codec.ts`): mask[p] weights −log p_θ(τ_p | τ_<p), the loss of target
 * token τ_p = ids[p]. Logits row r predicts position r + 1, so the weights of rows 0..T−2 are
 * `mask.subarray(1)`. mask[0] = 0: τ_0 has no context and is never predicted.
 *
 * Dimension legend: B documents, R = T − 1 logits rows that predict a token, V vocab.
 *
 * Deliberate deviations:
 * - NLL_NTP is a token mean over unmasked positions (the paper writes a sum), §8.9. `tokens` may
 *   exceed this batch's count so that the micro-batches of a step sum to the step's mean.
 * - The sign is made explicit: J_RL is maximised and NLL minimised, so loss = −J_RL + λ·NLL.
 *
 * @module
 */
import type { Tensor } from "../engine/tensor.ts";
import { atLeast, type ConfigOf, defineConfig } from "../util/config.ts";

/** Dual-objective settings (method §4.3; paper value → ours, §11.3). */
export const OBJECTIVE = defineConfig("rmt.objective", {
  /** λ ≥ 0: weight of the NTP loss. Paper 0.1; ours 0.1 (0 = "RMT w/o NTP"). */
  lambda: { default: 0.1, check: atLeast(0) },
});

/** Dual-objective settings: λ. */
export type ObjectiveConfig = ConfigOf<typeof OBJECTIVE>;

/**
 * The NTP mask of a document of `T` tokens: 1 except at the RL positions (and at p = 0, which has
 * no prediction). RL positions must lie in [1, T).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpMask } from "./objective.ts";
 * assert.deepEqual([...ntpMask(5, [2])], [0, 1, 0, 1, 1]);
 * ```
 */
// method §4.2: m_pos = 1[τ_pos ∉ C] (Φ_NTP ∩ Φ_RL = ∅)
export function ntpMask(T: number, rlPositions: number[]): Float32Array {
  const mask = new Float32Array(T).fill(1); // (T)
  if (T > 0) mask[0] = 0;
  for (const p of rlPositions) {
    if (!(Number.isInteger(p) && p >= 1 && p < T)) {
      throw new RangeError(`Cannot mask RL position ${p}: positions must be in [1, ${T})`);
    }
    mask[p] = 0;
  }
  return mask;
}

/** The teacher-forced logits of a batch of documents, their targets and the NTP mask. */
export interface NtpTerms {
  /** Logits of the rows that predict a token (B, R, V). */
  logits: Tensor;
  /** τ_{r+1}, the token row r predicts, i32 (B, R). */
  targets: Tensor;
  /** m_{r+1}: 1 where row r is NTP-trained, 0 at RL positions and padding (B, R). */
  mask: Tensor;
}

/**
 * Token-mean masked NLL of teacher forcing, with gradient.
 *
 * @param terms Logits, targets and mask.
 * @param opts `tokens`: the divisor Σ m (default: this batch's; a step split in micro-batches
 *   passes the step's).
 *
 * @example A uniform model has NLL ln V everywhere
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../engine/tensor.ts";
 * import { ntpLoss } from "./objective.ts";
 * const V = 4;
 * const nll = ntpLoss({
 *   logits: tensor(new Float32Array(1 * 3 * V), [1, 3, V]),
 *   targets: tensor([[1, 2, 3]], undefined, { dtype: "i32" }),
 *   mask: tensor([[1, 0, 1]]),
 * });
 * assert.ok(Math.abs(await nll.item() - Math.log(V)) < 1e-6);
 * ```
 */
// method §4.2: L_NTP = −Σ_pos m_pos · log p_θ(τ_pos | τ_<pos) / Σ_pos m_pos
export function ntpLoss(terms: NtpTerms, opts: { tokens?: number } = {}): Tensor {
  const { logits, targets, mask } = terms;
  const nll = logits.crossEntropy(targets); // −log p_θ(τ_{r+1} | τ_≤r) (B, R)
  const tokens = opts.tokens === undefined ? mask.sum().maximum(1) : Math.max(1, opts.tokens);
  return nll.mul(mask).sum().div(tokens); // scalar
}

/**
 * The unified loss to minimise. It is linear in its two terms, so a step split into micro-batches
 * may pass each micro-batch's part of one term alone (the other absent): the gradients of the
 * parts add up to ∇L.
 *
 * @param terms J_RL (to maximise) and NLL_NTP (to minimise), scalars; either may be absent.
 * @param lambda λ, the weight of NLL_NTP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../engine/tensor.ts";
 * import { unifiedLoss } from "./objective.ts";
 * const loss = unifiedLoss({ jRl: tensor(0.5), nllNtp: tensor(2) }, 0.1);
 * assert.ok(Math.abs(await loss.item() - -0.3) < 1e-7);
 * ```
 */
// method §4.3: L(θ) = −J_RL(θ) + λ·NLL_NTP(θ)
export function unifiedLoss(terms: { jRl?: Tensor; nllNtp?: Tensor }, lambda: number): Tensor {
  const { jRl, nllNtp } = terms;
  if (jRl === undefined && nllNtp === undefined) {
    throw new RangeError("Cannot compute the unified loss: neither J_RL nor NLL_NTP is given");
  }
  if (nllNtp === undefined) return jRl!.neg();
  const ntp = nllNtp.mul(lambda);
  return jRl === undefined ? ntp : jRl.neg().add(ntp);
}
