/**
 * The results figures (`lib/apps/experiment/results_charts.ts`): which figures are drawn, and the
 * means and standard deviations over seeds that their points and bars carry.
 */
import assert from "node:assert/strict";
import { METHOD_COLORS, resultCharts } from "../../../lib/apps/experiment/results_charts.ts";
import type { TierFigures } from "../../../lib/apps/experiment/run.ts";
import { record } from "./_records.ts";

const nested = (easy: number): TierFigures => ({
  nested: { easy, medium: 0.5, hard: 0.5, average: 0.5 },
  disjoint: { easy, medium: 0.5, hard: 0.5, average: 0.5 },
});
const ntr = (easy: number) => ({
  ...nested(easy),
  meanLength: 10,
  closedFraction: 1,
  answeredFraction: 1,
  samples: 8,
  budget: null,
});

/** Two seeds of RMT without a budget: reward 0.25 / 0.75 at step 1, easy accuracy 25 % / 75 %. */
const records = [1, 2].map((seed) =>
  record("rmt", seed, {
    ntr: ntr(seed === 1 ? 0.25 : 0.75),
    curve: [0, 1].map((step) => ({
      step,
      reward: step === 0 ? 0 : seed === 1 ? 0.25 : 0.75,
      matchRate: step === 0 ? 0 : seed === 1 ? 0.5 : 1,
      length: 8,
      budget: null,
    })),
  })
);

const titles = (charts: { svg: string }[]) =>
  charts.map((c) => c.svg.match(/<title>([^<]+)<\/title>/)![1]);

Deno.test("resultCharts() draws only the figures the records have data for", () => {
  assert.deepEqual(titles(resultCharts(records)), [
    "Match rate over steps",
    "Mean reward r over steps",
    "Mean reasoning length ℓ over steps",
    "Accuracy by tier (nested)", // no budget: no budget figure; no post-training figures
  ]);
  assert.deepEqual(titles(resultCharts([record("ntp_base", 1, { ntp: nested(0.5) })])), [
    "Accuracy by tier (nested)",
  ]);
});

Deno.test("resultCharts() plots the mean over seeds, rates in percent, bars with the sample std", () => {
  const [match, reward, , bars] = resultCharts(records).map((c) => c.svg);
  assert.match(reward, /<title>RMT: \(1, 0\.5\)<\/title>/);
  assert.match(match, /<title>RMT: \(1, 75\)<\/title>/);
  assert.match(
    match,
    new RegExp(`data-series="RMT" d="[^"]*" fill="none" stroke="${METHOD_COLORS.rmt}"`),
  );
  // easy: 25 % and 75 % → mean 50, sample std √((25² + 25²) / 1) = √1250
  assert.ok(bars.includes(`<title>RMT, easy: 50 ± ${Math.sqrt(1250)}</title>`), bars);
  assert.ok(bars.includes("<title>RMT, medium: 50 ± 0</title>"));
});
