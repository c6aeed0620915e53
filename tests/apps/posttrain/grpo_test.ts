import assert from "node:assert/strict";
import { saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import { AdamW } from "../../../lib/engine/optim/adamw.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import { resolvePostTrainConfig } from "../../../lib/apps/posttrain/config.ts";
import { postTrain, postTrainStep, stepQuestions } from "../../../lib/apps/posttrain/grpo.ts";
import { generateQuestions } from "../../../lib/data/questions.ts";
import { main } from "../../../lib/apps/cli/posttrain.ts";
import { tinyModel, tinyTokenizer } from "../../_helpers/tiny_train.ts";

const SHORT_PROMPT = { prefix: "Q:", suffix: "|" };

function tinyPostConfig(overrides: Record<string, unknown> = {}) {
  return resolvePostTrainConfig({
    steps: 2,
    questionsPerStep: 2,
    trainQuestions: 8,
    heldOutQuestions: 4,
    difficulties: [1],
    kinds: ["addition"],
    maxNewTokens: 8,
    microBatch: 4,
    lr: 0.01,
    grpo: { groupSize: 4, temperature: 1 },
    eval: { maxNewTokens: 8, batchSize: 4 },
    prompt: SHORT_PROMPT,
    ...overrides,
  });
}

Deno.test("stepQuestions: a seeded permutation per epoch", () => {
  const epoch = [0, 1, 2].flatMap((t) => stepQuestions(6, 2, t, 3));
  assert.deepEqual([...epoch].sort(), [0, 1, 2, 3, 4, 5]);
  assert.notDeepEqual(stepQuestions(6, 6, 0, 3), stepQuestions(6, 6, 0, 4));
});

Deno.test("postTrainStep: GRPO on a tiny CPU model, rewards from a fake sampler, finite loss", async () => {
  const codec = Tokenizer.fromJSON(tinyTokenizer().toJSON());
  const model = tinyModel(5);
  try {
    const cfg = tinyPostConfig();
    const questions = generateQuestions(8, 1, { kinds: ["addition"], difficulties: [1] });
    const optimizer = new AdamW(model.parameters(), { lr: cfg.lr });
    const before = await model.parameters()[0]!.toArray();
    // per question: 2 right (the true answer), 2 wrong → A = ±1, all 4 responses active
    const sample = (prompts: number[][]) => {
      const out: number[][] = [];
      for (const p of prompts) {
        const q = questions.find((x) => codec.decode(p).includes(x.question))!;
        for (let i = 0; i < 4; i++) {
          const a = i < 2 ? q.answer : String(Number(q.answer) + 1);
          out.push(codec.encode(`ok</think>\\boxed{${a}}<|endoftext|>`));
        }
      }
      return Promise.resolve(out);
    };
    const r = await postTrainStep({ model, optimizer, codec, questions, cfg, sample }, 0);
    assert.equal(r.responses, 2 * 4);
    assert.equal(r.activeResponses, 8);
    assert.equal(r.meanReward, 0.5);
    assert.equal(r.closedFraction, 1);
    assert.ok(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm));
    assert.ok(r.gradNorm > 0, "non-zero advantages give a gradient");
    assert.ok(Math.abs(r.rlObjective) < 1e-5, "on-policy, ρ = 1: J = mean advantage = 0");
    const after = await model.parameters()[0]!.toArray();
    assert.ok(after.some((x, i) => x !== before[i]), "AdamW updated the weights");

    // all-equal groups: no gradient, no update, still finite
    const allWrong = (prompts: number[][]) =>
      Promise.resolve(prompts.flatMap(() => Array.from({ length: 4 }, () => codec.encode("x"))));
    const z = await postTrainStep({ model, optimizer, codec, questions, cfg, sample: allWrong }, 1);
    assert.equal(z.activeResponses, 0);
    assert.equal(z.loss === 0 || Object.is(z.loss, -0), true);
    assert.equal(z.meanReward, 0);

    // the real sampler (the model itself) runs and stays finite
    const real = await postTrainStep({ model, optimizer, codec, questions, cfg }, 2);
    assert.ok(Number.isFinite(real.loss));
    assert.ok(real.meanLength > 0);
  } finally {
    model.dispose();
  }
});

Deno.test("postTrain end to end on a tiny checkpoint: before/after, metrics, result.json, CLI", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-posttrain-test-" });
  const tokenizer = tinyTokenizer();
  const model = tinyModel(4);
  await saveCheckpoint(`${dir}/base`, {
    model,
    tokenizerJson: tokenizer.toJSON(),
    state: { step: 0 },
  });
  model.dispose();
  const cfg = tinyPostConfig({ checkpoint: `${dir}/base`, out: `${dir}/out` });
  const lines: string[] = [];
  const r = await postTrain({ cfg, write: (s) => lines.push(s) });
  assert.equal(r.steps, 2);
  assert.equal(r.before.count, 4);
  assert.equal(r.after.count, 4);
  for (const a of [r.before.accuracy, r.after.accuracy]) assert.ok(a !== null && a >= 0 && a <= 1);
  assert.equal(r.evaluation.decoding, "greedy");
  const metrics = (await Deno.readTextFile(`${dir}/out/metrics.jsonl`)).trim().split("\n");
  assert.equal(metrics.length, 2);
  for (const m of metrics) assert.ok(Number.isFinite(JSON.parse(m).loss));
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/out/result.json`));
  assert.equal(saved.before.count, 4);
  assert.ok((await Deno.stat(`${dir}/out/checkpoint/model.safetensors`)).isFile);
  assert.ok(lines.some((l) => l.startsWith("before:")));

  // the command, with a config file and flag overrides
  await Deno.writeTextFile(
    `${dir}/pt.yaml`,
    [
      "trainQuestions: 4",
      "questionsPerStep: 1",
      "difficulties: [1]",
      "kinds: [addition]",
      "maxNewTokens: 4",
      "saveCheckpoint: false",
      "grpo: { groupSize: 2 }",
      "eval: { maxNewTokens: 4 }",
      'prompt: { prefix: "Q:", suffix: "|" }',
    ].join("\n"),
  );
  const log = console.log;
  console.log = () => {};
  try {
    await main([
      "--checkpoint",
      `${dir}/base`,
      "--config",
      `${dir}/pt.yaml`,
      "--out",
      `${dir}/cli`,
      "--steps",
      "1",
      "--questions",
      "2",
      "--backend",
      "cpu",
    ]);
  } finally {
    console.log = log;
  }
  const cli = JSON.parse(await Deno.readTextFile(`${dir}/cli/result.json`));
  assert.equal(cli.steps, 1);
  assert.equal(cli.before.count, 2);
  await assert.rejects(() => main(["--config", `${dir}/missing.yaml`]), /cannot read config file/);
  await Deno.remove(dir, { recursive: true });
});
