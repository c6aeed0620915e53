/**
 * Token-selective RL of Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375 (method §4.1):
 * GRPO (Shao et al., "DeepSeekMath", arXiv:2402.03300) with whitened group advantages and the
 * PPO clipped surrogate over per-token ratios, on plain arrays. This is the readable reference
 * the GPU trainer is tested against.
 *
 * Dimension legend: G group size, K tokens of one response o^i (reasoning + answer).
 *
 * Deliberate deviations:
 * - Clipped surrogate with per-token ratios ρ = π_θ/π_old and token-mean 1/|o^i| (the paper
 *   writes A_i·log π_θ(o^i) on the sequence); with one update per batch (ρ ≡ 1) the gradient
 *   is the paper's up to that normalisation (§8.9).
 * - KL(π_θ‖π_ref) is the per-token k3 estimator exp(ref − logp) − (ref − logp) − 1 (unbiased,
 *   always ≥ 0; Schulman 2020, as in DeepSeekMath); β = 0 by default, as RPT (§8.10).
 * - Population std and δ = 1e-6 in the whitening; all-equal rewards give exactly zero advantage.
 * - ε = 0.2 and temperature 0.8 are RPT's values (RMT reports neither).
 *
 * @module
 */
import { check, resolveConfig } from "../util/config.ts";

/**
 * GRPO settings (method §4.1, §5; paper value → our default, §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GRPO_DEFAULTS, type GrpoConfig } from "./grpo.ts";
 * const withKl: GrpoConfig = { ...GRPO_DEFAULTS, klBeta: 0.01 };
 * assert.equal(withKl.klBeta, 0.01);
 * ```
 */
export interface GrpoConfig {
  /** G, rollouts per RL position, an integer ≥ 1. Paper 8; ours 8. */
  groupSize: number;
  /** ε ∈ (0, 1): ρ is clipped to [1 − ε, 1 + ε]. Paper: not reported (RPT 0.2); ours 0.2. */
  clipEps: number;
  /** β ≥ 0, weight of the KL penalty to π_ref. Paper: not reported (RPT 0); ours 0. */
  klBeta: number;
  /** δ > 0 in A_i = (r_i − mean r)/(std r + δ). Paper: "small constant"; ours 1e-6. */
  advantageEps: number;
  /** Rollout sampling temperature > 0. Paper: not reported (RPT 0.8); ours 0.8. */
  temperature: number;
}

/**
 * Default GRPO settings (method §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GRPO_DEFAULTS } from "./grpo.ts";
 * assert.equal(GRPO_DEFAULTS.groupSize, 8);
 * assert.equal(GRPO_DEFAULTS.klBeta, 0);
 * ```
 */
export const GRPO_DEFAULTS: Readonly<GrpoConfig> = {
  groupSize: 8,
  clipEps: 0.2,
  klBeta: 0,
  advantageEps: 1e-6,
  temperature: 0.8,
};

/**
 * Checks a resolved GRPO config; throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GRPO_DEFAULTS, validateGrpoConfig } from "./grpo.ts";
 * const bad = { ...GRPO_DEFAULTS, klBeta: -1 };
 * assert.throws(() => validateGrpoConfig(bad, "rmt.grpo"), /rmt.grpo.klBeta/);
 * ```
 */
// §4.1 ranges: G ≥ 1 integer, ε ∈ (0, 1), β ≥ 0, δ > 0, temperature > 0
export function validateGrpoConfig(cfg: GrpoConfig, path: string): GrpoConfig {
  check(
    Number.isInteger(cfg.groupSize) && cfg.groupSize >= 1,
    `${path}.groupSize`,
    "an integer ≥ 1",
    cfg.groupSize,
  );
  check(cfg.clipEps > 0 && cfg.clipEps < 1, `${path}.clipEps`, "a number in (0, 1)", cfg.clipEps);
  check(cfg.klBeta >= 0, `${path}.klBeta`, "a number ≥ 0", cfg.klBeta);
  check(cfg.advantageEps > 0, `${path}.advantageEps`, "a number > 0", cfg.advantageEps);
  check(cfg.temperature > 0, `${path}.temperature`, "a number > 0", cfg.temperature);
  return cfg;
}

/**
 * Applies overrides to {@linkcode GRPO_DEFAULTS} and checks them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveGrpoConfig } from "./grpo.ts";
 * assert.equal(resolveGrpoConfig({ groupSize: 4 }).groupSize, 4);
 * assert.throws(() => resolveGrpoConfig({ clipEps: 0 }), /rmt.grpo.clipEps/);
 * ```
 */
// §4.1 config: defaults + overrides, checked
export function resolveGrpoConfig(overrides: unknown, path = "rmt.grpo"): GrpoConfig {
  return validateGrpoConfig(resolveConfig(GRPO_DEFAULTS, overrides, path), path);
}

/**
 * Whitened group advantages A_i = (r_i − mean r)/(std r + δ) with the population std. All-equal
 * rewards (including G = 1) give exactly zero, never NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupAdvantages } from "./grpo.ts";
 * const advantage = groupAdvantages([1, 0, 0, 1], 0);
 * assert.deepEqual(advantage, [1, -1, -1, 1]); // mean 0.5, std 0.5
 * assert.deepEqual(groupAdvantages([0.3, 0.3], 1e-6), [0, 0]);
 * assert.deepEqual(groupAdvantages([1], 1e-6), [0]);
 * ```
 */
// §4.1 Eq. A_i = (r_i − mean_j r_j) / (std_j r_j + δ)
export function groupAdvantages(rewards: number[], eps: number): number[] {
  const G = rewards.length;
  if (G === 0 || rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  const mean = rewards.reduce((a, b) => a + b, 0) / G;
  const variance = rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / G;
  const std = Math.sqrt(variance);
  return rewards.map((r) => (r - mean) / (std + eps));
}

/**
 * Per-token log-probabilities of one sampled response o^i and its advantage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GrpoResponse } from "./grpo.ts";
 * const onPolicy: GrpoResponse = { logp: [-0.1, -2], oldLogp: [-0.1, -2], advantage: 1.5 };
 * assert.equal(onPolicy.logp.length, onPolicy.oldLogp.length);
 * ```
 */
export interface GrpoResponse {
  /** log π_θ(o_k | ·) for each token k (K). */
  logp: number[];
  /** log π_old(o_k | ·), the sampling policy (K). */
  oldLogp: number[];
  /** log π_ref(o_k | ·), the reference model (K); required when β > 0. */
  refLogp?: number[];
  /** A_i, the response's group advantage. */
  advantage: number;
}

/**
 * The surrogate of one response and its gradient with respect to each `logp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grpoTokenSurrogate, type GrpoSurrogate } from "./grpo.ts";
 * const response = { logp: [0], oldLogp: [0], advantage: 1 };
 * const s: GrpoSurrogate = grpoTokenSurrogate(response, { clipEps: 0.2, klBeta: 0 });
 * assert.equal(s.clipFraction, 0);
 * ```
 */
export interface GrpoSurrogate {
  /** J_i = (1/K) Σ_k [min(ρ_k A, clip(ρ_k, 1 − ε, 1 + ε) A) − β·KL_k]. */
  objective: number;
  /** ∂J_i/∂logp_k (K). */
  dObjective_dLogp: number[];
  /** Mean per-token k3 KL estimate (0 without a reference). */
  meanKl: number;
  /** Fraction of tokens whose gradient the clip removed. */
  clipFraction: number;
}

/**
 * The GRPO clipped surrogate of one response, token-mean, with its gradient. ρ_k =
 * exp(logp_k − oldLogp_k); ∂/∂logp_k of the min term is ρ_k·A, or 0 where the clip is active
 * (A > 0 and ρ_k > 1 + ε, or A < 0 and ρ_k < 1 − ε); ∂KL_k/∂logp_k = 1 − exp(ref_k − logp_k).
 *
 * @example On-policy (ρ = 1) the gradient is A/K per token
 * ```ts
 * import assert from "node:assert/strict";
 * import { grpoTokenSurrogate } from "./grpo.ts";
 * const logp = [-1, -2];
 * const opts = { clipEps: 0.2, klBeta: 0 };
 * const s = grpoTokenSurrogate({ logp, oldLogp: logp, advantage: 0.5 }, opts);
 * assert.equal(s.objective, 0.5);
 * assert.deepEqual(s.dObjective_dLogp, [0.25, 0.25]);
 * ```
 */
// §4.1 Eq. J_i = (1/|o^i|) Σ_k min(ρ_{i,k} A_i, clip(ρ_{i,k}, 1−ε, 1+ε) A_i) − β·KL
export function grpoTokenSurrogate(
  response: GrpoResponse,
  opts: Pick<GrpoConfig, "clipEps" | "klBeta">,
): GrpoSurrogate {
  const { logp, oldLogp, refLogp, advantage } = response;
  const K = logp.length;
  if (oldLogp.length !== K || (refLogp !== undefined && refLogp.length !== K)) {
    throw new RangeError(
      `Cannot compute the surrogate: logp has ${K} tokens, oldLogp ${oldLogp.length}, ` +
        `refLogp ${refLogp?.length ?? "none"}`,
    );
  }
  if (opts.klBeta > 0 && refLogp === undefined) {
    throw new RangeError(
      `Cannot compute the KL term: klBeta is ${opts.klBeta} but refLogp is missing`,
    );
  }
  const grad = new Array<number>(K).fill(0); // (K)
  if (K === 0) return { objective: 0, dObjective_dLogp: grad, meanKl: 0, clipFraction: 0 };
  const lo = 1 - opts.clipEps, hi = 1 + opts.clipEps;
  let total = 0, klTotal = 0, clipped = 0;
  for (let k = 0; k < K; k++) {
    const ratio = Math.exp(logp[k]! - oldLogp[k]!); // ρ_k
    const unclipped = ratio * advantage;
    const clippedTerm = Math.min(hi, Math.max(lo, ratio)) * advantage;
    const clipActive = (advantage > 0 && ratio > hi) || (advantage < 0 && ratio < lo);
    total += Math.min(unclipped, clippedTerm);
    let g = clipActive ? 0 : unclipped; // ∂ min(·)/∂logp_k
    if (clipActive) clipped++;
    if (refLogp !== undefined) {
      const x = refLogp[k]! - logp[k]!; // log(π_ref/π_θ)
      const klPerToken = Math.exp(x) - x - 1; // k3 estimator, ≥ 0
      klTotal += klPerToken;
      total -= opts.klBeta * klPerToken;
      g -= opts.klBeta * (1 - Math.exp(x)); // ∂KL_k/∂logp_k = 1 − e^x
    }
    grad[k] = g / K;
  }
  return {
    objective: total / K,
    dObjective_dLogp: grad,
    meanKl: klTotal / K,
    clipFraction: clipped / K,
  };
}

/**
 * J_RL over a batch of responses and its gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grpoLoss, type GrpoLoss } from "./grpo.ts";
 * const responses = [{ logp: [0], oldLogp: [0], advantage: 2 }];
 * const r: GrpoLoss = grpoLoss(responses, { clipEps: 0.2, klBeta: 0 });
 * assert.deepEqual([r.objective, r.loss], [2, -2]);
 * ```
 */
export interface GrpoLoss {
  /** J_RL = mean over responses of J_i (to maximise). */
  objective: number;
  /** −J_RL (to minimise). */
  loss: number;
  /** ∂J_RL/∂logp for each response's tokens (N × K_i). */
  dObjective_dLogp: number[][];
  /** Mean of the responses' mean KL. */
  meanKl: number;
  /** Mean of the responses' clip fractions. */
  clipFraction: number;
}

/**
 * J_RL = (1/N) Σ_i J_i over all responses of all groups (each group contributes G responses),
 * with its gradient and the loss −J_RL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { grpoLoss } from "./grpo.ts";
 * const r = grpoLoss(
 *   [
 *     { logp: [-1], oldLogp: [-1], advantage: 1 },
 *     { logp: [-1, -1], oldLogp: [-1, -1], advantage: -1 },
 *   ],
 *   { clipEps: 0.2, klBeta: 0 },
 * );
 * assert.equal(r.objective, 0);
 * assert.deepEqual(r.dObjective_dLogp, [[0.5], [-0.25, -0.25]]);
 * ```
 */
// §4.1 Eq. J_RL = E_{pos∈C} (1/G) Σ_i J_i: mean over all responses
export function grpoLoss(
  responses: GrpoResponse[],
  opts: Pick<GrpoConfig, "clipEps" | "klBeta">,
): GrpoLoss {
  const N = responses.length;
  if (N === 0) {
    return { objective: 0, loss: 0, dObjective_dLogp: [], meanKl: 0, clipFraction: 0 };
  }
  let objective = 0, meanKl = 0, clipFraction = 0;
  const grads = responses.map((response) => {
    const s = grpoTokenSurrogate(response, opts);
    objective += s.objective / N;
    meanKl += s.meanKl / N;
    clipFraction += s.clipFraction / N;
    return s.dObjective_dLogp.map((g) => g / N);
  });
  return { objective, loss: -objective, dObjective_dLogp: grads, meanKl, clipFraction };
}
