/**
 * `lib/apps/train/logprobs.ts`: the layout of prompt ++ completion batches, and the shared-prompt
 * forward (each distinct prompt run once for its G completions) against the one forward over
 * (N, P + L): same log-probabilities and the same gradients of every parameter.
 */
import assert from "node:assert/strict";
import { tensor } from "../../../lib/engine/tensor.ts";
import { completionLogprobs, sequenceBatch } from "../../../lib/apps/train/logprobs.ts";
import type { Policy } from "../../../lib/apps/train/_policy.ts";
import { maxDiff, tinyModel } from "../../_helpers/tiny_model.ts";

Deno.test("completionLogprobs() with shared prompts equals one forward per sequence, values and gradients", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    // G = 3 completions for each of two prompts of different lengths, plus a singleton prompt
    const prompts = [[3, 1, 4], [3, 1, 4], [9, 2], [3, 1, 4], [9, 2], [9, 2], [5]];
    const completions = [[7], [8, 2, 2], [1, 1], [6, 5, 4, 3], [2], [2, 3, 9], [4, 4]];
    const batch = sequenceBatch(prompts, completions, 0);
    const run = async (sharePrompts: boolean) => {
      const { logp, mask } = completionLogprobs(model, batch, { temperature: 0.8, sharePrompts });
      const loss = logp.mul(mask).sum(); // Σ log π over real tokens
      for (const p of model.parameters()) p.grad = null;
      loss.backward();
      const grads = await Promise.all(model.parameters().map((p) => p.grad!.toArray()));
      return { logp: await logp.mul(mask).toArray(), grads };
    };
    const separate = await run(false);
    const shared = await run(true);
    assert.ok(maxDiff(shared.logp, separate.logp) < 1e-5, `${positional}: log π`);
    shared.grads.forEach((g, i) => {
      const scale = Math.max(1, ...Array.from(separate.grads[i]!, Math.abs));
      assert.ok(
        maxDiff(g, separate.grads[i]!) < 1e-4 * scale,
        `${positional}: gradient of parameter ${i} differs by ${maxDiff(g, separate.grads[i]!)}`,
      );
    });
    model.dispose();
  }
});

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: expected ${b}, got ${a}`);

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
