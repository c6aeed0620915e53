import assert from "node:assert/strict";
import {
  groupAdvantages,
  GRPO_DEFAULTS,
  grpoLoss,
  type GrpoResponse,
  grpoTokenSurrogate,
  resolveGrpoConfig,
} from "../../lib/rmt/grpo.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);
const OPTS = { clipEps: 0.2, klBeta: 0 };

Deno.test("groupAdvantages() whitens rewards with the population std (§4.1)", () => {
  // r = (1, 0, 0, 0): mean ¼, std √(3/16) = 0.4330
  const advantage = groupAdvantages([1, 0, 0, 0], 0);
  close(advantage[0]!, Math.sqrt(3));
  for (const a of advantage.slice(1)) close(a, -1 / Math.sqrt(3));
  // δ shrinks the advantage slightly
  close(groupAdvantages([1, 0], 1e-6)[0]!, 0.5 / (0.5 + 1e-6));
  // combined rewards, r = (0.8, 0.2, 1, 0): mean 0.5, std √0.17
  const a2 = groupAdvantages([0.8, 0.2, 1, 0], 0);
  close(a2[0]!, 0.3 / Math.sqrt(0.17));
});

Deno.test("groupAdvantages() gives zeros, never NaN, for equal rewards and G = 1", () => {
  assert.deepEqual(groupAdvantages([0, 0, 0, 0, 0, 0, 0, 0], 1e-6), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(groupAdvantages([1, 1, 1], 1e-6), [0, 0, 0]);
  assert.deepEqual(groupAdvantages([0.1 + 0.2, 0.1 + 0.2], 1e-6), [0, 0]);
  assert.deepEqual(groupAdvantages([0.7], 1e-6), [0]);
  assert.deepEqual(groupAdvantages([], 1e-6), []);
});

Deno.test("groupAdvantages() has zero mean and unit std up to δ (random)", () => {
  const rng = mulberry32(17);
  for (let trial = 0; trial < 500; trial++) {
    const G = 2 + Math.floor(rng() * 15);
    const rewards = Array.from({ length: G }, () => (rng() < 0.3 ? Math.round(rng()) : rng()));
    const advantage = groupAdvantages(rewards, 1e-6);
    assert.ok(advantage.every(Number.isFinite));
    const mean = advantage.reduce((a, b) => a + b, 0) / G;
    const std = Math.sqrt(advantage.reduce((a, x) => a + (x - mean) ** 2, 0) / G);
    close(mean, 0, 1e-9);
    if (!rewards.every((r) => r === rewards[0])) assert.ok(std <= 1 && std > 0.99, `std ${std}`);
  }
});

Deno.test("grpoTokenSurrogate() takes the min of the unclipped and clipped terms, per token", () => {
  const one = (ratio: number, advantage: number) =>
    grpoTokenSurrogate({ logp: [Math.log(ratio)], oldLogp: [0], advantage }, OPTS);
  // A > 0, ρ = 1.5 > 1 + ε: clipped, value 1.2·A, no gradient
  close(one(1.5, 1).objective, 1.2);
  assert.deepEqual([one(1.5, 1).dObjective_dLogp[0], one(1.5, 1).clipFraction], [0, 1]);
  // A < 0, ρ = 1.5: unclipped (pessimistic), value ρA, gradient ρA
  close(one(1.5, -1).objective, -1.5);
  close(one(1.5, -1).dObjective_dLogp[0]!, -1.5);
  // A > 0, ρ = 0.5 < 1 − ε: unclipped, value ρA
  close(one(0.5, 2).objective, 1);
  close(one(0.5, 2).dObjective_dLogp[0]!, 1);
  // A < 0, ρ = 0.5: clipped at 0.8·A, no gradient
  close(one(0.5, -1).objective, -0.8);
  assert.equal(one(0.5, -1).dObjective_dLogp[0], 0);
  // inside the clip range: ρA either way
  close(one(1.1, 1).objective, 1.1);
  close(one(1.1, 1).dObjective_dLogp[0]!, 1.1);
  // A = 0: nothing
  assert.deepEqual(one(1.5, 0).dObjective_dLogp, [0]);
});

Deno.test("grpoTokenSurrogate() on-policy gradient equals the analytic form A_i/|o^i| (§4.1)", () => {
  // ρ ≡ 1 (one update per batch): ∂J_i/∂log π_θ(o_k) = A_i/K, so ∂J_i/∂log π_θ(o^i) = A_i,
  // the paper's REINFORCE form up to the 1/|o^i| normalisation
  const logp = [-0.5, -1.25, -3, -0.1];
  const s = grpoTokenSurrogate({ logp, oldLogp: logp, advantage: -0.8 }, OPTS);
  close(s.objective, -0.8);
  for (const g of s.dObjective_dLogp) close(g, -0.8 / 4);
  close(s.dObjective_dLogp.reduce((a, b) => a + b, 0), -0.8);
});

Deno.test("grpoTokenSurrogate() k3 KL: hand value, zero at π_ref = π_θ, and its gradient", () => {
  // ref − logp = ln 2: KL = 2 − ln 2 − 1 = 0.30685; ∂KL/∂logp = 1 − 2 = −1
  const logp = [-1];
  const s = grpoTokenSurrogate(
    { logp, oldLogp: logp, refLogp: [-1 + Math.log(2)], advantage: 0 },
    { clipEps: 0.2, klBeta: 0.5 },
  );
  close(s.meanKl, 1 - Math.log(2));
  close(s.objective, -0.5 * (1 - Math.log(2)));
  close(s.dObjective_dLogp[0]!, 0.5);
  const same = grpoTokenSurrogate({ logp, oldLogp: logp, refLogp: logp, advantage: 1 }, {
    clipEps: 0.2,
    klBeta: 1,
  });
  assert.equal(same.meanKl, 0);
  assert.equal(same.objective, 1);
});

function finiteDifference(response: GrpoResponse, k: number, opts: typeof OPTS, h = 1e-6): number {
  const at = (delta: number) => {
    const logp = [...response.logp];
    logp[k]! += delta;
    return grpoTokenSurrogate({ ...response, logp }, opts).objective;
  };
  return (at(h) - at(-h)) / (2 * h);
}

Deno.test("grpoTokenSurrogate() gradient matches central finite differences (random, with KL)", () => {
  const rng = mulberry32(29);
  let checked = 0;
  for (let trial = 0; trial < 200; trial++) {
    const K = 1 + Math.floor(rng() * 6);
    const oldLogp = Array.from({ length: K }, () => -3 * rng());
    const logp = oldLogp.map((x) => x + 0.6 * (rng() - 0.5));
    const refLogp = oldLogp.map((x) => x + 0.4 * (rng() - 0.5));
    const response = { logp, oldLogp, refLogp, advantage: 4 * (rng() - 0.5) };
    const opts = { clipEps: 0.2, klBeta: rng() < 0.5 ? 0 : 0.1 };
    const s = grpoTokenSurrogate(response, opts);
    for (let k = 0; k < K; k++) {
      const ratio = Math.exp(logp[k]! - oldLogp[k]!);
      if (Math.abs(ratio - 0.8) < 1e-4 || Math.abs(ratio - 1.2) < 1e-4) continue; // kink
      close(s.dObjective_dLogp[k]!, finiteDifference(response, k, opts), 1e-6);
      checked++;
    }
  }
  assert.ok(checked > 500);
});

Deno.test("grpoTokenSurrogate() rejects mismatched lengths and β > 0 without a reference", () => {
  assert.throws(
    () => grpoTokenSurrogate({ logp: [0, 0], oldLogp: [0], advantage: 1 }, OPTS),
    /logp has 2 tokens, oldLogp 1/,
  );
  assert.throws(
    () =>
      grpoTokenSurrogate({ logp: [0], oldLogp: [0], advantage: 1 }, { clipEps: 0.2, klBeta: 0.1 }),
    /klBeta is 0.1 but refLogp is missing/,
  );
  const empty = grpoTokenSurrogate({ logp: [], oldLogp: [], advantage: 1 }, OPTS);
  assert.deepEqual([empty.objective, empty.dObjective_dLogp], [0, []]);
});

Deno.test("grpoLoss() is the mean over responses of the token-mean surrogates; loss = −J_RL", () => {
  const rewards = [1, 0, 0, 1];
  const advantage = groupAdvantages(rewards, 0); // (1, −1, −1, 1)
  const lengths = [1, 2, 3, 4];
  const responses = advantage.map((a, i) => {
    const logp = Array.from({ length: lengths[i]! }, (_, k) => -0.1 * (k + 1));
    return { logp, oldLogp: logp, advantage: a };
  });
  const r = grpoLoss(responses, OPTS);
  close(r.objective, 0);
  close(r.loss, 0);
  r.dObjective_dLogp.forEach((grads, i) => {
    assert.equal(grads.length, lengths[i]);
    for (const g of grads) close(g, advantage[i]! / (4 * lengths[i]!));
  });
  assert.deepEqual(grpoLoss([], OPTS), {
    objective: 0,
    loss: 0,
    dObjective_dLogp: [],
    meanKl: 0,
    clipFraction: 0,
  });
});

Deno.test("resolveGrpoConfig() rejects out-of-range values by name", () => {
  assert.deepEqual(resolveGrpoConfig(undefined), GRPO_DEFAULTS);
  assert.throws(
    () => resolveGrpoConfig({ groupSize: 0 }),
    /rmt.grpo.groupSize: expected an integer ≥ 1, got 0/,
  );
  assert.throws(() => resolveGrpoConfig({ clipEps: 1 }), /rmt.grpo.clipEps/);
  assert.throws(() => resolveGrpoConfig({ klBeta: -0.01 }), /rmt.grpo.klBeta/);
  assert.throws(() => resolveGrpoConfig({ advantageEps: 0 }), /rmt.grpo.advantageEps/);
  assert.throws(() => resolveGrpoConfig({ temperature: 0 }), /rmt.grpo.temperature/);
});
