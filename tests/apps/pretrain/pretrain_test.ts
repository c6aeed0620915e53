/**
 * Tests of the pre-training loop (`lib/apps/pretrain/pretrain.ts`) and its config and command:
 * `--resume` reproduces an uninterrupted run bit for bit, checkpoints and metrics are written,
 * bad configs or flags fail with one line naming the field or flag, and an `init` run starts
 * from another checkpoint's weights and tokenizer and resumes like any other.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, readYamlFile } from "../../../lib/util/config.ts";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { type PretrainConfig, resolvePretrainConfig } from "../../../lib/apps/pretrain/config.ts";
import { pretrain, type PretrainMetrics } from "../../../lib/apps/pretrain/pretrain.ts";
import { buildPretrainCorpus } from "../../../lib/apps/pretrain/data.ts";
import { loadCheckpoint } from "../../../lib/model/checkpoint.ts";

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

/** A finished 6-step tiny run (the `init` of the tests below), shared by them. */
let firstRun: Promise<string> | null = null;
function initCheckpoint(): Promise<string> {
  firstRun ??= (async () => {
    const dir = Deno.makeTempDirSync({ prefix: "pretrain-init-" });
    await pretrain(tinyConfig(dir), quiet);
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    return `${dir}/checkpoint`;
  })();
  return firstRun;
}

/** The weights of a checkpoint by parameter name, read back exactly. */
async function weightsOf(ck: string): Promise<Record<string, Float32Array>> {
  const { model } = await loadCheckpoint(ck, { optimizer: false });
  const out: Record<string, Float32Array> = {};
  for (const p of model.namedParameters()) {
    out[p.name] = Float32Array.from(await p.tensor.toArray());
  }
  model.dispose();
  return out;
}

Deno.test("pretrain() starts from the init checkpoint's weights and tokenizer when init is set, even with another data section", async () => {
  const init = await initCheckpoint();
  const dir = Deno.makeTempDirSync();
  const tiny = tinyConfig(dir);
  const cfg = { ...tiny, init, data: { ...tiny.data, trainSeed: 11 } };
  // a BPE trained on this data section would differ: the init's must be used instead
  const own = buildPretrainCorpus(cfg.data, cfg.prompt).tokenizer.toJSON();
  const initTokenizer = JSON.parse(Deno.readTextFileSync(`${init}/tokenizer.json`));
  assert.notDeepEqual(own, initTokenizer);
  const lines: string[] = [];
  const r = await pretrain(cfg, { progress: null, log: (l) => lines.push(l), stopAfter: 0 });
  assert.equal(r.step, 0);
  assert.ok(lines.includes(`initialised from ${init} (step 6)`), lines.join("\n"));
  // step 0, before any update: the first run's final weights, exactly
  assert.deepEqual(await weightsOf(r.checkpoint), await weightsOf(init));
  assert.deepEqual(
    JSON.parse(Deno.readTextFileSync(`${r.checkpoint}/tokenizer.json`)),
    initTokenizer,
  );
  const state = JSON.parse(Deno.readTextFileSync(`${r.checkpoint}/state.json`));
  assert.equal(state.initFrom, init);
  assert.equal(state.initStep, 6);
  assert.equal(state.config.init, init);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("pretrain() refuses an init checkpoint of another model config in one line before printing or writing", async () => {
  const init = await initCheckpoint();
  const dir = `${Deno.makeTempDirSync()}/run`;
  const tiny = tinyConfig(dir);
  const lines: string[] = [];
  await assert.rejects(
    () =>
      pretrain({ ...tiny, init, model: { ...tiny.model, nLayer: 2 } }, {
        progress: null,
        log: (l) => lines.push(l),
      }),
    (e: Error) =>
      e instanceof ConfigError &&
      e.message === `init: ${init} has model.nLayer 1, the config asks for 2`,
  );
  assert.deepEqual(lines, []);
  assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});

Deno.test("pretrain() resumes an init run bit for bit and keeps its origin when resume is set", async () => {
  const init = await initCheckpoint();
  const a = Deno.makeTempDirSync(), b = Deno.makeTempDirSync();
  const cfgA = { ...tinyConfig(a), init, steps: 4 }, cfgB = { ...tinyConfig(b), init, steps: 4 };
  const full = await pretrain(cfgA, quiet);
  await pretrain(cfgB, { ...quiet, stopAfter: 2 });
  const lines: string[] = [];
  const resumed = await pretrain(cfgB, { progress: null, log: (l) => lines.push(l), resume: true });
  assert.equal(resumed.step, 4);
  assert.ok(lines.includes(`initialised from ${init} (step 6)`), lines.join("\n"));
  assert.deepEqual(
    Deno.readFileSync(`${b}/checkpoint/model.safetensors`),
    Deno.readFileSync(`${a}/checkpoint/model.safetensors`),
  );
  assert.deepEqual(heldOut(resumed.metrics), heldOut(full.metrics)); // steps 3 and 4
  const state = JSON.parse(Deno.readTextFileSync(`${b}/checkpoint/state.json`));
  assert.deepEqual([state.step, state.initFrom, state.initStep], [4, init, 6]);
  // the fresh optimizer's warm-up starts again at step 0: lr of step 1 is lr/warmupSteps
  assert.equal(full.metrics[0].lr, cfgA.lr / cfgA.warmupSteps);
  Deno.removeSync(a, { recursive: true });
  Deno.removeSync(b, { recursive: true });
});
