/**
 * `lib/apps/pretrain/start.ts`: an `init` checkpoint is opened with its weights, tokenizer and
 * step, a missing directory or a different model config is a one-line error naming `init`, and
 * a checkpoint written before `init` existed still resumes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, readYamlFile } from "../../../lib/util/config.ts";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import { GPT } from "../../../lib/model/gpt.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import { type PretrainConfig, resolvePretrainConfig } from "../../../lib/apps/pretrain/config.ts";
import { checkInit, openInit, startRun } from "../../../lib/apps/pretrain/start.ts";
import { AdamW } from "../../../lib/engine/optim/adamw.ts";

await initBackend("cpu");

function tinyConfig(overrides: Record<string, unknown>): PretrainConfig {
  const tiny = readYamlFile("configs/pretrain_tiny.yaml");
  return resolvePretrainConfig({ ...tiny, ...overrides }, "configs/pretrain_tiny.yaml");
}

/** A checkpoint of the tiny config's model and a small tokenizer, recorded at step 5. */
async function savedInit(
  dir: string,
): Promise<{ ck: string; weights: Float32Array[]; vocab: number }> {
  const tok = Tokenizer.train(["12+34=46 and 5*6=30"], { vocabSize: 262 });
  const model = new GPT({ ...tinyConfig({}).model, vocabSize: tok.vocabSize });
  const ck = `${dir}/ck`;
  await saveCheckpoint(ck, {
    model,
    tokenizerJson: tok.toJSON(),
    state: { kind: "pretrain", step: 5 },
  });
  const weights = await Promise.all(
    model.namedParameters().map(async (p) => Float32Array.from(await p.tensor.toArray())),
  );
  model.dispose();
  return { ck, weights, vocab: tok.vocabSize };
}

const oneLine = (re: RegExp) => (e: Error) =>
  e instanceof ConfigError && re.test(e.message) && !e.message.includes("\n");

Deno.test("openInit() returns the checkpoint's weights, tokenizer and step when the model configs match", async () => {
  const dir = Deno.makeTempDirSync();
  const { ck, weights, vocab } = await savedInit(dir);
  const init = await openInit(tinyConfig({ init: ck }));
  assert.deepEqual(init.origin, { dir: ck, step: 5 });
  assert.equal(init.tokenizer.vocabSize, vocab);
  assert.deepEqual(
    init.tokenizer.encode("12+34=46"),
    Tokenizer.fromJSON(
      JSON.parse(Deno.readTextFileSync(`${ck}/tokenizer.json`)),
    ).encode("12+34=46"),
  );
  const loaded = await Promise.all(
    init.model.namedParameters().map(async (p) => Float32Array.from(await p.tensor.toArray())),
  );
  assert.deepEqual(loaded, weights);
  init.model.dispose();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("openInit() names the first differing model field in one line when the configs differ", async () => {
  const dir = Deno.makeTempDirSync();
  const { ck, vocab } = await savedInit(dir);
  const model = tinyConfig({}).model;
  await assert.rejects(
    () => openInit(tinyConfig({ init: ck, model: { ...model, nEmbd: 32 } })),
    oneLine(new RegExp(`^init: ${ck} has model\\.nEmbd 16, the config asks for 32$`)),
  );
  await assert.rejects(
    () => openInit(tinyConfig({ init: ck, model: { ...model, positional: "rope" } })),
    oneLine(/has model\.positional "learned", the config asks for "rope"$/),
  );
  // the vocabulary is the tokenizer's: the data section's vocabSize does not matter
  const data = { ...tinyConfig({}).data, vocabSize: 400 };
  const init = await openInit(tinyConfig({ init: ck, data }));
  assert.equal(init.tokenizer.vocabSize, vocab);
  init.model.dispose();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("checkInit() refuses a directory without a checkpoint in one line naming the field", async () => {
  const dir = Deno.makeTempDirSync();
  await checkInit(tinyConfig({})); // init "" = from scratch
  await assert.rejects(
    () => checkInit(tinyConfig({ init: `${dir}/none` }), "--init"),
    oneLine(new RegExp(`^--init: ${dir}/none: no checkpoint here \\(missing directory\\)$`)),
  );
  await assert.rejects(
    () => openInit(tinyConfig({ init: dir })),
    oneLine(new RegExp(`^init: ${dir}: no checkpoint here \\(no config\\.json\\)$`)),
  );
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("startRun() resumes a checkpoint written before init, questionFraction, reasoningKinds and operandDigits existed when the config leaves them at their defaults", async () => {
  const dir = Deno.makeTempDirSync();
  const tok = Tokenizer.train(["12+34=46"], { vocabSize: 262 });
  const cfg = tinyConfig({ out: dir });
  const { init: _, ...rest } = cfg; // what such a checkpoint's state.json holds
  const { questionFraction: _q, reasoningKinds: _k, operandDigits: _d, ...olderData } = cfg.data;
  const older = { ...rest, data: olderData };
  const model = new GPT({ ...cfg.model, vocabSize: tok.vocabSize });
  const opt = new AdamW(model.parameters());
  await saveCheckpoint(`${dir}/checkpoint`, {
    model,
    tokenizerJson: tok.toJSON(),
    optimizer: opt,
    state: { kind: "pretrain", step: 2, config: older },
  });
  model.dispose();
  opt.dispose();
  const lines: string[] = [];
  const run = await startRun(cfg, tok, null, {}, { resume: true, log: (l) => lines.push(l) });
  assert.equal(run.start, 2);
  assert.equal(run.origin, null);
  assert.deepEqual(lines, [`resumed from ${dir}/checkpoint at step 2`]);
  run.model.dispose();
  run.opt.dispose();
  // a run that asks for an init its checkpoint does not record is refused
  await assert.rejects(
    () => startRun({ ...cfg, init: "x" }, tok, null, {}, { resume: true, log: () => {} }),
    oneLine(/^--resume: init differs from the checkpoint's configuration/),
  );
  // as is one that asks for question demonstrations
  const questions = { ...cfg, data: { ...cfg.data, questionFraction: 0.2 } };
  await assert.rejects(
    () => startRun(questions, tok, null, {}, { resume: true, log: () => {} }),
    oneLine(/^--resume: data\.questionFraction differs from the checkpoint's configuration/),
  );
  // or another corpus
  const digits = { ...cfg, data: { ...cfg.data, operandDigits: [3, 4] } };
  await assert.rejects(
    () => startRun(digits, tok, null, {}, { resume: true, log: () => {} }),
    oneLine(/^--resume: data\.operandDigits.* differs from the checkpoint's configuration/),
  );
  Deno.removeSync(dir, { recursive: true });
});
