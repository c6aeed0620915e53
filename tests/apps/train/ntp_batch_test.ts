import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../../lib/engine/tensor.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";
import { ntpBatch, ntpBatchLoss } from "../../../lib/apps/train/ntp_batch.ts";
import { sampleStep } from "../../../lib/apps/train/positions.ts";

Deno.test("ntpBatch() never puts an RL position in the NTP mask (§1.2, §4.2)", () => {
  const rng = mulberry32(5);
  const docs = Array.from(
    { length: 12 },
    () => Array.from({ length: 5 + Math.floor(rng() * 30) }, () => Math.floor(rng() * 50)),
  );
  const tiers = docs.map((d) => Int8Array.from(d, (_, p) => (p === 0 ? -1 : (p % 4) - 1)));
  const step = sampleStep(tiers, {
    count: 20,
    probs: [0.2, 0.3, 0.5],
    positionsPerDoc: 3,
    rl: true,
    seed: 9,
  });
  assert.equal(step.reduce((n, d) => n + d.positions.length, 0), 20);
  const batch = ntpBatch(step.map((d) => docs[d.doc]!), step.map((d) => d.positions), 0);
  const T = batch.length;
  let expectedTokens = 0;
  step.forEach((d, b) => {
    const doc = docs[d.doc]!;
    for (let p = 1; p < T; p++) {
      const m = batch.mask[b * (T - 1) + p - 1]!;
      if (d.positions.includes(p)) assert.equal(m, 0, `RL position ${p} of doc ${d.doc} masked`);
      else if (p < doc.length) {
        assert.equal(m, 1);
        assert.equal(batch.targets[b * (T - 1) + p - 1], doc[p]);
        expectedTokens++;
      } else assert.equal(m, 0, "padding is not trained");
    }
    for (const [k, p] of d.positions.entries()) assert.equal(d.tiers[k], tiers[d.doc]![p]);
  });
  assert.equal(batch.tokens, expectedTokens);
});

Deno.test("ntpBatchLoss() is the token mean of −log p over unmasked positions", async () => {
  // logits row r put all mass 0..V−1 as r-dependent values; NLL computed by hand
  const V = 3;
  const model = {
    forward(ids: Tensor) {
      const [B, T] = ids.shape as [number, number];
      const out = new Float32Array(B * T * V);
      for (let i = 0; i < B * T; i++) out.set([0, (i % T) * 0.5, 1], i * V);
      return tensor(out, [B, T, V]);
    },
  };
  const docs = [[0, 1, 2, 0], [2, 2]];
  const batch = ntpBatch(docs, [[2], []], 0);
  const nll = await ntpBatchLoss(model, batch).item();
  const logp = (row: number, target: number) => {
    const z = [0, row * 0.5, 1];
    const lse = Math.log(z.reduce((a, x) => a + Math.exp(x), 0));
    return z[target]! - lse;
  };
  // doc 0: rows 0 (→ pos 1, target 1), 2 (→ pos 3, target 0); row 1 → RL position 2 masked
  // doc 1: row 0 (→ pos 1, target 2)
  const expected = -(logp(0, 1) + logp(2, 0) + logp(0, 2)) / 3;
  assert.ok(Math.abs(nll - expected) < 1e-5, `${nll} vs ${expected}`);
});
