/**
 * The figures of the experiment's results (method §11.4): the accuracy–length trade-off (issue
 * 17, the paper's central figure), training curves over steps with seed bands, accuracy by tier,
 * post-training before/after. Every method keeps one colour in every
 * figure ({@linkcode METHOD_COLORS}); rates are percentages on an axis that starts at 0; each
 * figure comes with one sentence on what to look for.
 *
 * @module
 */
import {
  barChart,
  type BarSeries,
  CHART_COLORS,
  lineChart,
  type LineSeries,
} from "../report/plots.ts";
import { scatterChart } from "../report/scatter.ts";
import { mean, std } from "../report/stats.ts";
import type { CurvePoint, RunRecord } from "./records.ts";
import {
  ABLATION_ROWS,
  byRow,
  finite,
  NTR_ROWS,
  ordered,
  POST_ROWS,
  primary,
  TIERS,
} from "./results_tables.ts";
import { tradeoffPoints } from "./results_tradeoff.ts";

/**
 * One colour per row of the experiment, the same in every figure; a post-training row takes the
 * colour of the checkpoint it starts from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METHOD_COLORS } from "./results_charts.ts";
 * assert.equal(METHOD_COLORS.post_rmt, METHOD_COLORS.rmt);
 * const own = ["ntp_base", "ntr_base", "ntr_base_bt", "ntp_cont", "rpt", "rmt", "rmt_no_dtb",
 *   "rmt_no_cas", "rmt_no_ntp"].map((id) => METHOD_COLORS[id]);
 * assert.equal(new Set(own).size, own.length);
 * ```
 */
export const METHOD_COLORS: Readonly<Record<string, string>> = {
  ntp_base: "#4e79a7",
  ntr_base: "#9c755f",
  ntr_base_bt: "#bab0ac",
  ntp_cont: "#76b7b2",
  rpt: "#e15759",
  rmt: "#f28e2b",
  rmt_no_dtb: "#59a14f",
  rmt_no_cas: "#edc948",
  rmt_no_ntp: "#b07aa1",
  post_base: "#9c755f",
  post_rpt: "#e15759",
  post_rmt: "#f28e2b",
};

function colorOf(id: string, i: number): string {
  return METHOD_COLORS[id] ?? CHART_COLORS[i % CHART_COLORS.length]!;
}

function curveSeries(
  name: string,
  rs: RunRecord[],
  field: (p: CurvePoint) => number | null,
): LineSeries | null {
  const bySteps = new Map<number, number[]>();
  for (const r of rs) {
    for (const p of r.curve ?? []) {
      const v = field(p);
      if (v === null || !Number.isFinite(v)) continue;
      const list = bySteps.get(p.step) ?? [];
      list.push(v);
      bySteps.set(p.step, list);
    }
  }
  if (bySteps.size === 0) return null;
  const steps = [...bySteps.keys()].sort((a, b) => a - b);
  const points: [number, number][] = steps.map((s) => [s, mean(bySteps.get(s)!)]);
  const band: [number, number, number][] = steps.map((s) => {
    const v = bySteps.get(s)!;
    const m = mean(v), sd = v.length > 1 ? std(v) : 0;
    return [s, m - sd, m + sd];
  });
  return { name, points, band: rs.length > 1 ? band : undefined };
}

/**
 * NTR accuracy against ℓ̄: one point per NTR row (mean over seeds, 95 % intervals both ways),
 * its seeds as faint points; null without such a row.
 */
function tradeoffChart(records: RunRecord[]): { caption: string; svg: string } | null {
  const points = tradeoffPoints(records);
  if (points.length === 0) return null;
  const ci = (c: { lo: number; hi: number }): [number, number] | undefined =>
    Number.isFinite(c.lo) ? [c.lo, c.hi] : undefined;
  return {
    caption: "Up-left is better: more accurate with shorter reasoning. Look for: RMT at RPT's " +
      "accuracy or above with a much shorter ℓ̄ (the paper: 21 % of RPT's). Large points: mean " +
      "over seeds with 95 % t-intervals in both directions; faint points: single seeds.",
    svg: scatterChart({
      title: "NTR accuracy against reasoning length",
      xLabel: "mean reasoning length ℓ̄ (tokens)",
      yLabel: "NTR accuracy, nested average (%)",
      series: points.map((p, i) => ({
        name: p.label,
        color: colorOf(p.id, i),
        points: [{
          x: p.length.mean,
          y: p.accuracy.mean,
          xErr: ci(p.length),
          yErr: ci(p.accuracy),
        }],
        faint: p.seeds.length > 1 ? p.seeds : [],
      })),
      yMax: 100,
      width: 640,
      height: 400,
    }),
  };
}

/**
 * The figures of the results, each with a caption that says what to look for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultCharts } from "./results_charts.ts";
 * assert.deepEqual(resultCharts([]), []);
 * ```
 */
export function resultCharts(records: RunRecord[]): { caption: string; svg: string }[] {
  const groups = byRow(records);
  const trained = ordered(groups, ["ntp_cont", "rpt", ...ABLATION_ROWS])
    .filter(([, rs]) => rs.some((r) => (r.curve?.length ?? 0) > 0));
  const charts: { caption: string; svg: string }[] = [];
  const tradeoff = tradeoffChart(records);
  if (tradeoff !== null) charts.push(tradeoff);
  const size = { width: 560, height: 360 };
  const curves: {
    title: string;
    yLabel: string;
    field: (p: CurvePoint) => number | null;
    look: string;
  }[] = [
    {
      title: "Match rate over steps",
      yLabel: "match rate (% of rollouts)",
      field: (p) => 100 * p.matchRate,
      look: "Look for: RMT's match rate holding or rising while its budget shrinks (next figures).",
    },
    {
      title: "Mean reward r over steps",
      yLabel: "reward r (0–1)",
      field: (p) => p.reward,
      look: "Look for: not a falling line by itself; with a budget, r includes a length reward " +
        "that gets harder to earn as B_t shrinks.",
    },
    {
      title: "Mean reasoning length ℓ over steps",
      yLabel: "ℓ (tokens)",
      field: (p) => p.length,
      look: "Look for: the rows with a budget reasoning shorter than RPT and RMT w/o DTB.",
    },
    {
      title: "Budget B_t over steps",
      yLabel: "B_t (tokens)",
      field: (p) => p.budget,
      look: "The schedule itself (the same for every row with a budget): ℓ should follow it down.",
    },
  ];
  for (const c of curves) {
    const series: LineSeries[] = [];
    trained.forEach(([id, rs], i) => {
      const s = curveSeries(rs[0]!.label, rs, c.field);
      if (s !== null) series.push({ ...s, color: colorOf(id, i) });
    });
    if (series.length === 0) continue;
    charts.push({
      caption: `${c.look} Line: mean over seeds; band: ± 1 std.`,
      svg: lineChart({
        title: c.title,
        xLabel: "step",
        yLabel: c.yLabel,
        series,
        yMin: 0,
        ...size,
      }),
    });
  }
  const acc = ordered(groups, ["ntp_base", ...NTR_ROWS]);
  if (acc.length > 0) {
    const series: BarSeries[] = acc.map(([id, rs], i) => {
      const vals = TIERS.map((t) =>
        finite(rs.map((r) => primary(r)?.nested[t])).map((x) => 100 * x)
      );
      return {
        name: rs[0]!.label,
        values: vals.map((v) => (v.length > 0 ? mean(v) : NaN)),
        errors: vals.map((v) => (v.length > 1 ? std(v) : 0)),
        color: colorOf(id, i),
      };
    });
    charts.push({
      caption: "Look for: RMT's bars above RPT's and the untrained base's in every tier, the " +
        "hard tier most (NTP row: greedy; others: NTR at T = 0.8; mean ± std over seeds).",
      svg: barChart({
        title: "Accuracy by tier (nested)",
        yLabel: "accuracy (%)",
        groups: ["easy", "medium", "hard", "average"],
        series,
        yMin: 0,
        yMax: 100,
        width: 1000,
        height: 380,
      }),
    });
  }
  const post = ordered(groups, POST_ROWS);
  if (post.length > 0) {
    const pick = (rs: RunRecord[], f: (r: RunRecord) => number | null | undefined) =>
      finite(rs.map(f)).map((x) => 100 * x);
    const stages = [
      (r: RunRecord) => r.posttrain?.before,
      (r: RunRecord) => r.posttrain?.after,
    ];
    const bs: BarSeries[] = post.map(([id, rs], i) => {
      const v = stages.map((f) => pick(rs, f));
      return {
        name: rs[0]!.label,
        values: v.map((x) => (x.length > 0 ? mean(x) : NaN)),
        errors: v.map((x) => (x.length > 1 ? std(x) : 0)),
        color: colorOf(id, i),
      };
    });
    charts.push({
      caption: "Look for: the RMT start's accuracy after GRPO above the others' (held-out " +
        "questions, mean ± std over seeds).",
      svg: barChart({
        title: "Post-training accuracy",
        yLabel: "accuracy (%)",
        groups: ["before GRPO", "after GRPO"],
        series: bs,
        yMin: 0,
        yMax: 100,
        ...size,
      }),
    });
    const series: LineSeries[] = [];
    post.forEach(([id, rs], i) => {
      const s = curveSeries(rs[0]!.label, rs, (p) => 100 * p.reward);
      if (s !== null) series.push({ ...s, color: colorOf(id, i) });
    });
    if (series.length > 0) {
      charts.push({
        caption: "Look for: a rising share of correct rollouts during GRPO; a flat line at 0 " +
          "means the start checkpoint never answers right, and RL has nothing to reinforce.",
        svg: lineChart({
          title: "Post-training: correct rollouts",
          xLabel: "step",
          yLabel: "correct rollouts (%)",
          series,
          yMin: 0,
          yMax: 100,
          ...size,
        }),
      });
    }
  }
  return charts;
}
