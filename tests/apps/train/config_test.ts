import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import {
  loadTrainConfig,
  resolveTrainConfig,
  samplingProbs,
} from "../../../lib/apps/train/config.ts";

const CONFIGS = [
  "rmt",
  "ntp",
  "rpt",
  "rmt_no_dtb",
  "rmt_no_cas",
  "rmt_no_ntp",
  "rmt_tiny",
  "rmt_gpu",
];

Deno.test("every configs/*.yaml of the trainer resolves", () => {
  for (const name of CONFIGS) {
    const cfg = loadTrainConfig(`configs/${name}.yaml`);
    assert.equal(cfg.out, `runs/${name}`, name);
  }
});

Deno.test("baselines and ablations differ from RMT only in method values (§6.6, §7)", () => {
  const rmt = loadTrainConfig("configs/rmt.yaml");
  const expected: Record<string, Partial<typeof rmt.method>> = {
    rmt_no_dtb: { budget: "none" },
    rmt_no_cas: { sampling: "uniform" },
    rmt_no_ntp: { ntpWeight: 0 },
    rpt: { ntpWeight: 0, budget: "none", sampling: "entropy-filter", reward: "prefix" },
    ntp: { rlWeight: 0, ntpWeight: 1, budget: "none", sampling: "uniform" },
  };
  for (const [name, method] of Object.entries(expected)) {
    const cfg = loadTrainConfig(`configs/${name}.yaml`);
    assert.deepEqual(cfg.method, { ...rmt.method, ...method }, name);
    // everything but out, method and the two method-derived rmt fields is RMT's
    const strip = (c: typeof rmt) => ({
      ...c,
      out: "",
      method: null,
      rmt: { ...c.rmt, objective: null, reward: null },
    });
    assert.deepEqual(strip(cfg), strip(rmt), name);
    assert.equal(cfg.rmt.objective.lambda, cfg.method.ntpWeight);
    assert.equal(cfg.rmt.reward.mode, cfg.method.reward);
  }
  assert.deepEqual(samplingProbs(0, 10, loadTrainConfig("configs/rpt.yaml")), [0, 0, 1]);
  assert.deepEqual(samplingProbs(9, 10, rmt), [0.1, 0.3, 0.6]);
});

Deno.test("resolveTrainConfig() rejects bad values with a one-line error naming the field", () => {
  const cases: [unknown, RegExp][] = [
    [{ steps: 0 }, /^train\.steps: expected an integer ≥ 1, got 0$/],
    [{ method: { sampling: "random" } }, /^train\.method\.sampling: expected/],
    [{ method: { budget: "fixed" } }, /^train\.method\.budget: expected/],
    [{ method: { rlWeight: 0, ntpWeight: 0 } }, /^train\.method\.ntpWeight/],
    [{ rmt: { grpo: { groupSize: 0 } } }, /^train\.rmt\.grpo\.groupSize/],
    [{ rmt: { reward: { mode: "prefix" } } }, /^train\.rmt\.reward: set the reward mode/],
    [{ lr: "fast" }, /^train\.lr: expected a number/],
    [{ stpes: 3 }, /^train\.stpes: unknown key/],
    [{ backend: "gpu" }, /^train\.backend: expected auto, cpu or webgpu, got "gpu"$/],
  ];
  for (const [overrides, pattern] of cases) {
    assert.throws(() => resolveTrainConfig(overrides), (e: Error) => {
      assert.ok(e instanceof ConfigError, `${JSON.stringify(overrides)}: ${e}`);
      assert.ok(!e.message.includes("\n"), "one line");
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("resolveTrainConfig() accepts the derived rmt.objective and rmt.reward when they agree with method", () => {
  const cfg = resolveTrainConfig({ method: { ntpWeight: 0.3 } });
  assert.deepEqual(resolveTrainConfig(JSON.parse(JSON.stringify(cfg))), cfg);
  assert.throws(
    () => resolveTrainConfig({ method: { ntpWeight: 0.3 }, rmt: { objective: { lambda: 0.1 } } }),
    /^ConfigError: train\.rmt\.objective: set λ with method\.ntpWeight instead$/,
  );
  assert.throws(
    () => resolveTrainConfig({ rmt: { reward: { mode: "prefix" } } }),
    /train\.rmt\.reward: set the reward mode with method\.reward instead/,
  );
});
