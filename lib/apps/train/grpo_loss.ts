/**
 * Token-selective RL objective of Reinforcement Mid-Training (Tian et al., "Reinforcement
 * Mid-Training", arXiv:2509.24375; method §4.1) on tensors: the GRPO (Shao et al., "DeepSeekMath",
 * arXiv:2402.03300) clipped surrogate over per-token ratios, with an optional k3 KL to a frozen
 * reference model, token-mean per response, then mean over responses. It is the tensor copy of
 * `lib/rmt/grpo.ts` `grpoLoss` (the readable array reference); `tests/apps/train/grpo_loss_test.ts`
 * checks that both give the same value and the same gradient with respect to log π_θ.
 *
 * Dimension legend: N responses in this (micro-)batch, L longest response (padded).
 *
 * Deliberate deviations (the same as `lib/rmt/grpo.ts`):
 * - Per-token ratios ρ = π_θ/π_old and the token mean 1/|o^i| (the paper writes A_i·log π_θ(o^i)
 *   on the whole sequence), method §8.9.
 * - KL(π_θ‖π_ref) is the per-token k3 estimator e^x − x − 1, x = log π_ref − log π_θ; β = 0 by
 *   default (RPT), method §8.10.
 * - `responses` may exceed N: a step split into micro-batches divides by the step's total number
 *   of responses, so the micro-batch objectives sum to the step's J_RL.
 *
 * @module
 */
import { noGrad, type Tensor } from "../../engine/tensor.ts";
import type { GrpoConfig } from "../../rmt/grpo.ts";

/**
 * The tensors of a batch of responses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../../engine/tensor.ts";
 * import type { GrpoBatch } from "./grpo_loss.ts";
 * const logp = tensor([[-1, -2]]);
 * const b: GrpoBatch = { logp, oldLogp: logp, mask: tensor([[1, 1]]), advantage: tensor([0.5]) };
 * assert.deepEqual(b.logp.shape, [1, 2]);
 * ```
 */
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

/**
 * The RL objective of a batch (to maximise) and two diagnostics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../../engine/tensor.ts";
 * import type { GrpoObjective } from "./grpo_loss.ts";
 * const o: GrpoObjective = { objective: tensor(0), meanKl: tensor(0), clipFraction: tensor(0) };
 * assert.equal(o.objective.size, 1);
 * ```
 */
export interface GrpoObjective {
  /** J_RL contribution of this batch, a scalar with gradient (loss = −objective). */
  objective: Tensor;
  /** Σ_i mean_k KL_ik / responses, no gradient (scalar). */
  meanKl: Tensor;
  /** Σ_i (fraction of tokens of o^i whose gradient the clip removed) / responses (scalar). */
  clipFraction: Tensor;
}

/**
 * J_RL = (1/N) Σ_i (1/|o^i|) Σ_k [min(ρ_ik A_i, clip(ρ_ik, 1 − ε, 1 + ε) A_i) − β·KL_ik].
 *
 * @param batch log-probabilities, mask and advantages of N responses.
 * @param opts ε, β, and `responses`, the divisor N (default: this batch's N).
 *
 * @example On-policy (ρ = 1) the objective is the token-mean advantage
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "../../engine/tensor.ts";
 * import { grpoObjective } from "./grpo_loss.ts";
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
// §4.1 Eq. J_RL = (1/N) Σ_i (1/|o^i|) Σ_k min(ρ A, clip(ρ, 1−ε, 1+ε) A) − β·KL
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
  const lo = 1 - opts.clipEps, hi = 1 + opts.clipEps;
  const advantage = batch.advantage.reshape([N, 1]); // (N, 1)
  const ratio = logp.sub(oldLogp.detach()).exp(); // ρ_ik (N, L)
  const unclipped = ratio.mul(advantage); // ρ A (N, L)
  const clipped = ratio.maximum(lo).minimum(hi).mul(advantage); // clip(ρ) A (N, L)
  let perToken = unclipped.minimum(clipped); // (N, L)
  let klPerToken: Tensor | null = null;
  if (refLogp !== undefined) {
    const x = refLogp.detach().sub(logp); // log(π_ref/π_θ) (N, L)
    klPerToken = x.exp().sub(x).sub(1); // k3 estimator, ≥ 0 (N, L)
    if (opts.klBeta > 0) perToken = perToken.sub(klPerToken.mul(opts.klBeta));
  }
  const length = mask.sum([1]).maximum(1); // |o^i| (N)
  // token mean per response, then (1/responses) Σ_i
  const perResponse = perToken.mul(mask).sum([1]).div(length); // J_i (N)
  const objective = perResponse.sum().div(responses); // scalar
  const { meanKl, clipFraction } = noGrad(() => {
    const kl = klPerToken === null
      ? mask.sum().mul(0)
      : klPerToken.mul(mask).sum([1]).div(length).sum().div(responses);
    // the clip removes the gradient where A > 0 and ρ > 1 + ε, or A < 0 and ρ < 1 − ε
    const active = ratio.gt(hi).mul(advantage.gt(0)).add(ratio.lt(lo).mul(advantage.lt(0)));
    const fraction = active.mul(mask).sum([1]).div(length).sum().div(responses);
    return { meanKl: kl, clipFraction: fraction };
  });
  return { objective, meanKl, clipFraction };
}
