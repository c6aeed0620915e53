import assert from "node:assert/strict";
import { tensor } from "../../lib/engine/tensor.ts";
import { ntpLoss, ntpMask, OBJECTIVE, unifiedLoss } from "../../lib/rmt/objective.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import * as reference from "./reference/objective.ts";

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

Deno.test("the reference NTP loss is the token mean of the NLL over unmasked positions", () => {
  const nll = [NaN, 2, 100, 4]; // position 0 has no prediction; position 2 is RL
  assert.equal(reference.ntpLoss(nll, ntpMask(4, [2])), 3);
  assert.equal(reference.ntpLoss([1, 2], new Float32Array([0, 0])), 0);
  assert.throws(
    () => reference.ntpLoss([1, 2], new Float32Array(3)),
    /2 losses but 3 mask entries/,
  );
});

Deno.test("ntpLoss() equals the reference on random logits, and its gradient is (softmax − onehot)·m/Σm", async () => {
  const rng = mulberry32(7);
  const B = 3, R = 5, V = 7;
  const logits = Float32Array.from({ length: B * R * V }, () => 4 * (rng() - 0.5)); // (B, R, V)
  const targets = Int32Array.from({ length: B * R }, () => Math.floor(rng() * V)); // (B, R)
  const mask = Float32Array.from({ length: B * R }, () => (rng() < 0.7 ? 1 : 0)); // (B, R)
  const rowNll = Array.from(
    { length: B * R },
    (_, r) => reference.nll(logits.subarray(r * V, (r + 1) * V), targets[r]!),
  );
  const expected = reference.ntpLoss(rowNll, mask);
  const x = tensor(logits, [B, R, V]).requireGrad();
  const terms = {
    logits: x,
    targets: tensor(targets, [B, R], { dtype: "i32" }),
    mask: tensor(mask, [B, R]),
  };
  const loss = ntpLoss(terms);
  assert.ok(Math.abs(await loss.item() - expected) < 1e-5, `${await loss.item()} vs ${expected}`);
  loss.backward();
  const grad = await x.grad!.toArray();
  const count = mask.reduce((a, b) => a + b, 0);
  for (let r = 0; r < B * R; r++) {
    const row = logits.subarray(r * V, (r + 1) * V);
    const lse = Math.log(row.reduce((a, z) => a + Math.exp(z), 0));
    for (let v = 0; v < V; v++) {
      const dz = (Math.exp(row[v]! - lse) - (v === targets[r] ? 1 : 0)) * mask[r]! / count;
      assert.ok(Math.abs(grad[r * V + v]! - dz) < 1e-6, `row ${r}, column ${v}`);
    }
  }
  // an explicit divisor: the step's Σ m, of which this batch holds a part
  const part = await ntpLoss(terms, { tokens: 2 * count }).item();
  assert.ok(Math.abs(part - expected / 2) < 1e-5);
  // nothing unmasked: 0, not NaN
  const none = ntpLoss({ ...terms, mask: tensor(new Float32Array(B * R), [B, R]) });
  assert.equal(await none.item(), 0);
});

Deno.test("unifiedLoss() is −J_RL + λ·NLL (§4.3), and λ = 0 drops NTP", async () => {
  assert.equal(reference.unifiedLoss(0.5, 2, 0.1), -0.5 + 0.2);
  assert.equal(reference.unifiedLoss(0, 3, OBJECTIVE.defaults.lambda), 0.1 * 3);
  assert.equal(reference.unifiedLoss(0.25, 1e9, 0), -0.25);
  for (const [jRl, nll, lambda] of [[0.5, 2, 0.1], [0, 3, 0.1], [0.25, 1e9, 0]]) {
    const got = await unifiedLoss({ jRl: tensor(jRl!), nllNtp: tensor(nll!) }, lambda!).item();
    const expected = reference.unifiedLoss(jRl!, nll!, lambda!);
    assert.ok(Math.abs(got - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${got}`);
  }
  // ∂L/∂J_RL = −1 and ∂L/∂NLL = λ
  const h = 1e-6;
  assert.ok(
    Math.abs(
      (reference.unifiedLoss(1 + h, 2, 0.1) - reference.unifiedLoss(1 - h, 2, 0.1)) / (2 * h) + 1,
    ) < 1e-6,
  );
  assert.ok(
    Math.abs(
      (reference.unifiedLoss(1, 2 + h, 0.1) - reference.unifiedLoss(1, 2 - h, 0.1)) / (2 * h) -
        0.1,
    ) < 1e-6,
  );
  const jRl = tensor(1).requireGrad(), nllNtp = tensor(2).requireGrad();
  unifiedLoss({ jRl, nllNtp }, 0.1).backward();
  assert.equal(await jRl.grad!.item(), -1);
  assert.ok(Math.abs(await nllNtp.grad!.item() - 0.1) < 1e-7);
});

Deno.test("unifiedLoss() of micro-batch parts, one term each, sums to the whole loss", async () => {
  const jRl = tensor(0.75), nllNtp = tensor(3);
  const whole = await unifiedLoss({ jRl, nllNtp }, 0.1).item();
  const rl = await unifiedLoss({ jRl }, 0.1).item();
  const ntp = await unifiedLoss({ nllNtp }, 0.1).item();
  assert.ok(Math.abs(rl + ntp - whole) < 1e-6);
  assert.throws(() => unifiedLoss({}, 0.1), /neither J_RL nor NLL_NTP/);
});

Deno.test("OBJECTIVE.resolve() rejects a negative λ by name", () => {
  assert.deepEqual(OBJECTIVE.resolve(undefined), { lambda: 0.1 });
  assert.throws(
    () => OBJECTIVE.resolve({ lambda: -1 }),
    /rmt.objective.lambda: expected a number ≥ 0, got -1/,
  );
});
