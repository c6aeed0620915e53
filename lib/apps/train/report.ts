/**
 * The report of one training run (`<out>/report.html`): a self-contained HTML page with the
 * curves of Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375) over the steps of the run, read from `metrics.jsonl`:
 *
 * - mean reward r̄ and match rate (the share of rollouts whose `\boxed{}` is the ground-truth
 *   token, method §1.4);
 * - mean reasoning length ℓ̄ next to the token budget B_t (method §2.1);
 * - the curriculum's tier probabilities p_t (method §3.2);
 * - the NTP loss on the RL documents (method §4.3) and the global gradient norm.
 *
 * Deliberate deviations: none (presentation only).
 *
 * @module
 */
import { htmlReport, htmlTable } from "../report/html.ts";
import { lineChart, type LineChartOptions, type LineSeries } from "../report/plots.ts";
import type { TrainConfig } from "./config.ts";
import type { StepRecord } from "./step.ts";

const CHART = { width: 480, height: 300 }; // two charts side by side in the 1,100-px page

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
  // a series with no point (no budget, no NTP term) is left out of its chart
  const chart = (opts: LineChartOptions): string =>
    lineChart({ ...opts, series: opts.series.filter((x) => x.points.length > 0), ...CHART });
  const charts = [
    chart({
      title: "Reward and match rate",
      xLabel: "step",
      yLabel: "mean over rollouts",
      series: [
        series("mean reward r̄", records, (r) => r.meanReward),
        series("match rate", records, (r) => r.matchRate),
      ],
    }),
    chart({
      title: "Reasoning length and budget",
      xLabel: "step",
      yLabel: "tokens",
      series: [
        series("mean ℓ", records, (r) => r.meanLength),
        series("budget B_t", records, (r) => r.budget),
      ],
    }),
    chart({
      title: "Curriculum p_t",
      xLabel: "step",
      yLabel: "probability",
      series: ["easy", "medium", "hard"].map((tier, i) =>
        series(tier, records, (r) => r.tierProbs[i] ?? null)
      ),
    }),
    chart({
      title: "NTP loss and gradient norm",
      xLabel: "step",
      yLabel: "nats / norm",
      series: [
        series("NTP loss", records, (r) => (r.ntpTokens > 0 ? r.ntpLoss : null)),
        series("gradient norm", records, (r) => r.gradNorm),
      ],
    }),
  ];
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
      { heading: "Curves", html: `<div class="charts">\n${charts.join("\n")}\n</div>` },
      {
        heading: `First and last step (${first.step + 1} and ${last.step + 1})`,
        html: htmlTable(["figure", "first", "last"], rows),
      },
    ],
  });
}
