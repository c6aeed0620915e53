import assert from "node:assert/strict";
import { mulberry32, randomInt, sampleCategorical } from "../../lib/util/rng.ts";

Deno.test("mulberry32() is reproducible per seed, in [0, 1), and roughly uniform", () => {
  const a = mulberry32(123), b = mulberry32(123), c = mulberry32(124);
  const xs = Array.from({ length: 10_000 }, () => a());
  assert.deepEqual(Array.from({ length: 10_000 }, () => b()), xs);
  assert.notEqual(c(), xs[0]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`); // std of the mean ≈ 0.0029
  const deciles = new Array(10).fill(0);
  for (const x of xs) deciles[Math.floor(x * 10)]++;
  assert.ok(deciles.every((n) => Math.abs(n - 1000) < 150), `deciles ${deciles}`);
});

Deno.test("sampleCategorical() follows the weights and skips zero weights", () => {
  const rng = mulberry32(5);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30_000; i++) counts[sampleCategorical([1, 0, 3], rng)]!++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[2]! / 30_000 - 0.75) < 0.015);
  assert.equal(sampleCategorical([0, 2, 0], () => 0.9999999), 1);
  assert.throws(() => sampleCategorical([0, 0], rng), /total weight is 0/);
});

Deno.test("randomInt() stays in [0, n)", () => {
  assert.equal(randomInt(3, () => 0), 0);
  assert.equal(randomInt(3, () => 0.9999999999), 2);
});
