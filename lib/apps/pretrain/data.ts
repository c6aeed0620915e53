/**
 * Corpus assembly for thinking-augmented pre-training (method §11.1, §11.2): documents →
 * tokenizer → thinking demonstrations in the exact next-token-reasoning prompt format → one
 * token stream, plus the held-out documents that evaluation and RMT use.
 *
 * Pipeline ({@linkcode buildPretrainCorpus}):
 * 1. Documents (`documents.ts`): seeded math documents (`generateMathDocuments`, train and
 *    held-out from two seeds), the reasoning corpus (`generateReasoningDocuments`,
 *    `source: reasoning`) or a user `.txt`/`.jsonl` file (`readCorpusFile`, split by a seeded
 *    shuffle).
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
 *    follow a shrinking B_t. With `demoStyle: scratchpad` (for the reasoning corpus) three in
 *    four demonstrations are cut at a digit of a computed number and derive it with a
 *    scratch-pad (`lib/data/scratchpad.ts`), verbose for a share `verboseFraction`, concise
 *    otherwise (a concise one's budget sentence states the verbose length at that cut, so the
 *    budget never drops below the verbose length); the rest are generic restatements. A share
 *    `questionFraction` (default 0) of the demonstrations instead solve a whole question in the
 *    post-training prompt (`makeQuestionRecords`: the same column-by-column derivation, the value
 *    boxed), so that the base can answer post-training's questions before GRPO.
 * 4. Stream: documents and demonstrations, shuffled (seeded), each followed by `<|endoftext|>`,
 *    concatenated; `starts` records where each document begins, so batches can start rows at
 *    document boundaries ({@linkcode sampleStreamBatch}).
 *
 * Deliberate deviations: none from the method (docs/method.md); the budget-sentence mix is this project's choice.
 *
 * @module
 */
import type { MathDocument } from "../../data/math_doc.ts";
import { pickResultCut, scratchpad } from "../../data/scratchpad.ts";
import { mulberry32, type Rng } from "../../util/rng.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import type { PromptConfig } from "../../rmt/prompt.ts";
import {
  demoCount,
  demoQuestions,
  type DemoRecord,
  type DemoStats,
  demoStats,
  makeDemoRecords,
  makeQuestionRecords,
} from "./demo_records.ts";
import { POSTTRAIN_PROMPT_DEFAULTS } from "../../data/question_prompt.ts";
import { packStream, type TokenStream } from "./stream.ts";
import { type CorpusDocuments, loadDocuments, shuffle } from "./documents.ts";

export {
  demoCount,
  type DemoRecord,
  type DemoRecordOptions,
  type DemoStats,
  demoStats,
  makeDemoRecords,
} from "./demo_records.ts";
export { type CorpusDocuments, loadDocuments } from "./documents.ts";
export {
  packStream,
  sampleStreamBatch,
  stepSeed,
  type StreamBatch,
  type TokenStream,
} from "./stream.ts";

export {
  PRETRAIN_DATA_DEFAULTS,
  type PretrainDataConfig,
  validatePretrainData,
} from "./data_config.ts";
import type { PretrainDataConfig } from "./data_config.ts";

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
 * repeated once per expected demonstration (so the instruction words get merges); with
 * scratch-pad demonstrations, also a scratch-pad per expected demonstration (its own seed), so
 * that "column", "carry" and "borrow" get merges too.
 */
function tokenizerTexts(
  docs: MathDocument[],
  prompt: PromptConfig,
  demos: number,
  cfg: PretrainDataConfig,
): string[] {
  const texts = docs.map((d) => d.text);
  const fixed = [
    prompt.prefixWithBudget.replaceAll("{budget}", "100"),
    prompt.prefixWithoutBudget,
    prompt.suffix,
  ].join("\n");
  for (let i = 0; i < Math.ceil(demos / 2); i++) texts.push(fixed);
  const questions = questionCount(demos, cfg);
  if (questions > 0) {
    const q = POSTTRAIN_PROMPT_DEFAULTS;
    for (let i = 0; i < Math.ceil(questions / 2); i++) texts.push(q.prefix + q.suffix);
  }
  if (cfg.demoStyle !== "scratchpad") return texts;
  const rng = mulberry32(cfg.demoSeed + 2);
  for (let i = 0, tries = 0; i < demos && tries < 4 * demos; tries++) {
    const doc = docs[Math.floor(rng() * docs.length)];
    const cut = pickResultCut(doc, rng);
    if (cut === undefined) continue;
    const style = rng() < cfg.verboseFraction ? "verbose" : "concise";
    texts.push(scratchpad(doc, cut, style, rng)!.reasoning);
    i++;
  }
  return texts;
}

/** Options of {@linkcode buildPretrainCorpus}. */
export interface BuildCorpusOptions {
  /**
   * Use this tokenizer instead of training one from the config (continued pre-training: the
   * initial checkpoint's BPE; `vocabSize` is then the tokenizer's, not `cfg.vocabSize`).
   */
  tokenizer?: Tokenizer;
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
/** How many of `demos` demonstrations are question demonstrations. */
function questionCount(demos: number, cfg: PretrainDataConfig): number {
  return Math.round(demos * (cfg.questionFraction ?? 0));
}

/** Next-token and question demonstrations of `docs`, drawn with `rng` (questions: `seed`). */
function demonstrations(
  docs: MathDocument[],
  count: number,
  tokenizer: Tokenizer,
  rng: Rng,
  seed: number,
  cfg: PretrainDataConfig,
  prompt: PromptConfig,
): DemoRecord[] {
  const nQuestions = questionCount(count, cfg);
  const nextToken = count - nQuestions > 0
    ? makeDemoRecords(docs, tokenizer, rng, {
      prompt,
      count: count - nQuestions,
      budgetFraction: cfg.budgetFraction,
      verbosity: cfg.verbosity,
      errorRate: cfg.errorRate,
      maxTokens: cfg.maxDemoTokens,
      style: cfg.demoStyle ?? "classic", // absent in records written before the field existed
      verboseFraction: cfg.verboseFraction ?? 0.5,
    })
    : [];
  if (nQuestions === 0) return nextToken;
  const questions = makeQuestionRecords(
    demoQuestions(nQuestions, seed),
    tokenizer,
    mulberry32(seed),
    {
      count: nQuestions,
      prompt: POSTTRAIN_PROMPT_DEFAULTS,
      errorRate: cfg.errorRate,
      verboseFraction: cfg.verboseFraction ?? 0.5,
      maxTokens: cfg.maxDemoTokens,
    },
  );
  return [...nextToken, ...questions];
}

export function buildPretrainCorpus(
  cfg: PretrainDataConfig,
  prompt: PromptConfig,
  opts: BuildCorpusOptions = {},
): PretrainCorpus {
  const documents = loadDocuments(cfg);
  const nDemos = demoCount(documents.train.length, cfg.demoFraction);
  const tokenizer = opts.tokenizer ??
    Tokenizer.train(tokenizerTexts(documents.train, prompt, nDemos, cfg), {
      vocabSize: cfg.vocabSize,
    });
  const eot = tokenizer.specialId("eot");
  const rng = mulberry32(cfg.demoSeed);
  const demos = demonstrations(
    documents.train,
    nDemos,
    tokenizer,
    rng,
    cfg.demoSeed + 3,
    cfg,
    prompt,
  );
  const train = shuffle(
    [...documents.train.map((d) => tokenizer.encode(d.text)), ...demos.map((d) => d.ids)],
    rng,
  );
  const heldOutRng = mulberry32(cfg.demoSeed + 1);
  const nHeldOutDemos = demoCount(documents.heldOut.length, cfg.demoFraction);
  const heldOutDemos = demonstrations(
    documents.heldOut,
    nHeldOutDemos,
    tokenizer,
    heldOutRng,
    cfg.demoSeed + 4,
    cfg,
    prompt,
  );
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
