/**
 * `warmupCosine` (`lib/engine/optim/schedule.ts`): linear warm-up to the peak, cosine decay to the
 * floor, the floor after the end; values hand-computed, |Δ| ≤ 1e-12.
 */
import assert from "node:assert/strict";
import { warmupCosine } from "../../../lib/engine/optim/schedule.ts";

const CFG = { warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 };

function near(a: number, b: number): void {
  assert.ok(Math.abs(a - b) <= 1e-12, `${a} ≠ ${b}`);
}

Deno.test("warmupCosine() rises linearly as lr·(step + 1)/warmup", () => {
  near(warmupCosine(0, 2, CFG), 0.2);
  near(warmupCosine(4, 2, CFG), 1);
  near(warmupCosine(9, 2, CFG), 2);
});

Deno.test("warmupCosine() starts the cosine at the peak and ends at the floor", () => {
  near(warmupCosine(10, 2, CFG), 2);
  // progress 1/4: 0.1 + 0.5·(1 + cos(π/4))·0.9
  near(warmupCosine(35, 2, CFG), 2 * (0.1 + 0.45 * (1 + Math.SQRT1_2)));
  near(warmupCosine(60, 2, CFG), 2 * 0.55); // half-way: (1 + 0.1)/2
  near(warmupCosine(110, 2, CFG), 0.2);
  near(warmupCosine(10_000, 2, CFG), 0.2);
});

Deno.test("warmupCosine() never increases after the warm-up", () => {
  let previous = Infinity;
  for (let step = 10; step <= 120; step++) {
    const lr = warmupCosine(step, 1, CFG);
    assert.ok(lr <= previous + 1e-15 && lr >= 0.1 - 1e-15, `step ${step}: ${lr}`);
    previous = lr;
  }
});

Deno.test("warmupCosine() without warm-up starts at the peak, and handles total = warm-up", () => {
  const noWarmup = { warmupSteps: 0, totalSteps: 100, minLrRatio: 0 };
  near(warmupCosine(0, 1, noWarmup), 1);
  near(warmupCosine(50, 1, noWarmup), 0.5);
  near(warmupCosine(100, 1, noWarmup), 0);
  const degenerate = { warmupSteps: 5, totalSteps: 5, minLrRatio: 0.2 };
  near(warmupCosine(4, 1, degenerate), 1);
  near(warmupCosine(5, 1, degenerate), 0.2);
});
