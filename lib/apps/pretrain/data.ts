/**
 * Corpus assembly for thinking-augmented pre-training (method §11.1, §11.2): documents →
 * tokenizer → thinking demonstrations in the exact next-token-reasoning prompt format → one
 * token stream, plus the held-out documents that evaluation and RMT use.
 *
 * Pipeline ({@linkcode buildPretrainCorpus}):
 * 1. Documents: seeded math documents (`generateMathDocuments`, train and held-out from two
 *    seeds) or a user `.txt`/`.jsonl` file (`readCorpusFile`, split by a seeded shuffle).
 *    Every document is at most `maxDocChars` characters, so that a whole document fits in the
 *    prompt's context window.
 * 2. Tokenizer: byte-level BPE trained on the training documents plus the prompt's fixed
 *    texts, weighted by the number of demonstrations (they occur once per demonstration).
 * 3. Demonstrations: for a cut at a token boundary of a training document, the ids are
 *    `buildPrompt(context, budget, tok, prompt)` ++ `encode(completionText(reasoning, answer))`,
 *    i.e. byte for byte what an RL prompt of `lib/rmt/prompt.ts` is followed by a completion the
 *    reward parser accepts. For a share `budgetFraction` (default ½) of them the budget sentence
 *    states the demonstration's own reasoning length ℓ in tokens; the others use the no-budget
 *    instruction. Why: the RL prompts of RMT contain the budget sentence (§2.2) and those of
 *    NTR/RPT/"w/o DTB" do not, so the base model must have seen both formats. The stated budget
 *    is always the (verbose) true length, so the base model never sees a small budget: it
 *    over-thinks by construction (§11.1) and it is RL's length reward that has to teach it to
 *    follow a shrinking B_t.
 * 4. Stream: documents and demonstrations, shuffled (seeded), each followed by `<|endoftext|>`,
 *    concatenated; `starts` records where each document begins, so batches can start rows at
 *    document boundaries ({@linkcode sampleStreamBatch}).
 *
 * Deliberate deviations: none from the method (docs/method.md); the budget-sentence mix is this project's choice.
 *
 * @module
 */
import { check } from "../../util/config.ts";
import { readCorpusFile } from "../../data/corpus_files.ts";
import { generateMathDocuments, type MathDocument } from "../../data/corpus_math.ts";
import { mulberry32, type Rng } from "../../util/rng.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import type { PromptConfig } from "../../rmt/prompt.ts";
import { demoCount, type DemoStats, demoStats, makeDemoRecords } from "./demo_records.ts";
import { packStream, type TokenStream } from "./stream.ts";

export {
  demoCount,
  type DemoRecord,
  type DemoRecordOptions,
  type DemoStats,
  demoStats,
  makeDemoRecords,
} from "./demo_records.ts";
export {
  packStream,
  sampleStreamBatch,
  stepSeed,
  type StreamBatch,
  type TokenStream,
} from "./stream.ts";

/** The `data` section of the pre-training config. */
export interface PretrainDataConfig {
  /** `"math"` (the embedded generator) or the path of a `.txt`/`.jsonl` corpus. */
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
};

/**
 * Range checks of a resolved data section; throws a `ConfigError` naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRETRAIN_DATA_DEFAULTS, validatePretrainData } from "./data.ts";
 * assert.throws(
 *   () => validatePretrainData({ ...PRETRAIN_DATA_DEFAULTS, demoFraction: 1 }, "data"),
 *   /data.demoFraction/,
 * );
 * ```
 */
export function validatePretrainData(cfg: PretrainDataConfig, path: string): PretrainDataConfig {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  check(cfg.source.length > 0, `${path}.source`, '"math" or a .txt/.jsonl path', cfg.source);
  check(
    cfg.source === "math" || /\.(txt|jsonl)$/i.test(cfg.source),
    `${path}.source`,
    '"math" or a .txt/.jsonl path',
    cfg.source,
  );
  check(
    int(cfg.trainDocs, cfg.source === "math" ? 1 : 0),
    `${path}.trainDocs`,
    "an integer ≥ 1 (file: ≥ 0)",
    cfg.trainDocs,
  );
  check(int(cfg.heldOutDocs, 1), `${path}.heldOutDocs`, "an integer ≥ 1", cfg.heldOutDocs);
  check(int(cfg.trainSeed, 0), `${path}.trainSeed`, "an integer ≥ 0", cfg.trainSeed);
  check(int(cfg.heldOutSeed, 0), `${path}.heldOutSeed`, "an integer ≥ 0", cfg.heldOutSeed);
  check(
    cfg.source !== "math" || cfg.heldOutSeed !== cfg.trainSeed,
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
  check(
    cfg.budgetFraction >= 0 && cfg.budgetFraction <= 1,
    `${path}.budgetFraction`,
    "a number in [0, 1]",
    cfg.budgetFraction,
  );
  check(cfg.verbosity >= 0, `${path}.verbosity`, "a number ≥ 0", cfg.verbosity);
  check(
    cfg.errorRate >= 0 && cfg.errorRate <= 1,
    `${path}.errorRate`,
    "a number in [0, 1]",
    cfg.errorRate,
  );
  check(int(cfg.maxDocChars, 20), `${path}.maxDocChars`, "an integer ≥ 20", cfg.maxDocChars);
  check(int(cfg.maxDemoTokens, 0), `${path}.maxDemoTokens`, "an integer ≥ 0", cfg.maxDemoTokens);
  check(int(cfg.demoSeed, 0), `${path}.demoSeed`, "an integer ≥ 0", cfg.demoSeed);
  return cfg;
}

/** Training and held-out documents, before tokenization. */
export interface CorpusDocuments {
  /** Training documents (math documents carry their facts; file documents have none). */
  train: MathDocument[];
  /** Held-out documents (evaluation). */
  heldOut: MathDocument[];
}

function asDocument(text: string): MathDocument {
  return { text, facts: [], difficulty: 0, kinds: [] };
}

/** Fisher–Yates shuffle in place with `rng`. */
function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * The first `count` generated math documents of at most `maxChars` characters (the generator
 * may exceed its `maxChars` with a single long problem; such documents are skipped). The
 * generator's stream does not depend on `count`, so the result is deterministic in the seed.
 */
function fittingMathDocuments(count: number, seed: number, maxChars: number): MathDocument[] {
  const opts = { maxChars, minChars: Math.min(100, maxChars >> 1) };
  for (let n = Math.ceil(count * 1.25) + 8;; n *= 2) {
    const fit = generateMathDocuments(n, seed, opts).filter((d) => d.text.length <= maxChars);
    if (fit.length >= count) return fit.slice(0, count);
    if (n > 64 * count + 1024) {
      throw new Error(
        `data.maxDocChars: too few generated documents fit in ${maxChars} characters`,
      );
    }
  }
}

/**
 * The training and held-out documents of a data config (deterministic: the RMT trainer and the
 * evaluation rebuild exactly the documents the base model was trained and evaluated on).
 *
 * @example Math documents respect maxDocChars
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDocuments, PRETRAIN_DATA_DEFAULTS } from "./data.ts";
 * const docs = loadDocuments({ ...PRETRAIN_DATA_DEFAULTS, trainDocs: 20, heldOutDocs: 5 });
 * assert.equal(docs.train.length, 20);
 * assert.ok(docs.heldOut.every((d) => d.text.length <= PRETRAIN_DATA_DEFAULTS.maxDocChars));
 * ```
 */
export function loadDocuments(cfg: PretrainDataConfig): CorpusDocuments {
  if (cfg.source === "math") {
    return {
      train: fittingMathDocuments(cfg.trainDocs, cfg.trainSeed, cfg.maxDocChars),
      heldOut: fittingMathDocuments(cfg.heldOutDocs, cfg.heldOutSeed, cfg.maxDocChars),
    };
  }
  const texts = readCorpusFile(cfg.source).map((t) => t.slice(0, cfg.maxDocChars));
  if (texts.length < cfg.heldOutDocs + 1) {
    throw new Error(
      `${cfg.source}: ${texts.length} documents, need more than heldOutDocs = ${cfg.heldOutDocs}`,
    );
  }
  shuffle(texts, mulberry32(cfg.trainSeed));
  const heldOut = texts.slice(0, cfg.heldOutDocs);
  const rest = texts.slice(cfg.heldOutDocs);
  const train = cfg.trainDocs > 0 ? rest.slice(0, cfg.trainDocs) : rest;
  return { train: train.map(asDocument), heldOut: heldOut.map(asDocument) };
}

/** Everything pre-training needs from the data side. */
export interface PretrainCorpus {
  /** The trained tokenizer. */
  tokenizer: Tokenizer;
  /** Raw documents (training and held-out). */
  documents: CorpusDocuments;
  /** Training stream: training documents and their demonstrations, shuffled. */
  train: TokenStream;
  /** Held-out stream: held-out documents and demonstrations built from them (held-out loss). */
  heldOut: TokenStream;
  /** Statistics of the training demonstrations. */
  demoStats: DemoStats;
}

/**
 * Texts the tokenizer is trained on: the training documents plus the prompt's fixed texts
 * repeated once per expected demonstration (so the instruction words get merges).
 */
function tokenizerTexts(docs: MathDocument[], prompt: PromptConfig, demos: number): string[] {
  const texts = docs.map((d) => d.text);
  const fixed = [
    prompt.prefixWithBudget.replaceAll("{budget}", "100"),
    prompt.prefixWithoutBudget,
    prompt.suffix,
  ].join("\n");
  for (let i = 0; i < Math.ceil(demos / 2); i++) texts.push(fixed);
  return texts;
}

/**
 * Builds the whole pre-training corpus of a data config and a prompt format (deterministic in
 * the config's seeds).
 *
 * @example A tiny corpus: half of the stream's documents are demonstrations
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildPretrainCorpus, PRETRAIN_DATA_DEFAULTS } from "./data.ts";
 * import { PROMPT_DEFAULTS } from "../../rmt/prompt.ts";
 * const c = buildPretrainCorpus(
 *   { ...PRETRAIN_DATA_DEFAULTS, trainDocs: 20, heldOutDocs: 4, vocabSize: 300 },
 *   PROMPT_DEFAULTS,
 * );
 * assert.equal(c.train.demos, 20);
 * assert.equal(c.train.starts.length, 40);
 * ```
 */
export function buildPretrainCorpus(cfg: PretrainDataConfig, prompt: PromptConfig): PretrainCorpus {
  const documents = loadDocuments(cfg);
  const nDemos = demoCount(documents.train.length, cfg.demoFraction);
  const tokenizer = Tokenizer.train(tokenizerTexts(documents.train, prompt, nDemos), {
    vocabSize: cfg.vocabSize,
  });
  const eot = tokenizer.specialId("eot");
  const demoOpts = {
    prompt,
    budgetFraction: cfg.budgetFraction,
    verbosity: cfg.verbosity,
    errorRate: cfg.errorRate,
    maxTokens: cfg.maxDemoTokens,
  };
  const rng = mulberry32(cfg.demoSeed);
  const demos = nDemos > 0
    ? makeDemoRecords(documents.train, tokenizer, rng, { ...demoOpts, count: nDemos })
    : [];
  const train = shuffle(
    [...documents.train.map((d) => tokenizer.encode(d.text)), ...demos.map((d) => d.ids)],
    rng,
  );
  const heldOutRng = mulberry32(cfg.demoSeed + 1);
  const nHeldOutDemos = demoCount(documents.heldOut.length, cfg.demoFraction);
  const heldOutDemos = nHeldOutDemos > 0
    ? makeDemoRecords(documents.heldOut, tokenizer, heldOutRng, {
      ...demoOpts,
      count: nHeldOutDemos,
    })
    : [];
  const heldOut = shuffle(
    [...documents.heldOut.map((d) => tokenizer.encode(d.text)), ...heldOutDemos.map((d) => d.ids)],
    heldOutRng,
  );
  return {
    tokenizer,
    documents,
    train: packStream(train, eot, demos.length),
    heldOut: packStream(heldOut, eot, heldOutDemos.length),
    demoStats: demoStats(demos),
  };
}
