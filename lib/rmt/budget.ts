/**
 * Dynamic token budget (DTB) of Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375
 * (method §2.1, §8.1): the reasoning budget B_t written into the prompt decays from B_0 to
 * B_0·γ over training.
 *
 * Deliberate deviations:
 * - Shape exponent k on progress, B_t = max(B_min, ⌊B_0·γ^((t/T)^k)⌋) (method §2.1 variant); with
 *   the default k = 1 this is exactly the paper's formula.
 * - ⌊·⌋ is taken after adding 1e-9, so that products that are integers in exact arithmetic
 *   (e.g. 800·0.2 = 160) are not floored one below by floating-point rounding.
 * - Scaled default B_0 = 218 (paper 800): the mean reasoning length of `checkpoints/base` as
 *   `deno task eval` measures it (method §11.3); set `rmt.budget.b0` for another base model.
 *
 * @module
 */
import { above, type ConfigOf, defineConfig, integer, that, within } from "../util/config.ts";

/** The budget schedule's settings (method §2.1; paper value → ours, §11.3). */
export const BUDGET = defineConfig("rmt.budget", {
  /**
   * B_0: initial budget, tokens, an integer ≥ B_min (§2.1). Paper 800; ours 218, the base
   * model's mean reasoning length (§11.3).
   */
  b0: {
    default: 218,
    check: that(
      (b0: number, cfg: { bMin: number }) => Number.isInteger(b0) && b0 >= cfg.bMin,
      (cfg) => `an integer ≥ bMin (${cfg.bMin})`,
    ),
  },
  /** B_min: floor of the budget, tokens, an integer ≥ 1 (§8.1). Paper 1; ours 1. */
  bMin: { default: 1, check: integer(1) },
  /** γ: decay factor in (0, 1), B_T = B_0·γ (§2.1). Paper 0.2; ours 0.2. */
  gamma: { default: 0.2, check: within(0, 1, "()") },
  /** k: shape exponent > 0 on progress t/T (§2.1 variant). Paper 1 (implicit); ours 1. */
  k: { default: 1, check: above(0) },
});

/** The budget schedule's settings: B_0, B_min, γ, k. */
export type BudgetConfig = ConfigOf<typeof BUDGET>;

/**
 * The token budget at optimiser step `t` of `T`. `t` must lie in [0, T].
 *
 * @example The paper's schedule (B_0 = 800, γ = 0.2)
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenBudget } from "./budget.ts";
 * const cfg = { b0: 800, bMin: 1, gamma: 0.2, k: 1 };
 * assert.equal(tokenBudget(0, 100, cfg), 800);
 * assert.equal(tokenBudget(50, 100, cfg), 357);
 * assert.equal(tokenBudget(100, 100, cfg), 160);
 * ```
 */
// method §2.1: B_t = max(B_min, ⌊B_0 · γ^((t/T)^k)⌋)
export function tokenBudget(t: number, T: number, cfg: BudgetConfig): number {
  if (!(T > 0)) throw new RangeError(`Cannot compute the budget: T must be > 0, got ${T}`);
  if (!(t >= 0 && t <= T)) {
    throw new RangeError(`Cannot compute the budget: t must be in [0, T = ${T}], got ${t}`);
  }
  const progress = t / T;
  const budget = Math.floor(cfg.b0 * cfg.gamma ** (progress ** cfg.k) + 1e-9);
  return Math.max(cfg.bMin, budget);
}

/**
 * The final budget B_T, the one a model trained with `cfg` is evaluated with (method §6.2): the
 * schedule at t = T, whatever T is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUDGET, finalBudget } from "./budget.ts";
 * assert.equal(finalBudget({ b0: 800, bMin: 1, gamma: 0.2, k: 2 }), 160);
 * assert.equal(finalBudget(BUDGET.defaults), 43); // ⌊218·0.2⌋
 * assert.equal(finalBudget({ b0: 4, bMin: 3, gamma: 0.2, k: 1 }), 3);
 * ```
 */
// method §2.1: B_T = max(B_min, ⌊B_0 · γ⌋)
export function finalBudget(cfg: BudgetConfig): number {
  return tokenBudget(1, 1, cfg);
}
