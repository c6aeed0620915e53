/**
 * The report of one training run (`<out>/report.html`): a self-contained HTML page with the
 * curves of Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375) over the steps of the run, read from `metrics.jsonl`:
 *
 * - the match rate (the share of rollouts whose `\boxed{}` is the ground-truth token, method
 *   §1.4, in percent as in the table) and, on its own axis, the mean reward r̄ (0–1);
 * - mean reasoning length ℓ̄ next to the token budget B_t (both in tokens, method §2.1);
 * - the curriculum's tier probabilities p_t (method §3.2, in percent);
 * - the NTP loss on the RL documents (method §4.3) and the global gradient norm, each on its
 *   own axis.
 *
 * Each chart says in one sentence what to look for.
 *
 * Deliberate deviations: none (presentation only).
 *
 * @module
 */
import { chartGrid, htmlReport, htmlTable } from "../report/html.ts";
import { lineChart, type LineChartOptions, type LineSeries } from "../report/plots.ts";
import type { TrainConfig } from "./config.ts";
import type { StepRecord } from "./step.ts";

const CHART = { width: 560, height: 320 }; // two charts side by side in the 1,240-px page

/** A figure of the report: its chart (series from the records) and what to look for in it. */
interface Figure {
  opts: Omit<LineChartOptions, "series">;
  series: (records: StepRecord[]) => LineSeries[];
  look: string;
}

// One quantity (or quantities of one unit) per axis; rates in percent from 0.
const FIGURES: Figure[] = [
  {
    opts: { title: "Match rate", xLabel: "step", yLabel: "match rate (% of rollouts)", yMin: 0 },
    series: (rs) => [series("match rate", rs, (r) => 100 * r.matchRate)],
    look: "Look for: a match rate that holds or rises while the budget shrinks: the model keeps " +
      "predicting the next token with less reasoning.",
  },
  {
    opts: { title: "Mean reward r̄", xLabel: "step", yLabel: "reward r (0–1)", yMin: 0, yMax: 1 },
    series: (rs) => [series("mean reward r̄", rs, (r) => r.meanReward)],
    look: "r̄ = (1 − w)·match + w·r_len: with a budget, r_len gets harder to earn as B_t shrinks, " +
      "so a falling r̄ alone is expected, not a failure.",
  },
  {
    opts: { title: "Reasoning length and budget", xLabel: "step", yLabel: "tokens", yMin: 0 },
    series: (rs) => [
      series("mean ℓ", rs, (r) => r.meanLength),
      series("budget B_t", rs, (r) => r.budget),
    ],
    look:
      "Look for: ℓ following B_t down (r_len pays most at ℓ = B_t); without a budget ℓ is free.",
  },
  {
    opts: { title: "Curriculum p_t", xLabel: "step", yLabel: "share of positions (%)", yMin: 0 },
    series: (rs) =>
      ["easy", "medium", "hard"].map((tier, i) =>
        series(tier, rs, (r) => (r.tierProbs[i] === undefined ? null : 100 * r.tierProbs[i]!))
      ),
    look: "The sampler's schedule: easy positions first, hard ones later (curriculum), flat for " +
      "uniform sampling, hard only for RPT.",
  },
  {
    opts: { title: "NTP loss", xLabel: "step", yLabel: "nats per token", yMin: 0 },
    series: (rs) => [series("NTP loss", rs, (r) => (r.ntpTokens > 0 ? r.ntpLoss : null))],
    look: "Look for: a flat or slowly falling loss; a rising one means RL is eroding the " +
      "language model (raise λ = ntpWeight).",
  },
  {
    opts: {
      title: "Gradient norm",
      xLabel: "step",
      yLabel: "global norm (before clipping)",
      yMin: 0,
    },
    series: (rs) => [series("gradient norm", rs, (r) => r.gradNorm)],
    look: "Look for: no spikes far above the clip (gradClip); repeated spikes call for a lower lr.",
  },
];

function series(name: string, records: StepRecord[], y: (r: StepRecord) => number | null) {
  const points: [number, number][] = [];
  for (const r of records) {
    const v = y(r);
    if (v !== null && Number.isFinite(v)) points.push([r.step + 1, v]);
  }
  return { name, points } satisfies LineSeries;
}

/**
 * The HTML report of a run from its step records and config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainingReportHtml } from "./report.ts";
 * import { TRAIN_DEFAULTS } from "./config.ts";
 * const html = trainingReportHtml([], TRAIN_DEFAULTS);
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * assert.ok(html.includes("no step recorded yet"));
 * ```
 */
export function trainingReportHtml(records: StepRecord[], cfg: TrainConfig): string {
  const m = cfg.method;
  const title = `Training run ${cfg.out}`;
  const subtitle = `method: rlWeight ${m.rlWeight}, λ = ${m.ntpWeight}, budget ${m.budget}, ` +
    `sampling ${m.sampling}, reward ${m.reward}; ${records.length}/${cfg.steps} steps, ` +
    `base ${cfg.baseCheckpoint}`;
  if (records.length === 0) {
    return htmlReport({
      title,
      subtitle,
      sections: [{ heading: "Curves", html: "<p>no step recorded yet</p>" }],
    });
  }
  // a series with no point (no budget, no NTP term) is left out, and so is an empty chart
  const figures = FIGURES.map((f) => ({
    look: f.look,
    opts: { ...f.opts, series: f.series(records).filter((x) => x.points.length > 0) },
  })).filter((f) => f.opts.series.length > 0);
  const charts = chartGrid(
    figures.map((f) => ({ svg: lineChart({ ...f.opts, ...CHART }), caption: f.look })),
  );
  const first = records[0]!, last = records[records.length - 1]!;
  const fmt = (v: number | null, digits: number) => v === null ? "–" : v.toFixed(digits);
  const rows = [
    ["budget B_t", fmt(first.budget, 0), fmt(last.budget, 0)],
    ["mean reward r̄", fmt(first.meanReward, 3), fmt(last.meanReward, 3)],
    ["match rate (%)", fmt(100 * first.matchRate, 1), fmt(100 * last.matchRate, 1)],
    ["mean ℓ (tokens)", fmt(first.meanLength, 1), fmt(last.meanLength, 1)],
    ["NTP loss", fmt(first.ntpLoss, 3), fmt(last.ntpLoss, 3)],
    ["step time (s)", fmt(first.timing.stepSeconds, 1), fmt(last.timing.stepSeconds, 1)],
  ];
  return htmlReport({
    title,
    subtitle,
    sections: [
      { heading: "Curves", html: charts },
      {
        heading: `First and last step (${first.step + 1} and ${last.step + 1})`,
        html: htmlTable(["figure", "first", "last"], rows),
      },
    ],
  });
}
