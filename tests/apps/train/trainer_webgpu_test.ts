import assert from "node:assert/strict";
import { getBackend, setBackend } from "../../../lib/engine/tensor.ts";
import { saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import type { StepRecord } from "../../../lib/apps/train/step.ts";
import { train } from "../../../lib/apps/train/trainer.ts";
import { gpu, ignore } from "../../_helpers/gpu.ts";
import { tinyConfig, tinyModel, tinyTexts, tinyTokenizer } from "../../_helpers/tiny_train.ts";

Deno.test({
  name: "train() runs RMT end to end on WebGPU with finite losses",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "rmt-train-webgpu-" });
    const corpus = `${dir}/corpus.jsonl`;
    await Deno.writeTextFile(
      corpus,
      tinyTexts(8).map((text) => JSON.stringify({ text }) + "\n").join(""),
    );
    const cpu = getBackend();
    setBackend(gpu());
    try {
      const model = tinyModel();
      await saveCheckpoint(`${dir}/base`, {
        model,
        tokenizerJson: tinyTokenizer().toJSON(),
        state: { step: 0 },
      });
      model.dispose();
      const cfg = tinyConfig({
        baseCheckpoint: `${dir}/base`,
        out: `${dir}/out`,
        steps: 2,
        positionsPerStep: 1,
        maxNewTokens: 6,
        data: { source: corpus, documents: 8 },
        rmt: { grpo: { groupSize: 2 } },
      });
      await train({ cfg, quiet: true, cacheDir: null });
      const lines = (await Deno.readTextFile(`${dir}/out/metrics.jsonl`)).trim().split("\n");
      const records = lines.map((l) => JSON.parse(l) as StepRecord);
      assert.equal(records.length, 2);
      for (const r of records) assert.ok(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm));
    } finally {
      setBackend(cpu);
    }
  },
});
