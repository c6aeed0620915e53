import assert from "node:assert/strict";
import { AdamW } from "../../../lib/engine/optim/adamw.ts";
import { rmtStep, type StepContext } from "../../../lib/apps/train/step.ts";
import { advantage } from "../../../lib/rmt/grpo.ts";
import { tinyConfig, tinyModel, tinyTexts, tinyTokenizer } from "../../_helpers/tiny_train.ts";

/** A step context over the tiny setting: every position ≥ 1 of every document is hard. */
function tinyContext(overrides: Record<string, unknown> = {}): StepContext {
  const codec = tinyTokenizer();
  const docs = tinyTexts(8).map((t) => codec.encode(t).slice(0, 48)); // within the 96-token window
  const model = tinyModel();
  const cfg = tinyConfig(overrides);
  return {
    model,
    reference: null,
    optimizer: new AdamW(model.parameters(), { lr: cfg.lr }),
    codec,
    docs,
    tiers: docs.map((d) => Int8Array.from(d, (_, p) => (p === 0 ? -1 : 2))),
    cfg,
  };
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

Deno.test("rmtStep() backpropagates L = −J_RL + λ·NLL_NTP (§4.3) and logs its parts", async () => {
  const ctx = tinyContext();
  try {
    const r = await rmtStep(ctx, 0);
    const G = ctx.cfg.rmt.grpo.groupSize, lambda = ctx.cfg.method.ntpWeight;
    assert.equal(r.groups.length, ctx.cfg.positionsPerStep);
    assert.equal(r.responses, r.groups.length * G);
    close(r.loss, -r.rlObjective + lambda * r.ntpLoss, "loss");
    assert.ok(r.ntpTokens > 0 && r.ntpLoss > 0 && Number.isFinite(r.gradNorm));
    for (const g of r.groups) {
      assert.deepEqual(g.advantage, advantage(g.reward, ctx.cfg.rmt.grpo.advantageEps));
      assert.equal(g.completions!.length, G);
    }
    // on-policy (ρ ≡ 1): nothing is clipped and there is no reference
    assert.deepEqual([r.clipFraction, r.meanKl], [0, 0]);
  } finally {
    ctx.model.dispose();
  }
});

Deno.test("rmtStep() with rlWeight 0 is continued NTP: no rollouts, L = λ·NLL", async () => {
  const ctx = tinyContext({
    method: { rlWeight: 0, ntpWeight: 1, budget: "none", sampling: "uniform" },
  });
  try {
    const r = await rmtStep(ctx, 0);
    assert.equal(r.timing.generatedTokens, 0);
    assert.equal(r.rlObjective, 0);
    assert.equal(r.budget, null);
    close(r.loss, r.ntpLoss, "loss");
    assert.ok(r.gradNorm > 0);
  } finally {
    ctx.model.dispose();
  }
});

Deno.test("rmtStep() with λ = 0 trains no NTP token (RMT w/o NTP)", async () => {
  const ctx = tinyContext({ method: { ntpWeight: 0 } });
  try {
    const r = await rmtStep(ctx, 1);
    assert.deepEqual([r.ntpTokens, r.ntpLoss], [0, 0]);
    close(r.loss, -r.rlObjective, "loss");
  } finally {
    ctx.model.dispose();
  }
});
