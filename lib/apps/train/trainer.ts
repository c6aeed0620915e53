/**
 * The Reinforcement Mid-Training loop (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375; method §9, §11): load the base checkpoint and its training documents, compute
 * (or load cached) entropy tiers once, then T steps of `rmtStep`, with a progress line, one
 * metrics.jsonl line per step, atomic checkpoints, and exact resumption.
 *
 * Output directory (`cfg.out`):
 * - `config.json`: the resolved config;
 * - `metrics.jsonl`: one {@linkcode StepRecord} per step (every reward, budget and, with
 *   `logCompletions`, every completion's token ids);
 * - `checkpoint/`: model, tokenizer, AdamW state and `{ step, config }` (`saveCheckpoint` writes
 *   it aside and swaps it in, so an interrupted save leaves the previous one intact);
 * - `summary.json`: first/last figures and timing.
 *
 * Deliberate deviations:
 * - Documents longer than the model's context are truncated to it (RL positions and NTP both
 *   need the whole prefix in the window).
 * - Resuming requires the identical config (T, seeds, method …): a step is a function of
 *   (weights, AdamW state, seed, t), so the resumed run's metrics equal the uninterrupted run's.
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { AdamW, adamwConfigOf } from "../../engine/optim/adamw.ts";
import type { GPT } from "../../model/gpt.ts";
import {
  CheckpointError,
  loadCheckpoint,
  loadOptimizerState,
  saveCheckpoint,
} from "../../model/checkpoint.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import { readCorpusFile } from "../../data/corpus_files.ts";
import { loadDocuments, PRETRAIN_DATA_DEFAULTS } from "../pretrain/data.ts";
import { resolveConfig } from "../../util/config.ts";
import { buildPrompt } from "../../rmt/prompt.ts";
import { ProgressBar } from "../../util/progress.ts";
import type { TrainConfig } from "./config.ts";
import { rmtStep, type StepRecord } from "./step.ts";
import { trainingReportHtml } from "./report.ts";
import { allEntropies, cachedScores, type DocScores } from "../eval/tiers.ts";
import { assignTiers, type EntropyConfig, tierThresholds } from "../../rmt/entropy.ts";
import { exists } from "../../util/fs.ts";

/**
 * Options of {@linkcode train}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRAIN_DEFAULTS } from "./config.ts";
 * import type { TrainOptions } from "./trainer.ts";
 * const o: TrainOptions = { cfg: TRAIN_DEFAULTS, resume: true, quiet: true };
 * assert.equal(o.resume, true);
 * ```
 */
export interface TrainOptions {
  /** Resolved settings. */
  cfg: TrainConfig;
  /** Continue the run in `cfg.out` from its checkpoint. */
  resume?: boolean;
  /** Stop once this many steps are done, as if interrupted (tests); default T. */
  stopAfter?: number;
  /** Directory of the entropy cache, shared with evaluation (default `runs/cache`; `null`: none). */
  cacheDir?: string | null;
  /** No progress output. */
  quiet?: boolean;
  /** Where messages and progress lines go (default stdout). */
  write?: (text: string) => void;
}

/**
 * Where a run put its outputs, and how far it got.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TrainResult } from "./trainer.ts";
 * const r: TrainResult = {
 *   out: "runs/x", checkpoint: "runs/x/checkpoint", metrics: "runs/x/metrics.jsonl",
 *   summary: "runs/x/summary.json", report: "runs/x/report.html", step: 3, meanStepSeconds: 1,
 * };
 * assert.equal(r.step, 3);
 * ```
 */
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

/** First key path where two JSON values differ, or null. */
function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return JSON.stringify(a) === JSON.stringify(b) ? null : path;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d !== null) return d;
  }
  return null;
}

/** The training documents as token ids, truncated to the context window. */
function trainingDocuments(
  cfg: TrainConfig,
  tokenizer: Tokenizer,
  baseState: Record<string, unknown>,
  contextLength: number,
): number[][] {
  let texts: string[];
  if (cfg.data.source === "base") {
    // pre-training records { corpus: { data, prompt } }; older states { config: { data } }
    const corpus = baseState.corpus as Record<string, unknown> | undefined;
    const stateConfig = baseState.config as Record<string, unknown> | undefined;
    const recorded = corpus?.data ?? stateConfig?.data;
    if (recorded === undefined) {
      throw new ConfigError(
        `train.data.source: the base checkpoint ${cfg.baseCheckpoint} records no data config; ` +
          `set data.source to a .txt/.jsonl corpus`,
      );
    }
    const dataCfg = resolveConfig(
      PRETRAIN_DATA_DEFAULTS,
      recorded,
      `${cfg.baseCheckpoint} data`,
    );
    texts = loadDocuments(dataCfg).train.map((d) => d.text);
  } else {
    texts = readCorpusFile(cfg.data.source);
  }
  if (cfg.data.documents > 0) texts = texts.slice(0, cfg.data.documents);
  const docs = texts.map((t) => tokenizer.encode(t).slice(0, contextLength))
    .filter((d) => d.length >= 2);
  if (docs.length === 0) {
    throw new ConfigError(
      `train.data.source: no document of 2 tokens or more in ${cfg.data.source}`,
    );
  }
  return docs;
}

/** A number with `digits` decimals (non-finite values as they are). */
function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
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

  // ---- the base model, the tokenizer and the documents
  if (!(await exists(cfg.baseCheckpoint))) {
    throw new CheckpointError(
      `${cfg.baseCheckpoint}: no base checkpoint; run \`deno task pretrain\` first ` +
        `(or pass --pretrain-if-missing)`,
    );
  }
  const base = await loadCheckpoint(cfg.baseCheckpoint);
  const tokenizer = Tokenizer.fromJSON(base.tokenizerJson, `${cfg.baseCheckpoint} tokenizer`);
  const contextLength = base.modelConfig.contextLength;
  const docs = trainingDocuments(cfg, tokenizer, base.state ?? {}, contextLength);

  // §2.2: the RL prompt should be the one the base model saw in its demonstrations
  const basePrompt = (base.state.corpus as Record<string, unknown> | undefined)?.prompt;
  const promptDiff = basePrompt === undefined
    ? null
    : firstDifference(basePrompt, cfg.rmt.prompt, "train.rmt.prompt");
  if (promptDiff !== null) {
    say(`note: ${promptDiff} differs from the base checkpoint's pre-training prompt`);
  }

  // the longest prompt plus a full completion must fit the context window
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
    `tiers: ${docs.length} documents, low/easy/medium/hard = ${tiers.counts.join("/")} ` +
      `(thresholds ${tiers.thresholds.map((t) => fmt(t, 2)).join("/")} nats; ` +
      `${
        cached
          ? `cached ${file}`
          : `computed in ${fmt((performance.now() - tiersStarted) / 1000, 1)} s`
      })`,
  );
  checkSamplable(tiers, cfg);

  // ---- policy, reference, optimiser; resume
  let model: GPT = base.model;
  const reference = cfg.rmt.grpo.klBeta > 0
    ? (await loadCheckpoint(cfg.baseCheckpoint)).model
    : null;
  const adamw = adamwConfigOf(cfg);
  let optimizer: AdamW;
  let start = 0;
  await Deno.mkdir(out, { recursive: true });
  if (opts.resume) {
    if (!(await exists(checkpointDir))) {
      throw new CheckpointError(`${checkpointDir}: nothing to resume (no checkpoint)`);
    }
    const saved = await loadCheckpoint(checkpointDir, { optimizer: true });
    const savedConfig = saved.state.config;
    // the backend may change on resume (runs before it was a config key lack it)
    const diff = firstDifference(
      { ...(savedConfig as Record<string, unknown>), backend: cfg.backend },
      cfg,
      "train",
    );
    if (diff !== null) {
      saved.model.dispose();
      throw new ConfigError(
        `${diff}: cannot resume with a different config than the checkpoint's (${checkpointDir})`,
      );
    }
    base.model.dispose();
    model = saved.model;
    optimizer = new AdamW(model.parameters(), adamw);
    loadOptimizerState(optimizer, saved);
    start = Number(saved.state.step);
    // drop metrics of steps after the checkpoint (a crash between checkpoints)
    const lines = (await exists(metricsFile))
      ? (await Deno.readTextFile(metricsFile)).split("\n").filter((l) => l.trim() !== "")
      : [];
    const kept = lines.filter((l) => (JSON.parse(l) as StepRecord).step < start);
    await Deno.writeTextFile(metricsFile, kept.map((l) => l + "\n").join(""));
    say(`resuming ${out} at step ${start}/${cfg.steps}`);
  } else {
    optimizer = new AdamW(model.parameters(), adamw);
    await Deno.writeTextFile(metricsFile, "");
  }
  await Deno.writeTextFile(`${out}/config.json`, JSON.stringify(cfg, null, 2) + "\n");

  // ---- the loop
  const end = Math.min(cfg.steps, opts.stopAfter ?? cfg.steps);
  const bar = opts.quiet ? null : new ProgressBar(cfg.steps, start, { write });
  const stepSeconds: number[] = [];
  const save = (step: number) =>
    saveCheckpoint(checkpointDir, { // atomic: written aside, then swapped in
      model,
      tokenizerJson: base.tokenizerJson,
      optimizer,
      state: { step, config: cfg, baseCheckpoint: cfg.baseCheckpoint },
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
  await writeSummary(records, summaryFile, cfg, end);
  const reportFile = `${out}/report.html`;
  await Deno.writeTextFile(reportFile, trainingReportHtml(records, cfg));
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

/** The fields of the progress line: B_t, p_t, mean reward, match rate, mean ℓ, throughput. */
function progressFields(r: StepRecord): Record<string, string> {
  const fields: Record<string, string> = {};
  fields["B_t"] = r.budget === null ? "-" : String(r.budget);
  fields["p(e/m/h)"] = r.tierProbs.map((p) => fmt(p, 2)).join("/");
  fields["r̄"] = fmt(r.meanReward);
  fields["match"] = `${fmt(100 * r.matchRate, 1)}%`;
  fields["ℓ̄"] = fmt(r.meanLength, 1);
  fields["loss"] = fmt(r.loss, 4);
  if (r.ntpTokens > 0) fields["nll"] = fmt(r.ntpLoss);
  fields["tok/s"] = fmt(r.timing.rolloutTokensPerSecond, 0);
  fields["s/step"] = fmt(r.timing.stepSeconds, 1);
  return fields;
}

/** summary.json: first and last figures (means over the first/last 10 % of steps), timing. */
async function writeSummary(
  records: StepRecord[],
  summaryFile: string,
  cfg: TrainConfig,
  steps: number,
): Promise<void> {
  const n = Math.max(1, Math.ceil(records.length / 10));
  const avg = (rs: StepRecord[], f: (r: StepRecord) => number) =>
    rs.length === 0 ? null : rs.reduce((a, r) => a + f(r), 0) / rs.length;
  const figures = (rs: StepRecord[]) => ({
    matchRate: avg(rs, (r) => r.matchRate),
    meanReward: avg(rs, (r) => r.meanReward),
    meanLength: avg(rs, (r) => r.meanLength),
    ntpLoss: avg(rs, (r) => r.ntpLoss),
    budget: avg(rs, (r) => r.budget ?? NaN),
  });
  const summary = {
    method: cfg.method,
    steps: cfg.steps,
    stepsDone: steps,
    first: figures(records.slice(0, n)),
    last: figures(records.slice(-n)),
    meanStepSeconds: avg(records, (r) => r.timing.stepSeconds),
    totalSeconds: records.reduce((a, r) => a + r.timing.stepSeconds, 0),
  };
  await Deno.writeTextFile(summaryFile, JSON.stringify(summary, null, 2) + "\n");
}
