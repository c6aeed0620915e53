import assert from "node:assert/strict";
import { tensor } from "../../lib/engine/tensor.ts";
import {
  advantage,
  clippedSurrogate,
  GRPO,
  grpoObjective,
  klPerToken,
  ratio,
} from "../../lib/rmt/grpo.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import {
  groupAdvantages,
  grpoLoss,
  type GrpoResponse,
  type GrpoSurrogate,
  grpoTokenSurrogate,
  type SurrogateOptions,
} from "./reference/grpo.ts";

const close = (a: number, b: number, tol = 1e-9, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what} expected ${b}, got ${a}`);
const OPTS = { clipEps: 0.2, klBeta: 0 };

/** One response through the tensor `grpoObjective`, read back in the reference's shape. */
async function tensorSurrogate(r: GrpoResponse, opts: SurrogateOptions): Promise<GrpoSurrogate> {
  const K = r.logp.length;
  const logp = tensor(Float32Array.from(r.logp), [1, K]).requireGrad(); // (1, K)
  const out = grpoObjective({
    logp,
    oldLogp: tensor(Float32Array.from(r.oldLogp), [1, K]),
    refLogp: r.refLogp && tensor(Float32Array.from(r.refLogp), [1, K]),
    mask: tensor(new Float32Array(K).fill(1), [1, K]),
    advantage: tensor([r.advantage]),
  }, opts);
  out.objective.backward();
  return {
    objective: await out.objective.item(),
    dObjective_dLogp: [...await logp.grad!.toArray()],
    meanKl: await out.meanKl.item(),
    clipFraction: await out.clipFraction.item(),
  };
}

/** The reference and the tensor surrogate of one response (the tensor one in float32). */
async function both(r: GrpoResponse, opts: SurrogateOptions) {
  return [
    { s: grpoTokenSurrogate(r, opts), tol: 1e-9 },
    { s: await tensorSurrogate(r, opts), tol: 2e-6 },
  ];
}

Deno.test("advantage() whitens rewards with the population std (§4.1)", () => {
  for (const whiten of [advantage, groupAdvantages]) {
    // r = (1, 0, 0, 0): mean ¼, std √(3/16) = 0.4330
    const a = whiten([1, 0, 0, 0], 0);
    close(a[0]!, Math.sqrt(3));
    for (const x of a.slice(1)) close(x, -1 / Math.sqrt(3));
    // δ shrinks the advantage slightly
    close(whiten([1, 0], 1e-6)[0]!, 0.5 / (0.5 + 1e-6));
    // combined rewards, r = (0.8, 0.2, 1, 0): mean 0.5, std √0.17
    close(whiten([0.8, 0.2, 1, 0], 0)[0]!, 0.3 / Math.sqrt(0.17));
  }
});

Deno.test("advantage() gives zeros, never NaN, for equal rewards and G = 1", () => {
  for (const whiten of [advantage, groupAdvantages]) {
    assert.deepEqual(whiten([0, 0, 0, 0, 0, 0, 0, 0], 1e-6), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(whiten([1, 1, 1], 1e-6), [0, 0, 0]);
    assert.deepEqual(whiten([0.1 + 0.2, 0.1 + 0.2], 1e-6), [0, 0]);
    assert.deepEqual(whiten([0.7], 1e-6), [0]);
    assert.deepEqual(whiten([], 1e-6), []);
  }
});

Deno.test("advantage() has zero mean and unit std up to δ, and equals the oracle (random)", () => {
  const rng = mulberry32(17);
  for (let trial = 0; trial < 500; trial++) {
    const G = 2 + Math.floor(rng() * 15);
    const rewards = Array.from({ length: G }, () => (rng() < 0.3 ? Math.round(rng()) : rng()));
    const a = advantage(rewards, 1e-6);
    assert.ok(a.every(Number.isFinite));
    const mean = a.reduce((x, y) => x + y, 0) / G;
    const std = Math.sqrt(a.reduce((x, v) => x + (v - mean) ** 2, 0) / G);
    close(mean, 0, 1e-9);
    if (!rewards.every((r) => r === rewards[0])) assert.ok(std <= 1 && std > 0.99, `std ${std}`);
    groupAdvantages(rewards, 1e-6).forEach((x, i) => close(a[i]!, x, 1e-9, `A_${i}`));
  }
});

Deno.test("grpoObjective() takes the min of the unclipped and clipped terms, per token", async () => {
  const one = (rho: number, adv: number) =>
    both({ logp: [Math.log(rho)], oldLogp: [0], advantage: adv }, OPTS);
  for (const [k, impl] of ["reference", "tensor"].entries()) {
    const at = async (rho: number, adv: number) => (await one(rho, adv))[k]!;
    // A > 0, ρ = 1.5 > 1 + ε: clipped, value 1.2·A, no gradient
    let { s, tol } = await at(1.5, 1);
    close(s.objective, 1.2, tol, impl);
    assert.deepEqual([s.dObjective_dLogp[0]! + 0, s.clipFraction], [0, 1]); // + 0: −0 is 0
    // A < 0, ρ = 1.5: unclipped (pessimistic), value ρA, gradient ρA
    ({ s, tol } = await at(1.5, -1));
    close(s.objective, -1.5, tol, impl);
    close(s.dObjective_dLogp[0]!, -1.5, tol, impl);
    // A > 0, ρ = 0.5 < 1 − ε: unclipped, value ρA
    ({ s, tol } = await at(0.5, 2));
    close(s.objective, 1, tol, impl);
    close(s.dObjective_dLogp[0]!, 1, tol, impl);
    // A < 0, ρ = 0.5: clipped at 0.8·A, no gradient
    ({ s, tol } = await at(0.5, -1));
    close(s.objective, -0.8, tol, impl);
    assert.equal(s.dObjective_dLogp[0]! + 0, 0);
    // inside the clip range: ρA either way
    ({ s, tol } = await at(1.1, 1));
    close(s.objective, 1.1, tol, impl);
    close(s.dObjective_dLogp[0]!, 1.1, tol, impl);
    // A = 0: nothing
    assert.deepEqual((await at(1.5, 0)).s.dObjective_dLogp.map((g) => g + 0), [0]);
  }
});

Deno.test("grpoObjective() on-policy gradient equals the analytic form A_i/|o^i| (§4.1)", async () => {
  // ρ ≡ 1 (one update per batch): ∂J_i/∂log π_θ(o_k) = A_i/K, so ∂J_i/∂log π_θ(o^i) = A_i,
  // the paper's REINFORCE form up to the 1/|o^i| normalisation
  const logp = [-0.5, -1.25, -3, -0.1];
  for (const { s, tol } of await both({ logp, oldLogp: logp, advantage: -0.8 }, OPTS)) {
    close(s.objective, -0.8, tol);
    for (const g of s.dObjective_dLogp) close(g, -0.8 / 4, tol);
    close(s.dObjective_dLogp.reduce((a, b) => a + b, 0), -0.8, tol);
  }
});

Deno.test("grpoObjective() k3 KL: hand value, zero at π_ref = π_θ, and its gradient", async () => {
  // ref − logp = ln 2: KL = 2 − ln 2 − 1 = 0.30685; ∂KL/∂logp = 1 − 2 = −1
  const logp = [-1];
  const opts = { clipEps: 0.2, klBeta: 0.5 };
  for (
    const { s, tol } of await both({
      logp,
      oldLogp: logp,
      refLogp: [-1 + Math.log(2)],
      advantage: 0,
    }, opts)
  ) {
    close(s.meanKl, 1 - Math.log(2), tol);
    close(s.objective, -0.5 * (1 - Math.log(2)), tol);
    close(s.dObjective_dLogp[0]!, 0.5, tol);
  }
  const same = { logp, oldLogp: logp, refLogp: logp, advantage: 1 };
  for (const { s } of await both(same, { clipEps: 0.2, klBeta: 1 })) {
    assert.equal(s.meanKl, 0);
    assert.equal(s.objective, 1);
  }
});

Deno.test("ratio(), clippedSurrogate() and klPerToken() match their equations per token", async () => {
  const logp = tensor([[Math.log(1.5), Math.log(0.5), -1]]);
  const rho = ratio(logp, tensor([[0, 0, -1]])); // (1.5, 0.5, 1)
  const got = await clippedSurrogate(rho, tensor([[-2]]), 0.2).toArray();
  // A = −2: min(−3, −2.4) = −3; min(−1, −1.6) = −1.6; −2
  [-3, -1.6, -2].forEach((x, k) => close(got[k]!, x, 1e-6, `k = ${k}`));
  const kl = await klPerToken(tensor([[-1, -2]]), tensor([[-1 + Math.log(2), -2]])).toArray();
  close(kl[0]!, 1 - Math.log(2), 1e-6);
  close(kl[1]!, 0, 1e-7);
});

function finiteDifference(response: GrpoResponse, k: number, opts: typeof OPTS, h = 1e-6): number {
  const at = (delta: number) => {
    const logp = [...response.logp];
    logp[k]! += delta;
    return grpoTokenSurrogate({ ...response, logp }, opts).objective;
  };
  return (at(h) - at(-h)) / (2 * h);
}

Deno.test("the reference surrogate's gradient matches central finite differences (random, with KL)", () => {
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
      const r = Math.exp(logp[k]! - oldLogp[k]!);
      if (Math.abs(r - 0.8) < 1e-4 || Math.abs(r - 1.2) < 1e-4) continue; // kink
      close(s.dObjective_dLogp[k]!, finiteDifference(response, k, opts), 1e-6);
      checked++;
    }
  }
  assert.ok(checked > 500);
});

Deno.test("the surrogate rejects mismatched lengths and β > 0 without a reference", () => {
  assert.throws(
    () => grpoTokenSurrogate({ logp: [0, 0], oldLogp: [0], advantage: 1 }, OPTS),
    /logp has 2 tokens, oldLogp 1/,
  );
  assert.throws(
    () =>
      grpoTokenSurrogate({ logp: [0], oldLogp: [0], advantage: 1 }, { clipEps: 0.2, klBeta: 0.1 }),
    /klBeta is 0.1 but refLogp is missing/,
  );
  const logp = tensor([[0]]);
  assert.throws(
    () =>
      grpoObjective(
        { logp, oldLogp: logp, mask: tensor([[1]]), advantage: tensor([1]) },
        { clipEps: 0.2, klBeta: 0.1 },
      ),
    /klBeta is 0.1 but refLogp is missing/,
  );
  const empty = grpoTokenSurrogate({ logp: [], oldLogp: [], advantage: 1 }, OPTS);
  assert.deepEqual([empty.objective, empty.dObjective_dLogp], [0, []]);
});

Deno.test("grpoLoss() is the mean over responses of the token-mean surrogates; loss = −J_RL", () => {
  const rewards = [1, 0, 0, 1];
  const a = advantage(rewards, 0); // (1, −1, −1, 1)
  const lengths = [1, 2, 3, 4];
  const responses = a.map((x, i) => {
    const logp = Array.from({ length: lengths[i]! }, (_, k) => -0.1 * (k + 1));
    return { logp, oldLogp: logp, advantage: x };
  });
  const r = grpoLoss(responses, OPTS);
  close(r.objective, 0);
  close(r.loss, 0);
  r.dObjective_dLogp.forEach((grads, i) => {
    assert.equal(grads.length, lengths[i]);
    for (const g of grads) close(g, a[i]! / (4 * lengths[i]!));
  });
  assert.deepEqual(grpoLoss([], OPTS), {
    objective: 0,
    loss: 0,
    dObjective_dLogp: [],
    meanKl: 0,
    clipFraction: 0,
  });
});

/** N random responses of lengths 1..L with off-policy ratios in about [0.5, 2]. */
function randomResponses(seed: number, N: number, L: number, withRef: boolean): GrpoResponse[] {
  const rng = mulberry32(seed);
  return Array.from({ length: N }, () => {
    const K = 1 + Math.floor(rng() * L);
    const logp = Array.from({ length: K }, () => -0.1 - 3 * rng());
    const oldLogp = logp.map((x) => x + (rng() - 0.5) * 1.4);
    const refLogp = withRef ? logp.map((x) => x + (rng() - 0.5)) : undefined;
    return { logp, oldLogp, refLogp, advantage: (rng() - 0.5) * 3 };
  });
}

/** Pads the responses into (N, L) arrays. */
function padded(responses: GrpoResponse[], key: "logp" | "oldLogp" | "refLogp", L: number) {
  const out = new Float32Array(responses.length * L);
  responses.forEach((r, i) => out.set(r[key]!, i * L));
  return out;
}

/** The tensors of `responses`, padded to L. */
function batchOf(responses: GrpoResponse[], L: number, withRef = false) {
  const N = responses.length;
  const mask = new Float32Array(N * L); // (N, L)
  responses.forEach((r, i) => mask.fill(1, i * L, i * L + r.logp.length));
  return {
    logp: tensor(padded(responses, "logp", L), [N, L]).requireGrad(),
    oldLogp: tensor(padded(responses, "oldLogp", L), [N, L]),
    refLogp: withRef ? tensor(padded(responses, "refLogp", L), [N, L]) : undefined,
    mask: tensor(mask, [N, L]),
    advantage: tensor(responses.map((r) => r.advantage)),
  };
}

for (const klBeta of [0, 0.05]) {
  Deno.test(`grpoObjective() equals the reference in value and d/dlogp (β = ${klBeta})`, async () => {
    const N = 12, L = 7;
    // f32 round trip, so the reference sees exactly the numbers the tensors hold
    const responses = randomResponses(3 + klBeta * 100, N, L, klBeta > 0).map((r) => ({
      logp: [...Float32Array.from(r.logp)],
      oldLogp: [...Float32Array.from(r.oldLogp)],
      refLogp: r.refLogp && [...Float32Array.from(r.refLogp)],
      advantage: Math.fround(r.advantage),
    }));
    const opts = { clipEps: 0.2, klBeta };
    const reference = grpoLoss(responses, opts);
    assert.ok(reference.clipFraction > 0, "the test data must exercise the clip");
    const batch = batchOf(responses, L, klBeta > 0);
    const got = grpoObjective(batch, opts);
    close(await got.objective.item(), reference.objective, 1e-5, "J_RL");
    close(await got.clipFraction.item(), reference.clipFraction, 1e-6, "clip fraction");
    close(await got.meanKl.item(), reference.meanKl, 1e-5, "mean KL");
    got.objective.backward();
    const grad = await batch.logp.grad!.toArray();
    responses.forEach((r, i) => {
      for (let k = 0; k < L; k++) {
        const expected = k < r.logp.length ? reference.dObjective_dLogp[i]![k]! : 0;
        close(grad[i * L + k]!, expected, 1e-6, `dJ/dlogp[${i}][${k}]`);
      }
    });
  });
}

Deno.test("grpoObjective() over micro-batches sums to the whole-batch objective", async () => {
  const responses = randomResponses(11, 8, 5, false);
  const L = 5;
  const whole = await grpoObjective(batchOf(responses, L), OPTS).objective.item();
  const part = (rs: GrpoResponse[]) =>
    grpoObjective(batchOf(rs, L), { ...OPTS, responses: 8 }).objective.item();
  const a = await part(responses.slice(0, 3));
  const b = await part(responses.slice(3));
  close(a + b, whole, 1e-6, "sum of micro-batches");
});

Deno.test("grpoObjective() is zero with zero gradient when all advantages are zero", async () => {
  const logp = tensor([[-1, -2, -3]]).requireGrad();
  const { objective } = grpoObjective(
    { logp, oldLogp: logp.detach(), mask: tensor([[1, 1, 0]]), advantage: tensor([0]) },
    OPTS,
  );
  assert.equal(await objective.item(), 0);
  objective.backward();
  assert.deepEqual([...await logp.grad!.toArray()], [0, 0, 0]);
});

Deno.test("GRPO.resolve() rejects out-of-range values by name", () => {
  assert.deepEqual(GRPO.resolve(undefined), GRPO.defaults);
  assert.throws(
    () => GRPO.resolve({ groupSize: 0 }),
    /rmt.grpo.groupSize: expected an integer ≥ 1, got 0/,
  );
  assert.throws(() => GRPO.resolve({ clipEps: 1 }), /rmt.grpo.clipEps/);
  assert.throws(() => GRPO.resolve({ klBeta: -0.01 }), /rmt.grpo.klBeta/);
  assert.throws(() => GRPO.resolve({ advantageEps: 0 }), /rmt.grpo.advantageEps/);
  assert.throws(() => GRPO.resolve({ temperature: 0 }), /rmt.grpo.temperature/);
});
