/**
 * All RMT component settings in one typed object (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375; method §5, §8, §11.3). Each section's defaults, field comments (paper value →
 * our value) and range checks live next to the component that uses them; this file only
 * assembles them so that a YAML file (e.g. `configs/rmt_components.yaml`) can override any field.
 * Errors are one line naming the field, e.g. `rmt.budget.gamma: expected a number in (0, 1), got
 * 1.5`.
 *
 * Deliberate deviations: see each component's header (budget.ts, reward_length.ts, …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RMT } from "./config.ts";
 * const cfg = RMT.resolve({ budget: { b0: 64 }, objective: { lambda: 0 } });
 * assert.equal(cfg.budget.b0, 64);
 * assert.equal(cfg.budget.gamma, 0.2);
 * assert.throws(() => RMT.resolve({ budget: { gamma: 1.5 } }), /rmt.budget.gamma/);
 * assert.throws(() => RMT.resolve({ curriculum: { t1Frac: 0.7 } }), /rmt.curriculum.t2Frac/);
 * assert.throws(() => RMT.resolve({ bugdet: {} }), /rmt.bugdet: unknown key/);
 * ```
 *
 * @module
 */
import { type ConfigOf, defineConfig } from "../util/config.ts";
import { BUDGET } from "./budget.ts";
import { CURRICULUM } from "./curriculum.ts";
import { ENTROPY } from "./entropy.ts";
import { GRPO } from "./grpo.ts";
import { OBJECTIVE } from "./objective.ts";
import { PROMPT } from "./prompt.ts";
import { LENGTH_REWARD } from "./reward_length.ts";
import { REWARD } from "./reward_match.ts";

/** The settings of every RMT component, one section each (method §11.3). */
export const RMT = defineConfig("rmt", {
  /** Next-token-reasoning prompt (§2.2, §9). */
  prompt: PROMPT,
  /** Dynamic token budget B_t (§2.1). */
  budget: BUDGET,
  /** Triangular length reward and its weight w (§2.3, §2.4). */
  lengthReward: LENGTH_REWARD,
  /** Matching reward mode (§1.4). */
  reward: REWARD,
  /** Token entropy and tiers (§3.1). */
  entropy: ENTROPY,
  /** Tier schedule and sampler (§3.2, §3.3). */
  curriculum: CURRICULUM,
  /** GRPO (§4.1). */
  grpo: GRPO,
  /** Dual objective weight λ (§4.3). */
  objective: OBJECTIVE,
});

/** The settings of every RMT component. */
export type RmtConfig = ConfigOf<typeof RMT>;
