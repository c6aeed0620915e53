/**
 * AdamW (`lib/engine/optim/adamw.ts`) against a hand-computed two-step update, global-norm clipping,
 * decoupled weight decay on rank ≥ 2 tensors only, and the optimizer's bookkeeping. Tolerance:
 * |got − want| ≤ 1e-6 + 1e-5·|want| (the CPU kernel updates f32 storages).
 */
import assert from "node:assert/strict";
import { assertAllClose, values } from "../../_helpers/fd.ts";
import { AdamW, ADAMW_DEFAULTS, gradNorm } from "../../../lib/engine/optim/adamw.ts";
import { concat, tensor } from "../../../lib/engine/tensor.ts";

const TOL = { rtol: 1e-5, atol: 1e-6 };

Deno.test("AdamW.step() matches a hand-computed two-step update", async () => {
  // L = Σ w² + 3·Σ b, so g_w = 2w and g_b = 3; lr 0.1, β (0.9, 0.999), ε 1e-8, λ 0.1, no clip.
  const w = tensor([[1, -2]]).requireGrad();
  const b = tensor([0.5]).requireGrad();
  const opt = new AdamW([w, b], {
    lr: 0.1,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0.1,
    gradClip: 0,
  });
  const step = () => {
    w.square().sum().add(b.mul(3).sum()).backward();
    opt.step();
    opt.zeroGrad();
  };

  // Step 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², so m̂/(√v̂ + ε) = sign(g).
  // w ← w − 0.1·(sign(g) + 0.1·w): 1 − 0.1·1.1 = 0.89, −2 − 0.1·(−1.2) = −1.88.
  // b (rank 1, no decay) ← 0.5 − 0.1·1 = 0.4.
  step();
  assertAllClose(await values(w), [0.89, -1.88], TOL);
  assertAllClose(await values(b), [0.4], TOL);
  assertAllClose(await values(opt.m[0]), [0.2, -0.4], TOL);
  assertAllClose(await values(opt.v[0]), [0.004, 0.016], TOL);

  // Step 2: g = 2·w1 = [1.78, −3.76]; m = 0.9·m1 + 0.1·g = [0.358, −0.736];
  // v = 0.999·v1 + 0.001·g² = [0.0071644, 0.0301216]; m̂ = m/0.19, v̂ = v/0.001999;
  // w2 = w1 − 0.1·(m̂/(√v̂ + ε) + 0.1·w1) = [0.78157186, −1.76140895].
  // b: m = 0.57, v = 0.017991 → m̂ = 3, v̂ = 9 → b2 = 0.4 − 0.1·1 = 0.3.
  step();
  assertAllClose(await values(opt.m[0]), [0.358, -0.736], TOL);
  assertAllClose(await values(opt.v[0]), [0.0071644, 0.0301216], TOL);
  assertAllClose(await values(w), [0.7815718554445781, -1.76140895033761], TOL);
  assertAllClose(await values(b), [0.3], TOL);
  assert.equal(opt.stepCount, 2);
});

Deno.test("AdamW.step() clips by scaling the gradient by maxNorm / ‖g‖", async () => {
  // g = [3, 4] over two tensors, ‖g‖ = 5; clip to 1 → the moments see g/5.
  const a = tensor([[0, 0]]).requireGrad();
  const c = tensor([0]).requireGrad();
  const opt = new AdamW([a, c], { gradClip: 1, beta1: 0.9, beta2: 0.95, weightDecay: 0 });
  a.mul(tensor([[3, 0]])).sum().add(c.mul(4).sum()).backward();
  const norm = opt.step();
  assertAllClose([await norm.item()], [5], TOL);
  const s = 1 / (5 + 1e-6);
  assertAllClose(await values(opt.m[0]), [0.1 * 3 * s, 0], TOL);
  assertAllClose(await values(opt.m[1]), [0.1 * 4 * s], TOL);
  assertAllClose(await values(opt.v[1]), [0.05 * (4 * s) ** 2], TOL);
});

Deno.test("AdamW.step() leaves gradients below maxNorm unscaled", async () => {
  for (const gradClip of [10, 0]) {
    const a = tensor([1, 1]).requireGrad();
    const opt = new AdamW([a], { gradClip });
    a.mul(tensor([3, 4])).sum().backward();
    assertAllClose([await opt.step().item()], [5], TOL);
    assertAllClose(await values(opt.m[0]), [0.3, 0.4], TOL);
  }
});

Deno.test("gradNorm() returns √Σ g² over all parameters and min(1, maxNorm/‖g‖)", async () => {
  const a = tensor([[1, 2]]).requireGrad();
  const b = tensor([3]).requireGrad();
  const none = tensor([1]).requireGrad(); // no gradient: ignored
  a.mul(tensor([[1, 2]])).sum().add(b.mul(2).sum()).backward(); // g = [1, 2], [2]
  const { norm, scale } = gradNorm([a, b, none], 1.5);
  assertAllClose([await norm.item()], [3], TOL);
  assertAllClose([await scale.item()], [0.5], TOL);
  assertAllClose([await gradNorm([a, b], 0).scale.item()], [1], TOL);
  assertAllClose([await gradNorm([a, b], 6).scale.item()], [1], TOL);
});

Deno.test("AdamW.step() applies weight decay to rank ≥ 2 tensors only", async () => {
  // Zero gradients: the Adam term is 0, so only decay moves the weights: θ ← θ·(1 − lr·λ).
  const w = tensor([[1, 2], [3, 4]]).requireGrad();
  const e = tensor([[[2, -2]]]).requireGrad();
  const bias = tensor([1, 2]).requireGrad();
  const opt = new AdamW([w, e, bias], { lr: 0.1, weightDecay: 0.5, gradClip: 0 });
  w.mul(0).sum().add(e.mul(0).sum()).add(bias.mul(0).sum()).backward();
  opt.step();
  assertAllClose(await values(w), [0.95, 1.9, 2.85, 3.8], TOL);
  assertAllClose(await values(e), [1.9, -1.9], TOL);
  assert.deepEqual(await values(bias), [1, 2]);
});

Deno.test("AdamW.step() uses an explicit learning rate and skips parameters without gradient", async () => {
  const a = tensor([1]).requireGrad();
  const b = tensor([1]).requireGrad();
  const opt = new AdamW([a, b], { lr: 0.1, weightDecay: 0, gradClip: 0 });
  a.mul(2).sum().backward();
  opt.step(0.01);
  assertAllClose(await values(a), [0.99], TOL);
  assert.deepEqual(await values(b), [1]);
});

Deno.test("AdamW.step() updates parameters whose gradients came through concat()", async () => {
  const a = tensor([[1, 2]]).requireGrad();
  const b = tensor([[3, 4]]).requireGrad();
  const opt = new AdamW([a, b], { lr: 0.1, weightDecay: 0, gradClip: 0 });
  concat([a, b]).mul(tensor([[1, -1], [1, 1]])).sum().backward();
  opt.step();
  assertAllClose(await values(a), [0.9, 2.1], TOL);
  assertAllClose(await values(b), [2.9, 3.9], TOL);
});

Deno.test("AdamW.zeroGrad() disposes and clears every gradient", () => {
  const a = tensor([1, 2]).requireGrad();
  const opt = new AdamW([a]);
  a.sum().backward();
  const g = a.grad!;
  opt.zeroGrad();
  assert.equal(a.grad, null);
  assert.equal(g.disposed, true);
});

Deno.test("AdamW uses nanoGPT's defaults", () => {
  assert.deepEqual(ADAMW_DEFAULTS, {
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weightDecay: 0.1,
    gradClip: 1.0,
  });
  assert.deepEqual(new AdamW([tensor([1]).requireGrad()], { lr: 5 }).config, {
    ...ADAMW_DEFAULTS,
    lr: 5,
  });
});
