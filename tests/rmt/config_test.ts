import assert from "node:assert/strict";
import { readYamlFile } from "../../lib/util/config.ts";
import { RMT } from "../../lib/rmt/config.ts";

const YAML = new URL("../../configs/rmt_components.yaml", import.meta.url).pathname;

Deno.test("RMT.resolve() returns the scaled defaults of §11.3", () => {
  const cfg = RMT.resolve(undefined);
  assert.deepEqual(cfg, RMT.defaults);
  assert.deepEqual(cfg.budget, { b0: 218, bMin: 1, gamma: 0.2, k: 1 });
  assert.deepEqual(cfg.lengthReward, { rMax: 1, w: 0.2 });
  assert.equal(cfg.reward.mode, "exact");
  assert.deepEqual(cfg.entropy.thresholds, [0.5, 1, 1.5]);
  assert.deepEqual([cfg.curriculum.t1Frac, cfg.curriculum.t2Frac], [0.3, 0.7]);
  assert.deepEqual([cfg.curriculum.pT1, cfg.curriculum.pT2], [[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]);
  assert.deepEqual(cfg.grpo, {
    groupSize: 8,
    clipEps: 0.2,
    klBeta: 0,
    advantageEps: 1e-6,
    temperature: 0.8,
  });
  assert.equal(cfg.objective.lambda, 0.1);
  assert.equal(cfg.prompt.maxContextTokens, 160);
});

Deno.test("RMT.resolve() returns a copy: changing it leaves the defaults alone", () => {
  const cfg = RMT.resolve({});
  cfg.curriculum.pT1[0] = 0;
  cfg.budget.b0 = 1;
  assert.equal(RMT.defaults.curriculum.pT1[0], 0.6);
  assert.equal(RMT.defaults.budget.b0, 218);
});

Deno.test("configs/rmt_components.yaml resolves to the defaults", () => {
  assert.deepEqual(RMT.resolve(readYamlFile(YAML)), RMT.defaults);
});

Deno.test("RMT.resolve() applies partial overrides section by section", () => {
  const cfg = RMT.resolve({
    budget: { b0: 800 },
    reward: { mode: "prefix" },
    entropy: { topK: 16 },
  });
  assert.deepEqual(cfg.budget, { b0: 800, bMin: 1, gamma: 0.2, k: 1 });
  assert.equal(cfg.reward.mode, "prefix");
  assert.equal(cfg.entropy.topK, 16);
  assert.deepEqual(cfg.grpo, RMT.defaults.grpo);
});

Deno.test("RMT.resolve() rejects each out-of-range value with a one-line message naming it", () => {
  const cases: [unknown, RegExp][] = [
    [{ budget: { gamma: 1 } }, /^rmt\.budget\.gamma: expected a number in \(0, 1\), got 1$/],
    [{ budget: { gamma: -0.2 } }, /^rmt\.budget\.gamma:/],
    [{ budget: { bMin: 0 } }, /^rmt\.budget\.bMin:/],
    [{ lengthReward: { w: 2 } }, /^rmt\.lengthReward\.w:/],
    [{ reward: { mode: "dense" } }, /^rmt\.reward\.mode:/],
    [{ entropy: { thresholds: [1.5, 1, 0.5] } }, /^rmt\.entropy\.thresholds:/],
    [
      { curriculum: { t1Frac: 0.8 } },
      /^rmt\.curriculum\.t2Frac: expected a number in \(t1Frac = 0\.8, 1\)/,
    ],
    [
      { curriculum: { pT1: [0.5, 0.3, 0.1] } },
      /^rmt\.curriculum\.pT1: expected 3 non-negative numbers summing to 1, got \[0\.5,0\.3,0\.1\]$/,
    ],
    [{ grpo: { clipEps: 0 } }, /^rmt\.grpo\.clipEps:/],
    [{ objective: { lambda: -0.1 } }, /^rmt\.objective\.lambda:/],
    [{ prompt: { maxContextTokens: 0 } }, /^rmt\.prompt\.maxContextTokens:/],
    [
      { objective: { lambda: "0.1" } },
      /^rmt\.objective\.lambda: expected a number, got string "0\.1"$/,
    ],
    [{ grpo: { beta: 0.1 } }, /^rmt\.grpo\.beta: unknown key/],
    [{ bugdet: {} }, /^rmt\.bugdet: unknown key/],
  ];
  for (const [overrides, message] of cases) {
    assert.throws(
      () => RMT.resolve(overrides),
      (e: Error) =>
        e.name === "ConfigError" && !e.message.includes("\n") && message.test(e.message),
      JSON.stringify(overrides),
    );
  }
});
