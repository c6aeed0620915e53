import assert from "node:assert/strict";
import { tensor } from "../../../lib/engine/tensor.ts";
import { grpoLoss, type GrpoResponse } from "../../../lib/rmt/grpo.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";
import { grpoObjective } from "../../../lib/apps/train/grpo_loss.ts";
import { completionLogprobs, sequenceBatch } from "../../../lib/apps/train/logprobs.ts";
import type { Policy } from "../../../lib/apps/train/_policy.ts";

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: expected ${b}, got ${a}`);

/** N random responses of lengths 1..L with off-policy ratios in about [0.5, 2]. */
function randomResponses(seed: number, N: number, L: number, withRef: boolean): GrpoResponse[] {
  const rng = mulberry32(seed);
  return Array.from({ length: N }, () => {
    const K = 1 + Math.floor(rng() * L);
    const logp = Array.from({ length: K }, () => -0.1 - 3 * rng());
    const oldLogp = logp.map((x) => x + (rng() - 0.5) * 1.4);
    const refLogp = withRef ? logp.map((x) => x + (rng() - 0.5)) : undefined;
    const advantage = (rng() - 0.5) * 3;
    return { logp, oldLogp, refLogp, advantage };
  });
}

/** Pads the responses into (N, L) arrays. */
function padded(responses: GrpoResponse[], key: "logp" | "oldLogp" | "refLogp", L: number) {
  const out = new Float32Array(responses.length * L);
  responses.forEach((r, i) => out.set(r[key]!, i * L));
  return out;
}

for (const klBeta of [0, 0.05]) {
  Deno.test(`grpoObjective() equals grpoLoss() in value and d/dlogp (β = ${klBeta})`, async () => {
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

    const logp = tensor(padded(responses, "logp", L), [N, L]).requireGrad(); // (N, L)
    const mask = new Float32Array(N * L); // (N, L)
    responses.forEach((r, i) => mask.fill(1, i * L, i * L + r.logp.length));
    const got = grpoObjective({
      logp,
      oldLogp: tensor(padded(responses, "oldLogp", L), [N, L]),
      refLogp: klBeta > 0 ? tensor(padded(responses, "refLogp", L), [N, L]) : undefined,
      mask: tensor(mask, [N, L]),
      advantage: tensor(responses.map((r) => r.advantage)),
    }, opts);
    close(await got.objective.item(), reference.objective, 1e-5, "J_RL");
    close(await got.clipFraction.item(), reference.clipFraction, 1e-6, "clip fraction");
    close(await got.meanKl.item(), reference.meanKl, 1e-5, "mean KL");
    got.objective.backward();
    const grad = await logp.grad!.toArray();
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
  const opts = { clipEps: 0.2, klBeta: 0 };
  const make = (rs: GrpoResponse[]) => {
    const mask = new Float32Array(rs.length * L);
    rs.forEach((r, i) => mask.fill(1, i * L, i * L + r.logp.length));
    return {
      logp: tensor(padded(rs, "logp", L), [rs.length, L]),
      oldLogp: tensor(padded(rs, "oldLogp", L), [rs.length, L]),
      mask: tensor(mask, [rs.length, L]),
      advantage: tensor(rs.map((r) => r.advantage)),
    };
  };
  const whole = await grpoObjective(make(responses), opts).objective.item();
  const a = await grpoObjective(make(responses.slice(0, 3)), { ...opts, responses: 8 })
    .objective.item();
  const b = await grpoObjective(make(responses.slice(3)), { ...opts, responses: 8 })
    .objective.item();
  close(a + b, whole, 1e-6, "sum of micro-batches");
});

Deno.test("grpoObjective() is zero with zero gradient when all advantages are zero", async () => {
  const logp = tensor([[-1, -2, -3]]).requireGrad();
  const { objective } = grpoObjective(
    { logp, oldLogp: logp.detach(), mask: tensor([[1, 1, 0]]), advantage: tensor([0]) },
    { clipEps: 0.2, klBeta: 0 },
  );
  assert.equal(await objective.item(), 0);
  objective.backward();
  assert.deepEqual([...await logp.grad!.toArray()], [0, 0, 0]);
});

Deno.test("completionLogprobs() equals gatherLast(logSoftmax(logits / τ)) on the completion rows", async () => {
  const V = 6;
  const logitsTable = Float32Array.from({ length: 40 * V }, (_, i) => Math.sin(i * 1.7) * 2);
  // a fixed "model": logits of row t depend on (token, column) only
  const model: Policy = {
    forward(ids) {
      const [B, T] = ids.shape as [number, number];
      const out = new Float32Array(B * T * V);
      for (let j = 0; j < B * T; j++) {
        out.set(logitsTable.subarray(((j % T) * 3 % 40) * V, ((j % T) * 3 % 40 + 1) * V), j * V);
      }
      return tensor(out, [B, T, V]);
    },
  };
  const batch = sequenceBatch([[1, 2, 3], [4]], [[5, 1], [2, 3, 4]], 0);
  const { logp, mask } = completionLogprobs(model, batch, { temperature: 0.8 });
  const P = batch.promptLength, L = batch.completionLength;
  const ids = tensor(batch.ids, [2, P + L], { dtype: "i32" });
  const composite = model.forward(ids).narrow(1, P - 1, L).div(0.8).logSoftmax()
    .gatherLast(tensor(batch.targets, [2, L, 1], { dtype: "i32" })).reshape([2, L]);
  const a = await logp.toArray(), b = await composite.toArray();
  for (let i = 0; i < a.length; i++) close(a[i]!, b[i]!, 1e-5, `logp[${i}]`);
  assert.deepEqual([...await mask.toArray()], [1, 1, 0, 1, 1, 1]);
});
