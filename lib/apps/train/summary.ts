/**
 * What a training run tells its user (method §9): a few lines on what is about to run (the full
 * config goes to `<out>/config.yaml`), a legend for the progress line's symbols, the progress
 * fields, and at the end a headline with the figures that say whether the method worked plus
 * one sentence on how to read them; `summary.json` holds the same figures.
 *
 * @module
 */
import { finalBudget, tokenBudget } from "../../rmt/budget.ts";
import type { MethodConfig, TrainConfig } from "./config.ts";
import type { StepRecord } from "./step.ts";

/** A number with `digits` decimals (non-finite values as they are). */
export function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/**
 * The name of a method config in the table of `config.ts` (RMT, its ablations, RPT, NTP), or
 * "custom method".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METHOD_DEFAULTS } from "./config.ts";
 * import { methodName } from "./summary.ts";
 * assert.equal(methodName(METHOD_DEFAULTS), "RMT");
 * assert.equal(methodName({ ...METHOD_DEFAULTS, budget: "none" }), "RMT w/o DTB");
 * ```
 */
export function methodName(m: MethodConfig): string {
  const key = `${m.rlWeight > 0 ? "rl" : "-"}/${m.ntpWeight > 0 ? "ntp" : "-"}/${m.budget}/` +
    `${m.sampling}/${m.reward}`;
  const names: Record<string, string> = {
    "rl/ntp/dynamic/curriculum/exact": "RMT",
    "rl/ntp/none/curriculum/exact": "RMT w/o DTB",
    "rl/ntp/dynamic/uniform/exact": "RMT w/o CAS",
    "rl/-/dynamic/curriculum/exact": "RMT w/o NTP",
    "rl/-/none/entropy-filter/prefix": "RPT",
    "-/ntp/none/uniform/exact": "NTP (continued pre-training)",
  };
  return names[key] ?? "custom method";
}

/** The budget at the first and last step, B_0 → B_T, or null without a budget. */
export function budgetRange(cfg: TrainConfig): [number, number] | null {
  if (cfg.method.budget !== "dynamic" || cfg.method.rlWeight === 0) return null;
  return [
    tokenBudget(0, cfg.steps, cfg.rmt.budget),
    finalBudget(cfg.rmt.budget),
  ];
}

/** Facts about the loaded inputs that the run summary shows. */
export interface RunFacts {
  /** Parameters of the base model. */
  parameters: number;
  /** Its context window. */
  window: number;
  /** Where the documents came from. */
  source: string;
  /** Documents read, and how many were split into window-sized pieces. */
  read: number;
  split: number;
  /** Pieces trained on. */
  pieces: number;
}

/**
 * The few lines printed before a run: method, base, corpus, size, budget, where things go.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRAIN_DEFAULTS } from "./config.ts";
 * import { runSummary } from "./summary.ts";
 * const lines = runSummary(TRAIN_DEFAULTS, {
 *   parameters: 1000, window: 256, source: "c.txt", read: 3, split: 1, pieces: 5,
 * });
 * assert.ok(lines.length <= 6);
 * assert.match(lines.join("\n"), /budget B_0 = \d+ → B_T = \d+ tokens/);
 * assert.match(lines.join("\n"), /1 longer than the 256-token window split into pieces/);
 * ```
 */
export function runSummary(cfg: TrainConfig, f: RunFacts): string[] {
  const m = cfg.method;
  const budget = budgetRange(cfg);
  const rollouts = m.rlWeight > 0
    ? ` × ${cfg.positionsPerStep} positions × ${cfg.rmt.grpo.groupSize} rollouts`
    : " of next-token prediction";
  return [
    `train: ${methodName(m)} (rlWeight ${m.rlWeight}, λ = ntpWeight ${m.ntpWeight}, budget ` +
    `${m.budget}, sampling ${m.sampling}, reward ${m.reward})`,
    `  base    ${cfg.baseCheckpoint} (${f.parameters.toLocaleString("en")} parameters, ` +
    `${f.window}-token window)`,
    `  corpus  ${f.source}: ${f.read} documents` +
    (f.split > 0
      ? `, ${f.split} longer than the ${f.window}-token window split into pieces ` +
        `(${f.pieces} in all)`
      : ""),
    `  run     ${cfg.steps} steps${rollouts}, lr ${cfg.lr}, seed ${cfg.seed}` +
    (budget === null ? ", no budget" : `; budget B_0 = ${budget[0]} → B_T = ${budget[1]} tokens`),
    `  out     ${cfg.out} (full config: ${cfg.out}/config.yaml)`,
  ];
}

/** The legend printed once before the first progress line. */
export const PROGRESS_LEGEND = "columns: B_t budget in the prompt (tokens) · p(e/m/h) chance of " +
  "drawing an easy/medium/hard position · r̄ mean reward (match + length) · match share of " +
  "rollouts that predict the next token · ℓ̄ mean reasoning length (tokens) · loss the " +
  "objective · nll next-token loss · tok/s rollout speed";

/** The fields of the progress line (see {@linkcode PROGRESS_LEGEND}). */
export function progressFields(r: StepRecord): Record<string, string> {
  const fields: Record<string, string> = {};
  fields["B_t"] = r.budget === null ? "-" : String(r.budget);
  fields["p(e/m/h)"] = r.tierProbs.map((p) => fmt(p, 2)).join("/");
  fields["r̄"] = fmt(r.meanReward);
  fields["match"] = `${fmt(100 * r.matchRate, 1)}%`;
  fields["ℓ̄"] = fmt(r.meanLength, 1);
  fields["loss"] = fmt(r.loss, 4);
  if (r.ntpTokens > 0) fields["nll"] = fmt(r.ntpLoss);
  fields["tok/s"] = fmt(r.timing.rolloutTokensPerSecond, 0);
  fields["s/step"] = fmt(r.timing.stepSeconds, 1);
  return fields;
}

/** Means over the first or last quarter of the steps. */
export interface Figures {
  matchRate: number | null;
  meanReward: number | null;
  meanLength: number | null;
  ntpLoss: number | null;
  budget: number | null;
}

function figures(rs: StepRecord[]): Figures {
  const avg = (f: (r: StepRecord) => number) =>
    rs.length === 0 ? null : rs.reduce((a, r) => a + f(r), 0) / rs.length;
  const budgets = rs.filter((r) => r.budget !== null);
  return {
    matchRate: avg((r) => r.matchRate),
    meanReward: avg((r) => r.meanReward),
    meanLength: avg((r) => r.meanLength),
    ntpLoss: avg((r) => r.ntpLoss),
    budget: budgets.length === 0
      ? null
      : budgets.reduce((a, r) => a + r.budget!, 0) / budgets.length,
  };
}

/** Steps in each of the first and last windows of a run of `steps` steps: a quarter, ≥ 1. */
export function windowSteps(steps: number): number {
  return Math.max(1, Math.ceil(steps / 4));
}

/** The change of the match rate between two windows at a fixed mix of tiers, with its 95 % interval. */
export interface MatchChange {
  /** Last window's match rate minus the first's, both weighted by {@linkcode weights}. */
  delta: number;
  /** 95 % interval (normal approximation; positions are the units). */
  lo: number;
  hi: number;
  /** RL positions in the first and the last window. */
  positions: [number, number];
  /** Match rate per tier (easy, medium, hard) in the first and last window (null: none drawn). */
  byTier: [(number | null)[], (number | null)[]];
  /** The tier weights of the comparison: equal over the tiers both windows drew. */
  weights: number[];
}

type Window = readonly { groups: readonly { tier: number; matchReward: readonly number[] }[] }[];

/**
 * The match-rate change from `first` to `last` at a fixed mix of tiers. The curriculum (method
 * §3.2) draws harder positions as training goes on, so the raw match rate falls even when the
 * model gets no worse; comparing each tier with itself and weighting the tiers equally (over
 * those both windows drew) removes that confound. The 95 % interval takes the RL position as the
 * unit (a position's match rate is the mean over its G rollouts, which share a prompt):
 * Δ ± 1.96·√(Σ_d w_d²·(s²_{d,1}/n_{d,1} + s²_{d,2}/n_{d,2})), a tier with one position counting
 * with the variance p(1 − p) of its rate. Null when no tier has positions in both windows.
 *
 * @example The same tier in both windows: easy 0.25 → 0.75
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchChange } from "./summary.ts";
 * const rec = (rates: number[][]) => ({ groups: rates.map((matchReward) => ({ tier: 0, matchReward })) });
 * const c = matchChange([rec([[0, 0], [1, 0]])], [rec([[1, 1], [1, 0]])])!;
 * assert.equal(c.delta, 0.5);
 * assert.ok(Math.abs(c.hi - c.delta - 1.96 * Math.sqrt(0.125 / 2 + 0.125 / 2)) < 1e-12);
 * assert.deepEqual(c.byTier, [[0.25, null, null], [0.75, null, null]]);
 * ```
 */
export function matchChange(first: Window, last: Window): MatchChange | null {
  const rates = (rs: Window) => {
    const out: number[][] = [[], [], []];
    for (const r of rs) {
      for (const g of r.groups) {
        out[g.tier]?.push(g.matchReward.reduce((a, b) => a + b, 0) / g.matchReward.length);
      }
    }
    return out;
  };
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x: number[], m: number) =>
    x.length > 1 ? x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1) : m * (1 - m);
  const a = rates(first), b = rates(last);
  const both = [0, 1, 2].filter((d) => a[d].length > 0 && b[d].length > 0);
  if (both.length === 0) return null;
  const weights = [0, 1, 2].map((d) => (both.includes(d) ? 1 / both.length : 0));
  let delta = 0, v = 0;
  for (const d of both) {
    const ma = mean(a[d]), mb = mean(b[d]);
    delta += weights[d] * (mb - ma);
    v += weights[d] ** 2 * (variance(a[d], ma) / a[d].length + variance(b[d], mb) / b[d].length);
  }
  const half = 1.96 * Math.sqrt(v);
  const count = (x: number[][]) => x.reduce((n, t) => n + t.length, 0);
  const byTier = (x: number[][]) => x.map((t) => (t.length > 0 ? mean(t) : null));
  return {
    delta,
    lo: delta - half,
    hi: delta + half,
    positions: [count(a), count(b)],
    byTier: [byTier(a), byTier(b)],
    weights,
  };
}

/** The contents of summary.json: first and last figures (a quarter of the steps each), timing. */
export function summaryOf(records: StepRecord[], cfg: TrainConfig, stepsDone: number) {
  const n = windowSteps(records.length);
  const seconds = records.map((r) => r.timing.stepSeconds);
  return {
    method: cfg.method,
    steps: cfg.steps,
    stepsDone,
    first: figures(records.slice(0, n)),
    last: figures(records.slice(-n)),
    matchChange: records.length >= 2 ? matchChange(records.slice(0, n), records.slice(-n)) : null,
    meanStepSeconds: seconds.length === 0
      ? null
      : seconds.reduce((a, b) => a + b, 0) / seconds.length,
    totalSeconds: seconds.reduce((a, b) => a + b, 0),
  };
}

/**
 * The closing lines of a run: match rate, reasoning length and budget at the start and the end
 * (means over the first and last quarter of the steps), a verdict in numbers (how much ℓ̄
 * changed and whether the match rate rose, fell or did not change detectably, by its 95 %
 * interval), and how to read them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRAIN_DEFAULTS } from "./config.ts";
 * import { headline } from "./summary.ts";
 * const fig = (m: number, l: number, b: number) =>
 *   ({ matchRate: m, meanReward: 0, meanLength: l, ntpLoss: 1, budget: b });
 * const lines = headline({ first: fig(0.1, 40, 64), last: fig(0.2, 20, 16), stepsDone: 40 }, TRAIN_DEFAULTS);
 * assert.match(lines[0], /match rate 10\.0% → 20\.0%, reasoning length ℓ̄ 40\.0 → 20\.0 tokens, budget B_t 64 → 16/);
 * assert.equal(lines[1], "verdict: ℓ̄ fell 50 %");
 * assert.match(lines[2], /falling r̄/);
 * ```
 */
export function headline(
  s: { first: Figures; last: Figures; stepsDone: number; matchChange?: MatchChange | null },
  cfg: TrainConfig,
): string[] {
  const pct = (x: number | null) => x === null ? "–" : `${fmt(100 * x, 1)}%`;
  const num = (x: number | null, d = 1) => x === null ? "–" : fmt(x, d);
  const n = windowSteps(s.stepsDone);
  const span = n === 1
    ? `step 1 → step ${s.stepsDone}`
    : `steps 1–${n} → steps ${s.stepsDone - n + 1}–${s.stepsDone}`;
  if (cfg.method.rlWeight === 0) {
    return [
      `result (${span}): next-token loss ${num(s.first.ntpLoss, 3)} → ${num(s.last.ntpLoss, 3)}`,
      "how to read it: continued next-token training only; a falling loss means the model fits " +
      "the corpus better (evaluate it with deno task eval to compare with RMT).",
    ];
  }
  const budget = s.first.budget === null
    ? "no budget"
    : `budget B_t ${num(s.first.budget, 0)} → ${num(s.last.budget, 0)}`;
  const lines = [
    `result (${span}): match rate ${pct(s.first.matchRate)} → ${pct(s.last.matchRate)}, ` +
    `reasoning length ℓ̄ ${num(s.first.meanLength)} → ${num(s.last.meanLength)} tokens, ${budget}`,
  ];
  lines.push(...verdict(s.first, s.last, s.matchChange ?? null));
  lines.push(
    s.first.budget === null
      ? "how to read it: the match rate is the share of rollouts that predict the next token; " +
        "it should rise, while ℓ̄ is free to drift without a budget."
      : "how to read it: r̄ adds a length reward that is harder to earn as B_t shrinks, so a " +
        "falling r̄ is expected; RMT works when the match rate holds or rises while ℓ̄ follows " +
        "the budget down.",
  );
  return lines;
}

/**
 * "verdict: ℓ̄ fell 48 % and the match rate, tier by tier, rose: +3.1 pp [+0.4, +5.8] (95 %, …)"
 * and the per-tier rates, or only the length part without per-position figures; none without ℓ̄.
 */
function verdict(first: Figures, last: Figures, change: MatchChange | null): string[] {
  if (first.meanLength === null || last.meanLength === null || first.meanLength <= 0) return [];
  const rel = (last.meanLength - first.meanLength) / first.meanLength;
  const length = `ℓ̄ ${rel < 0 ? "fell" : "rose"} ${fmt(Math.abs(100 * rel), 0)} %`;
  if (change === null) return [`verdict: ${length}`];
  const pp = (x: number) => `${x >= 0 ? "+" : "−"}${fmt(Math.abs(100 * x), 1)}`;
  const how = change.lo > 0 ? "rose" : change.hi < 0 ? "fell" : "did not change detectably";
  const tiers = (r: (number | null)[]) => r.map((x) => x === null ? "–" : `${fmt(100 * x, 0)}%`);
  return [
    `verdict: ${length} and the match rate, tier by tier, ${how}: ${pp(change.delta)} pp ` +
    `[${pp(change.lo)}, ${pp(change.hi)}] (95 %, ${change.positions[0]} and ` +
    `${change.positions[1]} RL positions)`,
    `match rate by tier (easy / medium / hard): ${tiers(change.byTier[0]).join(" / ")} → ` +
    `${tiers(change.byTier[1]).join(" / ")} (the curriculum draws harder positions later, so ` +
    "the overall rate falls by itself; the verdict compares each tier with itself)",
  ];
}
