import assert from "node:assert/strict";
import {
  ntpLoss,
  ntpMask,
  OBJECTIVE_DEFAULTS,
  resolveObjectiveConfig,
  unifiedLoss,
} from "../../lib/rmt/objective.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

Deno.test("ntpMask() is 1 except at the RL positions and at position 0 (§4.2)", () => {
  assert.deepEqual([...ntpMask(6, [2, 5])], [0, 1, 0, 1, 1, 0]);
  assert.deepEqual([...ntpMask(4, [])], [0, 1, 1, 1]);
  assert.deepEqual([...ntpMask(3, [1, 1])], [0, 0, 1]);
  assert.deepEqual([...ntpMask(0, [])], []);
});

Deno.test("ntpMask() rows: logits row r predicts position r + 1, weights are mask.subarray(1)", () => {
  // document of 5 tokens, RL position 3 (τ_3 predicted from τ_<3 by logits row 2)
  const rowWeights = ntpMask(5, [3]).subarray(1);
  assert.deepEqual([...rowWeights], [1, 1, 0, 1]);
});

Deno.test("ntpMask() makes Φ_NTP and Φ_RL disjoint and cover positions 1..T−1 (random)", () => {
  const rng = mulberry32(31);
  for (let trial = 0; trial < 200; trial++) {
    const T = 2 + Math.floor(rng() * 50);
    const rl = Array.from(
      { length: 1 + Math.floor(rng() * 3) },
      () => 1 + Math.floor(rng() * (T - 1)),
    );
    const mask = ntpMask(T, rl);
    const unique = new Set(rl);
    assert.equal(mask.reduce((a, b) => a + b, 0), T - 1 - unique.size);
    for (const p of unique) assert.equal(mask[p], 0);
  }
});

Deno.test("ntpMask() rejects position 0 and positions outside the document", () => {
  assert.throws(() => ntpMask(5, [0]), /Cannot mask RL position 0: positions must be in \[1, 5\)/);
  assert.throws(() => ntpMask(5, [5]), /RL position 5/);
  assert.throws(() => ntpMask(5, [1.5]), /RL position 1.5/);
});

Deno.test("ntpLoss() is the token mean of the NLL over unmasked positions", () => {
  const nll = [NaN, 2, 100, 4]; // position 0 has no prediction; position 2 is RL
  assert.equal(ntpLoss(nll, ntpMask(4, [2])), 3);
  assert.equal(ntpLoss([1, 2], new Float32Array([0, 0])), 0);
  assert.throws(() => ntpLoss([1, 2], new Float32Array(3)), /2 losses but 3 mask entries/);
});

Deno.test("unifiedLoss() is −J_RL + λ·NLL (§4.3), and λ = 0 drops NTP", () => {
  assert.equal(unifiedLoss(0.5, 2, 0.1), -0.5 + 0.2);
  assert.equal(unifiedLoss(0, 3, OBJECTIVE_DEFAULTS.lambda), 0.1 * 3);
  assert.equal(unifiedLoss(0.25, 1e9, 0), -0.25);
  // ∂L/∂J_RL = −1 and ∂L/∂NLL = λ
  const h = 1e-6;
  assert.ok(
    Math.abs((unifiedLoss(1 + h, 2, 0.1) - unifiedLoss(1 - h, 2, 0.1)) / (2 * h) + 1) < 1e-6,
  );
  assert.ok(
    Math.abs((unifiedLoss(1, 2 + h, 0.1) - unifiedLoss(1, 2 - h, 0.1)) / (2 * h) - 0.1) < 1e-6,
  );
});

Deno.test("resolveObjectiveConfig() rejects a negative λ by name", () => {
  assert.deepEqual(resolveObjectiveConfig(undefined), { lambda: 0.1 });
  assert.throws(
    () => resolveObjectiveConfig({ lambda: -1 }),
    /rmt.objective.lambda: expected a number ≥ 0, got -1/,
  );
});
