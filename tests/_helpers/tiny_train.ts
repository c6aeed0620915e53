/**
 * A tiny RMT setting for the trainer tests: a byte-level tokenizer, a few short math documents,
 * a 1-layer GPT and a config with short prompts, so that a step takes well under a second on
 * the CPU backend.
 *
 * @module
 */
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { Tokenizer } from "../../lib/data/tokenizer.ts";
import { GPT, resolveGptConfig } from "../../lib/model/gpt.ts";
import { resolveTrainConfig, type TrainConfig } from "../../lib/apps/train/config.ts";

/** Byte-level tokenizer (260 ids). */
export function tinyTokenizer(): Tokenizer {
  return Tokenizer.train([], { vocabSize: 260 });
}

/** `count` short math documents (seeded). */
export function tinyTexts(count = 12): string[] {
  return generateMathDocuments(count, 7, { maxChars: 60, minChars: 20 }).map((d) => d.text);
}

/** A 1-layer, width-16 GPT over the byte vocabulary. */
export function tinyModel(seed = 3): GPT {
  return new GPT(resolveGptConfig({
    vocabSize: 260,
    contextLength: 96,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
    seed,
  }));
}

/** One-word prompt texts (the default instruction is longer than the tiny model's window). */
export const TINY_PROMPT = {
  prefixWithBudget: "B{budget}:",
  prefixWithoutBudget: "N:",
  suffix: "|",
  maxContextTokens: 24,
};

/** The RMT component overrides of the tiny setting: short budget, small groups, quantile tiers. */
export const TINY_RMT = {
  prompt: TINY_PROMPT,
  budget: { b0: 6 },
  // quantile tiers: an untrained model's entropies are all about ln 260
  entropy: { tierMode: "quantiles" },
};

/** configs/rmt_tiny.yaml-like settings with one-word prompts, overridable. */
export function tinyConfig(overrides: Record<string, unknown> = {}): TrainConfig {
  const { rmt, ...rest } = overrides as { rmt?: Record<string, unknown> };
  return resolveTrainConfig({
    steps: 4,
    positionsPerStep: 3,
    maxNewTokens: 10,
    microBatch: 6,
    checkpointEvery: 2,
    lr: 0.003,
    data: { documents: 12 },
    ...rest,
    rmt: { ...TINY_RMT, grpo: { groupSize: 4, temperature: 1.5 }, ...rmt },
  });
}
