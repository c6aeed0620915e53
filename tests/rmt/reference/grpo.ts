/**
 * Oracle of `lib/rmt/grpo.ts` (method §4.1): the GRPO advantages and the clipped surrogate on
 * plain arrays, in float64, each token's gradient written out by hand (no autograd). The tests
 * compare the tensor functions that train with these, and check these against hand-computed
 * numbers and finite differences.
 *
 * Dimension legend: G group size, K tokens of one response o^i (reasoning + answer).
 */

/** ε of the clip and β of the KL penalty. */
export interface SurrogateOptions {
  /** ε: ρ is clipped to [1 − ε, 1 + ε]. */
  clipEps: number;
  /** β: weight of the k3 KL penalty. */
  klBeta: number;
}

/**
 * Whitened group advantages A_i = (r_i − mean r)/(std r + δ) with the population std. All-equal
 * rewards (including G = 1) give exactly zero, never NaN.
 */
// method §4.1: A_i = (r_i − mean_j r_j) / (std_j r_j + δ), written independently of lib/rmt:
// the variance as E[r²] − E[r]², a constant group detected by its range
export function groupAdvantages(rewards: number[], eps: number): number[] {
  const G = rewards.length;
  if (G === 0 || Math.max(...rewards) === Math.min(...rewards)) return rewards.map(() => 0);
  let sum = 0, sumSquares = 0;
  for (const r of rewards) {
    sum += r;
    sumSquares += r * r;
  }
  const mean = sum / G;
  const std = Math.sqrt(Math.max(0, sumSquares / G - mean * mean));
  return rewards.map((r) => (r - mean) / (std + eps));
}

/** Per-token log-probabilities of one sampled response o^i and its advantage. */
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

/** The surrogate of one response and its gradient with respect to each `logp`. */
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
 */
// method §4.1: J_i = (1/|o^i|) Σ_k min(ρ_{i,k} A_i, clip(ρ_{i,k}, 1−ε, 1+ε) A_i) − β·KL
export function grpoTokenSurrogate(
  response: GrpoResponse,
  opts: SurrogateOptions,
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

/** J_RL over a batch of responses and its gradient. */
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
 */
// method §4.1: J_RL = E_{pos∈C} (1/G) Σ_i J_i: mean over all responses
export function grpoLoss(
  responses: GrpoResponse[],
  opts: SurrogateOptions,
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
