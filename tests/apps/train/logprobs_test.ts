/**
 * `lib/apps/train/logprobs.ts`: the layout of prompt ++ completion batches, and the shared-prompt
 * forward (each distinct prompt run once for its G completions) against the one forward over
 * (N, P + L): same log-probabilities and the same gradients of every parameter.
 */
import assert from "node:assert/strict";
import { completionLogprobs, sequenceBatch } from "../../../lib/apps/train/logprobs.ts";
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
