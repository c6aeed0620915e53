/**
 * The results figures (`lib/apps/experiment/results_charts.ts`): which figures are drawn, and the
 * means and standard deviations over seeds that their points and bars carry.
 */
import assert from "node:assert/strict";
import { METHOD_COLORS, resultCharts } from "../../../lib/apps/experiment/results_charts.ts";
import type { TierFigures } from "../../../lib/apps/experiment/run.ts";
import { fakeRecords, record } from "./_records.ts";
import { findAll, parseXml } from "../report/_xml.ts";

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
    "NTR accuracy against reasoning length",
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
  const [, match, reward, , bars] = resultCharts(records).map((c) => c.svg);
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

Deno.test("resultCharts() draws NTR accuracy against ℓ̄ per method with 95 % intervals when runs have seeds", () => {
  const charts = resultCharts(fakeRecords());
  const fig = charts.find((c) => c.svg.includes("<title>NTR accuracy against reasoning length"))!;
  assert.match(fig.caption, /^Up-left is better: more accurate with shorter reasoning\./);
  const root = parseXml(fig.svg);
  const points = findAll(root, "circle").filter((c) => c.attrs.class === "point");
  // one mean per NTR row of the fake records (the untrained base included), in report order
  assert.deepEqual(points.map((p) => p.attrs.fill), [
    METHOD_COLORS.ntr_base,
    METHOD_COLORS.rpt,
    METHOD_COLORS.rmt,
    METHOD_COLORS.rmt_no_dtb,
    METHOD_COLORS.rmt_no_cas,
    METHOD_COLORS.rmt_no_ntp,
  ]);
  const tip = (i: number) => findAll(points[i]!, "title")[0]!.text;
  // base: ℓ̄ 90, accuracy 5 %; RPT: ℓ̄ (101 + 102) / 2, accuracy (30 + 40) / 2; RMT: 21.5, 55
  assert.match(tip(0), /^NTR \(base, untrained\): \(90, 5(\.0+\d)?\)$/);
  const xy = (i: number) => tip(i).match(/\(([^,]+), ([^)]+)\)$/)!.slice(1).map(Number);
  assert.deepEqual(xy(1).map((v) => Math.round(v * 1e9) / 1e9), [101.5, 35]);
  assert.deepEqual(xy(2).map((v) => Math.round(v * 1e9) / 1e9), [21.5, 55]);
  // two seeds per row: two faint points each, and an interval in x and in y per mean
  assert.equal(findAll(root, "circle").filter((c) => c.attrs.class === "faint").length, 12);
  const bars = findAll(root, "path").filter((p) => p.attrs.class === "error-bar");
  assert.equal(bars.length, 12);
  const ticks = (axis: string) =>
    findAll(findAll(root, "g").find((g) => g.attrs.class === axis)!, "text")
      .filter((t) => !t.attrs.class).map((t) => t.text);
  assert.equal(ticks("x-axis")[0], "0");
  assert.deepEqual([ticks("y-axis")[0], ticks("y-axis").at(-1)], ["0", "100"]);
  assert.ok(!fig.svg.includes("NaN"));
});
