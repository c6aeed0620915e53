/**
 * A seconds-long experiment for the runner tests: a 1-layer byte-level base checkpoint that
 * records its corpus (as pre-training does), and an experiment config whose overrides shrink
 * every row (2 steps, 2 positions, G = 2, one-word prompts, quantile tiers).
 *
 * @module
 */
import { saveCheckpoint } from "../../lib/model/checkpoint.ts";
import { PRETRAIN_DATA_DEFAULTS } from "../../lib/apps/pretrain/data.ts";
import { type ExperimentConfig, resolveExperimentConfig } from "../../lib/apps/experiment/plan.ts";
import { TINY_PROMPT, TINY_RMT, tinyModel, tinyTokenizer } from "./tiny_train.ts";

/** Writes the tiny base checkpoint into `<dir>/base`. */
export async function tinyBase(dir: string): Promise<string> {
  const data = {
    ...PRETRAIN_DATA_DEFAULTS,
    source: "math",
    trainDocs: 10,
    heldOutDocs: 4,
    maxDocChars: 40,
    vocabSize: 260,
  };
  const prompt = TINY_PROMPT;
  const model = tinyModel(3);
  await saveCheckpoint(`${dir}/base`, {
    model,
    tokenizerJson: tinyTokenizer().toJSON(),
    state: { step: 0, config: { data }, corpus: { data, prompt } },
  });
  model.dispose();
  return `${dir}/base`;
}

/** The tiny experiment config (rows and seeds given). */
export function tinyExperiment(dir: string, rows: string[], seeds = 2): ExperimentConfig {
  return resolveExperimentConfig({
    baseCheckpoint: `${dir}/base`,
    out: `${dir}/exp`,
    results: `${dir}/docs/results.md`,
    report: `${dir}/docs/results/report.html`,
    seeds,
    rows,
    train: {
      steps: 2,
      positionsPerStep: 2,
      maxNewTokens: 8,
      microBatch: 8,
      lr: 0.003,
      checkpointEvery: 1,
      data: { documents: 10 },
      rmt: { ...TINY_RMT, grpo: { groupSize: 2, temperature: 1.5 } },
    },
    eval: { positions: 2, maxNewTokens: 8, batchSize: 8, temperature: 0.8, ntpForTrained: true },
    posttrain: {
      config: "configs/posttrain.yaml",
      overrides: {
        steps: 1,
        questionsPerStep: 1,
        trainQuestions: 4,
        heldOutQuestions: 3,
        difficulties: [1],
        kinds: ["addition"],
        maxNewTokens: 6,
        grpo: { groupSize: 2 },
        eval: { maxNewTokens: 6 },
        prompt: { prefix: "Q:", suffix: "|" },
      },
    },
    quick: { seeds: 1, train: { steps: 1 }, eval: { positions: 1 }, posttrain: { steps: 1 } },
  });
}
