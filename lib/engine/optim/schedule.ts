/**
 * Learning-rate schedule: linear warm-up then cosine decay to a floor (as nanoGPT's `get_lr`).
 *
 * @module
 */

/** Warm-up + cosine settings. */
export interface ScheduleConfig {
  /** Steps of linear warm-up from 0 to the peak. */
  warmupSteps: number;
  /** Total steps; the cosine reaches `minLrRatio`·peak here. */
  totalSteps: number;
  /** Floor as a fraction of the peak learning rate. */
  minLrRatio: number;
}

/**
 * Learning rate at `step` (0-based) for a peak `lr`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warmupCosine } from "./schedule.ts";
 * const cfg = { warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };
 * assert.equal(warmupCosine(4, 1, cfg), 0.5);     // 1) warm-up: (step+1)/warmup
 * assert.equal(warmupCosine(10, 1, cfg), 1);      // 2) peak at the end of warm-up
 * assert.ok(Math.abs(warmupCosine(60, 1, cfg) - 0.55) < 1e-12); // 3) half-way: (1+0.1)/2
 * assert.equal(warmupCosine(200, 1, cfg), 0.1);   // 4) floor after the end
 * ```
 */
export function warmupCosine(step: number, lr: number, cfg: ScheduleConfig): number {
  // 1) linear warm-up
  if (step < cfg.warmupSteps) return (lr * (step + 1)) / cfg.warmupSteps;
  // 4) after the end, the floor
  if (step >= cfg.totalSteps) return lr * cfg.minLrRatio;
  // 2)–3) cosine from the peak down to the floor
  const progress = (step - cfg.warmupSteps) / Math.max(1, cfg.totalSteps - cfg.warmupSteps);
  const coeff = 0.5 * (1 + Math.cos(Math.PI * progress));
  return lr * (cfg.minLrRatio + coeff * (1 - cfg.minLrRatio));
}
