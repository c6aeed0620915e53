/**
 * How a pre-training run starts: from scratch (random weights), from its own checkpoint
 * (`--resume`: weights, optimizer moments and step), or from the weights of another checkpoint
 * (`init`, continued pre-training like nanoGPT's `init_from`: a fresh AdamW state and the run's
 * own warm-up + cosine over its `steps`).
 *
 * An `init` run trains with the init checkpoint's tokenizer (a BPE trained anew would scramble
 * the embeddings), and needs the checkpoint's GPT config to equal the run's `model` section
 * (`vocabSize` is the tokenizer's). Its checkpoints record where the weights came from
 * (`initFrom`, `initStep` in `state.json`); a resume of it rebuilds the tokenizer from the init
 * checkpoint again, so that the resume's tokenizer check still holds.
 *
 * @module
 */
import { REASONING_KINDS } from "../../data/corpus_reasoning.ts";
import {
  type Checkpoint,
  CheckpointError,
  findCheckpoint,
  loadCheckpoint,
  loadOptimizerState,
} from "../../model/checkpoint.ts";
import { GPT, GPT_CONFIG, type GptConfig } from "../../model/gpt.ts";
import { isLlamaConfig, resolveModelConfig } from "../../model/decoder.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import { AdamW, type AdamWConfig } from "../../engine/optim/adamw.ts";
import { firstDifference } from "../../util/diff.ts";
import { exists } from "../../util/fs.ts";
import { ConfigError, type PretrainConfig } from "./config.ts";
import type { PretrainDataConfig } from "./data.ts";
import type { PromptConfig } from "../../rmt/prompt.ts";

/** What a pre-training checkpoint records in `state.json`. */
export interface PretrainState {
  /** Always `"pretrain"`. */
  kind: string;
  /** Optimiser steps done. */
  step: number;
  /** The resolved configuration of the run. */
  config: PretrainConfig;
  /**
   * The corpus and prompt format the model was trained with: `loadDocuments(corpus.data)`
   * rebuilds its training and held-out documents (the RMT trainer and evaluation use them).
   */
  corpus: { data: PretrainDataConfig; prompt: PromptConfig };
  /** The checkpoint the weights were initialised from (`init` runs only). */
  initFrom?: string;
  /** That checkpoint's step (`state.step`; null when it recorded none). */
  initStep?: number | null;
}

/** Where an `init` run's weights came from. */
export interface InitOrigin {
  /** The checkpoint directory (`cfg.init`). */
  dir: string;
  /** Its `state.step` (null when it recorded none). */
  step: number | null;
}

/** An opened `init` checkpoint: its weights, its tokenizer and where they came from. */
export interface InitSource {
  /** The GPT with the checkpoint's weights (the caller owns it). */
  model: GPT;
  /** The checkpoint's tokenizer (the run's corpus is encoded with it). */
  tokenizer: Tokenizer;
  /** Directory and step. */
  origin: InitOrigin;
}

/**
 * The one-line complaint when a checkpoint's model config `saved` differs from the run's `model`
 * section (every GPT field but `vocabSize`, which is the tokenizer's), or null when it matches.
 * `name` leads the message (`init`, `--init`, `<file>.init`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initMismatch } from "./start.ts";
 * import { GPT_CONFIG } from "../../model/gpt.ts";
 * const model = { ...GPT_CONFIG.defaults, nEmbd: 128 };
 * assert.equal(initMismatch("ck", { ...model, vocabSize: 300 }, model), null);
 * assert.equal(
 *   initMismatch("ck", { ...model, nEmbd: 64 }, model),
 *   "init: ck has model.nEmbd 64, the config asks for 128",
 * );
 * ```
 */
export function initMismatch(
  dir: string,
  saved: unknown,
  model: GptConfig,
  name = "init",
): string | null {
  if (isLlamaConfig(saved)) {
    return `${name}: ${dir} holds a Llama model; pre-training trains the GPT`;
  }
  const got = saved as Record<string, unknown>;
  for (const key of Object.keys(GPT_CONFIG.defaults) as (keyof GptConfig)[]) {
    if (key === "vocabSize" || Object.is(got[key], model[key])) continue;
    return `${name}: ${dir} has model.${key} ${JSON.stringify(got[key])}, the config asks for ` +
      JSON.stringify(model[key]);
  }
  return null;
}

/**
 * Checks, without a backend and before anything is printed, that `cfg.init` (when set) is a
 * checkpoint directory whose model config matches `cfg.model`; `name` leads the error.
 *
 * @throws {ConfigError} One line naming `name`: no checkpoint there, an unreadable `config.json`,
 * or the first differing model field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkInit } from "./start.ts";
 * import { PRETRAIN_DEFAULTS } from "./config.ts";
 * await checkInit(PRETRAIN_DEFAULTS); // init "" = from scratch: nothing to check
 * await assert.rejects(() => checkInit({ ...PRETRAIN_DEFAULTS, init: "no/such" }, "--init"),
 *   /^ConfigError: --init: no\/such: no checkpoint here \(missing directory\)$/);
 * ```
 */
export async function checkInit(cfg: PretrainConfig, name = "init"): Promise<void> {
  if (cfg.init === "") return;
  const found = await findCheckpoint(cfg.init);
  if (found === null) {
    throw new ConfigError(`${name}: ${cfg.init}: no checkpoint here (missing directory)`);
  }
  if (!(await exists(`${found}/config.json`))) {
    throw new ConfigError(`${name}: ${cfg.init}: no checkpoint here (no config.json)`);
  }
  let saved: unknown;
  try {
    saved = resolveModelConfig(JSON.parse(await Deno.readTextFile(`${found}/config.json`)));
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    throw new ConfigError(`${name}: ${found}/config.json: unreadable model config (${why})`);
  }
  const wrong = initMismatch(cfg.init, saved, cfg.model, name);
  if (wrong !== null) throw new ConfigError(wrong);
}

/**
 * Opens `cfg.init`: loads its weights (no optimizer state) and tokenizer, and checks its model
 * config against `cfg.model`.
 *
 * @throws {ConfigError} One line starting `init:` when the directory holds no readable checkpoint,
 * not a GPT, or a model config that differs from the run's.
 */
export async function openInit(cfg: PretrainConfig): Promise<InitSource> {
  await checkInit(cfg);
  let ck: Checkpoint;
  try {
    ck = await loadCheckpoint(cfg.init, { optimizer: false });
  } catch (e) {
    if (e instanceof CheckpointError) throw new ConfigError(`init: ${e.message}`);
    throw e;
  }
  const wrong = ck.model instanceof GPT
    ? initMismatch(cfg.init, ck.modelConfig, cfg.model)
    : `init: ${cfg.init} holds a Llama model; pre-training trains the GPT`;
  if (wrong !== null || !(ck.model instanceof GPT)) {
    ck.model.dispose();
    throw new ConfigError(wrong!);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromJSON(ck.tokenizerJson, `${cfg.init}/tokenizer.json`);
  } catch (e) {
    ck.model.dispose();
    throw new ConfigError(`init: ${(e as Error).message}`);
  }
  const step = typeof ck.state.step === "number" ? ck.state.step : null;
  return { model: ck.model, tokenizer, origin: { dir: cfg.init, step } };
}

/** Options of {@linkcode startRun}. */
export interface StartOptions {
  /** Continue from `<out>/checkpoint` (see `PretrainOptions.resume`). */
  resume?: boolean;
  /** Log sink. */
  log: (line: string) => void;
}

/** Where {@linkcode startRun} leaves the run. */
export interface RunStart {
  model: GPT;
  opt: AdamW;
  /** Steps already done (0 unless resumed). */
  start: number;
  /** Where the weights were initialised from (`init` runs, resumed or not), else null. */
  origin: InitOrigin | null;
}

function readMetrics(file: string): string[] {
  try {
    return Deno.readTextFileSync(file).split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
}

/**
 * Builds the model and optimizer a run starts with: the checkpoint of `<out>/checkpoint` on
 * `resume` (its configuration must equal `cfg` except `steps`, `out` and `backend`, its
 * tokenizer `tok`), else `init`'s weights (disposed on a resume), else a fresh GPT. Truncates
 * `<out>/metrics.jsonl` to the resumed step, or empties it.
 *
 * @throws {ConfigError} When a resume finds a different configuration or a finished run.
 * @throws {CheckpointError} When a resume finds no readable pre-training checkpoint.
 */
export async function startRun(
  cfg: PretrainConfig,
  tok: Tokenizer,
  init: InitSource | null,
  adamw: Partial<AdamWConfig>,
  opts: StartOptions,
): Promise<RunStart> {
  const ckDir = `${cfg.out}/checkpoint`;
  const metricsFile = `${cfg.out}/metrics.jsonl`;
  if (!opts.resume) {
    const model = init?.model ?? new GPT({ ...cfg.model, vocabSize: tok.vocabSize });
    Deno.writeTextFileSync(metricsFile, "");
    if (init !== null) opts.log(`initialised from ${init.origin.dir} (step ${init.origin.step})`);
    return {
      model,
      opt: new AdamW(model.parameters(), adamw),
      start: 0,
      origin: init?.origin ?? null,
    };
  }
  init?.model.dispose(); // a resume continues its own weights
  const ck = await loadCheckpoint(ckDir, { optimizer: true });
  const saved = ck.state as unknown as PretrainState;
  const refuse = (e: Error) => {
    ck.model.dispose();
    return e;
  };
  if (saved.kind !== "pretrain" || typeof saved.step !== "number") {
    throw refuse(new CheckpointError(`${ckDir}: not a pre-training checkpoint (state.kind)`));
  }
  // T (steps), the output directory and the backend may change; nothing else may. Fields added
  // after a run was written take the value that run had: a run from before `init` started from
  // scratch, one from before `data.questionFraction` had no question demonstrations, one from
  // before `data.reasoningKinds` / `operandDigits` drew the generator's defaults.
  const free = { steps: 0, out: "", backend: "cpu" };
  const added: Partial<PretrainConfig> = { init: "" };
  const addedData: Partial<PretrainConfig["data"]> = {
    questionFraction: 0,
    reasoningKinds: [...REASONING_KINDS],
    operandDigits: [2, 3, 4, 5],
  };
  const recorded = {
    ...added,
    ...saved.config,
    data: { ...addedData, ...saved.config.data },
    ...free,
  };
  const diff = firstDifference(recorded, { ...cfg, ...free });
  if (diff !== null) {
    throw refuse(
      new ConfigError(
        `--resume: ${diff} differs from the checkpoint's configuration (${ckDir}/state.json)`,
      ),
    );
  }
  if (firstDifference(ck.tokenizerJson, tok.toJSON()) !== null) {
    throw refuse(
      new CheckpointError(`${ckDir}: tokenizer differs from the one rebuilt from the config`),
    );
  }
  if (!(ck.model instanceof GPT)) {
    throw refuse(
      new CheckpointError(`${ckDir}: not a GPT checkpoint (pre-training trains the GPT)`),
    );
  }
  const model = ck.model;
  const opt = new AdamW(model.parameters(), adamw);
  loadOptimizerState(opt, ck);
  const start = saved.step;
  if (start >= cfg.steps) {
    model.dispose();
    opt.dispose();
    throw new ConfigError(
      `--resume: the run in ${cfg.out} is finished (${start}/${cfg.steps} steps); nothing to ` +
        `resume (--steps N > ${start} continues it, the cosine schedule stretched to the new T)`,
    );
  }
  // Drop log lines written after the checkpoint (an interrupted run's tail).
  const kept = readMetrics(metricsFile).filter((l) => JSON.parse(l).step <= start);
  Deno.writeTextFileSync(metricsFile, kept.map((l) => l + "\n").join(""));
  // the origin the run recorded (the init directory may hold a later checkpoint by now)
  const origin = typeof saved.initFrom === "string"
    ? { dir: saved.initFrom, step: saved.initStep ?? null }
    : init?.origin ?? null;
  opts.log(`resumed from ${ckDir} at step ${start}`);
  if (origin !== null) opts.log(`initialised from ${origin.dir} (step ${origin.step})`);
  return { model, opt, start, origin };
}
