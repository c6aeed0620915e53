import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import { tokenBudget } from "../../../lib/rmt/budget.ts";
import { tierProbs } from "../../../lib/rmt/curriculum.ts";
import { groupAdvantages } from "../../../lib/rmt/grpo.ts";
import { combinedReward, lengthReward } from "../../../lib/rmt/reward_length.ts";
import { groundTruthAt, matchReward, parseCompletion } from "../../../lib/rmt/reward_match.ts";
import type { TrainConfig } from "../../../lib/apps/train/config.ts";
import type { StepRecord } from "../../../lib/apps/train/step.ts";
import { train } from "../../../lib/apps/train/trainer.ts";
import { loadDocuments, PRETRAIN_DATA_DEFAULTS } from "../../../lib/apps/pretrain/data.ts";
import { main } from "../../../lib/apps/cli/train.ts";
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
  assert.equal(report.match(/<svg/g)?.length, 4);
});

Deno.test("metrics.jsonl rewards and budgets agree with lib/rmt recomputed from the completions", async () => {
  const cfg = config("rmt");
  const rs = await records("rmt");
  const codec = Tokenizer.fromJSON(tokenizer.toJSON());
  const docs = texts.map((t) => codec.encode(t).slice(0, 96));
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
      assert.deepEqual(g.advantage, groupAdvantages(rewards, cfg.rmt.grpo.advantageEps), "§4.1 A");
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
  const docs = loadDocuments(data).train.map((d) => tokenizer.encode(d.text).slice(0, 96));
  for (const g of r!.groups) assert.ok(g.doc < 10 && g.pos < docs[g.doc]!.length);
});

/** Runs `main` and returns the one-line error it throws. */
async function cliError(args: string[]): Promise<Error> {
  const log = console.log;
  console.log = () => {};
  try {
    await main(args);
  } catch (e) {
    return e as Error;
  } finally {
    console.log = log;
  }
  throw new Error(`main(${args.join(" ")}) did not throw`);
}

Deno.test("train CLI: a bad config value or a missing checkpoint is a one-line error", async () => {
  const bad = `${dir}/bad.yaml`;
  await Deno.writeTextFile(
    bad,
    "extends: " + Deno.cwd() + "/configs/rmt.yaml\nmethod:\n  budget: fixed\n",
  );
  const e1 = await cliError(["--config", bad, "--backend", "cpu"]);
  assert.ok(e1 instanceof ConfigError);
  assert.match(e1.message, /^train\.method\.budget: expected "dynamic" or "none", got "fixed"$/);

  const missing = `${dir}/missing.yaml`;
  await Deno.writeTextFile(missing, `baseCheckpoint: ${dir}/no-such-base\nout: ${dir}/m\n`);
  const e2 = await cliError(["--config", missing, "--backend", "cpu"]);
  assert.ok(e2 instanceof CheckpointError);
  assert.ok(!e2.message.includes("\n"));
  assert.match(e2.message, /no base checkpoint; run `deno task pretrain` first/);

  const e3 = await cliError(["--config", "configs/rmt.yaml", "--stpes", "3"]);
  assert.ok(e3 instanceof ConfigError);
  assert.match(e3.message, /^--stpes: unknown flag/);

  const e4 = await cliError(["--config", `${dir}/nope.yaml`]);
  assert.match(e4.message, /nope\.yaml: cannot read config file/);

  // resuming with another config is refused
  const e5 = await train({ cfg: config("rmt", { lr: 0.5 }), quiet: true, cacheDir, resume: true })
    .then(() => null, (e) => e as Error);
  assert.ok(e5 instanceof ConfigError);
  assert.match(e5.message, /^train\.lr: cannot resume with a different config/);
});
