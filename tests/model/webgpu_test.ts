/**
 * The GPT on the WebGPU backend against the CPU backend (the oracle), on a tiny model with the
 * same weights: forward logits agree (|Δ| ≤ 1e-3 for logits of size O(10)), and greedy
 * KV-cache generation on the GPU produces the CPU's tokens. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import { generate } from "../../lib/model/generate.ts";
import { GPT } from "../../lib/model/gpt.ts";
import { getBackend, noGrad, setBackend, type Tensor } from "../../lib/engine/tensor.ts";
import { gpu, ignore } from "../_helpers/gpu.ts";
import { ids, maxDiff, tinyModel } from "../_helpers/tiny_model.ts";

/** A copy of `model` on the GPU (same config, same weights). */
async function onGpu(model: GPT): Promise<GPT> {
  const previous = getBackend();
  setBackend(gpu());
  try {
    const copy = new GPT(model.config);
    const src = model.parameters();
    for (const [i, p] of copy.parameters().entries()) {
      p.backend.write(p.view.storage, await src[i].toArray());
    }
    return copy;
  } finally {
    setBackend(previous);
  }
}

Deno.test({
  name: "WebGPU: GPT logits and greedy KV-cache generation match the CPU",
  ignore,
  async fn() {
    for (const positional of ["learned", "rope"] as const) {
      const cpuModel = await tinyModel({ positional });
      const gpuModel = await onGpu(cpuModel);
      const x = [[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]];
      const want = await noGrad(() => cpuModel.forward(ids(x))).toArray();
      const got = await noGrad(() => gpuModel.forward(toGpu(x))).toArray();
      assert.ok(maxDiff(got, want) < 1e-3, `${positional}: logits differ by ${maxDiff(got, want)}`);

      // repeated prompts: the GPU run prefills them once (sharePrefill), the CPU run too
      const prompts = [[3, 1, 4, 1, 5], [9], [2, 6], [9], [3, 1, 4, 1, 5]];
      const opts = {
        maxNewTokens: 8,
        temperature: 0,
        topK: 0,
        seed: 1,
        stopIds: [],
        readChunk: 4,
      };
      const a = await generate(cpuModel, prompts, 0, opts);
      const b = await generate(gpuModel, prompts, 0, opts);
      assert.deepEqual(b.completions, a.completions, positional);
      const c = await generate(gpuModel, prompts, 0, { ...opts, sharePrefill: false });
      assert.deepEqual(c.completions, a.completions, `${positional}, separate prefills`);
      // sampled, with rows stopping at different times: dropping them from the batch on the
      // GPU samples the same tokens as decoding them to the end
      const sampled = { ...opts, temperature: 1, maxNewTokens: 12, readChunk: 2 };
      const free = await generate(gpuModel, prompts, 0, sampled);
      const stopIds = [free.completions[0][1]];
      const d = await generate(gpuModel, prompts, 0, { ...sampled, stopIds });
      const e = await generate(gpuModel, prompts, 0, { ...sampled, stopIds, compact: false });
      assert.deepEqual(d.completions, e.completions, `${positional}, compacted batch`);
      assert.ok(d.rowSteps <= e.rowSteps);
      cpuModel.dispose();
      gpuModel.dispose();
    }
  },
});

/** i32 ids (B, T) on the GPU. */
function toGpu(rows: number[][]): Tensor {
  const previous = getBackend();
  setBackend(gpu());
  try {
    return ids(rows);
  } finally {
    setBackend(previous);
  }
}
