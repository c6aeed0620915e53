/**
 * Results of the experiment (method §11.4; Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, Tables of §6.3–§6.6 in miniature): from the run records, a Markdown file
 * (`docs/results.md`: tables of mean ± std over seeds, paired differences with 95 % intervals,
 * the paper's claims checked one by one, and how to reproduce: commands, configs, seeds,
 * commit, date, backend) and a self-contained HTML report with SVG plots (reward, match rate,
 * reasoning length and B_t over steps with seed bands; accuracy by tier per method;
 * post-training before/after).
 *
 * Every accuracy is in percent. "±" is the sample standard deviation over seeds; a single-seed
 * figure has none. Nested tiers: H > 0.5 / 1.0 / 1.5 nats (RPT's protocol, method §6.2);
 * disjoint tiers: [0.5, 1), [1, 1.5), ≥ 1.5. Entropy from the base model for every row.
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */
import { barChart, type BarSeries, lineChart, type LineSeries } from "../report/plots.ts";
import { formatMeanStd, htmlReport, htmlTable, markdownTable } from "../report/html.ts";
import { mean, pairedDiff, std } from "../report/stats.ts";
import type { CurvePoint, ExperimentMeta, RunRecord, TierFigures } from "./records.ts";

export type { ExperimentMeta, ExperimentSession } from "./records.ts";

type Nested = keyof TierFigures["nested"];
const TIERS: Nested[] = ["easy", "medium", "hard", "average"];

/** Records grouped by row id, in first-seen order. */
function byRow(records: RunRecord[]): Map<string, RunRecord[]> {
  const out = new Map<string, RunRecord[]>();
  for (const r of records) {
    const list = out.get(r.id);
    if (list) list.push(r);
    else out.set(r.id, [r]);
  }
  for (const list of out.values()) list.sort((a, b) => a.seed - b.seed);
  return out;
}

function finite(xs: (number | null | undefined)[]): number[] {
  return xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
}

/** Mean ± std of percentages (fractions × 100), "–" when there is none. */
function pctCell(xs: (number | null | undefined)[]): string {
  return formatMeanStd(finite(xs).map((x) => 100 * x), 1);
}

function numCell(xs: (number | null | undefined)[], digits = 1): string {
  return formatMeanStd(finite(xs), digits);
}

/** The accuracy figures a row is judged by: NTP for the greedy base row, else NTR. */
function primary(r: RunRecord): TierFigures | null {
  return r.kind === "ntp-base" || r.id === "ntp_cont" ? r.ntp : r.ntr;
}

function mode(r: RunRecord): string {
  return r.kind === "ntp-base" || r.id === "ntp_cont" ? "NTP (greedy)" : "NTR (T=0.8)";
}

const ROW_ORDER = [
  "ntp_base",
  "ntr_base",
  "ntr_base_bt",
  "ntp_cont",
  "rpt",
  "rmt",
  "rmt_no_dtb",
  "rmt_no_cas",
  "rmt_no_ntp",
  "post_base",
  "post_rpt",
  "post_rmt",
];

function ordered(groups: Map<string, RunRecord[]>, ids: string[]): [string, RunRecord[]][] {
  return ids.filter((id) => groups.has(id)).map((id) => [id, groups.get(id)!]);
}

/** Paired difference a − b (percentage points) over the seeds both have. */
function paired(
  a: RunRecord[] | undefined,
  b: RunRecord[] | undefined,
  value: (r: RunRecord) => number | null | undefined,
): ReturnType<typeof pairedDiff> | null {
  if (!a || !b) return null;
  const xs: number[] = [], ys: number[] = [];
  const unseeded = (rs: RunRecord[]) => rs.length === 1 && rs[0]!.kind === "ntp-base";
  const pairs: [RunRecord, RunRecord | undefined][] = unseeded(a)
    ? b.map((rb) => [a[0]!, rb])
    : a.map((ra) => [ra, unseeded(b) ? b[0] : b.find((r) => r.seed === ra.seed)]);
  for (const [ra, rb] of pairs) {
    const va = value(ra), vb = rb ? value(rb) : null;
    if (typeof va === "number" && typeof vb === "number") {
      xs.push(va);
      ys.push(vb);
    }
  }
  return xs.length === 0 ? null : pairedDiff(xs, ys);
}

function diffCell(d: ReturnType<typeof pairedDiff> | null, scale = 100, digits = 1): string {
  if (d === null) return "–";
  const m = (d.meanDiff * scale).toFixed(digits);
  const sign = d.meanDiff > 0 ? "+" : "";
  if (!Number.isFinite(d.lo)) return `${sign}${m} (n=${d.n})`;
  return `${sign}${m} [${(d.lo * scale).toFixed(digits)}, ${
    (d.hi * scale).toFixed(digits)
  }] (n=${d.n})`;
}

/** The tables as header + rows, shared by Markdown and HTML. */
export interface ResultTables {
  /** §6.3 main table. */
  main: { headers: string[]; rows: string[][] };
  /** Greedy NTP accuracy of every model. */
  ntp: { headers: string[]; rows: string[][] };
  /** §6.6 ablation. */
  ablation: { headers: string[]; rows: string[][] };
  /** §6.4 reasoning length. */
  length: { headers: string[]; rows: string[][] };
  /** §6.5 post-training. */
  posttrain: { headers: string[]; rows: string[][] };
  /** The paper's claims. */
  claims: { headers: string[]; rows: string[][] };
}

/**
 * Builds every table from the run records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultTables } from "./results.ts";
 * assert.equal(resultTables([]).main.rows.length, 0);
 * ```
 */
export function resultTables(records: RunRecord[]): ResultTables {
  const groups = byRow(records);
  const mainIds = ["ntp_base", "ntr_base", "ntr_base_bt", "ntp_cont", "rpt", "rmt"];
  const tierHeaders = ["Easy", "Medium", "Hard", "Average"];
  const main = {
    headers: [
      "Method",
      "Mode",
      ...tierHeaders,
      "Disj. easy",
      "Disj. medium",
      "Disj. hard",
      "Disj. avg",
      "Δ avg vs RPT (pp, 95% CI)",
      "ℓ (tokens)",
      "Wall time (s)",
      "Seeds",
    ],
    rows: ordered(groups, mainIds).map(([id, rs]) => [
      rs[0]!.label,
      mode(rs[0]!),
      ...TIERS.map((t) => pctCell(rs.map((r) => primary(r)?.nested[t]))),
      ...TIERS.map((t) => pctCell(rs.map((r) => primary(r)?.disjoint[t]))),
      id === "rpt"
        ? "–"
        : diffCell(paired(rs, groups.get("rpt"), (r) => primary(r)?.nested.average)),
      primary(rs[0]!) === rs[0]!.ntr ? numCell(rs.map((r) => r.ntr?.meanLength)) : "–",
      numCell(rs.map((r) => r.seconds.total), 0),
      String(rs.length),
    ]),
  };
  const ntpIds = ["ntp_base", "ntp_cont", "rpt", "rmt", "rmt_no_dtb", "rmt_no_cas", "rmt_no_ntp"];
  const ntp = {
    headers: ["Model", ...tierHeaders, "Disj. avg", "Seeds"],
    rows: ordered(groups, ntpIds).filter(([, rs]) => rs.some((r) => r.ntp !== null)).map((
      [id, rs],
    ) => [
      id === "ntp_base" ? "Base" : rs[0]!.label,
      ...TIERS.map((t) => pctCell(rs.map((r) => r.ntp?.nested[t]))),
      pctCell(rs.map((r) => r.ntp?.disjoint.average)),
      String(rs.length),
    ]),
  };
  const full = groups.get("rmt");
  const ablation = {
    headers: ["Configuration", ...tierHeaders, "Δ avg vs RMT (pp, 95% CI)", "ℓ (tokens)", "Seeds"],
    rows: ordered(groups, ["rmt", "rmt_no_dtb", "rmt_no_cas", "rmt_no_ntp"]).map(([id, rs]) => [
      id === "rmt" ? "RMT (full)" : rs[0]!.label,
      ...TIERS.map((t) => pctCell(rs.map((r) => r.ntr?.nested[t]))),
      id === "rmt" ? "–" : diffCell(paired(rs, full, (r) => r.ntr?.nested.average)),
      numCell(rs.map((r) => r.ntr?.meanLength)),
      String(rs.length),
    ]),
  };
  const rpt = groups.get("rpt");
  const rptLength = rpt ? mean(finite(rpt.map((r) => r.ntr?.meanLength))) : NaN;
  const length = {
    headers: [
      "Method",
      "ℓ (tokens)",
      "ℓ / ℓ(RPT)",
      "Budget in prompt",
      "Closed </think> (%)",
      "Boxed answer (%)",
    ],
    rows: ordered(groups, [
      "ntr_base",
      "ntr_base_bt",
      "rpt",
      "rmt",
      "rmt_no_dtb",
      "rmt_no_cas",
      "rmt_no_ntp",
    ])
      .map(([, rs]) => {
        const l = mean(finite(rs.map((r) => r.ntr?.meanLength)));
        return [
          rs[0]!.label,
          numCell(rs.map((r) => r.ntr?.meanLength)),
          Number.isFinite(l) && Number.isFinite(rptLength) && rptLength > 0
            ? `${(100 * l / rptLength).toFixed(0)}%`
            : "–",
          rs[0]!.ntr?.budget === null || rs[0]!.ntr?.budget === undefined
            ? "none"
            : String(rs[0]!.ntr!.budget),
          pctCell(rs.map((r) => r.ntr?.closedFraction)),
          pctCell(rs.map((r) => r.ntr?.answeredFraction)),
        ];
      }),
  };
  const postBase = groups.get("post_base");
  const posttrain = {
    headers: [
      "Start",
      "Before RL",
      "After RL",
      "Δ (pp, 95% CI)",
      "After − base after (pp)",
      "ℓ before → after",
      "Questions / decoding / steps",
      "Seeds",
    ],
    rows: ordered(groups, ["post_base", "post_rpt", "post_rmt"]).map(([id, rs]) => {
      const p0 = rs[0]!.posttrain!;
      const d = pairedDiff(
        rs.map((r) => r.posttrain?.after ?? NaN),
        rs.map((r) => r.posttrain?.before ?? NaN),
      );
      return [
        rs[0]!.label,
        pctCell(rs.map((r) => r.posttrain?.before)),
        pctCell(rs.map((r) => r.posttrain?.after)),
        diffCell(d),
        id === "post_base" ? "–" : diffCell(paired(rs, postBase, (r) => r.posttrain?.after)),
        `${numCell(rs.map((r) => r.posttrain?.lengthBefore))} → ${
          numCell(rs.map((r) => r.posttrain?.lengthAfter))
        }`,
        `${p0.questions} / ${p0.decoding} / ${p0.steps}`,
        String(rs.length),
      ];
    }),
  };
  return { main, ntp, ablation, length, posttrain, claims: claimTable(groups) };
}

function verdict(d: ReturnType<typeof pairedDiff> | null, wantPositive: boolean): string {
  if (d === null) return "not run";
  const sign = wantPositive ? 1 : -1;
  if (!Number.isFinite(d.lo)) {
    if (d.meanDiff === 0) return "no difference (1 seed)";
    return d.meanDiff * sign > 0 ? "agrees (1 seed, no interval)" : "disagrees (1 seed)";
  }
  const a = Math.min(d.lo * sign, d.hi * sign), b = Math.max(d.lo * sign, d.hi * sign);
  if (d.meanDiff === 0 && a === 0 && b === 0) return "no difference (tie)";
  if (a > 0) return "agrees";
  if (b < 0) return "disagrees";
  return d.meanDiff * sign > 0
    ? "same direction, not significant (CI includes 0)"
    : "opposite direction, not significant (CI includes 0)";
}

function claimTable(groups: Map<string, RunRecord[]>): { headers: string[]; rows: string[][] } {
  const avg = (r: RunRecord) => r.ntr?.nested.average;
  const rows: string[][] = [];
  const rmt = groups.get("rmt"), rpt = groups.get("rpt"), ntp = groups.get("ntp_base");
  const d1 = paired(rmt, rpt, avg);
  rows.push(["RMT beats RPT in accuracy (NTR average, pp)", diffCell(d1), verdict(d1, true)]);
  const d2 = paired(rmt, ntp, (r) => r.kind === "ntp-base" ? r.ntp?.nested.average : avg(r));
  rows.push([
    "RMT (NTR) beats NTP (base, greedy) in accuracy (pp)",
    diffCell(d2),
    verdict(d2, true),
  ]);
  const d3 = paired(rmt, rpt, (r) => r.ntr?.meanLength);
  const ratio = rmt && rpt
    ? mean(finite(rmt.map((r) => r.ntr?.meanLength))) /
      mean(finite(rpt.map((r) => r.ntr?.meanLength)))
    : NaN;
  rows.push([
    "RMT reasons far shorter than RPT (ℓ RMT − ℓ RPT, tokens; paper 21 %)",
    `${diffCell(d3, 1)}; ratio ${Number.isFinite(ratio) ? (100 * ratio).toFixed(0) + "%" : "–"}`,
    verdict(d3, false),
  ]);
  const d3b = paired(rmt, groups.get("ntr_base_bt"), (r) => r.ntr?.meanLength);
  rows.push([
    "(control) RMT's shorter reasoning is learned, not only the budget sentence (ℓ RMT − ℓ base with B_T in prompt)",
    diffCell(d3b, 1),
    verdict(d3b, false),
  ]);
  const drops = ["rmt_no_dtb", "rmt_no_cas", "rmt_no_ntp"].map((id) => ({
    id,
    d: paired(groups.get(id), rmt, avg),
  })).filter((x) => x.d !== null);
  if (drops.length > 0) {
    const lowest = Math.min(...drops.map((x) => x.d!.meanDiff));
    const ntpDrop = drops.find((x) => x.id === "rmt_no_ntp")?.d?.meanDiff;
    const worst = drops.filter((x) => x.d!.meanDiff === lowest).map((x) => x.id);
    rows.push([
      "Removing NTP hurts most (largest drop of the ablations)",
      drops.map((x) => `${x.id}: ${diffCell(x.d)}`).join("; "),
      lowest >= 0
        ? "disagrees: no ablation lowers the average"
        : ntpDrop === lowest
        ? (worst.length > 1
          ? `tie for the largest drop (${worst.join(", ")})`
          : "agrees (point estimates)")
        : `disagrees: largest drop is ${worst.join(", ")}`,
    ]);
  } else rows.push(["Removing NTP hurts most", "–", "not run"]);
  const after = (r: RunRecord) => r.posttrain?.after;
  const d5 = paired(groups.get("post_rmt"), groups.get("post_base"), after);
  rows.push([
    "RMT checkpoint post-trains better than the base (after RL, pp)",
    diffCell(d5),
    verdict(d5, true),
  ]);
  const d6 = paired(groups.get("post_rmt"), groups.get("post_rpt"), after);
  rows.push([
    "RMT checkpoint post-trains better than RPT (after RL, pp)",
    diffCell(d6),
    verdict(d6, true),
  ]);
  return { headers: ["Claim (paper)", "Measured (mean [95% CI], n seeds)", "Verdict here"], rows };
}

/**
 * Observations the tables alone do not make obvious, derived from the records (e.g. a method
 * that never received a reward, so its weights did not move).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { automaticNotes } from "./results.ts";
 * assert.deepEqual(automaticNotes([]), []);
 * ```
 */
export function automaticNotes(records: RunRecord[]): string[] {
  const groups = byRow(records);
  const notes: string[] = [];
  const ntr = groups.get("ntr_base");
  if (ntr) {
    const acc = finite(ntr.map((r) => r.ntr?.nested.average));
    if (acc.length > 0 && mean(acc) < 0.01) {
      notes.push(
        `The untrained base model's NTR accuracy is ${(100 * mean(acc)).toFixed(1)} %: the ` +
          "precondition of method §11.1 (NTR clearly above zero, so that RL has a reward signal) " +
          "is not met by this base checkpoint, and matching rewards are rare for every method.",
      );
    }
  }
  for (const [, rs] of ordered(groups, ROW_ORDER)) {
    const r0 = rs[0]!;
    if (r0.kind !== "train" || rs.every((r) => (r.curve?.length ?? 0) === 0)) continue;
    const points = rs.flatMap((r) => r.curve ?? []);
    if (points.every((p) => p.matchRate === 0)) {
      const noReward = points.every((p) => p.reward === 0);
      notes.push(
        `${r0.label}: no rollout matched the ground-truth token in any step (match rate 0)` +
          (noReward
            ? "; with all-zero rewards every GRPO advantage is 0, so the RL term had no gradient" +
              (r0.id === "rpt" || r0.id === "rmt_no_ntp"
                ? " and (without an NTP term) the weights changed only through AdamW's weight decay."
                : ".")
            : "; its only reward was the length term r_len."),
      );
    }
  }
  const post = ordered(groups, ["post_base", "post_rpt", "post_rmt"]).flatMap(([, rs]) => rs);
  if (post.length > 0 && post.every((r) => !r.posttrain?.before && !r.posttrain?.after)) {
    notes.push(
      "Post-training: no held-out question was answered correctly before or after GRPO by any " +
        "start checkpoint, so this comparison is uninformative at this scale.",
    );
  }
  return notes;
}

/** Mean and ±std band of a curve field across seeds, per step. */
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

/** The SVG charts of the report, in order, with a caption each. */
export function resultCharts(records: RunRecord[]): { caption: string; svg: string }[] {
  const groups = byRow(records);
  const trained = ordered(groups, [
    "ntp_cont",
    "rpt",
    "rmt",
    "rmt_no_dtb",
    "rmt_no_cas",
    "rmt_no_ntp",
  ])
    .filter(([, rs]) => rs.some((r) => (r.curve?.length ?? 0) > 0));
  const charts: { caption: string; svg: string }[] = [];
  const curves: [string, string, (p: CurvePoint) => number | null][] = [
    ["Mean reward r over steps", "reward", (p) => p.reward],
    ["Match rate (mean r_pos) over steps", "match rate", (p) => p.matchRate],
    ["Mean reasoning length ℓ over steps", "tokens", (p) => p.length],
    ["Budget B_t over steps (rows with a budget)", "B_t (tokens)", (p) => p.budget],
  ];
  for (const [title, yLabel, f] of curves) {
    // a method without values (no budget) keeps its legend slot, so colours match across charts
    const series = trained.map(([, rs]) =>
      curveSeries(rs[0]!.label, rs, f) ??
        { name: `${rs[0]!.label} (none)`, points: [[0, NaN]] as [number, number][] }
    );
    if (series.every((s) => s.points.every(([, y]) => !Number.isFinite(y)))) continue;
    charts.push({
      caption: `${title}; line = mean over seeds, band = ± 1 std.`,
      svg: lineChart({ title, xLabel: "step", yLabel, series, width: 520, height: 340 }),
    });
  }
  const acc = ordered(groups, [
    "ntp_base",
    "ntr_base",
    "rpt",
    "rmt",
    "rmt_no_dtb",
    "rmt_no_cas",
    "rmt_no_ntp",
  ]);
  if (acc.length > 0) {
    const series: BarSeries[] = acc.map(([, rs]) => {
      const vals = TIERS.map((t) =>
        finite(rs.map((r) => primary(r)?.nested[t])).map((x) => 100 * x)
      );
      return {
        name: rs[0]!.label,
        values: vals.map((v) => (v.length > 0 ? mean(v) : NaN)),
        errors: vals.map((v) => (v.length > 1 ? std(v) : 0)),
      };
    });
    charts.push({
      caption: "Next-token accuracy by nested tier per method (NTP row: greedy; others: NTR), " +
        "mean ± std over seeds.",
      svg: barChart({
        title: "Accuracy by tier (nested)",
        yLabel: "accuracy (%)",
        groups: ["easy", "medium", "hard", "average"],
        series,
        width: 760,
        height: 380,
      }),
    });
  }
  const post = ordered(groups, ["post_base", "post_rpt", "post_rmt"]);
  if (post.length > 0) {
    const pick = (rs: RunRecord[], f: (r: RunRecord) => number | null | undefined) =>
      finite(rs.map(f)).map((x) => 100 * x);
    const bs: BarSeries[] = [
      ["before RL", (r: RunRecord) => r.posttrain?.before] as const,
      ["after RL", (r: RunRecord) => r.posttrain?.after] as const,
    ].map(([name, f]) => {
      const v = post.map(([, rs]) => pick(rs, f));
      return {
        name,
        values: v.map((x) => (x.length > 0 ? mean(x) : NaN)),
        errors: v.map((x) => (x.length > 1 ? std(x) : 0)),
      };
    });
    charts.push({
      caption: "Post-training: held-out question accuracy before and after GRPO, mean ± std.",
      svg: barChart({
        title: "Post-training accuracy",
        yLabel: "accuracy (%)",
        groups: post.map(([, rs]) => rs[0]!.label),
        series: bs,
        width: 520,
        height: 340,
      }),
    });
    const series = post.map(([, rs]) => curveSeries(rs[0]!.label, rs, (p) => p.reward))
      .filter((s): s is LineSeries => s !== null);
    if (series.length > 0) {
      charts.push({
        caption: "Post-training: mean verifiable reward of the rollouts over GRPO steps.",
        svg: lineChart({
          title: "Post-training reward",
          xLabel: "step",
          yLabel: "reward",
          series,
          width: 520,
          height: 340,
        }),
      });
    }
  }
  return charts;
}

function reproduction(meta: ExperimentMeta, records: RunRecord[]): string[] {
  const groups = byRow(records);
  const lines: string[] = [];
  lines.push(
    "```sh",
    meta.command,
    "```",
    "",
    `- commit: \`${meta.commit}\`${meta.dirty ? " (working tree had uncommitted changes)" : ""}`,
    `- started: ${meta.startedAt}; wall time${
      meta.sessions && meta.sessions.length > 1 ? " (all sessions)" : ""
    }: ${(meta.wallSeconds / 60).toFixed(1)} min`,
    `- backend: ${meta.backend}`,
    `- experiment config: \`${meta.configFile}\`${meta.quick ? " with `--quick` settings" : ""}`,
    `- seeds per seeded row: ${meta.seeds} (seeds 1..${meta.seeds}; NTP-greedy of the base is deterministic, run once)`,
    `- runs finished: ${records.length} of ${meta.plan.length}`,
  );
  if (meta.sessions && meta.sessions.length > 1) {
    lines.push("- sessions (the runner resumes; each added runs):");
    for (const x of meta.sessions) {
      lines.push(
        `  - \`${x.command}\` at ${x.startedAt}: ${x.runs} runs, ` +
          `${(x.wallSeconds / 60).toFixed(1)} min, ${x.backend}, commit \`${
            x.commit.slice(0, 12)
          }\``,
      );
    }
  }
  if (meta.settings) {
    lines.push(
      "- effective overrides:",
      "",
      "```json",
      JSON.stringify(meta.settings, null, 2),
      "```",
    );
  }
  lines.push("", "Per row (config file, seeds, settings of the first seed):", "");
  const rows = ordered(groups, ROW_ORDER).map(([, rs]) => [
    rs[0]!.label,
    rs[0]!.config ?? "(evaluation only)",
    rs.map((r) => r.seed).join(", "),
    JSON.stringify(rs[0]!.settings).replace(/"/g, ""),
  ]);
  if (rows.length > 0) {
    lines.push(markdownTable(["Row", "Config", "Seeds", "Settings"], rows));
  }
  const missing = meta.plan.filter((p) => !records.some((r) => r.id === p.id && r.seed === p.seed));
  if (missing.length > 0) {
    lines.push("", `Not (yet) run: ${missing.map((p) => `${p.id}@${p.seed}`).join(", ")}.`);
  }
  return lines;
}

const READING = [
  "Accuracies are percentages on held-out documents of the base checkpoint's corpus, " +
  "mean ± sample std over seeds. Nested tiers (RPT's protocol): positions whose base-model " +
  "entropy exceeds 0.5 / 1.0 / 1.5 nats; disjoint: [0.5, 1), [1, 1.5), ≥ 1.5. NTR rows sample one " +
  "reasoning trace per position at temperature 0.8 and score the last `\\boxed{}` after `</think>` " +
  "against the ground-truth token (exact match); the same positions are used for every row of a " +
  "seed, so differences are paired by seed. 95 % intervals: t-interval of the paired differences.",
];

/**
 * The Markdown results (`docs/results.md`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsMarkdown } from "./results.ts";
 * const md = resultsMarkdown([], { command: "deno task experiment", configFile: "c.yaml",
 *   commit: "abc", dirty: false, backend: "cpu", quick: true, seeds: 2, startedAt: "t",
 *   wallSeconds: 0, complete: false, plan: [] });
 * assert.ok(md.startsWith("# Results"));
 * ```
 */
export function resultsMarkdown(records: RunRecord[], meta: ExperimentMeta): string {
  const t = resultTables(records);
  const md = (x: { headers: string[]; rows: string[][] }) =>
    x.rows.length > 0 ? markdownTable(x.headers, x.rows) : "_(no finished runs yet)_";
  const status = meta.complete
    ? "Complete: every planned run finished."
    : `**Partial results**: ${records.length} of ${meta.plan.length} planned runs finished ` +
      "(the runner is resumable: the same command continues where it stopped).";
  return [
    "# Results: Reinforcement Mid-Training in miniature",
    "",
    "Generated by `lib/apps/experiment/results.ts` from the run records under " +
    `\`${meta.plan[0]?.dir.split("/").slice(0, -2).join("/") || "runs/experiment"}\`. ` +
    "Plots: [`docs/results/report.html`](results/report.html) (self-contained, open in a browser).",
    "",
    status,
    ...(meta.quick
      ? [
        "",
        "Quick settings (`--quick`): few steps, positions and seeds, sized for a 2-core CPU " +
        "session; the numbers are a smoke-scale replication, not the paper's scale.",
      ]
      : []),
    ...(meta.notes ?? []).flatMap((n) => ["", n]),
    "",
    ...READING,
    ...(automaticNotes(records).length > 0
      ? ["", "Observations from the records:", "", ...automaticNotes(records).map((n) => `- ${n}`)]
      : []),
    "",
    "## Next-token accuracy (paper §6.3, §6.4)",
    "",
    md(t.main),
    "",
    "## Greedy NTP accuracy of every model",
    "",
    "What each method does to plain next-token prediction (argmax, no reasoning).",
    "",
    md(t.ntp),
    "",
    "## Ablation (paper §6.6)",
    "",
    md(t.ablation),
    "",
    "## Reasoning length (paper §6.4)",
    "",
    md(t.length),
    "",
    "## Post-training (paper §6.5)",
    "",
    "GRPO on generated math questions with verifiable integer answers; accuracy on held-out " +
    "questions before and after, one completion per question.",
    "",
    md(t.posttrain),
    "",
    "## The paper's claims, checked here",
    "",
    md(t.claims),
    "",
    "## Reproduce",
    "",
    ...reproduction(meta, records),
    "",
  ].join("\n");
}

/**
 * The self-contained HTML report (`docs/results/report.html`): the same tables and the plots.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsHtml } from "./results.ts";
 * const html = resultsHtml([], { command: "x", configFile: "c", commit: "abc", dirty: false,
 *   backend: "cpu", quick: false, seeds: 1, startedAt: "t", wallSeconds: 0, complete: true, plan: [] });
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * ```
 */
export function resultsHtml(records: RunRecord[], meta: ExperimentMeta): string {
  const t = resultTables(records);
  const table = (x: { headers: string[]; rows: string[][] }) =>
    x.rows.length > 0 ? htmlTable(x.headers, x.rows) : "<p><em>No finished runs yet.</em></p>";
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const charts = resultCharts(records);
  const chartHtml = charts.length > 0
    ? `<div class="charts">${
      charts.map((c) => `<figure>${c.svg}<figcaption>${esc(c.caption)}</figcaption></figure>`)
        .join("\n")
    }</div>`
    : "<p><em>No curves yet.</em></p>";
  const status = meta.complete
    ? "Complete: every planned run finished."
    : `Partial results: ${records.length} of ${meta.plan.length} planned runs finished.`;
  return htmlReport({
    title: "Reinforcement Mid-Training: results",
    subtitle: `${status} Commit ${meta.commit.slice(0, 12)}${meta.dirty ? " (dirty)" : ""}, ` +
      `${meta.backend}, ${meta.quick ? "quick settings, " : ""}${meta.seeds} seed(s), ` +
      `started ${meta.startedAt}.`,
    sections: [
      {
        heading: "How to read",
        html: `<p>${esc(READING[0]!)}</p>` +
          (automaticNotes(records).length > 0
            ? `<ul>${automaticNotes(records).map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`
            : ""),
      },
      { heading: "Plots", html: chartHtml },
      { heading: "Next-token accuracy (§6.3)", html: table(t.main) },
      { heading: "Greedy NTP accuracy of every model", html: table(t.ntp) },
      { heading: "Ablation (§6.6)", html: table(t.ablation) },
      { heading: "Reasoning length (§6.4)", html: table(t.length) },
      { heading: "Post-training (§6.5)", html: table(t.posttrain) },
      { heading: "The paper's claims, checked here", html: table(t.claims) },
      {
        heading: "Reproduce",
        html:
          `<pre>${esc(meta.command)}</pre><p>Commit <code>${esc(meta.commit)}</code>${
            meta.dirty ? " (uncommitted changes)" : ""
          }; backend ${esc(meta.backend)}; config <code>${esc(meta.configFile)}</code>; ` +
          `seeds 1..${meta.seeds}.</p>` +
          (meta.settings ? `<pre>${esc(JSON.stringify(meta.settings, null, 2))}</pre>` : ""),
      },
    ],
  });
}

/** Writes the Markdown and the HTML files (creating their directories). */
export async function writeResults(
  records: RunRecord[],
  meta: ExperimentMeta,
  files: { markdown: string; html: string },
): Promise<void> {
  for (const f of [files.markdown, files.html]) {
    const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : ".";
    await Deno.mkdir(dir, { recursive: true });
  }
  await Deno.writeTextFile(files.markdown, resultsMarkdown(records, meta));
  await Deno.writeTextFile(files.html, resultsHtml(records, meta));
}
