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
import { makeDemonstration, pickDemoCut } from "../../data/demonstrations.ts";
import { mulberry32, type Rng } from "../../util/rng.ts";
import { pretokenize, Tokenizer } from "../../data/tokenizer.ts";
import { buildPrompt, completionText, type PromptConfig } from "../../rmt/prompt.ts";

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

/** A thinking demonstration as token ids, with what it states. */
export interface DemoRecord {
  /** Prompt ids ++ completion ids (ends with `<|endoftext|>`). */
  ids: number[];
  /** Number of prompt ids (the completion starts here, right after `<think>`). */
  promptLength: number;
  /** ℓ: reasoning tokens between `<think>` and `</think>`. */
  reasoningLength: number;
  /** The budget written in the prompt, or null (no-budget instruction). */
  budget: number | null;
  /** Whether the boxed answer equals the ground-truth next token. */
  correct: boolean;
  /** `"computed"` (scratch-pad) or `"generic"` (restatement). */
  kind: "computed" | "generic";
}

/** Options of {@linkcode makeDemoRecords}. */
export interface DemoRecordOptions {
  /** Number of demonstrations. */
  count: number;
  /** Prompt format (the same object the RL prompts are built with). */
  prompt: PromptConfig;
  /** Share with the budget sentence (budget = the demonstration's ℓ). */
  budgetFraction: number;
  /** Reasoning length scale. */
  verbosity: number;
  /** Probability of a deliberate slip. */
  errorRate: number;
  /** Longest demonstration in tokens (0 = no limit); longer ones are redrawn. */
  maxTokens: number;
}

/**
 * Thinking demonstrations as token ids, in the exact RL prompt format: the prompt is
 * `buildPrompt(τ_<pos, budget, tok, prompt)` (left-truncated context, ends with `<think>`), the
 * completion `encode(completionText(reasoning, answer))`. Cuts are token boundaries of the
 * document (`pickDemoCut`), and the ground truth is the document's token at the cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeDemoRecords } from "./data.ts";
 * import { generateMathDocuments, mulberry32 } from "../../data/corpus_math.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * import { buildPrompt, PROMPT_DEFAULTS } from "../../rmt/prompt.ts";
 * const docs = generateMathDocuments(10, 0, { maxChars: 200 });
 * const tok = Tokenizer.train(docs.map((d) => d.text), { vocabSize: 300 });
 * const demos = makeDemoRecords(docs, tok, mulberry32(1), {
 *   count: 4, prompt: PROMPT_DEFAULTS, budgetFraction: 1, verbosity: 0.5, errorRate: 0, maxTokens: 0,
 * });
 * const d = demos[0];
 * assert.equal(d.budget, d.reasoningLength);
 * assert.equal(d.ids[d.promptLength - 1], tok.specialId("thinkOpen"));
 * assert.equal(d.ids[d.promptLength + d.reasoningLength], tok.specialId("thinkClose"));
 * assert.equal(d.ids.at(-1), tok.specialId("eot"));
 * ```
 */
export function makeDemoRecords(
  docs: MathDocument[],
  tok: Tokenizer,
  rng: Rng,
  opts: DemoRecordOptions,
): DemoRecord[] {
  if (docs.length === 0) throw new RangeError("makeDemoRecords: no documents");
  const encoder = new TextEncoder();
  const out: DemoRecord[] = [];
  for (let attempts = 0; out.length < opts.count; attempts++) {
    if (attempts > 20 * opts.count + 100) {
      throw new Error(
        `makeDemoRecords: only ${out.length} of ${opts.count} demonstrations fit ` +
          `(maxDemoTokens ${opts.maxTokens}); raise data.maxDemoTokens or lower data.verbosity`,
      );
    }
    const doc = docs[Math.floor(rng() * docs.length)];
    if (doc.text.length < 2 || pretokenize(doc.text).length < 2) continue;
    const cut = pickDemoCut(doc, rng);
    const ids = tok.encode(doc.text);
    // Token index j whose first byte is at character offset `cut`.
    const cutBytes = encoder.encode(doc.text.slice(0, cut)).length;
    let offset = 0, j = 0;
    while (j < ids.length && offset < cutBytes) offset += tok.tokenBytes(ids[j++]).length;
    if (offset !== cutBytes || j >= ids.length || j === 0) continue;
    const answer = tok.decode([ids[j]]);
    if (answer.includes("\uFFFD")) continue;
    const demo = makeDemonstration(doc, cut, answer, rng, {
      verbosity: opts.verbosity,
      errorRate: opts.errorRate,
    });
    const reasoningLength = tok.encode(demo.reasoning).length;
    const budget = rng() < opts.budgetFraction ? Math.max(1, reasoningLength) : null;
    const prompt = buildPrompt(ids.slice(0, j), budget, tok, opts.prompt);
    const completion = tok.encode(completionText(demo.reasoning, demo.answer));
    const all = [...prompt, ...completion];
    if (opts.maxTokens > 0 && all.length > opts.maxTokens) continue;
    out.push({
      ids: all,
      promptLength: prompt.length,
      reasoningLength,
      budget,
      correct: demo.correct,
      kind: demo.kind,
    });
  }
  return out;
}

/** A packed token stream with document boundaries. */
export interface TokenStream {
  /** All documents, each followed by `<|endoftext|>`. */
  tokens: Int32Array;
  /** Offset of each document's first token, increasing. */
  starts: Int32Array;
  /** Number of documents that are demonstrations. */
  demos: number;
  /** Number of plain documents. */
  documents: number;
}

/**
 * Packs documents (token ids) into one stream, appending `<|endoftext|>` to each unless it
 * already ends with it (demonstrations do).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packStream } from "./data.ts";
 * const s = packStream([[1, 2], [3, 9]], 9, 1);
 * assert.deepEqual([...s.tokens], [1, 2, 9, 3, 9]);
 * assert.deepEqual([...s.starts], [0, 3]);
 * ```
 */
export function packStream(docs: number[][], eotId: number, demos = 0): TokenStream {
  let n = 0;
  for (const d of docs) n += d.length + (d.at(-1) === eotId ? 0 : 1);
  const tokens = new Int32Array(n);
  const starts = new Int32Array(docs.length);
  let at = 0;
  docs.forEach((d, i) => {
    starts[i] = at;
    tokens.set(d, at);
    at += d.length;
    if (d.at(-1) !== eotId) tokens[at++] = eotId;
  });
  return { tokens, starts, demos, documents: docs.length - demos };
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

/** Summary of a set of demonstrations. */
export interface DemoStats {
  /** Number of demonstrations. */
  count: number;
  /** Mean length in tokens (prompt + completion). */
  meanTokens: number;
  /** Longest, in tokens. */
  maxTokens: number;
  /** Mean reasoning length ℓ in tokens. */
  meanReasoning: number;
  /** Share with the budget sentence. */
  withBudget: number;
  /** Share whose answer is correct. */
  correct: number;
}

/**
 * Mean/max/shares of a set of demonstrations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { demoStats } from "./data.ts";
 * const s = demoStats([{ ids: [1, 2, 3], promptLength: 1, reasoningLength: 1, budget: null,
 *   correct: true, kind: "generic" }]);
 * assert.equal(s.meanTokens, 3);
 * assert.equal(s.withBudget, 0);
 * ```
 */
export function demoStats(demos: DemoRecord[]): DemoStats {
  const n = Math.max(1, demos.length);
  const sum = (f: (d: DemoRecord) => number) => demos.reduce((a, d) => a + f(d), 0);
  return {
    count: demos.length,
    meanTokens: sum((d) => d.ids.length) / n,
    maxTokens: demos.reduce((m, d) => Math.max(m, d.ids.length), 0),
    meanReasoning: sum((d) => d.reasoningLength) / n,
    withBudget: sum((d) => (d.budget === null ? 0 : 1)) / n,
    correct: sum((d) => (d.correct ? 1 : 0)) / n,
  };
}

/** Number of demonstrations for `documents` plain documents and a demo share `fraction`. */
export function demoCount(documents: number, fraction: number): number {
  return fraction <= 0 ? 0 : Math.round((documents * fraction) / (1 - fraction));
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

/** A batch of rows for next-token prediction. */
export interface StreamBatch {
  /** (B, T) input ids. */
  inputs: Int32Array;
  /** (B, T) targets: `targets[b, t] = inputs[b, t + 1]` within the stream. */
  targets: Int32Array;
}

/**
 * `batchSize` rows of `contextLength` tokens, each starting at a document boundary drawn
 * uniformly with `rng` (so a demonstration that starts a row is seen whole when it fits).
 * Rows run on into the following documents; starts too close to the end are not drawn.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packStream, sampleStreamBatch } from "./data.ts";
 * import { mulberry32 } from "../../util/rng.ts";
 * const s = packStream([[1, 2, 3], [4, 5, 6], [7, 8]], 0);
 * const b = sampleStreamBatch(s, 2, 3, mulberry32(1));
 * assert.equal(b.inputs.length, 6);
 * assert.ok([1, 4].includes(b.inputs[0]));
 * assert.equal(b.targets[0], b.inputs[1]);
 * ```
 */
export function sampleStreamBatch(
  stream: TokenStream,
  batchSize: number,
  contextLength: number,
  rng: Rng,
): StreamBatch {
  const last = stream.tokens.length - contextLength - 1; // latest valid row start
  let n = stream.starts.length;
  while (n > 0 && stream.starts[n - 1] > last) n--;
  if (n === 0) {
    throw new RangeError(
      `sampleStreamBatch: stream of ${stream.tokens.length} tokens is too short for contextLength ${contextLength}`,
    );
  }
  const inputs = new Int32Array(batchSize * contextLength); // (B, T)
  const targets = new Int32Array(batchSize * contextLength); // (B, T)
  for (let b = 0; b < batchSize; b++) {
    const s = stream.starts[Math.floor(rng() * n)];
    inputs.set(stream.tokens.subarray(s, s + contextLength), b * contextLength);
    targets.set(stream.tokens.subarray(s + 1, s + 1 + contextLength), b * contextLength);
  }
  return { inputs, targets };
}

/**
 * The seed of the batch at optimiser step `step`: batches depend only on (seed, step), so a
 * resumed run draws exactly the batches of an uninterrupted one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepSeed } from "./data.ts";
 * assert.equal(stepSeed(1, 5), stepSeed(1, 5));
 * assert.notEqual(stepSeed(1, 5), stepSeed(1, 6));
 * ```
 */
export function stepSeed(seed: number, step: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}
