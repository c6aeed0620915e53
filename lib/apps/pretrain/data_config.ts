/**
 * The `data` section of the pre-training config (method §11.1): which documents, which
 * tokenizer, which demonstrations and how many; its defaults and its range checks. The corpus is
 * assembled from it by `data.ts` (which re-exports these names).
 *
 * @module
 */
import { check } from "../../util/config.ts";
import { REASONING_KINDS, type ReasoningKind } from "../../data/corpus_reasoning.ts";

/** The `data` section of the pre-training config. */
export interface PretrainDataConfig {
  /**
   * `"math"` (the embedded generator), `"reasoning"` (the reasoning corpus,
   * `lib/data/corpus_reasoning.ts`) or the path of a `.txt`/`.jsonl` corpus.
   */
  source: string;
  /** Number of training documents (file source: 0 = all that remain after the held-out split). */
  trainDocs: number;
  /** Number of held-out documents (evaluation, never trained on). */
  heldOutDocs: number;
  /** Seed of the training documents (math) or of the train/held-out split (file). */
  trainSeed: number;
  /** Seed of the held-out documents (math source). */
  heldOutSeed: number;
  /** Tokenizer vocabulary: 256 bytes + merges + 4 specials (260 = byte level). */
  vocabSize: number;
  /** Share of demonstrations among the documents of the stream, in [0, 1). */
  demoFraction: number;
  /** Share of demonstrations whose prompt states their reasoning length as the budget. */
  budgetFraction: number;
  /** Length scale of the demonstrations' reasoning (restatements, re-checks). */
  verbosity: number;
  /** Probability that a demonstration contains a slip and a wrong answer. */
  errorRate: number;
  /** Longest document in characters (math: the generator's `maxChars`; file: truncation). */
  maxDocChars: number;
  /** Longest demonstration in tokens (longer ones are redrawn); 0 = no limit. */
  maxDemoTokens: number;
  /** Seed of the demonstrations and of the stream's shuffle. */
  demoSeed: number;
  /**
   * `"classic"` (scratch-pads and restatements of `lib/data/demonstrations.ts`) or
   * `"scratchpad"` (digit-by-digit derivations of `lib/data/scratchpad.ts` at result digits).
   * Records written before this field existed mean `"classic"`.
   */
  demoStyle: "classic" | "scratchpad";
  /** Scratch-pad style: share of the verbose (over-thinking) form; the rest are concise. */
  verboseFraction: number;
  /**
   * Share of the demonstrations that solve a whole question in the post-training prompt
   * (`makeQuestionRecords`) instead of reasoning towards a next token; 0 (the default, and
   * records written before this field existed) = none.
   */
  questionFraction: number;
  /**
   * `source: reasoning` only: the families of `corpus_reasoning.ts` drawn from, uniformly.
   * Records written before this field existed mean all four.
   */
  reasoningKinds: ReasoningKind[];
  /**
   * `source: reasoning` only: operand lengths in digits, one drawn per document (an operand has
   * that many digits or one fewer). Records written before this field existed mean [2, 3, 4, 5].
   */
  operandDigits: number[];
}

/** Defaults, sized for a model with a 320-token context window. */
export const PRETRAIN_DATA_DEFAULTS: Readonly<PretrainDataConfig> = {
  source: "math",
  trainDocs: 4000,
  heldOutDocs: 200,
  trainSeed: 1,
  heldOutSeed: 2,
  vocabSize: 384,
  demoFraction: 0.5,
  budgetFraction: 0.5,
  verbosity: 1,
  errorRate: 0.2,
  maxDocChars: 200,
  maxDemoTokens: 320,
  demoSeed: 3,
  demoStyle: "classic",
  verboseFraction: 0.5,
  questionFraction: 0,
  reasoningKinds: [...REASONING_KINDS],
  operandDigits: [2, 3, 4, 5],
};

/**
 * Range checks of a resolved data section; throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRETRAIN_DATA_DEFAULTS, validatePretrainData } from "./data_config.ts";
 * assert.throws(
 *   () => validatePretrainData({ ...PRETRAIN_DATA_DEFAULTS, demoFraction: 1 }, "data"),
 *   /data.demoFraction/,
 * );
 * ```
 */
export function validatePretrainData(cfg: PretrainDataConfig, path: string): PretrainDataConfig {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  type Share = "budgetFraction" | "errorRate" | "verboseFraction" | "questionFraction";
  const unit = (field: Share) =>
    check(
      cfg[field] >= 0 && cfg[field] <= 1,
      `${path}.${field}`,
      "a number in [0, 1]",
      cfg[field],
    );
  const generated = cfg.source === "math" || cfg.source === "reasoning";
  const sources = '"math", "reasoning" or a .txt/.jsonl path';
  check(cfg.source.length > 0, `${path}.source`, sources, cfg.source);
  check(generated || /\.(txt|jsonl)$/i.test(cfg.source), `${path}.source`, sources, cfg.source);
  check(
    int(cfg.trainDocs, generated ? 1 : 0),
    `${path}.trainDocs`,
    "an integer ≥ 1 (file: ≥ 0)",
    cfg.trainDocs,
  );
  check(int(cfg.heldOutDocs, 1), `${path}.heldOutDocs`, "an integer ≥ 1", cfg.heldOutDocs);
  check(int(cfg.trainSeed, 0), `${path}.trainSeed`, "an integer ≥ 0", cfg.trainSeed);
  check(int(cfg.heldOutSeed, 0), `${path}.heldOutSeed`, "an integer ≥ 0", cfg.heldOutSeed);
  check(
    !generated || cfg.heldOutSeed !== cfg.trainSeed,
    `${path}.heldOutSeed`,
    "a seed different from trainSeed",
    cfg.heldOutSeed,
  );
  check(int(cfg.vocabSize, 260), `${path}.vocabSize`, "an integer ≥ 260", cfg.vocabSize);
  check(
    cfg.demoFraction >= 0 && cfg.demoFraction < 1,
    `${path}.demoFraction`,
    "a number in [0, 1)",
    cfg.demoFraction,
  );
  unit("budgetFraction");
  check(cfg.verbosity >= 0, `${path}.verbosity`, "a number ≥ 0", cfg.verbosity);
  unit("errorRate");
  check(int(cfg.maxDocChars, 20), `${path}.maxDocChars`, "an integer ≥ 20", cfg.maxDocChars);
  check(int(cfg.maxDemoTokens, 0), `${path}.maxDemoTokens`, "an integer ≥ 0", cfg.maxDemoTokens);
  check(int(cfg.demoSeed, 0), `${path}.demoSeed`, "an integer ≥ 0", cfg.demoSeed);
  check(
    ["classic", "scratchpad"].includes(cfg.demoStyle),
    `${path}.demoStyle`,
    '"classic" or "scratchpad"',
    cfg.demoStyle,
  );
  unit("verboseFraction");
  unit("questionFraction");
  const kinds = cfg.reasoningKinds;
  check(
    Array.isArray(kinds) && kinds.length > 0 && kinds.every((k) => REASONING_KINDS.includes(k)) &&
      new Set(kinds).size === kinds.length,
    `${path}.reasoningKinds`,
    `a non-empty list of distinct families among ${REASONING_KINDS.join(", ")}`,
    kinds,
  );
  const digits = cfg.operandDigits;
  check(
    Array.isArray(digits) && digits.length > 0 && digits.every((d) => int(d, 1) && d <= 6),
    `${path}.operandDigits`,
    "a non-empty list of integers in 1..6",
    digits,
  );
  return cfg;
}
