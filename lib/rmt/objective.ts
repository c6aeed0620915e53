/**
 * Dual training objective of Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375
 * (method §1.2, §4.2, §4.3): teacher-forced NTP on every position except the RL positions,
 * combined with the RL objective as L = −J_RL + λ·NLL_NTP.
 *
 * Index convention (see `_types.ts`): mask[p] weights −log p_θ(τ_p | τ_<p), the loss of target
 * token τ_p = ids[p]. Logits row r predicts position r + 1, so the weights of rows 0..N−2 are
 * `mask.subarray(1)`. mask[0] = 0: τ_0 has no context and is never predicted.
 *
 * Deliberate deviations:
 * - NLL_NTP is a token mean over unmasked positions (the paper writes a sum), §8.9.
 * - The sign is made explicit: J_RL is maximised and NLL minimised, so loss = −J_RL + λ·NLL.
 *
 * @module
 */
import { check, resolveConfig } from "../util/config.ts";

/**
 * Dual-objective settings (method §4.3; paper value → our default, §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ObjectiveConfig } from "./objective.ts";
 * const withoutNtp: ObjectiveConfig = { lambda: 0 }; // "RMT w/o NTP"
 * assert.equal(withoutNtp.lambda, 0);
 * ```
 */
export interface ObjectiveConfig {
  /** λ ≥ 0, weight of the NTP loss. Paper 0.1; ours 0.1 (0 = "RMT w/o NTP"). */
  lambda: number;
}

/**
 * Default dual objective (method §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OBJECTIVE_DEFAULTS } from "./objective.ts";
 * assert.equal(OBJECTIVE_DEFAULTS.lambda, 0.1);
 * ```
 */
export const OBJECTIVE_DEFAULTS: Readonly<ObjectiveConfig> = { lambda: 0.1 };

/**
 * Checks a resolved objective config; throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateObjectiveConfig } from "./objective.ts";
 * assert.throws(
 *   () => validateObjectiveConfig({ lambda: -0.1 }, "rmt.objective"),
 *   /rmt.objective.lambda/,
 * );
 * ```
 */
// §4.3 ranges: λ ≥ 0
export function validateObjectiveConfig(cfg: ObjectiveConfig, path: string): ObjectiveConfig {
  check(cfg.lambda >= 0, `${path}.lambda`, "a number ≥ 0", cfg.lambda);
  return cfg;
}

/**
 * Applies overrides to {@linkcode OBJECTIVE_DEFAULTS} and checks them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveObjectiveConfig } from "./objective.ts";
 * assert.equal(resolveObjectiveConfig({ lambda: 0 }).lambda, 0);
 * ```
 */
// §4.3 config: defaults + overrides, checked
export function resolveObjectiveConfig(
  overrides: unknown,
  path = "rmt.objective",
): ObjectiveConfig {
  return validateObjectiveConfig(resolveConfig(OBJECTIVE_DEFAULTS, overrides, path), path);
}

/**
 * The NTP mask of a document of `T` tokens: m_p = 1 except at the RL positions (and at p = 0,
 * which has no prediction). RL positions must lie in [1, T).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpMask } from "./objective.ts";
 * assert.deepEqual([...ntpMask(5, [2])], [0, 1, 0, 1, 1]);
 * ```
 */
// §4.2 Eq. m_pos = 1[τ_pos ∉ C] (Φ_NTP ∩ Φ_RL = ∅)
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

/**
 * Token-mean masked NLL: Σ_p m_p·nll_p / Σ_p m_p (0 when nothing is unmasked).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ntpLoss } from "./objective.ts";
 * assert.equal(ntpLoss([9, 1, 5, 3], new Float32Array([0, 1, 0, 1])), 2);
 * ```
 */
// §4.2 Eq. L_NTP = −Σ_pos m_pos log p_θ(τ_pos | τ_<pos), normalised by Σ m_pos
export function ntpLoss(nllPerPosition: ArrayLike<number>, mask: ArrayLike<number>): number {
  if (nllPerPosition.length !== mask.length) {
    throw new RangeError(
      `Cannot compute the NTP loss: ${nllPerPosition.length} losses but ` +
        `${mask.length} mask entries`,
    );
  }
  let total = 0, count = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) continue;
    total += mask[p]! * nllPerPosition[p]!;
    count += mask[p]!;
  }
  return count > 0 ? total / count : 0;
}

/**
 * The unified loss to minimise: −J_RL + λ·NLL_NTP.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unifiedLoss } from "./objective.ts";
 * assert.equal(unifiedLoss(0.5, 2, 0.1), -0.3);
 * ```
 */
// §4.3 Eq. L(θ) = L_RL(θ) + λ·L_NTP(θ), implemented as −J_RL + λ·NLL
export function unifiedLoss(jRl: number, nllNtp: number, lambda: number): number {
  return -jRl + lambda * nllNtp;
}
