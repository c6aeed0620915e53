/**
 * Small statistics for results across seeds (method §11.4: "every figure from several seeds with
 * its spread, so that a difference can be told from noise"): mean, sample standard deviation,
 * standard error, a paired-difference confidence interval (Student's t, exact two-sided 95 %
 * quantiles for df 1–30 from a table) and grouping.
 *
 * Conventions: an empty input has mean `NaN`; fewer than two values have std and standard error
 * `NaN` (a spread cannot be estimated from one seed). Nothing here throws on `NaN` inputs; they
 * propagate.
 *
 * @module
 */

/**
 * Arithmetic mean (`NaN` for an empty array).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mean } from "./stats.ts";
 * assert.equal(mean([1, 2, 6]), 3);
 * assert.ok(Number.isNaN(mean([])));
 * ```
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * Sample standard deviation (divisor n − 1); `NaN` when fewer than two values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { std } from "./stats.ts";
 * assert.equal(std([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
 * assert.ok(Number.isNaN(std([3])));
 * ```
 */
export function std(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/**
 * Standard error of the mean, `std / sqrt(n)`; `NaN` when fewer than two values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stderr } from "./stats.ts";
 * assert.ok(Math.abs(stderr([1, 3]) - 1) < 1e-12); // std √2, n 2
 * ```
 */
export function stderr(values: readonly number[]): number {
  return std(values) / Math.sqrt(values.length);
}

// Two-sided 95 % quantiles of Student's t, t_{0.975, df}, for df = 1..30.
const T975 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];
// Beyond the table: [df, t] anchors, interpolated linearly in 1/df (df = ∞ is 1/df = 0).
const T975_TAIL: readonly [number, number][] = [
  [30, 2.042],
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
  [Infinity, 1.96],
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom (the multiplier of a two-sided
 * 95 % interval): a table for integer df 1–30 (three decimals), interpolation in 1/df beyond
 * (exact at 40, 60, 120, ∞). Throws a `RangeError` for df < 1 or a non-integer df ≤ 30.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tQuantile975 } from "./stats.ts";
 * assert.equal(tQuantile975(1), 12.706);
 * assert.equal(tQuantile975(4), 2.776);
 * assert.equal(tQuantile975(Infinity), 1.96);
 * ```
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`tQuantile975: df must be ≥ 1, got ${df}`);
  if (df <= 30) {
    if (!Number.isInteger(df)) {
      throw new RangeError(`tQuantile975: df ≤ 30 must be an integer, got ${df}`);
    }
    return T975[df - 1];
  }
  for (let i = 1; i < T975_TAIL.length; i++) {
    const [d1, t1] = T975_TAIL[i];
    if (df <= d1) {
      const [d0, t0] = T975_TAIL[i - 1];
      if (df === d1) return t1;
      const f = (1 / d0 - 1 / df) / (1 / d0 - 1 / d1);
      return t0 + f * (t1 - t0);
    }
  }
  return 1.96;
}

/**
 * Result of {@linkcode pairedDiff}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type PairedDiff, pairedDiff } from "./stats.ts";
 * const d: PairedDiff = pairedDiff([50, 52, 51], [40, 43, 41]);
 * assert.ok(d.lo > 0); // RMT beats RPT on these three seeds
 * ```
 */
export interface PairedDiff {
  /** Number of pairs. */
  n: number;
  /** Mean of `a[i] − b[i]`. */
  meanDiff: number;
  /** Sample std of the differences (`NaN` when n < 2). */
  std: number;
  /** Standard error of the mean difference (`NaN` when n < 2). */
  stderr: number;
  /** The t multiplier used, t_{0.975, n−1} (`NaN` when n < 2). */
  t: number;
  /** Lower end of the two-sided 95 % confidence interval (`NaN` when n < 2). */
  lo: number;
  /** Upper end of the interval (`NaN` when n < 2). */
  hi: number;
}

/**
 * Paired difference of two measurements per seed (e.g. RMT vs RPT accuracy, same seeds): mean
 * of `a[i] − b[i]` and its two-sided 95 % confidence interval `mean ± t_{0.975, n−1} · se`.
 * An interval that excludes 0 means the difference is unlikely to be noise (at n seeds).
 * Throws a `RangeError` when the lengths differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedDiff } from "./stats.ts";
 * const d = pairedDiff([3, 5, 7, 9], [1, 2, 4, 5]); // differences 2, 3, 3, 4
 * assert.equal(d.meanDiff, 3);
 * assert.equal(d.t, 3.182);
 * assert.ok(Math.abs(d.lo - 1.7009) < 1e-4 && Math.abs(d.hi - 4.2991) < 1e-4);
 * ```
 */
export function pairedDiff(a: readonly number[], b: readonly number[]): PairedDiff {
  if (a.length !== b.length) {
    throw new RangeError(`pairedDiff: lengths differ (${a.length} vs ${b.length})`);
  }
  const d = a.map((x, i) => x - b[i]);
  const n = d.length;
  const m = mean(d);
  const s = std(d);
  const se = s / Math.sqrt(n);
  const t = n >= 2 ? tQuantile975(n - 1) : NaN;
  return { n, meanDiff: m, std: s, stderr: se, t, lo: m - t * se, hi: m + t * se };
}

/**
 * Groups items by a key, keeping the order in which keys and items are first seen.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupBy } from "./stats.ts";
 * const runs = [{ m: "rmt", acc: 50 }, { m: "rpt", acc: 40 }, { m: "rmt", acc: 52 }];
 * const g = groupBy(runs, (r) => r.m);
 * assert.deepEqual([...g.keys()], ["rmt", "rpt"]);
 * assert.deepEqual(g.get("rmt")!.map((r) => r.acc), [50, 52]);
 * ```
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
