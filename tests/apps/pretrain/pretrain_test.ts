/**
 * Tests of the pre-training loop (`lib/apps/pretrain/pretrain.ts`) and its config and command:
 * `--resume` reproduces an uninterrupted run bit for bit, checkpoints and metrics are written,
 * and bad configs or flags fail with one line naming the field or flag.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, readYamlFile } from "../../../lib/util/config.ts";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { type PretrainConfig, resolvePretrainConfig } from "../../../lib/apps/pretrain/config.ts";
import { pretrain, type PretrainMetrics } from "../../../lib/apps/pretrain/pretrain.ts";
import { buildPretrainCorpus } from "../../../lib/apps/pretrain/data.ts";

await initBackend("cpu");

function tinyConfig(out: string): PretrainConfig {
  const overrides = readYamlFile("configs/pretrain_tiny.yaml");
  return resolvePretrainConfig({ ...overrides, out }, "configs/pretrain_tiny.yaml");
}

const quiet = { progress: null, log: () => {} };
const losses = (ms: PretrainMetrics[]) => ms.filter((m) => m.loss !== undefined).map((m) => m.loss);
const heldOut = (ms: PretrainMetrics[]) =>
  ms.filter((m) => m.heldOutLoss !== undefined).map((m) => m.heldOutLoss);
const readLog = (dir: string) =>
  Deno.readTextFileSync(`${dir}/metrics.jsonl`).trim().split("\n").map((l) => JSON.parse(l));

Deno.test("resume: 3 steps + resume 3 steps equals 6 uninterrupted steps, bit for bit", async () => {
  const a = Deno.makeTempDirSync(), b = Deno.makeTempDirSync();
  const cfgA = tinyConfig(a), cfgB = tinyConfig(b);
  const corpus = buildPretrainCorpus(cfgA.data, cfgA.prompt);
  const full = await pretrain(cfgA, { ...quiet, corpus });
  assert.equal(full.step, 6);
  const first = await pretrain(cfgB, { ...quiet, corpus, stopAfter: 3 });
  assert.equal(first.step, 3);
  const second = await pretrain(cfgB, { ...quiet, corpus, resume: true });
  assert.equal(second.step, 6);
  const lossesA = losses(full.metrics);
  assert.equal(lossesA.length, 6);
  assert.deepEqual([...losses(first.metrics), ...losses(second.metrics)], lossesA);
  assert.deepEqual(heldOut(second.metrics), heldOut(full.metrics).slice(-1));
  // Same weights and optimizer state at the end, and the same log file.
  for (const f of ["model.safetensors", "optimizer.safetensors"]) {
    assert.deepEqual(
      Deno.readFileSync(`${b}/checkpoint/${f}`),
      Deno.readFileSync(`${a}/checkpoint/${f}`),
    );
  }
  const strip = (ls: Record<string, unknown>[]) =>
    ls.map(({ loss, gradNorm, heldOutLoss, step }) => ({ loss, gradNorm, heldOutLoss, step }));
  assert.deepEqual(strip(readLog(b)), strip(readLog(a)));
  const state = JSON.parse(Deno.readTextFileSync(`${a}/checkpoint/state.json`));
  assert.equal(state.kind, "pretrain");
  assert.equal(state.step, 6);
  assert.deepEqual(state.corpus.prompt, cfgA.prompt);
  Deno.removeSync(a, { recursive: true });
  Deno.removeSync(b, { recursive: true });
});

Deno.test("resume: a changed configuration is refused with one line naming the field", async () => {
  const dir = Deno.makeTempDirSync();
  const cfg = tinyConfig(dir);
  const corpus = buildPretrainCorpus(cfg.data, cfg.prompt);
  await pretrain(cfg, { ...quiet, corpus, stopAfter: 1 });
  await assert.rejects(
    () => pretrain({ ...cfg, lr: 0.5 }, { ...quiet, corpus, resume: true }),
    (e: Error) =>
      e instanceof ConfigError && /^--resume: lr differs/.test(e.message) &&
      !e.message.includes("\n"),
  );
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("resume: a missing checkpoint is a one-line error", async () => {
  const dir = Deno.makeTempDirSync();
  await assert.rejects(
    () => pretrain(tinyConfig(dir), { ...quiet, resume: true }),
    (e: Error) => /checkpoint/.test(e.message) && !e.message.includes("\n"),
  );
  Deno.removeSync(dir, { recursive: true });
});
