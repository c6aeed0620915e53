/**
 * The paper's central trade-off (issue 17; Tian et al., arXiv:2509.24375, §6.4): NTR accuracy
 * (nested average) against the mean reasoning length ℓ̄ of the NTR completions, per row that is
 * evaluated by next-token reasoning (the base model's NTR included), as means over seeds with
 * 95 % t-intervals; shared by the figure (`results_charts.ts`) and the table (`results.ts`).
 *
 * @module
 */
import { mean, stderr, tQuantile975 } from "../report/stats.ts";
import type { RunRecord } from "./records.ts";
import { byRow, NTR_ROWS, ordered } from "./results_tables.ts";

/** A mean with its 95 % t-interval (`lo`, `hi` are NaN with fewer than two values). */
export interface MeanCi {
  mean: number;
  lo: number;
  hi: number;
}

/** One row's point of the trade-off. */
export interface TradeoffPoint {
  /** Row id (e.g. `rmt`). */
  id: string;
  /** Row label. */
  label: string;
  /** Mean reasoning length ℓ̄ in tokens. */
  length: MeanCi;
  /** NTR accuracy, nested average, in percent. */
  accuracy: MeanCi;
  /** The seeds' own `[ℓ̄, accuracy %]`, for the seeds that have both. */
  seeds: [number, number][];
}

/**
 * Mean and 95 % t-interval (mean ± t₀.₉₇₅(n − 1) · s/√n) of `values`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanCi } from "./results_tradeoff.ts";
 * const c = meanCi([21, 22]); // s/√n = 0.5, t(1) = 12.706
 * assert.deepEqual([c.mean, c.lo, c.hi], [21.5, 21.5 - 6.353, 21.5 + 6.353]);
 * assert.ok(Number.isNaN(meanCi([4]).lo));
 * ```
 */
export function meanCi(values: readonly number[]): MeanCi {
  const m = mean(values);
  if (values.length < 2) return { mean: m, lo: NaN, hi: NaN };
  const h = tQuantile975(values.length - 1) * stderr(values);
  return { mean: m, lo: m - h, hi: m + h };
}

/**
 * The trade-off points of the NTR rows that have at least one seed with both figures, in report
 * order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tradeoffPoints } from "./results_tradeoff.ts";
 * assert.deepEqual(tradeoffPoints([]), []);
 * ```
 */
export function tradeoffPoints(records: RunRecord[]): TradeoffPoint[] {
  const out: TradeoffPoint[] = [];
  for (const [id, rs] of ordered(byRow(records), NTR_ROWS)) {
    const seeds: [number, number][] = [];
    for (const r of rs) {
      const l = r.ntr?.meanLength, a = r.ntr?.nested.average;
      if (typeof l === "number" && typeof a === "number" && Number.isFinite(l + a)) {
        seeds.push([l, 100 * a]);
      }
    }
    if (seeds.length === 0) continue;
    out.push({
      id,
      label: rs[0]!.label,
      length: meanCi(seeds.map(([l]) => l)),
      accuracy: meanCi(seeds.map(([, a]) => a)),
      seeds,
    });
  }
  return out;
}

function ciCell(c: MeanCi): string {
  const m = c.mean.toFixed(1);
  return Number.isFinite(c.lo) ? `${m} [${c.lo.toFixed(1)}, ${c.hi.toFixed(1)}]` : m;
}

/**
 * The trade-off as a table: method, seeds, ℓ̄ and NTR accuracy, each mean [95 % CI].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tradeoffTable } from "./results_tradeoff.ts";
 * assert.equal(tradeoffTable([]).headers[2], "ℓ̄ (tokens) [95% CI]");
 * ```
 */
export function tradeoffTable(records: RunRecord[]): { headers: string[]; rows: string[][] } {
  return {
    headers: ["Method", "Seeds", "ℓ̄ (tokens) [95% CI]", "NTR avg (%) [95% CI]"],
    rows: tradeoffPoints(records).map((p) => [
      p.label,
      String(p.seeds.length),
      ciCell(p.length),
      ciCell(p.accuracy),
    ]),
  };
}
