import assert from "node:assert/strict";
import {
  assignTiers,
  ENTROPY,
  entropyByPosition,
  nestedTierMasks,
  quantileThresholds,
  tierThresholds,
  tokenEntropy,
} from "../../lib/rmt/entropy.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const close = (a: number, b: number, tol = 1e-5) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);

// H(p) in float64, the oracle
function entropyOf(p: number[]): number {
  const z = p.reduce((a, b) => a + b, 0);
  return -p.reduce((h, x) => (x > 0 ? h + (x / z) * Math.log(x / z) : h), 0);
}

Deno.test("tokenEntropy() matches hand-computed values (§3.1, nats)", () => {
  // p = (1/4, 3/4): H = −(¼ ln ¼ + ¾ ln ¾) = 0.562335
  close(tokenEntropy(new Float32Array([0, Math.log(3)]), 2, 0)[0]!, 0.5623351446188083);
  // uniform over V = 5: ln 5
  close(tokenEntropy(new Float32Array(5).fill(3.7), 5, 0)[0]!, Math.log(5));
  // one row, p ∝ (1, 2, 3, 4); top-2 renormalised p = (3/7, 4/7): H = 0.682908
  const logits = new Float32Array([1, 2, 3, 4].map(Math.log));
  close(tokenEntropy(logits, 4, 2)[0]!, 0.6829081047004717);
  close(tokenEntropy(logits, 4, 0)[0]!, entropyOf([1, 2, 3, 4]));
  // a confident row
  assert.ok(tokenEntropy(new Float32Array([0, 50, 0]), 3, 0)[0]! < 1e-15);
});

Deno.test("tokenEntropy() with top-k ≥ V equals the full distribution", () => {
  const logits = new Float32Array([0.3, -1, 2, 0.5, 0.1, 0.9]);
  assert.deepEqual(tokenEntropy(logits, 3, 3), tokenEntropy(logits, 3, 0));
  assert.deepEqual(tokenEntropy(logits, 3, 99), tokenEntropy(logits, 3, 0));
});

Deno.test("tokenEntropy() handles −∞ logits and extreme magnitudes without NaN", () => {
  const h = tokenEntropy(new Float32Array([-Infinity, 0, 0, 1e4, 1e4, -1e4]), 3, 0);
  close(h[0]!, Math.log(2));
  close(h[1]!, Math.log(2));
});

Deno.test("tokenEntropy() stays in [0, ln k] and is shift-invariant, per row (random)", () => {
  const rng = mulberry32(3);
  for (let trial = 0; trial < 200; trial++) {
    const vocab = 2 + Math.floor(rng() * 40);
    const rows = 1 + Math.floor(rng() * 4);
    const topK = rng() < 0.5 ? 0 : 1 + Math.floor(rng() * vocab);
    const logits = Float32Array.from({ length: rows * vocab }, () => 6 * (rng() - 0.5));
    const h = tokenEntropy(logits, vocab, topK);
    const shifted = tokenEntropy(logits.map((x) => x + 5), vocab, topK);
    const k = topK === 0 ? vocab : topK;
    for (let r = 0; r < rows; r++) {
      assert.ok(h[r]! >= 0 && h[r]! <= Math.log(k) + 1e-5);
      close(shifted[r]!, h[r]!, 1e-4);
      const row = [...logits.subarray(r * vocab, (r + 1) * vocab)].sort((a, b) => b - a);
      close(h[r]!, entropyOf(row.slice(0, k).map(Math.exp)), 1e-5);
    }
  }
});

Deno.test("tokenEntropy() rejects a length that is not rows × vocab and a bad topK", () => {
  assert.throws(() => tokenEntropy(new Float32Array(5), 2, 0), /not a multiple of vocab 2/);
  assert.throws(() => tokenEntropy(new Float32Array(4), 2, -1), /topK must be an integer ≥ 0/);
});

Deno.test("entropyByPosition() shifts rows to positions and makes position 0 tier −1", () => {
  const h = entropyByPosition(new Float32Array([2, 0.7, 1.1]));
  assert.ok(Number.isNaN(h[0]));
  assert.deepEqual([...h.subarray(1)], [2, Math.fround(0.7)]);
  assert.equal(assignTiers(h, ENTROPY.defaults)[0], -1);
});

Deno.test("assignTiers() puts each threshold in the tier above it (disjoint)", () => {
  const h = new Float32Array([0, 0.49, 0.5, 0.99, 1, 1.49, 1.5, 2.77, NaN, Infinity]);
  assert.deepEqual([...assignTiers(h, ENTROPY.defaults)], [-1, -1, 0, 0, 1, 1, 2, 2, -1, 2]);
  assert.deepEqual([...assignTiers(new Float32Array(), ENTROPY.defaults)], []);
});

Deno.test("assignTiers() in quantile mode splits by the entropies' own quantiles", () => {
  const h = Float32Array.from({ length: 101 }, (_, i) => i / 10); // 0.0 .. 10.0
  const cfg = { ...ENTROPY.defaults, tierMode: "quantiles" as const };
  assert.deepEqual(quantileThresholds(h, cfg.quantiles).map((x) => +x.toFixed(4)), [5, 7.5, 9]);
  const tiers = assignTiers(h, cfg);
  const counts = [-1, 0, 1, 2].map((d) => tiers.filter((t) => t === d).length);
  assert.deepEqual(counts, [50, 25, 15, 11]); // [0, 5), [5, 7.5), [7.5, 9), [9, 10]
  // corpus-wide thresholds applied to one document
  const thresholds = tierThresholds(h, cfg);
  assert.deepEqual([...assignTiers(new Float32Array([4, 6, 8, 9.5]), { thresholds })], [
    -1,
    0,
    1,
    2,
  ]);
});

Deno.test("quantileThresholds() rejects input without finite values", () => {
  assert.throws(
    () => quantileThresholds(new Float32Array([NaN]), [0.5]),
    /no finite entropy values/,
  );
});

Deno.test("nestedTierMasks() uses H > threshold and hard ⊂ medium ⊂ easy (random)", () => {
  const [easy, medium, hard] = nestedTierMasks(new Float32Array([0.5, 1, 1.5, 1.6]), [0.5, 1, 1.5]);
  assert.deepEqual([...easy!], [0, 1, 1, 1]);
  assert.deepEqual([...medium!], [0, 0, 1, 1]);
  assert.deepEqual([...hard!], [0, 0, 0, 1]);
  const rng = mulberry32(5);
  const h = Float32Array.from({ length: 500 }, () => 3 * rng());
  const masks = nestedTierMasks(h, [0.5, 1, 1.5]);
  const tiers = assignTiers(h, ENTROPY.defaults);
  for (let p = 0; p < h.length; p++) {
    assert.ok(masks[2]![p]! <= masks[1]![p]! && masks[1]![p]! <= masks[0]![p]!);
    // away from exact ties, mask d is "disjoint tier ≥ d"
    for (let d = 0; d < 3; d++) assert.equal(masks[d]![p], tiers[p]! >= d ? 1 : 0);
  }
});

Deno.test("ENTROPY.resolve() rejects bad thresholds, quantiles, mode and topK by name", () => {
  assert.deepEqual(ENTROPY.resolve(undefined), ENTROPY.defaults);
  assert.throws(
    () => ENTROPY.resolve({ thresholds: [0.5, 1] }),
    /rmt.entropy.thresholds: expected 3 strictly increasing numbers ≥ 0/,
  );
  assert.throws(
    () => ENTROPY.resolve({ thresholds: [0.5, 0.5, 1] }),
    /rmt.entropy.thresholds/,
  );
  assert.throws(() => ENTROPY.resolve({ thresholds: [-1, 0.5, 1] }), /rmt.entropy.thresholds/);
  assert.throws(() => ENTROPY.resolve({ quantiles: [0.5, 0.75, 1] }), /rmt.entropy.quantiles/);
  assert.throws(
    () => ENTROPY.resolve({ tierMode: "bins" }),
    /rmt.entropy.tierMode: expected "thresholds" or "quantiles"/,
  );
  assert.throws(() => ENTROPY.resolve({ topK: 1.5 }), /rmt.entropy.topK/);
  assert.throws(
    () => ENTROPY.resolve({ thresholds: ["a", "b", "c"] }),
    /rmt.entropy.thresholds: expected an array of numbers/,
  );
});
