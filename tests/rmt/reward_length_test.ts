import assert from "node:assert/strict";
import { combinedReward, LENGTH_REWARD, lengthReward } from "../../lib/rmt/reward_length.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

Deno.test("lengthReward() at ℓ = 0, B_t/2, B_t, 1.5·B_t, 2·B_t, 3·B_t matches §2.3", () => {
  const B = 160;
  assert.equal(lengthReward(0, B, 1), 0);
  assert.equal(lengthReward(80, B, 1), 0.5);
  assert.equal(lengthReward(B, B, 1), 1);
  assert.equal(lengthReward(1.5 * B, B, 1), 0.5);
  assert.equal(lengthReward(2 * B, B, 1), 0);
  assert.equal(lengthReward(3 * B, B, 1), 0);
  assert.equal(lengthReward(2 * B + 1, B, 1), 0);
  // r_max scales the triangle: B = 7, r_max = 2
  assert.equal(lengthReward(7, 7, 2), 2);
  assert.equal(lengthReward(14, 7, 2), 0);
  assert.equal(lengthReward(1, 7, 2), 2 / 7);
  assert.equal(lengthReward(13, 7, 2), 2 / 7);
});

Deno.test("lengthReward() with B_t = 1 pays r_max only at ℓ = 1", () => {
  assert.deepEqual([0, 1, 2, 3].map((l) => lengthReward(l, 1, 1)), [0, 1, 0, 0]);
});

Deno.test("lengthReward() stays in [0, r_max], peaks at B_t and is symmetric about it", () => {
  const rng = mulberry32(11);
  for (let trial = 0; trial < 2000; trial++) {
    const budget = 1 + Math.floor(rng() * 1000);
    const rMax = 0.1 + 5 * rng();
    const l = Math.floor(rng() * 4 * budget);
    const r = lengthReward(l, budget, rMax);
    assert.ok(r >= 0 && r <= rMax, `r_len(${l}; ${budget}) = ${r}`);
    assert.ok(r <= lengthReward(budget, budget, rMax));
    const d = Math.min(l, budget);
    assert.ok(
      Math.abs(lengthReward(budget - d, budget, rMax) - lengthReward(budget + d, budget, rMax)) <
        1e-12,
    );
  }
});

Deno.test("lengthReward() rejects a negative length and a non-positive budget", () => {
  assert.throws(() => lengthReward(-1, 10, 1), /length must be ≥ 0, got -1/);
  assert.throws(() => lengthReward(1, 0, 1), /budget must be > 0, got 0/);
});

Deno.test("combinedReward() is the convex combination of §2.4", () => {
  const w = LENGTH_REWARD.defaults.w; // 0.2
  assert.equal(combinedReward(1, 1, w), 1); // correct, on budget
  assert.equal(combinedReward(1, 0, w), 0.8); // correct, ℓ ≥ 2·B_t
  assert.ok(Math.abs(combinedReward(0, 1, w) - 0.2) < 1e-15); // wrong, on budget
  assert.equal(combinedReward(0, 0, w), 0);
  assert.equal(combinedReward(1, 0.3, 0), 1); // w = 0: "w/o DTB"
  assert.equal(combinedReward(1, 0.3, 1), 0.3);
  // w = 0.5 makes a wrong on-budget answer tie with a right one at ≥ 2·B_t (why 0.2, §2.4)
  assert.equal(combinedReward(0, 1, 0.5), combinedReward(1, 0, 0.5));
});

Deno.test("LENGTH_REWARD.resolve() rejects out-of-range values by name", () => {
  assert.deepEqual(LENGTH_REWARD.resolve({}), { rMax: 1, w: 0.2 });
  assert.throws(
    () => LENGTH_REWARD.resolve({ w: -0.1 }),
    /rmt.lengthReward.w: expected a number in \[0, 1\], got -0.1/,
  );
  assert.throws(() => LENGTH_REWARD.resolve({ w: 1.1 }), /rmt.lengthReward.w/);
  assert.throws(
    () => LENGTH_REWARD.resolve({ rMax: 0 }),
    /rmt.lengthReward.rMax: expected a number > 0/,
  );
});
