import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import { loadCheckpoint, saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import { tokenBudget } from "../../../lib/rmt/budget.ts";
import { tierProbs } from "../../../lib/rmt/curriculum.ts";
import { advantage } from "../../../lib/rmt/grpo.ts";
import { combinedReward, lengthReward } from "../../../lib/rmt/reward_length.ts";
import { groundTruthAt, matchReward, parseCompletion } from "../../../lib/rmt/reward_match.ts";
import { loadTrainConfig, type TrainConfig } from "../../../lib/apps/train/config.ts";
import type { StepRecord } from "../../../lib/apps/train/step.ts";
import { train } from "../../../lib/apps/train/trainer.ts";
import { loadDocuments, PRETRAIN_DATA_DEFAULTS } from "../../../lib/apps/pretrain/data.ts";
import { windows } from "../../../lib/apps/train/documents.ts";
import { tinyConfig, tinyModel, tinyTexts, tinyTokenizer } from "../../_helpers/tiny_train.ts";

const dir = await Deno.makeTempDir({ prefix: "rmt-train-test-" });
const corpus = `${dir}/corpus.jsonl`;
const texts = tinyTexts(12);
await Deno.writeTextFile(corpus, texts.map((text) => JSON.stringify({ text }) + "\n").join(""));
const tokenizer = tinyTokenizer();
const base = `${dir}/base`;
{
  const model = tinyModel();
  await saveCheckpoint(base, { model, tokenizerJson: tokenizer.toJSON(), state: { step: 0 } });
  model.dispose();
}

function config(out: string, overrides: Record<string, unknown> = {}): TrainConfig {
  return tinyConfig({
    baseCheckpoint: base,
    out: `${dir}/${out}`,
    data: { source: corpus, documents: 12 },
    ...overrides,
  });
}

async function records(out: string): Promise<StepRecord[]> {
  const text = await Deno.readTextFile(`${dir}/${out}/metrics.jsonl`);
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** A record without its wall-clock fields. */
function deterministic(r: StepRecord): Omit<StepRecord, "timing"> {
  const { timing: _timing, ...rest } = r;
  return rest;
}

const cacheDir = `${dir}/cache`;

Deno.test("train() runs RMT end to end on the CPU with finite losses", async () => {
  const result = await train({ cfg: config("rmt"), quiet: true, cacheDir });
  assert.equal(result.step, 4);
  const rs = await records("rmt");
  assert.deepEqual(rs.map((r) => r.step), [0, 1, 2, 3]);
  for (const r of rs) {
    for (const x of [r.loss, r.rlObjective, r.ntpLoss, r.gradNorm, r.meanReward]) {
      assert.ok(Number.isFinite(x), `step ${r.step}: ${x}`);
    }
    assert.equal(r.groups.length, 3);
    assert.equal(r.responses, 3 * 4);
  }
  const ck = await loadCheckpoint(result.checkpoint);
  assert.equal(ck.state.step, 4);
  ck.model.dispose();
  const summary = JSON.parse(await Deno.readTextFile(result.summary));
  assert.equal(summary.stepsDone, 4);
  const report = await Deno.readTextFile(result.report);
  assert.match(report, /4\/4 steps/);
  assert.equal(report.match(/<svg/g)?.length, 6);
});

Deno.test("metrics.jsonl rewards and budgets agree with lib/rmt recomputed from the completions", async () => {
  const cfg = config("rmt");
  const rs = await records("rmt");
  const codec = Tokenizer.fromJSON(tokenizer.toJSON());
  // documents longer than the 96-token window are split into pieces, in order
  const docs = texts.flatMap((t) => windows(codec.encode(t), 96)).filter((d) => d.length >= 2);
  for (const r of rs) {
    assert.equal(r.budget, tokenBudget(r.step, cfg.steps, cfg.rmt.budget), "§2.1 B_t");
    assert.deepEqual(r.tierProbs, tierProbs(r.step, cfg.steps, cfg.rmt.curriculum), "§3.2 p_t");
    let rlPositions = 0, docTokens = 0;
    for (const g of r.groups) {
      const doc = docs[g.doc]!;
      const truth = groundTruthAt(doc, g.pos, codec);
      const rewards = g.completions!.map((c, i) => {
        const parsed = parseCompletion(c, codec);
        const rPos = matchReward(parsed.answerBytes, truth, "exact");
        const rLen = lengthReward(parsed.reasoningLength, r.budget!, cfg.rmt.lengthReward.rMax);
        assert.equal(g.matchReward[i], rPos, "§1.4 r_pos");
        assert.equal(g.lengthReward[i], rLen, "§2.3 r_len");
        assert.equal(g.length[i], parsed.reasoningLength, "ℓ");
        return combinedReward(rPos, rLen, cfg.rmt.lengthReward.w);
      });
      assert.deepEqual(g.reward, rewards, "§2.4 r");
      assert.deepEqual(g.advantage, advantage(rewards, cfg.rmt.grpo.advantageEps), "§4.1 A");
      rlPositions++;
      docTokens += doc.length - 1;
    }
    // §4.2: NTP trains every predicted position of the step's documents except C
    assert.equal(r.ntpTokens, docTokens - rlPositions);
    const all = r.groups.flatMap((g) => g.reward);
    assert.ok(Math.abs(r.meanReward - all.reduce((a, b) => a + b, 0) / all.length) < 1e-12);
  }
});

Deno.test("train() resumed after an interruption reproduces the uninterrupted run bit for bit", async () => {
  const cfg = config("resume");
  await train({ cfg, quiet: true, cacheDir, stopAfter: 3 }); // checkpoint at step 2, crash at 3
  const partial = await records("resume");
  assert.equal(partial.length, 3);
  // the backend setting may change on resume; nothing else may
  await train({ cfg: { ...cfg, backend: "cpu" }, quiet: true, cacheDir, resume: true });
  const resumed = (await records("resume")).map(deterministic);
  const reference = (await records("rmt")).map(deterministic);
  assert.deepEqual(resumed.map((r) => r.step), [0, 1, 2, 3]);
  assert.deepEqual(resumed, reference);
  const a = await loadCheckpoint(`${dir}/resume/checkpoint`);
  const b = await loadCheckpoint(`${dir}/rmt/checkpoint`);
  const pa = a.model.parameters(), pb = b.model.parameters();
  for (let i = 0; i < pa.length; i++) {
    assert.deepEqual(await pa[i]!.toArray(), await pb[i]!.toArray());
  }
  a.model.dispose();
  b.model.dispose();
});

Deno.test("train() runs the baselines (NTP, RPT) and a KL-regularised RMT", async () => {
  const variants: [string, Record<string, unknown>][] = [
    ["ntp", { method: { rlWeight: 0, ntpWeight: 1, budget: "none", sampling: "uniform" } }],
    ["rpt", {
      method: { ntpWeight: 0, budget: "none", sampling: "entropy-filter", reward: "prefix" },
    }],
    ["kl", { steps: 2, rmt: { grpo: { groupSize: 4, klBeta: 0.05 } } }],
  ];
  for (const [name, overrides] of variants) {
    await train({ cfg: config(name, overrides), quiet: true, cacheDir });
    for (const r of await records(name)) {
      assert.ok(Number.isFinite(r.loss), `${name} step ${r.step}: loss ${r.loss}`);
      if (name === "ntp") assert.deepEqual([r.groups.length, r.responses], [0, 0]);
      if (name === "rpt") {
        assert.equal(r.budget, null);
        assert.ok(r.groups.every((g) => g.tier === 2), "RPT trains hard tokens only");
        assert.ok(r.groups.every((g) => g.lengthReward.every((x) => x === 0)), "no r_len");
      }
      if (name === "kl" && r.step > 0) assert.ok(r.meanKl > 0, "KL to π_ref after an update");
    }
  }
});

Deno.test("train() takes the base checkpoint's training documents with data.source: base", async () => {
  const data = { ...PRETRAIN_DATA_DEFAULTS, trainDocs: 10, heldOutDocs: 2, maxDocChars: 60 };
  const withCorpus = `${dir}/base_corpus`;
  const model = tinyModel();
  await saveCheckpoint(withCorpus, {
    model,
    tokenizerJson: tokenizer.toJSON(),
    state: { step: 0, corpus: { data } },
  });
  model.dispose();
  const cfg = config("from_base", {
    baseCheckpoint: withCorpus,
    steps: 1,
    data: { source: "base", documents: 0 },
  });
  await train({ cfg, quiet: true, cacheDir });
  const [r] = await records("from_base");
  const docs = loadDocuments(data).train.map((d) => tokenizer.encode(d.text));
  for (const g of r!.groups) assert.ok(g.doc < 10 && g.pos < docs[g.doc]!.length);
});

Deno.test("train() refuses to resume with another config, naming the field", async () => {
  const e = await train({ cfg: config("rmt", { lr: 0.5 }), quiet: true, cacheDir, resume: true })
    .then(() => null, (e) => e as Error);
  assert.ok(e instanceof ConfigError);
  assert.match(e.message, /^train\.lr: cannot resume with a different config/);
});

/** The error `train()` throws with `cfg`, or null. */
async function trainError(cfg: TrainConfig, opts: { resume?: boolean } = {}) {
  return await train({ cfg, quiet: true, cacheDir, ...opts }).then(() => null, (e) => e as Error);
}

Deno.test("train() refuses a run directory that holds a run unless --resume or --force", async () => {
  const cfg = config("twice", { steps: 2, checkpointEvery: 1 });
  await train({ cfg, quiet: true, cacheDir });
  const before = await Deno.readTextFile(`${cfg.out}/metrics.jsonl`);
  const e = await trainError(cfg);
  assert.ok(e instanceof ConfigError);
  assert.match(
    e.message,
    /twice: holds a run \(a checkpoint at step 2 and metrics.jsonl with 2 lines\); pass --resume to continue it, --force to delete it/,
  );
  assert.equal(await Deno.readTextFile(`${cfg.out}/metrics.jsonl`), before, "nothing overwritten");
  // --force starts over: the old checkpoint cannot be picked up by a later --resume
  await train({ cfg, quiet: true, cacheDir, force: true, stopAfter: 1 });
  assert.equal((await records("twice")).length, 1);
  const ck = await loadCheckpoint(`${cfg.out}/checkpoint`);
  assert.equal(ck.state.step, 1);
  ck.model.dispose();
});

Deno.test("train() --resume of a finished run says it is finished; a longer T is refused with the reason", async () => {
  const cfg = config("finished", { steps: 2 });
  await train({ cfg, quiet: true, cacheDir });
  const e1 = await trainError(cfg, { resume: true });
  assert.ok(e1 instanceof ConfigError);
  assert.match(
    e1.message,
    /^--resume: the run in .*finished is finished \(2\/2 steps\); nothing to resume/,
  );
  const e2 = await trainError({ ...cfg, steps: 4 }, { resume: true });
  assert.match(
    e2!.message,
    /^train\.steps: the run in .* has T = 2, not 4; a run cannot be extended/,
  );
  assert.match(e2!.message, /budget B_t and the curriculum p_t depend on t\/T/);
});

Deno.test("train() --resume finds the checkpoint a save killed between its two renames left", async () => {
  const cfg = config("renames", { steps: 3, checkpointEvery: 1 });
  await train({ cfg, quiet: true, cacheDir, stopAfter: 2 });
  // the state a kill between `checkpoint → checkpoint.old` and `tmp → checkpoint` leaves
  const model = tinyModel();
  await saveCheckpoint(`${cfg.out}/scratch`, { model, tokenizerJson: null, state: { step: 9 } });
  model.dispose();
  await Deno.rename(`${cfg.out}/checkpoint`, `${cfg.out}/checkpoint.old`);
  await Deno.rename(`${cfg.out}/scratch`, `${cfg.out}/checkpoint.tmp-1`);
  await Deno.remove(`${cfg.out}/checkpoint.tmp-1/checksums.json`); // killed before its manifest
  await train({ cfg, quiet: true, cacheDir, resume: true });
  assert.deepEqual((await records("renames")).map((r) => r.step), [0, 1, 2]);
  const names = [...Deno.readDirSync(cfg.out)].map((e) => e.name).filter((n) =>
    n.startsWith("check")
  );
  assert.deepEqual(names, ["checkpoint"], "leftovers removed");
});

Deno.test("train() refuses a corpus that is not UTF-8 text, naming the file and the byte offset", async () => {
  const latin1 = `${dir}/latin1.txt`;
  await Deno.writeFile(latin1, Uint8Array.from([...new TextEncoder().encode("caf"), 0xe9, 0x0a]));
  const e1 = await trainError(config("latin1", { data: { source: latin1 } }));
  assert.equal(e1?.message, `${latin1}: not valid UTF-8 text (invalid byte 0xe9 at byte offset 3)`);
  const binary = `${dir}/binary.txt`;
  await Deno.writeFile(binary, Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x00]));
  const e2 = await trainError(config("binary", { data: { source: binary } }));
  assert.match(e2!.message, /binary\.txt: not a text file \(NUL byte at byte offset 5\)/);
  assert.equal(await Deno.stat(`${dir}/latin1`).then(() => true, () => false), false);
});

Deno.test("train() splits a document longer than the window into pieces instead of truncating it", async () => {
  const long = `${dir}/long.txt`;
  await Deno.writeTextFile(long, "1+1=2. ".repeat(100)); // 700 tokens on one line, window 96
  const lines: string[] = [];
  const cfg = config("long", { steps: 1, data: { source: long } });
  await train({ cfg, cacheDir, write: (s) => lines.push(s) });
  const text = lines.join("");
  assert.match(
    text,
    /1 documents, 1 longer than the 96-token window split into pieces \(8 in all\)/,
  );
  const [r] = await records("long");
  // NTP trains on the tokens of every piece, not only the first 96
  assert.ok(r!.ntpTokens > 96, `ntpTokens ${r!.ntpTokens}`);
});

Deno.test("train() prints a short summary, a legend before the progress and a headline at the end", async () => {
  const lines: string[] = [];
  const cfg = config("talk", { steps: 2 });
  await train({ cfg, cacheDir, write: (s) => lines.push(s) });
  const text = lines.join("");
  const legend = text.indexOf("columns: B_t budget");
  assert.ok(legend > 0, "a legend");
  assert.ok(legend < text.search(/^ *1\/2 /m), "the legend comes before the first progress line");
  assert.ok(text.slice(0, legend).split("\n").length <= 9, "a few lines before the progress");
  for (const symbol of ["r̄", "ℓ̄", "B_t", "p(e/m/h)", "match", "nll"]) {
    assert.ok(text.slice(legend).split("\n")[0]!.includes(symbol), `legend explains ${symbol}`);
  }
  assert.match(
    text,
    /result \(step 1 → step 2\): match rate [\d.]+% → [\d.]+%, reasoning length ℓ̄ [\d.]+ → [\d.]+ tokens, budget B_t 6 → \d+/,
  );
  assert.match(text, /how to read it: .*falling r̄ is expected/);
  // the full config is in the run directory, not on the terminal
  assert.ok(!text.includes("positionsPerStep"));
  assert.match(await Deno.readTextFile(`${cfg.out}/config.yaml`), /^positionsPerStep: 3$/m);
  // and it is a config: loading it gives the run's config back
  assert.deepEqual(loadTrainConfig(`${cfg.out}/config.yaml`), cfg);
});
