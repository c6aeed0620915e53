import assert from "node:assert/strict";
import { sampleStep, stepSeed } from "../../../lib/apps/train/positions.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";

/** `n` random documents' tiers: position 0 is never eligible (−1), the rest −1..2. */
function randomTiers(seed: number, n: number): Int8Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const T = 1 + Math.floor(rng() * 20);
    return Int8Array.from({ length: T }, (_, p) => (p === 0 ? -1 : Math.floor(rng() * 4) - 1));
  });
}

Deno.test("sampleStep() draws |C| distinct eligible positions, each document at most once (§3.3, §8.8)", () => {
  for (let seed = 0; seed < 50; seed++) {
    const tiers = randomTiers(seed, 30);
    const step = sampleStep(tiers, {
      count: 12,
      probs: [0.2, 0.3, 0.5],
      positionsPerDoc: 2,
      rl: true,
      seed,
    });
    const total = step.reduce((n, d) => n + d.positions.length, 0);
    assert.ok(total <= 12);
    assert.equal(new Set(step.map((d) => d.doc)).size, step.length, "a document once");
    for (const d of step) {
      assert.ok(d.positions.length >= 1 && d.positions.length <= 2);
      assert.equal(new Set(d.positions).size, d.positions.length, "distinct positions");
      d.positions.forEach((p, k) => {
        assert.ok(p >= 1, "position 0 has no context");
        assert.equal(d.tiers[k], tiers[d.doc]![p]);
        assert.ok(d.tiers[k]! >= 0, "tier −1 is NTP only");
      });
    }
  }
});

Deno.test("sampleStep() follows p_t: a one-hot distribution draws from that tier only", () => {
  const tiers = randomTiers(3, 40);
  for (const tier of [0, 1, 2]) {
    const probs: [number, number, number] = [0, 0, 0];
    probs[tier] = 1;
    const step = sampleStep(tiers, { count: 20, probs, positionsPerDoc: 1, rl: true, seed: 5 });
    assert.ok(step.length > 0);
    for (const d of step) assert.deepEqual(d.tiers, [tier]);
  }
});

Deno.test("sampleStep() without RL takes `count` documents of at least 2 tokens, no positions", () => {
  const tiers = [Int8Array.from([-1]), ...randomTiers(9, 10).filter((t) => t.length >= 2)];
  const step = sampleStep(tiers, {
    count: 4,
    probs: [1, 0, 0],
    positionsPerDoc: 1,
    rl: false,
    seed: 1,
  });
  assert.equal(step.length, 4);
  for (const d of step) {
    assert.deepEqual([d.positions, d.tiers], [[], []]);
    assert.ok(tiers[d.doc]!.length >= 2);
  }
});

Deno.test("sampleStep() depends only on its seed", () => {
  const tiers = randomTiers(11, 25);
  const opts = {
    count: 8,
    probs: [0.6, 0.3, 0.1] as [number, number, number],
    positionsPerDoc: 1,
    rl: true,
  };
  assert.deepEqual(
    sampleStep(tiers, { ...opts, seed: 4 }),
    sampleStep(tiers, { ...opts, seed: 4 }),
  );
  assert.notDeepEqual(
    sampleStep(tiers, { ...opts, seed: 4 }),
    sampleStep(tiers, { ...opts, seed: 5 }),
  );
});

Deno.test("stepSeed() gives distinct 32-bit seeds over (seed, t, stream)", () => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 4; seed++) {
    for (let t = 0; t < 200; t++) {
      for (let stream = 0; stream < 4; stream++) {
        const s = stepSeed(seed, t, stream);
        assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
        seen.add(s);
      }
    }
  }
  assert.equal(seen.size, 4 * 200 * 4);
});
