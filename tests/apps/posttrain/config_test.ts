import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import {
  loadPostTrainConfig,
  POSTTRAIN_DEFAULTS,
  resolvePostTrainConfig,
} from "../../../lib/apps/posttrain/config.ts";

Deno.test("configs/posttrain.yaml resolves; bad values are one-line ConfigErrors", () => {
  const cfg = loadPostTrainConfig("configs/posttrain.yaml");
  assert.equal(cfg.grpo.groupSize, 8);
  assert.equal(cfg.eval.temperature, 0, "accuracy is measured greedily by default");
  assert.throws(() => resolvePostTrainConfig({ grpo: { groupSize: 1 } }), ConfigError);
  assert.throws(
    () => resolvePostTrainConfig({ trainSeed: 5, heldOutSeed: 5 }),
    /posttrain.heldOutSeed/,
  );
  assert.throws(() => resolvePostTrainConfig({ difficulties: [5] }), /posttrain.difficulties/);
  assert.equal(POSTTRAIN_DEFAULTS.heldOutQuestions, 200);
});
