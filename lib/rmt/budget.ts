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
 * - Scaled default B_0 = 113 (paper 800): the mean reasoning length of `checkpoints/base` as
 *   `deno task eval` measures it (method §11.3); set `rmt.budget.b0` for another base model.
 *
 * @module
 */
import { check, resolveConfig } from "../util/config.ts";

/**
 * Budget schedule parameters (method §2.1; paper value → our default, §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BudgetConfig } from "./budget.ts";
 * const paper: BudgetConfig = { b0: 800, bMin: 1, gamma: 0.2, k: 1 };
 * assert.equal(paper.b0 * paper.gamma, 160);
 * ```
 */
export interface BudgetConfig {
  /** B_0, initial budget in tokens. Paper 800; ours 48 (set from the base model's length). */
  b0: number;
  /** B_min ≥ 1, floor of the budget in tokens. Paper 1; ours 1. */
  bMin: number;
  /** γ ∈ (0, 1), decay factor: B_T = B_0·γ. Paper 0.2; ours 0.2. */
  gamma: number;
  /** k > 0, shape exponent on progress t/T (method §2.1 variant). Paper 1 (implicit); ours 1. */
  k: number;
}

/**
 * Default budget schedule (method §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUDGET_DEFAULTS } from "./budget.ts";
 * assert.deepEqual(BUDGET_DEFAULTS, { b0: 113, bMin: 1, gamma: 0.2, k: 1 });
 * ```
 */
export const BUDGET_DEFAULTS: Readonly<BudgetConfig> = { b0: 113, bMin: 1, gamma: 0.2, k: 1 };

/**
 * Checks the ranges of a resolved budget config; throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BUDGET_DEFAULTS, validateBudgetConfig } from "./budget.ts";
 * assert.throws(
 *   () => validateBudgetConfig({ ...BUDGET_DEFAULTS, gamma: 1 }, "rmt.budget"),
 *   /rmt.budget.gamma/,
 * );
 * ```
 */
// §2.1 ranges: B_0 ≥ B_min ≥ 1 integers, γ ∈ (0, 1), k > 0
export function validateBudgetConfig(cfg: BudgetConfig, path: string): BudgetConfig {
  check(Number.isInteger(cfg.bMin) && cfg.bMin >= 1, `${path}.bMin`, "an integer ≥ 1", cfg.bMin);
  check(
    Number.isInteger(cfg.b0) && cfg.b0 >= cfg.bMin,
    `${path}.b0`,
    `an integer ≥ bMin (${cfg.bMin})`,
    cfg.b0,
  );
  check(cfg.gamma > 0 && cfg.gamma < 1, `${path}.gamma`, "a number in (0, 1)", cfg.gamma);
  check(cfg.k > 0, `${path}.k`, "a number > 0", cfg.k);
  return cfg;
}

/**
 * Applies overrides (e.g. from YAML) to {@linkcode BUDGET_DEFAULTS} and checks the ranges.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveBudgetConfig } from "./budget.ts";
 * assert.equal(resolveBudgetConfig({ b0: 800 }).b0, 800);
 * assert.throws(
 *   () => resolveBudgetConfig({ gamma: 1.5 }),
 *   /rmt.budget.gamma: expected a number in \(0, 1\)/,
 * );
 * ```
 */
// §2.1 config: defaults + overrides, range-checked
export function resolveBudgetConfig(overrides: unknown, path = "rmt.budget"): BudgetConfig {
  return validateBudgetConfig(resolveConfig(BUDGET_DEFAULTS, overrides, path), path);
}

/**
 * The token budget at optimiser step `t` of `T`: B_t = max(B_min, ⌊B_0·γ^((t/T)^k)⌋).
 * `t` must lie in [0, T]; evaluation after training uses t = T (B_T = B_0·γ).
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
// §2.1 Eq. B_t = max(B_min, ⌊B_0 · γ^((t/T)^k)⌋)
export function tokenBudget(t: number, T: number, cfg: BudgetConfig): number {
  if (!(T > 0)) throw new RangeError(`Cannot compute the budget: T must be > 0, got ${T}`);
  if (!(t >= 0 && t <= T)) {
    throw new RangeError(`Cannot compute the budget: t must be in [0, T = ${T}], got ${t}`);
  }
  const progress = t / T;
  const budget = Math.floor(cfg.b0 * cfg.gamma ** (progress ** cfg.k) + 1e-9);
  return Math.max(cfg.bMin, budget);
}
