/**
 * The Reinforcement Mid-Training loop (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375; method §9, §11): load the base checkpoint and its training documents, compute
 * (or load cached) entropy tiers once, then T steps of `rmtStep`, with a progress line, one
 * metrics.jsonl line per step, atomic checkpoints, and exact resumption.
 *
 * Output directory (`cfg.out`; `lib/apps/run_dir.ts` refuses one that holds a run unless resumed or
 * forced):
 * - `config.yaml`: the resolved config (the terminal shows a few-line summary instead);
 * - `metrics.jsonl`: one {@linkcode StepRecord} per step (every reward, budget and, with
 *   `logCompletions`, every completion's token ids);
 * - `checkpoint/`: model, tokenizer, AdamW state and `{ step, config, corpus }` (`saveCheckpoint`
 *   survives a crash at any point); `corpus` is the base checkpoint's record with the RL prompt,
 *   so the checkpoint can be evaluated like the base;
 * - `summary.json` and `report.html`: first/last figures, timing, curves.
 *
 * Deliberate deviations:
 * - Documents longer than the model's context are split into window-sized pieces (RL positions
 *   and NTP both need the whole prefix in the window); the summary says how many.
 * - Resuming requires the identical config (T, seeds, method …): a step is a function of
 *   (weights, AdamW state, seed, t), so the resumed run's metrics equal the uninterrupted run's.
 *   A finished run cannot be extended: B_t and p_t are functions of t/T.
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { AdamW, adamwConfigOf } from "../../engine/optim/adamw.ts";
import type { GPT } from "../../model/gpt.ts";
import type { Llama } from "../../model/llama.ts";
import { loadAnyCheckpoint } from "../../model/load.ts";
import type { Codec } from "../../data/codec.ts";
import {
  CheckpointError,
  loadCheckpoint,
  loadOptimizerState,
  saveCheckpoint,
} from "../../model/checkpoint.ts";
import { stringify } from "yaml";
import { buildPrompt } from "../../rmt/prompt.ts";
import { ProgressBar } from "../../util/progress.ts";
import type { TrainConfig } from "./config.ts";
import { rmtStep, type StepRecord } from "./step.ts";
import { trainingReportHtml } from "./report.ts";
import { allEntropies, cachedScores, type DocScores } from "../eval/tiers.ts";
import { assignTiers, type EntropyConfig, tierThresholds } from "../../rmt/entropy.ts";
import { exists } from "../../util/fs.ts";
import { trainingDocuments } from "./documents.ts";
import { prepareRunDir } from "../run_dir.ts";
import { firstDifference } from "../../util/diff.ts";
import {
  fmt,
  headline,
  PROGRESS_LEGEND,
  progressFields,
  runSummary,
  summaryOf,
} from "./summary.ts";

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Resolved settings. */
  cfg: TrainConfig;
  /** Continue the run in `cfg.out` from its checkpoint. */
  resume?: boolean;
  /** Delete the run `cfg.out` holds and start over (default: refuse to overwrite it). */
  force?: boolean;
  /** Stop once this many steps are done, as if interrupted (tests); default T. */
  stopAfter?: number;
  /** Directory of the entropy cache, shared with evaluation (default `runs/cache`; `null`: none). */
  cacheDir?: string | null;
  /** No progress output. */
  quiet?: boolean;
  /** Where messages and progress lines go (default stdout). */
  write?: (text: string) => void;
  /** A line printed once every input has been checked, before the summary (the CLI's device). */
  preamble?: string;
}

/** Where a run put its outputs, and how far it got. */
export interface TrainResult {
  /** Output directory. */
  out: string;
  /** Checkpoint directory. */
  checkpoint: string;
  /** metrics.jsonl. */
  metrics: string;
  /** summary.json. */
  summary: string;
  /** report.html: the run's curves (reward, match rate, ℓ and B_t, p_t, NTP loss). */
  report: string;
  /** Steps done (the next t). */
  step: number;
  /** Mean wall time of this session's steps. */
  meanStepSeconds: number;
}

/**
 * Runs (or resumes) RMT training as configured. Throws `ConfigError` / `CheckpointError` with a
 * one-line message on bad input.
 *
 * @param opts Config, resume flag, output options.
 * @returns Where the checkpoint, metrics and summary are.
 */
// §9: the training loop
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { cfg } = opts;
  const encoder = new TextEncoder();
  const write = opts.write ?? ((s: string) => Deno.stdout.writeSync(encoder.encode(s)));
  const say = (s: string) => opts.quiet ? undefined : write(`${s}\n`);
  const out = cfg.out;
  const checkpointDir = `${out}/checkpoint`;
  const metricsFile = `${out}/metrics.jsonl`;
  const summaryFile = `${out}/summary.json`;

  // ---- every input is checked before anything is printed or written
  if (!(await exists(cfg.baseCheckpoint))) {
    throw new CheckpointError(
      `${cfg.baseCheckpoint}: no base checkpoint; run \`deno task pretrain\` first ` +
        `(or pass --pretrain-if-missing)`,
    );
  }
  const base = await loadAnyCheckpoint(cfg.baseCheckpoint); // ours or a Hugging Face directory
  const tokenizer = base.codec;
  const contextLength = base.modelConfig.contextLength;
  const documents = trainingDocuments(cfg, tokenizer, base.state ?? {}, contextLength);
  const docs = documents.docs;
  checkPromptFits(cfg, docs, tokenizer, contextLength);
  await prepareRunDir(out, { resume: opts.resume, force: opts.force });
  const start = opts.resume ? await resumableStep(checkpointDir, cfg) : 0;

  if (opts.preamble !== undefined) say(opts.preamble);
  say(
    runSummary(cfg, {
      parameters: base.model.parameterCount(),
      window: contextLength,
      source: documents.source,
      read: documents.read,
      split: documents.split,
      pieces: docs.length,
    }).join("\n"),
  );
  // §2.2: the RL prompt should be the one the base model saw in its demonstrations
  const baseCorpus = base.state.corpus as Record<string, unknown> | undefined;
  const promptDiff = baseCorpus?.prompt === undefined
    ? null
    : firstDifference(baseCorpus.prompt, cfg.rmt.prompt, "train.rmt.prompt");
  if (promptDiff !== null) {
    say(`note: ${promptDiff} differs from the base checkpoint's pre-training prompt`);
  }

  // ---- §3.1: entropy tiers of the corpus under the base model, once (cached)
  const cacheDir = opts.cacheDir === undefined ? "runs/cache" : opts.cacheDir;
  const tiersStarted = performance.now();
  const { scores, cached, file } = await cachedScores(base.model, docs, {
    topK: cfg.rmt.entropy.topK,
    contextLength,
    padId: tokenizer.specialId("pad"),
    cacheDir,
  });
  const tiers = corpusTiers(scores, cfg.rmt.entropy);
  say(
    `  tiers   low/easy/medium/hard = ${tiers.counts.join("/")} positions ` +
      `(thresholds ${tiers.thresholds.map((t) => fmt(t, 2)).join("/")} nats; ` +
      `${
        cached
          ? `cached ${file}`
          : `computed in ${fmt((performance.now() - tiersStarted) / 1000, 1)} s`
      })`,
  );
  checkSamplable(tiers, cfg);

  // ---- policy, reference, optimiser; resume
  let model: GPT | Llama = base.model;
  const reference = cfg.rmt.grpo.klBeta > 0
    ? (await loadAnyCheckpoint(cfg.baseCheckpoint)).model
    : null;
  const adamw = adamwConfigOf(cfg);
  let optimizer: AdamW;
  if (opts.resume) {
    const saved = await loadCheckpoint(checkpointDir, { optimizer: true });
    base.model.dispose();
    model = saved.model;
    optimizer = new AdamW(model.parameters(), adamw);
    loadOptimizerState(optimizer, saved);
    // drop metrics of steps after the checkpoint (a crash between checkpoints)
    const lines = (await exists(metricsFile))
      ? (await Deno.readTextFile(metricsFile)).split("\n").filter((l) => l.trim() !== "")
      : [];
    const kept = lines.filter((l) => (JSON.parse(l) as StepRecord).step < start);
    if (kept.length !== start) {
      model.dispose();
      throw new CheckpointError(
        `${metricsFile}: holds ${kept.length} steps before the checkpoint's step ${start}; ` +
          `the run directory is inconsistent (start over with --force)`,
      );
    }
    await Deno.writeTextFile(metricsFile, kept.map((l) => l + "\n").join(""));
    say(`resuming ${out} at step ${start}/${cfg.steps}`);
  } else {
    optimizer = new AdamW(model.parameters(), adamw);
    await Deno.writeTextFile(metricsFile, "");
  }
  await Deno.writeTextFile(`${out}/config.yaml`, stringify(cfg));

  // ---- the loop
  const end = Math.min(cfg.steps, opts.stopAfter ?? cfg.steps);
  const bar = opts.quiet ? null : new ProgressBar(cfg.steps, start, { write });
  say(PROGRESS_LEGEND);
  const stepSeconds: number[] = [];
  // the checkpoint carries the corpus record eval needs: the base's documents, the RL prompt
  const corpus = { ...(baseCorpus ?? { trainedOn: cfg.data.source }), prompt: cfg.rmt.prompt };
  const save = (step: number) =>
    saveCheckpoint(checkpointDir, {
      model,
      tokenizerJson: base.tokenizerJson,
      optimizer,
      state: { step, config: cfg, baseCheckpoint: cfg.baseCheckpoint, corpus },
    });
  for (let t = start; t < end; t++) {
    const record = await rmtStep(
      { model, reference, optimizer, codec: tokenizer, docs, tiers: tiers.tiers, cfg },
      t,
    );
    await Deno.writeTextFile(metricsFile, JSON.stringify(record) + "\n", { append: true });
    stepSeconds.push(record.timing.stepSeconds);
    if (!Number.isFinite(record.loss)) {
      throw new Error(`step ${t}: the loss is ${record.loss}; lower train.lr`);
    }
    if (bar !== null && ((t + 1) % cfg.logEvery === 0 || t + 1 === end)) {
      bar.update(t + 1, progressFields(record));
    }
    if ((t + 1) % cfg.checkpointEvery === 0 || t + 1 === end) await save(t + 1);
  }
  bar?.done();

  const meanStepSeconds = stepSeconds.length === 0
    ? 0
    : stepSeconds.reduce((a, b) => a + b, 0) / stepSeconds.length;
  const records = (await Deno.readTextFile(metricsFile)).split("\n").filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StepRecord);
  const summary = summaryOf(records, cfg, end);
  await Deno.writeTextFile(summaryFile, JSON.stringify(summary, null, 2) + "\n");
  const reportFile = `${out}/report.html`;
  await Deno.writeTextFile(reportFile, trainingReportHtml(records, cfg));
  say(headline(summary, cfg).join("\n"));
  return {
    out,
    checkpoint: checkpointDir,
    metrics: metricsFile,
    summary: summaryFile,
    report: reportFile,
    step: end,
    meanStepSeconds,
  };
}

/** The longest prompt plus a full completion must fit the context window. */
function checkPromptFits(
  cfg: TrainConfig,
  docs: number[][],
  tokenizer: Codec,
  contextLength: number,
): void {
  const b0 = cfg.method.budget === "dynamic" ? cfg.rmt.budget.b0 : null;
  const longestContext = Math.min(
    cfg.rmt.prompt.maxContextTokens,
    docs.reduce((m, d) => Math.max(m, d.length - 1), 0),
  );
  const longestPrompt = buildPrompt(
    new Array(longestContext).fill(0),
    b0,
    tokenizer,
    cfg.rmt.prompt,
  ).length;
  if (cfg.method.rlWeight > 0 && longestPrompt + cfg.maxNewTokens > contextLength) {
    throw new ConfigError(
      `train.maxNewTokens: expected longest prompt (${longestPrompt} tokens, ` +
        `${longestContext} of context) + maxNewTokens ≤ the model's context ${contextLength}, ` +
        `got ${cfg.maxNewTokens} (lower it or rmt.prompt.maxContextTokens)`,
    );
  }
}

/**
 * The step a resumed run continues from, after checking that it can: the checkpoint's config
 * must be this one (the backend may change), and the run must not be finished.
 */
async function resumableStep(checkpointDir: string, cfg: TrainConfig): Promise<number> {
  const stateFile = `${checkpointDir}/state.json`;
  let state: { step?: unknown; config?: Record<string, unknown> };
  try {
    state = JSON.parse(await Deno.readTextFile(stateFile));
  } catch (e) {
    throw new CheckpointError(`${stateFile}: unreadable (${(e as Error).message.split("\n")[0]})`);
  }
  const saved = state.config ?? {};
  const step = Number(state.step);
  if (saved.steps !== undefined && saved.steps !== cfg.steps) {
    throw new ConfigError(
      `train.steps: the run in ${cfg.out} has T = ${saved.steps}, not ${cfg.steps}; a run cannot ` +
        `be extended or shortened on resume (the budget B_t and the curriculum p_t depend on ` +
        `t/T): start a new run with --out DIR --steps ${cfg.steps}`,
    );
  }
  // the backend may change on resume (runs before it was a config key lack it)
  const diff = firstDifference({ ...saved, backend: cfg.backend }, cfg, "train");
  if (diff !== null) {
    throw new ConfigError(
      `${diff}: cannot resume with a different config than the checkpoint's (${checkpointDir})`,
    );
  }
  if (step >= cfg.steps) {
    throw new ConfigError(
      `--resume: the run in ${cfg.out} is finished (${step}/${cfg.steps} steps); nothing to ` +
        `resume (its results: ${cfg.out}/report.html; a longer run needs a new --out and --steps)`,
    );
  }
  return step;
}

/**
 * Tier of every position of every document (−1 low, 0 easy, 1 medium, 2 hard), with the
 * thresholds taken over the whole corpus and the count per tier.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENTROPY_DEFAULTS } from "../../rmt/entropy.ts";
 * import { corpusTiers } from "./trainer.ts";
 * const scores = [{ ids: [1, 2, 3], entropy: Float32Array.from([NaN, 0.7, 2]), argmax: Int32Array.from([-1, 0, 0]) }];
 * const t = corpusTiers(scores, ENTROPY_DEFAULTS);
 * assert.deepEqual([...t.tiers[0]!], [-1, 0, 2]);
 * assert.deepEqual(t.counts, [0, 1, 0, 1]);
 * ```
 */
// §3.1: tiers low / easy / medium / hard by thresholds (fixed nats or corpus quantiles)
export function corpusTiers(scores: DocScores[], cfg: EntropyConfig): CorpusTiers {
  const thresholds = tierThresholds(allEntropies(scores), cfg);
  const tiers = scores.map((s) => assignTiers(s.entropy, { thresholds }));
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  for (const t of tiers) for (let p = 1; p < t.length; p++) counts[t[p]! + 1]!++;
  return { tiers, thresholds, counts };
}

/** Tiers of the training corpus (§3.1). */
export interface CorpusTiers {
  /** Tier per position of each document: −1 low (NTP only), 0 easy, 1 medium, 2 hard. */
  tiers: Int8Array[];
  /** Thresholds in nats. */
  thresholds: number[];
  /** Positions per tier: [low, easy, medium, hard]. */
  counts: [number, number, number, number];
}

/** §3.3: an RL run needs at least one position its sampler can draw. */
function checkSamplable(tiers: CorpusTiers, cfg: TrainConfig): void {
  if (cfg.method.rlWeight === 0) return;
  const [, easy, medium, hard] = tiers.counts;
  const available = cfg.method.sampling === "entropy-filter" ? hard : easy + medium + hard;
  if (available === 0) {
    throw new ConfigError(
      `train.rmt.entropy.thresholds: no position is above the ${
        cfg.method.sampling === "entropy-filter" ? "hard" : "easy"
      } threshold (${tiers.thresholds.join(", ")} nats); lower the thresholds or use ` +
        `tierMode: quantiles`,
    );
  }
}
