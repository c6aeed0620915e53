import assert from "node:assert/strict";
import {
  groupBy,
  mean,
  pairedDiff,
  std,
  stderr,
  tQuantile975,
} from "../../../lib/apps/report/stats.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

Deno.test("mean(), std(), stderr() match hand-computed values", () => {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squared deviations 32
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];
  assert.equal(mean(xs), 5);
  close(std(xs), Math.sqrt(32 / 7));
  close(stderr(xs), Math.sqrt(32 / 7) / Math.sqrt(8));
  // 43.9, 45.1, 46.3: deviations ±1.2, variance 2.88 / 2 = 1.44
  close(std([43.9, 45.1, 46.3]), 1.2, 1e-12);
  assert.equal(std([7, 7, 7]), 0);
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Number.isNaN(std([1])) && Number.isNaN(std([])));
  assert.ok(Number.isNaN(stderr([1])));
  assert.ok(Number.isNaN(mean([1, NaN])));
});

Deno.test("tQuantile975() reads the table for df 1–30 and interpolates beyond", () => {
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(2), 4.303);
  assert.equal(tQuantile975(9), 2.262);
  assert.equal(tQuantile975(30), 2.042);
  assert.equal(tQuantile975(40), 2.021);
  assert.equal(tQuantile975(120), 1.98);
  assert.equal(tQuantile975(Infinity), 1.96);
  // df 48 sits between 40 and 60: 1/48 is halfway from 1/40 to 1/60
  close(tQuantile975(48), 2.021 - 0.5 * 0.021, 1e-12);
  for (let df = 2; df <= 200; df++) assert.ok(tQuantile975(df) < tQuantile975(df - 1));
  assert.throws(() => tQuantile975(0), RangeError);
  assert.throws(() => tQuantile975(2.5), RangeError);
  assert.throws(() => tQuantile975(NaN), RangeError);
});

Deno.test("pairedDiff() gives the t interval of the mean difference", () => {
  // differences 2, 3, 3, 4: mean 3, std √(2/3), se √(2/3)/2, t(3) = 3.182
  const d = pairedDiff([3, 5, 7, 9], [1, 2, 4, 5]);
  assert.equal(d.n, 4);
  assert.equal(d.meanDiff, 3);
  close(d.std, Math.sqrt(2 / 3));
  close(d.stderr, Math.sqrt(2 / 3) / 2);
  assert.equal(d.t, 3.182);
  close(d.lo, 3 - 3.182 * Math.sqrt(2 / 3) / 2);
  close(d.hi, 3 + 3.182 * Math.sqrt(2 / 3) / 2);
  close(d.lo, 1.70095, 1e-5);
  // two seeds: differences 1 and 3, mean 2, std √2, se 1, t(1) = 12.706
  const two = pairedDiff([11, 13], [10, 10]);
  assert.deepEqual([two.meanDiff, two.t], [2, 12.706]);
  close(two.lo, 2 - 12.706);
  close(two.hi, 2 + 12.706);
  // one seed: no interval
  const one = pairedDiff([5], [3]);
  assert.equal(one.meanDiff, 2);
  assert.ok([one.std, one.stderr, one.t, one.lo, one.hi].every(Number.isNaN));
  assert.throws(() => pairedDiff([1, 2], [1]), /lengths differ \(2 vs 1\)/);
});

Deno.test("groupBy() keeps first-seen key and item order", () => {
  const g = groupBy([3, 1, 4, 1, 5, 9, 2, 6], (x) => x % 3);
  assert.deepEqual([...g.entries()], [[0, [3, 9, 6]], [1, [1, 4, 1]], [2, [5, 2]]]);
  assert.equal(groupBy([], (x: number) => x).size, 0);
  const rows = [{ m: "rmt", s: 1 }, { m: "rpt", s: 1 }, { m: "rmt", s: 2 }];
  assert.deepEqual(groupBy(rows, (r) => r.m).get("rmt"), [rows[0], rows[2]]);
});
