/**
 * Token-selective RL of Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375 (method §4.1):
 * GRPO (Shao et al., "DeepSeekMath", arXiv:2402.03300) with whitened group advantages and the
 * PPO clipped surrogate over per-token ratios. These are the functions the trainer
 * (`lib/apps/train/step.ts`) and post-training (`lib/apps/posttrain/grpo.ts`) backpropagate;
 * `tests/rmt/reference/grpo.ts` holds the same equations on plain arrays, as the tests' oracle.
 *
 * Dimension legend: G group size, N responses in this (micro-)batch, L longest response (padded).
 *
 * Deliberate deviations:
 * - Clipped surrogate with per-token ratios ρ = π_θ/π_old and token-mean 1/|o^i| (the paper
 *   writes A_i·log π_θ(o^i) on the sequence); with one update per batch (ρ ≡ 1) the gradient
 *   is the paper's up to that normalisation (§8.9).
 * - KL(π_θ‖π_ref) is the per-token k3 estimator exp(q) − q − 1, q = log π_ref − log π_θ
 *   (unbiased, always ≥ 0; Schulman 2020, as in DeepSeekMath); β = 0 by default, as RPT (§8.10).
 * - Population std and δ = 1e-6 in the whitening; all-equal rewards give exactly zero advantage.
 *   Advantages are computed on the host in float64: the rewards are host numbers, no gradient
 *   flows through them, and exact zeros let the trainer skip responses that cannot contribute.
 * - ε = 0.2 and temperature 0.8 are RPT's values (RMT reports neither).
 * - `responses` may exceed N: a step split into micro-batches divides by the step's total number
 *   of responses, so the micro-batch objectives sum to the step's J_RL.
 *
 * @module
 */
import { noGrad, type Tensor } from "../engine/tensor.ts";
import { above, atLeast, type ConfigOf, defineConfig, integer, within } from "../util/config.ts";

/** GRPO settings (method §4.1, §5; paper value → ours, §8.10, §8.11, §11.3). */
export const GRPO = defineConfig("rmt.grpo", {
  /** G: rollouts per RL position, an integer ≥ 1. Paper 8; ours 8. */
  groupSize: { default: 8, check: integer(1) },
  /** ε ∈ (0, 1): ρ is clipped to [1 − ε, 1 + ε]. Paper: not reported (RPT 0.2); ours 0.2. */
  clipEps: { default: 0.2, check: within(0, 1, "()") },
  /** β ≥ 0: weight of the KL penalty to π_ref. Paper: not reported (RPT 0); ours 0. */
  klBeta: { default: 0, check: atLeast(0) },
  /** δ > 0 in A_i = (r_i − mean r)/(std r + δ). Paper: "small constant"; ours 1e-6. */
  advantageEps: { default: 1e-6, check: above(0) },
  /** Rollout sampling temperature > 0. Paper: not reported (RPT 0.8); ours 0.8. */
  temperature: { default: 0.8, check: above(0) },
});

/** GRPO settings: G, ε, β, δ and the rollout temperature. */
export type GrpoConfig = ConfigOf<typeof GRPO>;

/**
 * Whitened group advantages with the population std. All-equal rewards (including G = 1) give
 * exactly zero, never NaN.
 *
 * @param rewards r_i of the G responses to one prompt (G).
 * @param delta δ > 0, keeps a near-constant group from blowing up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { advantage } from "./grpo.ts";
 * assert.deepEqual(advantage([1, 0, 0, 1], 0), [1, -1, -1, 1]); // mean 0.5, std 0.5
 * assert.deepEqual(advantage([0.3, 0.3], 1e-6), [0, 0]);
 * assert.deepEqual(advantage([1], 1e-6), [0]);
 * ```
 */
// method §4.1: A_i = (r_i − mean_j r_j) / (std_j r_j + δ)
export function advantage(rewards: number[], delta: number): number[] {
  const G = rewards.length;
  if (G === 0 || rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  const mean = rewards.reduce((a, b) => a + b, 0) / G;
  const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / G);
  return rewards.map((r) => (r - mean) / (std + delta));
}

/**
 * Per-token probability ratios; π_old is the sampling policy, so no gradient flows into it.
 *
 * @example On-policy the ratio is 1 and its gradient is ρ = 1
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../engine/tensor.ts";
 * import { ratio } from "./grpo.ts";
 * const logp = tensor([[-1, Math.log(0.5)]]).requireGrad();
 * const rho = ratio(logp, tensor([[-1, Math.log(0.25)]]));
 * assert.deepEqual([...await rho.toArray()].map((x) => +x.toFixed(6)), [1, 2]);
 * rho.sum().backward();
 * assert.deepEqual([...await logp.grad!.toArray()].map((x) => +x.toFixed(6)), [1, 2]);
 * ```
 */
// method §4.1: ρ_{i,k} = π_θ(o^i_k | ·) / π_old(o^i_k | ·) = exp(log π_θ − log π_old)
export function ratio(logp: Tensor, oldLogp: Tensor): Tensor {
  return logp.sub(oldLogp.detach()).exp(); // (N, L)
}

/**
 * The clipped surrogate per token. Where the clip is active (A > 0 and ρ > 1 + ε, or A < 0 and
 * ρ < 1 − ε) the min picks the constant clipped term, so that token has no gradient.
 *
 * @param rho ρ (N, L).
 * @param adv A_i, one per response, broadcast over its tokens (N, 1).
 * @param eps ε of the clip.
 */
// method §4.1: min(ρ_{i,k}·A_i, clip(ρ_{i,k}, 1 − ε, 1 + ε)·A_i)
export function clippedSurrogate(rho: Tensor, adv: Tensor, eps: number): Tensor {
  const unclipped = rho.mul(adv); // ρ A (N, L)
  const clipped = rho.maximum(1 - eps).minimum(1 + eps).mul(adv); // clip(ρ) A (N, L)
  return unclipped.minimum(clipped); // (N, L)
}

/**
 * The k3 estimator of KL(π_θ‖π_ref) per token: unbiased, ≥ 0, and 0 where π_ref = π_θ; its
 * gradient with respect to log π_θ is 1 − e^q. π_ref is frozen (no gradient).
 */
// method §4.1: KL_{i,k} = e^q − q − 1, q = log π_ref(o^i_k | ·) − log π_θ(o^i_k | ·)
export function klPerToken(logp: Tensor, refLogp: Tensor): Tensor {
  const q = refLogp.detach().sub(logp); // log(π_ref/π_θ) (N, L)
  return q.exp().sub(q).sub(1); // (N, L)
}

/** The tensors of a batch of responses. */
export interface GrpoBatch {
  /** log π_θ(o_k | ·), differentiable (N, L). */
  logp: Tensor;
  /** log π_old(o_k | ·), the sampling policy, no gradient (N, L). */
  oldLogp: Tensor;
  /** log π_ref(o_k | ·), the frozen reference model (N, L); required when β > 0. */
  refLogp?: Tensor;
  /** 1 on the tokens of o^i, 0 on padding (N, L). */
  mask: Tensor;
  /** A_i, the group advantage of each response (N). */
  advantage: Tensor;
}

/** The RL objective of a batch (to maximise) and two diagnostics. */
export interface GrpoObjective {
  /** J_RL contribution of this batch, a scalar with gradient (loss = −objective). */
  objective: Tensor;
  /** Σ_i mean_k KL_ik / responses, no gradient (scalar); 0 without a reference. */
  meanKl: Tensor;
  /** Σ_i (fraction of tokens of o^i whose gradient the clip removed) / responses (scalar). */
  clipFraction: Tensor;
}

/**
 * J_RL of a batch of responses, token mean per response, then mean over responses.
 *
 * @param batch log-probabilities, mask and advantages of N responses.
 * @param opts ε, β, and `responses`, the divisor (default: this batch's N).
 *
 * @example On-policy (ρ = 1) the objective is the mean advantage, the gradient A_i/|o^i|
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../engine/tensor.ts";
 * import { grpoObjective } from "./grpo.ts";
 * const logp = tensor([[-1, -2], [-0.5, 0]]).requireGrad();
 * const { objective } = grpoObjective(
 *   { logp, oldLogp: logp.detach(), mask: tensor([[1, 1], [1, 0]]), advantage: tensor([1, -1]) },
 *   { clipEps: 0.2, klBeta: 0 },
 * );
 * assert.equal(await objective.item(), 0); // (1 + (−1)) / 2
 * objective.backward();
 * assert.deepEqual([...await logp.grad!.toArray()].map((g) => g + 0), [0.25, 0.25, -0.5, 0]);
 * ```
 */
// method §4.1: J_RL = (1/N) Σ_i (1/|o^i|) Σ_k [min(ρ A, clip(ρ, 1−ε, 1+ε) A) − β·KL]
export function grpoObjective(
  batch: GrpoBatch,
  opts: Pick<GrpoConfig, "clipEps" | "klBeta"> & { responses?: number },
): GrpoObjective {
  const { logp, oldLogp, refLogp, mask } = batch;
  const N = logp.shape[0]!;
  const responses = opts.responses ?? N;
  if (opts.klBeta > 0 && refLogp === undefined) {
    throw new RangeError(
      `Cannot compute the KL term: klBeta is ${opts.klBeta} but refLogp is missing`,
    );
  }
  const adv = batch.advantage.reshape([N, 1]); // A_i (N, 1)
  const rho = ratio(logp, oldLogp); // ρ (N, L)
  let perToken = clippedSurrogate(rho, adv, opts.clipEps); // (N, L)
  const kl = refLogp === undefined ? null : klPerToken(logp, refLogp); // (N, L)
  if (kl !== null && opts.klBeta > 0) perToken = perToken.sub(kl.mul(opts.klBeta));
  const length = mask.sum([1]).maximum(1); // |o^i| (N)
  const perResponse = perToken.mul(mask).sum([1]).div(length); // J_i (N)
  const objective = perResponse.sum().div(responses); // scalar
  const { meanKl, clipFraction } = noGrad(() => ({
    meanKl: kl === null
      ? mask.sum().mul(0)
      : kl.mul(mask).sum([1]).div(length).sum().div(responses),
    // the clip is active where A > 0 and ρ > 1 + ε, or A < 0 and ρ < 1 − ε
    clipFraction: rho.gt(1 + opts.clipEps).mul(adv.gt(0))
      .add(rho.lt(1 - opts.clipEps).mul(adv.lt(0))) // (N, L)
      .mul(mask).sum([1]).div(length).sum().div(responses),
  }));
  return { objective, meanKl, clipFraction };
}
