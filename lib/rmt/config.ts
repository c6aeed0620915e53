/**
 * All RMT component settings in one typed object (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375; method §5, §8, §11.3). Each section's defaults, field comments (paper value →
 * our value) and range checks live next to the component that uses them; this file only
 * assembles them so that a YAML file (e.g. `configs/rmt_components.yaml`) can override any field.
 *
 * Deliberate deviations: see each component's header (budget.ts, reward_length.ts, …).
 *
 * @module
 */
import { resolveConfig } from "../util/config.ts";
import { BUDGET_DEFAULTS, type BudgetConfig, validateBudgetConfig } from "./budget.ts";
import {
  CURRICULUM_DEFAULTS,
  type CurriculumConfig,
  validateCurriculumConfig,
} from "./curriculum.ts";
import { ENTROPY_DEFAULTS, type EntropyConfig, validateEntropyConfig } from "./entropy.ts";
import { GRPO_DEFAULTS, type GrpoConfig, validateGrpoConfig } from "./grpo.ts";
import { OBJECTIVE_DEFAULTS, type ObjectiveConfig, validateObjectiveConfig } from "./objective.ts";
import { PROMPT_DEFAULTS, type PromptConfig, validatePromptConfig } from "./prompt.ts";
import {
  LENGTH_REWARD_DEFAULTS,
  type LengthRewardConfig,
  validateLengthRewardConfig,
} from "./reward_length.ts";
import { REWARD_DEFAULTS, type RewardConfig, validateRewardConfig } from "./reward_match.ts";

/**
 * The settings of every RMT component, one section each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveRmtConfig, type RmtConfig } from "./config.ts";
 * const cfg: RmtConfig = resolveRmtConfig({ reward: { mode: "prefix" } });
 * assert.equal(cfg.reward.mode, "prefix");
 * ```
 */
export interface RmtConfig {
  /** Next-token-reasoning prompt (§2.2, §9). */
  prompt: PromptConfig;
  /** Dynamic token budget B_t (§2.1). */
  budget: BudgetConfig;
  /** Triangular length reward and its weight w (§2.3, §2.4). */
  lengthReward: LengthRewardConfig;
  /** Matching reward mode (§1.4). */
  reward: RewardConfig;
  /** Token entropy and tiers (§3.1). */
  entropy: EntropyConfig;
  /** Tier schedule and sampler (§3.2, §3.3). */
  curriculum: CurriculumConfig;
  /** GRPO (§4.1). */
  grpo: GrpoConfig;
  /** Dual objective weight λ (§4.3). */
  objective: ObjectiveConfig;
}

/**
 * Default settings of every RMT component (method §11.3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RMT_DEFAULTS } from "./config.ts";
 * assert.equal(RMT_DEFAULTS.budget.gamma, 0.2);
 * assert.equal(RMT_DEFAULTS.objective.lambda, 0.1);
 * ```
 */
export const RMT_DEFAULTS: Readonly<RmtConfig> = {
  prompt: PROMPT_DEFAULTS,
  budget: BUDGET_DEFAULTS,
  lengthReward: LENGTH_REWARD_DEFAULTS,
  reward: REWARD_DEFAULTS,
  entropy: ENTROPY_DEFAULTS,
  curriculum: CURRICULUM_DEFAULTS,
  grpo: GRPO_DEFAULTS,
  objective: OBJECTIVE_DEFAULTS,
};

/**
 * Applies overrides (e.g. the parsed YAML mapping) to {@linkcode RMT_DEFAULTS}: unknown keys and
 * wrong types are rejected by `resolveConfig`, then every section's ranges are checked. Errors
 * are one line naming the field, e.g. `rmt.budget.gamma: expected a number in (0, 1), got 1.5`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveRmtConfig } from "./config.ts";
 * const cfg = resolveRmtConfig({ budget: { b0: 64 }, objective: { lambda: 0 } });
 * assert.equal(cfg.budget.b0, 64);
 * assert.equal(cfg.budget.gamma, 0.2);
 * assert.throws(() => resolveRmtConfig({ budget: { gamma: 1.5 } }), /rmt.budget.gamma/);
 * assert.throws(() => resolveRmtConfig({ curriculum: { t1Frac: 0.7 } }), /rmt.curriculum.t2Frac/);
 * assert.throws(() => resolveRmtConfig({ bugdet: {} }), /rmt.bugdet: unknown key/);
 * ```
 */
// §5, §11.3: resolve and range-check every component's settings
export function resolveRmtConfig(overrides: unknown, path = "rmt"): RmtConfig {
  const cfg = resolveConfig(RMT_DEFAULTS as RmtConfig, overrides, path);
  validatePromptConfig(cfg.prompt, `${path}.prompt`);
  validateBudgetConfig(cfg.budget, `${path}.budget`);
  validateLengthRewardConfig(cfg.lengthReward, `${path}.lengthReward`);
  validateRewardConfig(cfg.reward, `${path}.reward`);
  validateEntropyConfig(cfg.entropy, `${path}.entropy`);
  validateCurriculumConfig(cfg.curriculum, `${path}.curriculum`);
  validateGrpoConfig(cfg.grpo, `${path}.grpo`);
  validateObjectiveConfig(cfg.objective, `${path}.objective`);
  return cfg;
}
