/**
 * The documents of a pre-training data config (method §11.1), before tokenization: seeded math
 * documents (`generateMathDocuments`, `source: math`), the reasoning corpus
 * (`generateReasoningDocuments`, `source: reasoning`), train and held-out from two seeds, or a
 * user `.txt`/`.jsonl` file split by a seeded shuffle. Every document is at most `maxDocChars`
 * characters, so that a whole document fits in the prompt's context window: a longer file
 * document is split into consecutive pieces (at whitespace where it can), never cut short, and the
 * number split is reported.
 *
 * @module
 */
import { readCorpusFile } from "../../data/corpus_files.ts";
import { generateMathDocuments } from "../../data/corpus_math.ts";
import { generateReasoningDocuments, type ReasoningKind } from "../../data/corpus_reasoning.ts";
import type { MathDocument } from "../../data/math_doc.ts";
import { mulberry32, type Rng } from "../../util/rng.ts";

/** The fields of the `data` config section that choose the documents (see `data.ts`). */
export interface DocumentsConfig {
  /** `"math"`, `"reasoning"` or the path of a `.txt`/`.jsonl` corpus. */
  source: string;
  /** Number of training documents (file source: 0 = all that remain after the held-out split). */
  trainDocs: number;
  /** Number of held-out documents. */
  heldOutDocs: number;
  /** Seed of the training documents (generators) or of the train/held-out split (file). */
  trainSeed: number;
  /** Seed of the held-out documents (generators). */
  heldOutSeed: number;
  /** Longest document in characters (generators: their `maxChars`; file: longer ones are split). */
  maxDocChars: number;
  /**
   * Reasoning corpus: the families drawn from, uniformly (absent, as in records written before
   * the field existed: all four).
   */
  reasoningKinds?: readonly ReasoningKind[];
  /** Reasoning corpus: operand lengths in digits (absent: the generator's `[2, 3, 4, 5]`). */
  operandDigits?: readonly number[];
}

/** Training and held-out documents, before tokenization. */
export interface CorpusDocuments {
  /** Training documents (math documents carry their facts; file documents have none). */
  train: MathDocument[];
  /** Held-out documents (evaluation). */
  heldOut: MathDocument[];
  /** File documents longer than `maxDocChars`, each split into pieces (0 for generators). */
  split: number;
}

/**
 * Splits `text` into consecutive pieces of at most `max` characters, none dropped: each piece ends
 * after the last whitespace of its window when that lies in the window's second half, else at the
 * window's end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textPieces } from "./documents.ts";
 * assert.deepEqual(textPieces("aaa bbb ccc", 8), ["aaa bbb ", "ccc"]);
 * assert.deepEqual(textPieces("abcdefgh", 3), ["abc", "def", "gh"]);
 * assert.deepEqual(textPieces("short", 8), ["short"]);
 * ```
 */
export function textPieces(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const space = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\n"));
    const end = space >= max / 2 ? space + 1 : max;
    pieces.push(rest.slice(0, end));
    rest = rest.slice(end);
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

function asDocument(text: string): MathDocument {
  return { text, facts: [], difficulty: 0, kinds: [] };
}

/** Fisher–Yates shuffle in place with `rng`. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

type Generator = (
  count: number,
  seed: number,
  opts: { maxChars: number; minChars: number },
) => MathDocument[];

/**
 * The first `count` generated documents of at most `maxChars` characters (a generator may
 * exceed its `maxChars` with a single long problem; such documents are skipped). The
 * generator's stream does not depend on `count`, so the result is deterministic in the seed.
 */
function fittingDocuments(
  generate: Generator,
  count: number,
  seed: number,
  maxChars: number,
  minChars: number,
): MathDocument[] {
  const opts = { maxChars, minChars: Math.min(minChars, maxChars >> 1) };
  for (let n = Math.ceil(count * 1.25) + 8;; n *= 2) {
    const fit = generate(n, seed, opts).filter((d) => d.text.length <= maxChars);
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
 * import { loadDocuments } from "./documents.ts";
 * import { PRETRAIN_DATA_DEFAULTS } from "./data.ts";
 * const docs = loadDocuments({ ...PRETRAIN_DATA_DEFAULTS, trainDocs: 20, heldOutDocs: 5 });
 * assert.equal(docs.train.length, 20);
 * assert.ok(docs.heldOut.every((d) => d.text.length <= PRETRAIN_DATA_DEFAULTS.maxDocChars));
 * ```
 */
export function loadDocuments(cfg: DocumentsConfig): CorpusDocuments {
  if (cfg.source === "math" || cfg.source === "reasoning") {
    const reasoning: Generator = (n, seed, opts) =>
      generateReasoningDocuments(n, seed, {
        ...opts,
        kinds: cfg.reasoningKinds,
        digits: cfg.operandDigits,
      });
    const [generate, minChars] = cfg.source === "math"
      ? [generateMathDocuments, 100]
      : [reasoning, 80];
    return {
      train: fittingDocuments(generate, cfg.trainDocs, cfg.trainSeed, cfg.maxDocChars, minChars),
      heldOut: fittingDocuments(
        generate,
        cfg.heldOutDocs,
        cfg.heldOutSeed,
        cfg.maxDocChars,
        minChars,
      ),
      split: 0,
    };
  }
  const whole = readCorpusFile(cfg.source);
  const texts = whole.flatMap((t) => textPieces(t, cfg.maxDocChars));
  const split = whole.filter((t) => t.length > cfg.maxDocChars).length;
  if (texts.length < cfg.heldOutDocs + 1) {
    throw new Error(
      `${cfg.source}: ${texts.length} documents, need more than heldOutDocs = ${cfg.heldOutDocs}`,
    );
  }
  shuffle(texts, mulberry32(cfg.trainSeed));
  const heldOut = texts.slice(0, cfg.heldOutDocs);
  const rest = texts.slice(cfg.heldOutDocs);
  const train = cfg.trainDocs > 0 ? rest.slice(0, cfg.trainDocs) : rest;
  return { train: train.map(asDocument), heldOut: heldOut.map(asDocument), split };
}
