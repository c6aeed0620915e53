import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import { saveCheckpoint } from "../../../lib/model/checkpoint.ts";
import { AdamW } from "../../../lib/engine/optim/adamw.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";
import {
  loadPostTrainConfig,
  POSTTRAIN_DEFAULTS,
  resolvePostTrainConfig,
} from "../../../lib/apps/posttrain/config.ts";
import {
  postTrain,
  postTrainStep,
  questionAccuracy,
  scoreCompletion,
  stepQuestions,
  summariseQuestions,
} from "../../../lib/apps/posttrain/grpo.ts";
import { generateQuestions, type Question } from "../../../lib/apps/posttrain/questions.ts";
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

Deno.test("scoreCompletion: the boxed integer after </think> is verified", () => {
  const codec = Tokenizer.fromJSON(tinyTokenizer().toJSON());
  const enc = (s: string) => codec.encode(s);
  assert.equal(scoreCompletion(enc("a</think>\\boxed{ 12 }<|endoftext|>"), "12", codec).reward, 1);
  assert.equal(scoreCompletion(enc("a</think>\\boxed{13}"), "12", codec).reward, 0);
  assert.equal(scoreCompletion(enc("\\boxed{12}"), "12", codec).reward, 0, "no </think>");
  const s = scoreCompletion(enc("abc</think>\\boxed{1}\\boxed{12}"), "12", codec);
  assert.deepEqual(s, { reward: 1, answer: "12", reasoningLength: 3, closed: true });
});

Deno.test("questionAccuracy bookkeeping on a fake generator: overall, by grade, by kind", async () => {
  const codec = Tokenizer.fromJSON(tinyTokenizer().toJSON());
  const questions: Question[] = [
    { question: "What is 1 + 1?", answer: "2", difficulty: 1, kind: "addition" },
    { question: "What is 2 + 2?", answer: "4", difficulty: 1, kind: "addition" },
    { question: "What is 9 - 3?", answer: "6", difficulty: 2, kind: "subtraction" },
    { question: "What is 7 * 3?", answer: "21", difficulty: 2, kind: "multiplication" },
    { question: "What is 5 + 5?", answer: "10", difficulty: 3, kind: "addition" },
  ];
  // answers: right, wrong, right, unclosed, no box
  const replies = [
    "x</think>\\boxed{2}",
    "x</think>\\boxed{5}",
    "yy</think>\\boxed{6}",
    "zzzz",
    "</think>10",
  ];
  const seen: number[][] = [];
  const gen = (prompts: number[][]) => {
    seen.push(...prompts);
    return Promise.resolve(replies.map((r) => codec.encode(r)));
  };
  const { summary, outcomes } = await questionAccuracy(questions, codec, gen, {
    prefix: "Q:",
    suffix: "|",
  });
  assert.equal(seen.length, 5);
  assert.equal(codec.decode(seen[0]!), "Q:What is 1 + 1?|<think>");
  assert.deepEqual(outcomes.map((o) => o.correct), [1, 0, 1, 0, 0]);
  assert.equal(summary.count, 5);
  assert.equal(summary.correct, 2);
  assert.equal(summary.accuracy, 0.4);
  assert.deepEqual(summary.byDifficulty, {
    "1": { count: 2, correct: 1, accuracy: 0.5 },
    "2": { count: 2, correct: 1, accuracy: 0.5 },
    "3": { count: 1, correct: 0, accuracy: 0 },
  });
  assert.deepEqual(summary.byKind.addition, { count: 3, correct: 1, accuracy: 1 / 3 });
  assert.equal(summary.closedFraction, 4 / 5, "the last reply closes </think> without a box");
  assert.equal(summary.answeredFraction, 3 / 5);
  assert.equal(summary.meanReasoningLength, (1 + 1 + 2 + 4 + 0) / 5);
  assert.equal(summariseQuestions([]).accuracy, null);
});

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
