/**
 * The accuracy–length trade-off (`lib/apps/experiment/results_tradeoff.ts`) over the fake records:
 * means over seeds with 95 % t-intervals (t₀.₉₇₅(1) = 12.706 for two seeds), and its table.
 */
import assert from "node:assert/strict";
import {
  meanCi,
  tradeoffPoints,
  tradeoffTable,
} from "../../../lib/apps/experiment/results_tradeoff.ts";
import { resultsHtml, resultsMarkdown } from "../../../lib/apps/experiment/results.ts";
import { fakeRecords, meta, record } from "./_records.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

Deno.test("meanCi() gives mean ± t(n − 1) · s/√n when there are several values", () => {
  const c = meanCi([50, 60]); // s = √50, s/√2 = 5
  assert.equal(c.mean, 55);
  assert.ok(close(c.lo, 55 - 12.706 * 5) && close(c.hi, 55 + 12.706 * 5));
  const three = meanCi([1, 2, 3]); // s = 1, t(2) = 4.303
  assert.ok(close(three.hi - three.mean, 4.303 / Math.sqrt(3)));
  const one = meanCi([7]);
  assert.equal(one.mean, 7);
  assert.ok(Number.isNaN(one.lo) && Number.isNaN(one.hi));
});

Deno.test("tradeoffPoints() averages ℓ̄ and NTR accuracy over seeds when rows have two seeds", () => {
  const points = tradeoffPoints(fakeRecords());
  assert.deepEqual(points.map((p) => p.id), [
    "ntr_base",
    "rpt",
    "rmt",
    "rmt_no_dtb",
    "rmt_no_cas",
    "rmt_no_ntp",
  ]);
  const rmt = points.find((p) => p.id === "rmt")!;
  assert.equal(rmt.label, "RMT");
  assert.deepEqual(rmt.seeds.map(([l]) => l), [21, 22]);
  assert.equal(rmt.length.mean, 21.5);
  assert.ok(close(rmt.length.lo, 21.5 - 12.706 * 0.5), String(rmt.length.lo));
  assert.ok(close(rmt.accuracy.mean, 55));
  assert.ok(close(rmt.accuracy.hi, 55 + 12.706 * 5));
  const rpt = points.find((p) => p.id === "rpt")!;
  assert.ok(close(rpt.length.mean, 101.5) && close(rpt.accuracy.mean, 35));
  const base = points[0]!;
  assert.ok(close(base.accuracy.lo, 5) && close(base.accuracy.hi, 5), "equal seeds: no width");
});

Deno.test("tradeoffPoints() skips seeds and rows without figures when ℓ̄ or accuracy is missing", () => {
  const full = fakeRecords().find((r) => r.id === "rmt" && r.seed === 1)!;
  const points = tradeoffPoints([
    full,
    record("rmt", 2, { ntr: { ...full.ntr!, meanLength: null } }),
    record("rpt", 1), // no NTR at all
    record("ntp_base", 1, { ntp: full.ntp }),
  ]);
  assert.equal(points.length, 1);
  assert.deepEqual(points[0]!.seeds, [[21, 50]]);
  assert.ok(Number.isNaN(points[0]!.length.lo), "one seed: no interval");
});

Deno.test("tradeoffTable() writes mean [95% CI] per method when the markdown is built", () => {
  const t = tradeoffTable(fakeRecords());
  assert.deepEqual(t.headers, ["Method", "Seeds", "ℓ̄ (tokens) [95% CI]", "NTR avg (%) [95% CI]"]);
  const rmt = t.rows.find((r) => r[0] === "RMT")!;
  assert.deepEqual(rmt, ["RMT", "2", "21.5 [15.1, 27.9]", "55.0 [-8.5, 118.5]"]);
  assert.deepEqual(t.rows[0], [
    "NTR (base, untrained)",
    "2",
    "90.0 [90.0, 90.0]",
    "5.0 [5.0, 5.0]",
  ]);
  const md = resultsMarkdown(fakeRecords(), meta);
  assert.ok(md.includes("## Accuracy against reasoning length (issue 17)"));
  assert.match(md, /\| RMT +\| +2 \| +21\.5 \[15\.1, 27\.9\] \| +55\.0 \[-8\.5, 118\.5\] \|/);
  assert.deepEqual(tradeoffTable([record("rpt", 1)]).rows, []);
});

Deno.test("resultsHtml() holds the trade-off figure and its table when runs have NTR figures", () => {
  const html = resultsHtml(fakeRecords(), meta);
  assert.ok(html.includes("<title>NTR accuracy against reasoning length</title>"));
  assert.ok(html.includes("Accuracy against reasoning length</h2>"), "the table's section");
  assert.ok(html.includes("21.5 [15.1, 27.9]"));
});
