/**
 * The pre-training loop of the base model (method §11.1): teacher-forced next-token prediction on
 * the thinking-augmented stream of `lib/apps/pretrain/data.ts`, with AdamW (fused, clipped by global
 * gradient norm on the device), linear warm-up + cosine decay, and the usual bookkeeping.
 *
 * - Every step runs inside `tidy`; nothing is read back except every `logEvery` steps, when one
 *   small tensor (mean loss of the window, last gradient norm) is read.
 * - The held-out loss (fixed, seeded held-out batches) every `evalEvery` steps and at the end.
 * - `metrics.jsonl`: one JSON line per log point (and per held-out evaluation).
 * - Checkpoints (atomic, `saveCheckpoint`) every `checkpointEvery` steps and at the end, with the
 *   optimizer moments and `state = { kind, step, config, corpus }` (and `initFrom`, `initStep`
 *   when the weights came from `init`, see `start.ts`). The batch of step t depends
 *   only on (seed, t) (`stepSeed`) and the model has no dropout, so `--resume` continues
 *   bit-for-bit like an uninterrupted run.
 *
 * Deliberate deviations: none (no paper content; nanoGPT-style defaults).
 *
 * @module
 */
import { stringify } from "yaml";
import { mulberry32 } from "../../util/rng.ts";
import { saveCheckpoint } from "../../model/checkpoint.ts";
import type { GPT } from "../../model/gpt.ts";
import { adamwConfigOf } from "../../engine/optim/adamw.ts";
import { warmupCosine } from "../../engine/optim/schedule.ts";
import {
  concat,
  getBackend,
  keep,
  noGrad,
  type Tensor,
  tensor,
  tidy,
} from "../../engine/tensor.ts";
import { ProgressBar } from "../../util/progress.ts";
import { ConfigError, type PretrainConfig } from "./config.ts";
import { firstDifference } from "../../util/diff.ts";
import {
  buildPretrainCorpus,
  type PretrainCorpus,
  sampleStreamBatch,
  stepSeed,
  type StreamBatch,
} from "./data.ts";
import { prepareRunDir } from "../run_dir.ts";
import { type InitSource, openInit, type PretrainState, startRun } from "./start.ts";

export type { PretrainState };

/** One line of `metrics.jsonl`. */
export interface PretrainMetrics {
  /** Optimiser steps done. */
  step: number;
  /** Mean training loss (nats/token) over the steps since the previous log line. */
  loss?: number;
  /** Global gradient norm of the last step, before clipping. */
  gradNorm?: number;
  /** Learning rate of the last step. */
  lr?: number;
  /** Training tokens per second over the window (evaluation and checkpoints excluded). */
  tokensPerSecond?: number;
  /** Held-out loss (nats/token), on evaluation lines. */
  heldOutLoss?: number;
  /** Training tokens seen so far. */
  tokens: number;
  /** Seconds since the start of this invocation. */
  elapsed: number;
}

/** Options of {@linkcode pretrain}. */
export interface PretrainOptions {
  /**
   * Continue from `<out>/checkpoint`. The configuration must match the checkpoint's except
   * `steps`, `out` and `backend` (a changed `steps` changes the cosine, so only an unchanged one
   * reproduces the uninterrupted run).
   */
  resume?: boolean;
  /** Delete the run `cfg.out` holds and start over (default: refuse to overwrite it). */
  force?: boolean;
  /** Stop (with a checkpoint) once this many steps are done (simulates an interruption). */
  stopAfter?: number;
  /** Where progress lines go (default: a progress bar on stdout). */
  progress?: ProgressBar | null;
  /** Log sink for messages (default `console.log`). */
  log?: (line: string) => void;
  /** Prebuilt corpus (tests; must match `cfg.data` and `cfg.prompt`). */
  corpus?: PretrainCorpus;
}

/** The result of {@linkcode pretrain}. */
export interface PretrainResult {
  /** Steps done (total, across resumes). */
  step: number;
  /** The checkpoint directory. */
  checkpoint: string;
  /** Every metrics line written by this invocation. */
  metrics: PretrainMetrics[];
  /** Wall seconds of this invocation. */
  seconds: number;
  /** Mean training tokens per second of this invocation (training steps only). */
  tokensPerSecond: number;
}

/**
 * Renders the resolved config as YAML (what the commands print first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatConfig } from "./pretrain.ts";
 * assert.equal(formatConfig({ a: 1, b: { c: "x" } }), "a: 1\nb:\n  c: x\n");
 * // blank lines inside block scalars carry no indentation (as `deno fmt` writes them)
 * assert.equal(formatConfig({ s: "a\n\nb\n" }), "s: |\n  a\n\n  b\n");
 * ```
 */
export function formatConfig(cfg: unknown): string {
  return stringify(cfg, { lineWidth: 0 }).replace(/^[ \t]+$/gm, "");
}

/** Fixed held-out batches (seeded, drawn once). */
function heldOutBatches(corpus: PretrainCorpus, cfg: PretrainConfig): StreamBatch[] {
  const rng = mulberry32(stepSeed(cfg.seed ^ 0x5eed, 0));
  const T = cfg.model.contextLength;
  return Array.from(
    { length: cfg.evalBatches },
    () => sampleStreamBatch(corpus.heldOut, cfg.batchSize, T, rng),
  );
}

/** Mean next-token loss of `model` on `batches` (one readback). */
async function evaluateLoss(model: GPT, batches: StreamBatch[], T: number): Promise<number> {
  let total: Tensor | null = null;
  for (const b of batches) {
    const B = b.inputs.length / T;
    const loss = noGrad(() =>
      tidy(() => {
        const logits = model.forward(tensor(b.inputs, [B, T], { dtype: "i32" })); // (B, T, V)
        const V = logits.shape[2];
        return logits.reshape([B * T, V]).crossEntropy(
          tensor(b.targets, [B * T], { dtype: "i32" }),
        ).mean(); // ()
      })
    );
    const next: Tensor = total === null ? loss : noGrad(() => total!.add(loss));
    if (total !== null) {
      total.dispose();
      loss.dispose();
    }
    total = next;
  }
  const value = await total!.item();
  total!.dispose();
  return value / batches.length;
}

/**
 * Runs pre-training with `cfg` on the current default backend (see `initBackend`), writing
 * `<out>/config.yaml`, `<out>/metrics.jsonl` and `<out>/checkpoint/`; a directory that holds a
 * run is refused unless `resume` or `force` is set.
 *
 * With `cfg.init` set, the model starts from that checkpoint's weights and the corpus is encoded
 * with its tokenizer (`start.ts`); the optimizer and the schedule start afresh.
 *
 * @throws {ConfigError} When `resume` finds a checkpoint of a different configuration, or
 * `init` names no readable checkpoint or one of another model config (one line naming `init`).
 * @throws {CheckpointError} When `resume` finds no readable checkpoint.
 */
export async function pretrain(
  cfg: PretrainConfig,
  opts: PretrainOptions = {},
): Promise<PretrainResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const t0 = performance.now();
  // the init checkpoint is checked before anything is built, written or printed
  const init: InitSource | null = cfg.init === "" ? null : await openInit(cfg);
  const corpus = opts.corpus ??
    buildPretrainCorpus(cfg.data, cfg.prompt, init === null ? {} : { tokenizer: init.tokenizer });
  const tok = corpus.tokenizer;
  const T = cfg.model.contextLength;
  const B = cfg.batchSize;
  const ckDir = `${cfg.out}/checkpoint`;
  const metricsFile = `${cfg.out}/metrics.jsonl`;
  try {
    if (init !== null && firstDifference(init.tokenizer.toJSON(), tok.toJSON()) !== null) {
      throw new ConfigError(
        `init: ${cfg.init}: the corpus given is not encoded with its tokenizer`,
      );
    }
    await prepareRunDir(cfg.out, { resume: opts.resume, force: opts.force });
  } catch (e) {
    init?.model.dispose();
    throw e;
  }
  const { model, opt, start, origin } = await startRun(cfg, tok, init, adamwConfigOf(cfg), {
    resume: opts.resume,
    log,
  });
  Deno.writeTextFileSync(`${cfg.out}/config.yaml`, formatConfig(cfg));
  log(
    `corpus: ${corpus.train.documents} documents + ${corpus.train.demos} demonstrations, ` +
      `${corpus.train.tokens.length} tokens (held-out ${corpus.heldOut.tokens.length}); ` +
      `vocab ${tok.vocabSize}; demos: mean ${corpus.demoStats.meanTokens.toFixed(0)} tokens, ` +
      `mean reasoning ${corpus.demoStats.meanReasoning.toFixed(0)} tokens`,
  );
  if (corpus.documents.split > 0) {
    log(
      `corpus: ${corpus.documents.split} documents longer than data.maxDocChars = ` +
        `${cfg.data.maxDocChars} characters were split into pieces`,
    );
  }
  log(`model: ${model.parameterCount()} parameters; ${B}×${T} tokens per step`);

  const evalSet = heldOutBatches(corpus, cfg);
  const end = Math.min(cfg.steps, opts.stopAfter ?? cfg.steps);
  const progress = opts.progress === undefined
    ? new ProgressBar(cfg.steps, start, { lineEvery: cfg.logEvery })
    : opts.progress;
  const metrics: PretrainMetrics[] = [];
  const write = (m: PretrainMetrics) => {
    metrics.push(m);
    Deno.writeTextFileSync(metricsFile, JSON.stringify(m) + "\n", { append: true });
  };
  const state = (step: number): PretrainState => ({
    kind: "pretrain",
    step,
    config: cfg,
    corpus: { data: cfg.data, prompt: cfg.prompt },
    ...(origin === null ? {} : { initFrom: origin.dir, initStep: origin.step }),
  });
  const checkpoint = async (step: number) => {
    await saveCheckpoint(ckDir, {
      model,
      tokenizerJson: tok.toJSON(),
      optimizer: opt,
      state: state(step) as unknown as Record<string, unknown>,
    });
  };

  let lossSum: Tensor | null = null; // () sum of the window's losses, on the device
  let lastNorm: Tensor | null = null; // () last gradient norm
  let windowSteps = 0;
  let windowStart = performance.now();
  let trainSeconds = 0, trainTokens = 0;
  let fields: Record<string, string> = {};
  for (let step = start; step < end; step++) {
    const batch = sampleStreamBatch(corpus.train, B, T, mulberry32(stepSeed(cfg.seed, step)));
    const lr = warmupCosine(step, cfg.lr, {
      warmupSteps: cfg.warmupSteps,
      totalSteps: cfg.steps,
      minLrRatio: cfg.minLrRatio,
    });
    const { loss, norm } = tidy(() => {
      const logits = model.forward(tensor(batch.inputs, [B, T], { dtype: "i32" })); // (B, T, V)
      const V = logits.shape[2];
      const loss = logits.reshape([B * T, V]).crossEntropy(
        tensor(batch.targets, [B * T], { dtype: "i32" }),
      ).mean(); // ()
      loss.backward();
      const norm = opt.step(lr); // ()
      opt.zeroGrad();
      return { loss: loss.detach(), norm };
    });
    const sum: Tensor = lossSum === null ? loss : noGrad(() => lossSum!.add(loss));
    if (lossSum !== null) {
      lossSum.dispose();
      loss.dispose();
    }
    lossSum = keep(sum);
    lastNorm?.dispose();
    lastNorm = keep(norm);
    windowSteps++;
    const done = step + 1;

    if (done % cfg.logEvery === 0 || done === end) {
      // One readback: [mean loss of the window, last grad norm].
      const packed = noGrad(() =>
        concat([lossSum!.div(windowSteps).reshape([1]), lastNorm!.reshape([1])])
      );
      const [meanLoss, gradNorm] = await packed.toArray();
      packed.dispose();
      lossSum.dispose();
      lossSum = null;
      const seconds = (performance.now() - windowStart) / 1000;
      const tokens = windowSteps * B * T;
      trainSeconds += seconds;
      trainTokens += tokens;
      const m: PretrainMetrics = {
        step: done,
        loss: meanLoss,
        gradNorm,
        lr,
        tokensPerSecond: tokens / seconds,
        tokens: done * B * T,
        elapsed: (performance.now() - t0) / 1000,
      };
      write(m);
      fields = {
        loss: meanLoss.toFixed(3),
        "tok/s": (tokens / seconds).toFixed(0),
        lr: lr.toExponential(1),
      };
      windowSteps = 0;
      windowStart = performance.now();
    }
    progress?.update(done, fields);
    const evalNow = done === end || (cfg.evalEvery > 0 && done % cfg.evalEvery === 0);
    const ckNow = done === end || (cfg.checkpointEvery > 0 && done % cfg.checkpointEvery === 0);
    if (evalNow || ckNow) {
      if (evalNow) {
        const heldOutLoss = await evaluateLoss(model, evalSet, T);
        write({
          step: done,
          heldOutLoss,
          tokens: done * B * T,
          elapsed: (performance.now() - t0) / 1000,
        });
        fields = { ...fields, "held-out": heldOutLoss.toFixed(3) };
        progress?.log(`step ${done}: held-out loss ${heldOutLoss.toFixed(4)}`);
      }
      if (ckNow) await checkpoint(done);
      windowStart = performance.now();
    }
  }
  progress?.done();
  lossSum?.dispose();
  lastNorm?.dispose();
  if (start >= end) await checkpoint(start);
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    step: Math.max(start, end),
    checkpoint: ckDir,
    metrics,
    seconds,
    tokensPerSecond: trainSeconds > 0 ? trainTokens / trainSeconds : 0,
  };
  log(
    `done: ${result.step} steps, ${seconds.toFixed(1)} s, ${result.tokensPerSecond.toFixed(0)} ` +
      `tokens/s on ${getBackend().name}; checkpoint ${ckDir}`,
  );
  model.dispose();
  opt.dispose();
  return result;
}
