/**
 * The tables of the experiment's results (method §11.4; Tian et al., arXiv:2509.24375,
 * §6.3–§6.6 in miniature): accuracy by tier, greedy NTP, ablation deltas with paired 95 %
 * intervals, reasoning length, post-training, and the paper's claims checked one by one; plus
 * the grouping helpers the charts and the report share. Every accuracy is in percent.
 *
 * @module
 */
import { formatMeanStd } from "../report/html.ts";
import { mean, pairedDiff } from "../report/stats.ts";
import type { RunRecord, TierFigures } from "./records.ts";

export type Nested = keyof TierFigures["nested"];
export const TIERS: Nested[] = ["easy", "medium", "hard", "average"];

/** Records grouped by row id, in first-seen order. */
export function byRow(records: RunRecord[]): Map<string, RunRecord[]> {
  const out = new Map<string, RunRecord[]>();
  for (const r of records) {
    const list = out.get(r.id);
    if (list) list.push(r);
    else out.set(r.id, [r]);
  }
  for (const list of out.values()) list.sort((a, b) => a.seed - b.seed);
  return out;
}

export function finite(xs: (number | null | undefined)[]): number[] {
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
export function primary(r: RunRecord): TierFigures | null {
  return r.kind === "ntp-base" || r.id === "ntp_cont" ? r.ntp : r.ntr;
}

function mode(r: RunRecord): string {
  return r.kind === "ntp-base" || r.id === "ntp_cont" ? "NTP (greedy)" : "NTR (T=0.8)";
}

/** RMT and its three ablations (method §6.6), in report order. */
export const ABLATION_ROWS = ["rmt", "rmt_no_dtb", "rmt_no_cas", "rmt_no_ntp"];
/** The rows evaluated by next-token reasoning, in report order. */
export const NTR_ROWS = ["ntr_base", "ntr_base_bt", "rpt", ...ABLATION_ROWS];
/** The post-training rows (method §6.5), in report order. */
export const POST_ROWS = ["post_base", "post_rpt", "post_rmt"];

/** Every row, in report order. */
export const ROW_ORDER = [
  "ntp_base",
  "ntr_base",
  "ntr_base_bt",
  "ntp_cont",
  "rpt",
  ...ABLATION_ROWS,
  ...POST_ROWS,
];

export function ordered(groups: Map<string, RunRecord[]>, ids: string[]): [string, RunRecord[]][] {
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
    rows: ordered(groups, ABLATION_ROWS).map(([id, rs]) => [
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
    rows: ordered(groups, NTR_ROWS)
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
    rows: ordered(groups, POST_ROWS).map(([id, rs]) => {
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
  const post = ordered(groups, POST_ROWS).flatMap(([, rs]) => rs);
  if (post.length > 0 && post.every((r) => !r.posttrain?.before && !r.posttrain?.after)) {
    notes.push(
      "Post-training: no held-out question was answered correctly before or after GRPO by any " +
        "start checkpoint, so this comparison is uninformative at this scale.",
    );
  }
  return notes;
}
