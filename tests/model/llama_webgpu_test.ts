/**
 * The Llama-family decoder on the WebGPU backend: the Qwen2 fixture (GQA, q/k/v biases, tied
 * head, BF16 weights) loaded onto the GPU gives transformers' logits within 1e-3 of the largest
 * |logit| and its greedy tokens through the KV cache. Skipped without an adapter.
 */
import assert from "node:assert/strict";
import { generate } from "../../lib/model/generate.ts";
import { loadHfModel } from "../../lib/model/load.ts";
import { getBackend, noGrad, setBackend, tensor } from "../../lib/engine/tensor.ts";
import { gpu, ignore } from "../_helpers/gpu.ts";

const DIR = new URL("../fixtures/hf/qwen2", import.meta.url).pathname;

Deno.test({
  name: "WebGPU: Llama logits and greedy KV-cache generation match transformers",
  ignore,
  async fn() {
    const want = JSON.parse(await Deno.readTextFile(`${DIR}/expected.json`));
    const previous = getBackend();
    setBackend(gpu());
    try {
      const { model } = await loadHfModel(DIR);
      const x = tensor([want.ids], undefined, { dtype: "i32", backend: gpu() });
      const got = await noGrad(() => model.forward(x)).toArray();
      let d = 0, m = 0;
      got.forEach((v, i) => {
        d = Math.max(d, Math.abs(v - want.logits[i]));
        m = Math.max(m, Math.abs(want.logits[i]));
      });
      assert.ok(d / m < 1e-3, `logits differ by ${d / m} relative`);
      const out = await generate(model, [want.greedy[1].ids], 1, {
        maxNewTokens: want.greedy[1].completion.length,
        temperature: 0,
        topK: 0,
        seed: 1,
        stopIds: [],
        readChunk: 4,
      });
      assert.deepEqual(out.completions[0], want.greedy[1].completion);
      x.dispose();
      model.dispose();
    } finally {
      setBackend(previous);
    }
  },
});
