import assert from "node:assert/strict";
import { CURRICULUM, sampleRlPositions, tierProbs } from "../../lib/rmt/curriculum.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const near = (a: readonly number[], b: readonly number[], tol = 1e-12) =>
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= tol, `[${a}] vs [${b}]`));

Deno.test("tierProbs() is p_t1 before t_1, linear on [t_1, t_2), p_t2 after (§3.2)", () => {
  const cfg = CURRICULUM.defaults; // t_1 = 30, t_2 = 70 for T = 100
  near(tierProbs(0, 100, cfg), [0.6, 0.3, 0.1]);
  near(tierProbs(29.9, 100, cfg), [0.6, 0.3, 0.1]);
  near(tierProbs(30, 100, cfg), [0.6, 0.3, 0.1]); // τ = 0
  near(tierProbs(40, 100, cfg), [0.475, 0.3, 0.225]); // τ = 1/4
  near(tierProbs(50, 100, cfg), [0.35, 0.3, 0.35]); // τ = 1/2
  near(tierProbs(60, 100, cfg), [0.225, 0.3, 0.475]); // τ = 3/4
  near(tierProbs(70, 100, cfg), [0.1, 0.3, 0.6]);
  near(tierProbs(100, 100, cfg), [0.1, 0.3, 0.6]);
  assert.throws(() => tierProbs(0, 0, cfg), /T must be > 0/);
});

Deno.test("tierProbs() is continuous at t_2 and sums to 1 at every step (random)", () => {
  const rng = mulberry32(21);
  const randomDistribution = () => {
    const w = [rng(), rng(), rng()];
    const z = w[0]! + w[1]! + w[2]!;
    return w.map((x) => x / z);
  };
  for (let trial = 0; trial < 100; trial++) {
    const t1Frac = 0.05 + 0.5 * rng();
    const cfg = CURRICULUM.resolve({
      t1Frac,
      t2Frac: t1Frac + (0.95 - t1Frac) * (0.1 + 0.9 * rng()),
      pT1: randomDistribution(),
      pT2: randomDistribution(),
    });
    const T = 10 + Math.floor(rng() * 500);
    for (let t = 0; t <= T; t++) {
      const p = tierProbs(t, T, cfg);
      assert.ok(p.every((x) => x >= 0));
      assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-9, `sum at t = ${t}: ${p}`);
    }
    near(tierProbs(cfg.t2Frac * T - 1e-9, T, cfg), cfg.pT2, 1e-6);
  }
});

// a document with 1 position 0, then 10 easy, 20 medium, 30 hard and 40 low positions
const DOC = Int8Array.from([
  0,
  ...new Array(10).fill(0),
  ...new Array(20).fill(1),
  ...new Array(30).fill(2),
  ...new Array(40).fill(-1),
]);

function tierFrequencies(tiers: Int8Array, probs: number[], draws: number, seed: number) {
  const rng = mulberry32(seed);
  const counts = [0, 0, 0];
  const positionCounts = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const [p] = sampleRlPositions(tiers, probs, 1, rng);
    counts[tiers[p!]!]!++;
    positionCounts.set(p!, (positionCounts.get(p!) ?? 0) + 1);
  }
  return { frequencies: counts.map((c) => c / draws), positionCounts };
}

Deno.test("sampleRlPositions() tier frequencies match p_t within 0.015 over 20 000 draws (§3.3)", () => {
  // tolerance: 0.015 ≥ 4 standard deviations of a frequency, √(p(1−p)/n) ≤ 0.0036
  for (const t of [0, 50, 100]) {
    const probs = tierProbs(t, 100, CURRICULUM.defaults);
    const { frequencies, positionCounts } = tierFrequencies(DOC, probs, 20_000, 100 + t);
    near(frequencies, probs, 0.015);
    // uniform within a tier: each hard position gets ≈ p_hard / 30 of the draws
    const hardCounts = [...positionCounts].filter(([p]) => DOC[p] === 2).map(([, c]) => c);
    const expected = (20_000 * probs[2]) / 30;
    assert.ok(hardCounts.every((c) => Math.abs(c - expected) < 5 * Math.sqrt(expected) + 5));
  }
});

Deno.test("sampleRlPositions() renormalises p_t over the tiers present in the document", () => {
  const noMedium = DOC.map((d) => (d === 1 ? -1 : d));
  const { frequencies } = tierFrequencies(noMedium, [0.6, 0.3, 0.1], 20_000, 9);
  near(frequencies, [6 / 7, 0, 1 / 7], 0.015);
  // a tier with p = 0 is never drawn, even if it is the only one left
  const onlyHard = DOC.map((d) => (d === 2 ? 2 : -1));
  assert.deepEqual(sampleRlPositions(onlyHard, [0.5, 0.5, 0], 3, mulberry32(1)), []);
});

Deno.test("sampleRlPositions() never returns position 0, tier −1 or a duplicate", () => {
  const rng = mulberry32(13);
  for (let trial = 0; trial < 300; trial++) {
    const tiers = Int8Array.from(
      { length: 1 + Math.floor(rng() * 30) },
      () => Math.floor(rng() * 4) - 1,
    );
    const eligible = tiers.filter((d, p) => p > 0 && d >= 0).length;
    const count = 1 + Math.floor(rng() * 8);
    const positions = sampleRlPositions(tiers, [0.6, 0.3, 0.1], count, rng);
    assert.equal(positions.length, Math.min(count, eligible));
    assert.equal(new Set(positions).size, positions.length);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    for (const p of positions) assert.ok(p >= 1 && tiers[p]! >= 0);
  }
});

Deno.test("sampleRlPositions() edge cases: no eligible position, count 0, all positions wanted", () => {
  assert.deepEqual(sampleRlPositions(Int8Array.from([2]), [0, 0, 1], 1, mulberry32(1)), []);
  assert.deepEqual(sampleRlPositions(new Int8Array(), [0, 0, 1], 1, mulberry32(1)), []);
  assert.deepEqual(sampleRlPositions(DOC, [0.6, 0.3, 0.1], 0, mulberry32(1)), []);
  const all = sampleRlPositions(DOC, [0.6, 0.3, 0.1], 1000, mulberry32(1));
  assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => i + 1));
});

Deno.test("sampleRlPositions() is reproducible for a seed", () => {
  const a = sampleRlPositions(DOC, [0.2, 0.3, 0.5], 5, mulberry32(99));
  assert.deepEqual(sampleRlPositions(DOC, [0.2, 0.3, 0.5], 5, mulberry32(99)), a);
});

Deno.test("CURRICULUM.resolve() rejects t_1 ≥ t_2 and probabilities not summing to 1, by name", () => {
  assert.deepEqual(CURRICULUM.resolve(undefined), CURRICULUM.defaults);
  assert.throws(
    () => CURRICULUM.resolve({ t1Frac: 0.7, t2Frac: 0.7 }),
    /rmt.curriculum.t2Frac: expected a number in \(t1Frac = 0.7, 1\), got 0.7/,
  );
  assert.throws(() => CURRICULUM.resolve({ t1Frac: 0 }), /rmt.curriculum.t1Frac/);
  assert.throws(() => CURRICULUM.resolve({ t2Frac: 1 }), /rmt.curriculum.t2Frac/);
  assert.throws(
    () => CURRICULUM.resolve({ pT1: [0.6, 0.3, 0.2] }),
    /rmt.curriculum.pT1: expected 3 non-negative numbers summing to 1/,
  );
  assert.throws(() => CURRICULUM.resolve({ pT2: [1.2, -0.2, 0] }), /rmt.curriculum.pT2/);
  assert.throws(() => CURRICULUM.resolve({ pT2: [0.5, 0.5] }), /rmt.curriculum.pT2/);
  assert.throws(
    () => CURRICULUM.resolve({ positionsPerDoc: 0 }),
    /rmt.curriculum.positionsPerDoc/,
  );
});
