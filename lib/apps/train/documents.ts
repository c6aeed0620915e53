/**
 * The trainer's documents as token ids (method §9, §11.1): the base checkpoint's recorded
 * training documents (`data.source: base`) or a `.txt`/`.jsonl` corpus file. A document longer
 * than the model's window is split into window-sized pieces, never cut short: RL positions and
 * NTP both need their whole prefix inside the window, and a silent cut would drop most of a
 * long corpus (a 20 MB file on one line is one document).
 *
 * @module
 */
import { ConfigError, resolveConfig } from "../../util/config.ts";
import { readCorpusFile } from "../../data/corpus_files.ts";
import type { Codec } from "../../data/codec.ts";
import { loadDocuments, PRETRAIN_DATA_DEFAULTS } from "../pretrain/data.ts";
import type { TrainConfig } from "./config.ts";

/** The documents, and what was done to fit them into the window. */
export interface TrainingDocuments {
  /** Token ids, each at most the window long and at least 2 tokens. */
  docs: number[][];
  /** Documents read (after `data.documents`). */
  read: number;
  /** Documents longer than the window (each became several pieces). */
  split: number;
  /** Where they came from, for the run summary. */
  source: string;
}

/**
 * Splits token ids into consecutive pieces of at most `window` tokens (none dropped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { windows } from "./documents.ts";
 * assert.deepEqual(windows([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
 * assert.deepEqual(windows([1, 2], 4), [[1, 2]]);
 * ```
 */
export function windows(ids: number[], window: number): number[][] {
  if (ids.length <= window) return [ids];
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += window) out.push(ids.slice(i, i + window));
  return out;
}

/**
 * Reads and tokenizes the training documents of `cfg.data`; pieces shorter than 2 tokens (no
 * position to train) are left out.
 *
 * @throws {ConfigError} When the base checkpoint records no documents or none is long enough.
 */
export function trainingDocuments(
  cfg: TrainConfig,
  tokenizer: Codec,
  baseState: Record<string, unknown>,
  window: number,
): TrainingDocuments {
  let texts: string[];
  let source: string;
  if (cfg.data.source === "base") {
    // pre-training records { corpus: { data, prompt } }; older states { config: { data } }
    const corpus = baseState.corpus as Record<string, unknown> | undefined;
    const stateConfig = baseState.config as Record<string, unknown> | undefined;
    const recorded = corpus?.data ?? stateConfig?.data;
    if (recorded === undefined) {
      throw new ConfigError(
        `train.data.source: the base checkpoint ${cfg.baseCheckpoint} records no data config; ` +
          `set data.source (or --corpus) to a .txt/.jsonl corpus`,
      );
    }
    const dataCfg = resolveConfig(PRETRAIN_DATA_DEFAULTS, recorded, `${cfg.baseCheckpoint} data`);
    texts = loadDocuments(dataCfg).train.map((d) => d.text);
    source = `the base checkpoint's training documents (${dataCfg.source})`;
  } else {
    texts = readCorpusFile(cfg.data.source);
    source = cfg.data.source;
  }
  if (cfg.data.documents > 0) texts = texts.slice(0, cfg.data.documents);
  let split = 0;
  const docs: number[][] = [];
  for (const t of texts) {
    const pieces = windows(tokenizer.encode(t), window);
    if (pieces.length > 1) split++;
    for (const p of pieces) if (p.length >= 2) docs.push(p);
  }
  if (docs.length === 0) {
    throw new ConfigError(
      `train.data.source: no document of 2 tokens or more in ${cfg.data.source}`,
    );
  }
  return { docs, read: texts.length, split, source };
}
