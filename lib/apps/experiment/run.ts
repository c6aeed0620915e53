/**
 * The experiment runner (method §11.4; Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, §6.3–§6.6 in miniature): every planned run (row × seed, `plan.ts`) in
 * process, by calling the library functions (`train` → `evaluateModel`, `postTrain`), one
 * `record.json` per run, and the results files rewritten after every run.
 *
 * Resumable: a run whose `record.json` exists is skipped; a trained row whose checkpoint is
 * complete is only evaluated; an interrupted training run resumes from its last checkpoint
 * (`train({ resume: true })`, same config → same metrics).
 *
 * Evaluation of every row is the same (method §6.2, §8.13): held-out documents of the base
 * checkpoint's corpus, tiers from the BASE model's entropy (one fixed tier model for every row),
 * RMT's prompt format, NTR at temperature 0.8 with one sample, the budget B_T in the prompt for
 * rows trained with a budget (none for the base, RPT and "w/o DTB"), the same NTR positions
 * for every row of a seed (the position sample's seed is the run's seed).
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */
import { ConfigError, readYamlFile } from "../../util/config.ts";
import { loadCheckpoint } from "../../model/checkpoint.ts";
import type { CausalLM } from "../../model/causal_lm.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import {
  loadDocuments,
  PRETRAIN_DATA_DEFAULTS,
  type PretrainDataConfig,
} from "../pretrain/data.ts";
import { resolveConfig } from "../../util/config.ts";
import { finalBudget } from "../../rmt/budget.ts";
import type { EntropyConfig } from "../../rmt/entropy.ts";
import type { PromptConfig } from "../../rmt/prompt.ts";
import { readTrainYaml, resolveTrainConfig, type TrainConfig } from "../train/config.ts";
import type { StepRecord } from "../train/step.ts";
import { train } from "../train/trainer.ts";
import { EVAL_DEFAULTS, evaluateModel } from "../eval/evaluate.ts";
import type { EvalReport } from "../eval/report.ts";
import { type PostTrainConfig, resolvePostTrainConfig } from "../posttrain/config.ts";
import { postTrain, type PostTrainStepRecord } from "../posttrain/grpo.ts";
import {
  deepMerge,
  EXPERIMENT_ROWS,
  type ExperimentConfig,
  type ExperimentEvalConfig,
  type PlannedRun,
  planRuns,
  type RowSpec,
} from "./plan.ts";
import { type ExperimentMeta, type ExperimentSession, writeResults } from "./results.ts";
import { exists } from "../../util/fs.ts";

/** Accuracies on the nested (H > t_d) and disjoint tiers, as fractions. */
export interface TierFigures {
  /** Nested easy / medium / hard and their mean. */
  nested: {
    easy: number | null;
    medium: number | null;
    hard: number | null;
    average: number | null;
  };
  /** Disjoint easy / medium / hard and their mean. */
  disjoint: {
    easy: number | null;
    medium: number | null;
    hard: number | null;
    average: number | null;
  };
}

/** NTR figures of a run. */
export interface NtrFigures extends TierFigures {
  /** Mean reasoning length ℓ. */
  meanLength: number | null;
  /** Share of completions that closed `</think>`. */
  closedFraction: number | null;
  /** Share with a boxed answer. */
  answeredFraction: number | null;
  /** Episodes. */
  samples: number;
  /** Budget in the prompt (null: none). */
  budget: number | null;
}

/** One point of a training curve. */
export interface CurvePoint {
  /** Step t. */
  step: number;
  /** Mean reward r. */
  reward: number;
  /** Match rate (mean r_pos; post-training: accuracy of the rollouts). */
  matchRate: number;
  /** Mean reasoning length ℓ. */
  length: number;
  /** B_t (null: no budget). */
  budget: number | null;
}

/** What a post-training run produced. */
export interface PostTrainFigures {
  /** Start checkpoint. */
  from: string;
  /** Held-out accuracy before / after (fractions). */
  before: number | null;
  after: number | null;
  /** Per difficulty grade, before and after. */
  byDifficulty: Record<string, { before: number | null; after: number | null }>;
  /** Mean reasoning length before / after. */
  lengthBefore: number | null;
  lengthAfter: number | null;
  /** Decoding of the accuracy measurement. */
  decoding: string;
  /** Held-out questions. */
  questions: number;
  /** GRPO steps. */
  steps: number;
}

/**
 * `record.json` of one run: everything the results writer needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RunRecord } from "./run.ts";
 * const r: RunRecord = { id: "rmt", label: "RMT", kind: "train", group: "main", seed: 1,
 *   config: "configs/rmt.yaml", settings: {}, ntp: null, ntr: null, curve: null, posttrain: null,
 *   seconds: { train: 1, eval: 1, total: 2 }, finishedAt: "2026-01-01T00:00:00Z" };
 * assert.equal(r.seconds.total, 2);
 * ```
 */
export interface RunRecord {
  /** Row id. */
  id: string;
  /** Row label. */
  label: string;
  /** Row kind. */
  kind: RowSpec["kind"];
  /** Results table. */
  group: RowSpec["group"];
  /** Seed. */
  seed: number;
  /** Config file of the row (trainer or post-training), or null. */
  config: string | null;
  /** The settings that matter for reading the numbers (steps, positions, G, …). */
  settings: Record<string, unknown>;
  /** Greedy next-token accuracy (NTP mode), or null. */
  ntp: TierFigures | null;
  /** Next-token-reasoning accuracy, or null. */
  ntr: NtrFigures | null;
  /** Training curve (trained and post-trained rows). */
  curve: CurvePoint[] | null;
  /** Post-training figures. */
  posttrain: PostTrainFigures | null;
  /** Wall seconds: training, evaluation, total. */
  seconds: { train: number; eval: number; total: number };
  /** ISO time the run finished. */
  finishedAt: string;
}

/** Options of {@linkcode runExperiment}. */
export interface RunExperimentOptions {
  /** Resolved experiment config. */
  cfg: ExperimentConfig;
  /** Reduced settings (`cfg.quick`). */
  quick?: boolean;
  /** Seeds per seeded row (overrides the config). */
  seeds?: number;
  /** Stop starting new runs after this many minutes (the results stay partial, and say so). */
  maxMinutes?: number;
  /** Where progress goes (default stdout). */
  write?: (text: string) => void;
  /** Reproduction facts for the results files (command line, backend, commit …). */
  meta: Omit<
    ExperimentMeta,
    "quick" | "seeds" | "startedAt" | "plan" | "complete" | "wallSeconds" | "sessions"
  >;
  /** Progress of the trainer and post-training (default false: one line per run). */
  verbose?: boolean;
}

/** The settings of a trained row's config: file + experiment overrides + quick + seed + out. */
export function trainConfigFor(
  row: RowSpec,
  seed: number,
  dir: string,
  cfg: ExperimentConfig,
  quick: boolean,
): TrainConfig {
  if (row.config === undefined) throw new ConfigError(`experiment: row ${row.id} has no config`);
  let raw = readTrainYaml(row.config);
  raw = deepMerge(raw, cfg.train);
  if (quick) raw = deepMerge(raw, cfg.quick.train);
  raw = deepMerge(raw, {
    seed,
    out: `${dir}/train`,
    baseCheckpoint: cfg.baseCheckpoint,
    backend: cfg.backend,
  });
  return resolveTrainConfig(raw, `${row.config}`);
}

/** The post-training settings of a post-training row at `seed`. */
export function postTrainConfigFor(
  row: RowSpec,
  seed: number,
  dir: string,
  cfg: ExperimentConfig,
  quick: boolean,
): PostTrainConfig {
  let raw = readYamlFile(cfg.posttrain.config);
  raw = deepMerge(raw, cfg.posttrain.overrides);
  if (quick) raw = deepMerge(raw, cfg.quick.posttrain);
  const from = row.from === "base"
    ? cfg.baseCheckpoint
    : `${cfg.out.replace(/\/+$/, "")}/${row.from}/seed-${seed}/train/checkpoint`;
  raw = deepMerge(raw, { seed, out: dir, checkpoint: from, saveCheckpoint: false });
  return resolvePostTrainConfig(raw, cfg.posttrain.config);
}

/** The evaluation settings (quick overrides applied). */
export function evalConfigFor(cfg: ExperimentConfig, quick: boolean): ExperimentEvalConfig {
  return quick ? { ...cfg.eval, ...cfg.quick.eval } : cfg.eval;
}

/** The compact figures of an evaluation report. */
export function figuresOf(report: EvalReport): { ntp: TierFigures | null; ntr: NtrFigures | null } {
  const ntp = report.ntp === null ? null : {
    nested: {
      easy: report.ntp.nested.easy.accuracy,
      medium: report.ntp.nested.medium.accuracy,
      hard: report.ntp.nested.hard.accuracy,
      average: report.ntp.average,
    },
    disjoint: {
      easy: report.ntp.disjoint.easy.accuracy,
      medium: report.ntp.disjoint.medium.accuracy,
      hard: report.ntp.disjoint.hard.accuracy,
      average: report.ntp.averageDisjoint,
    },
  };
  const s = report.ntr;
  const ntr = s === null ? null : {
    nested: {
      easy: s.nested.easy.accuracy,
      medium: s.nested.medium.accuracy,
      hard: s.nested.hard.accuracy,
      average: s.average,
    },
    disjoint: {
      easy: s.disjoint.easy.accuracy,
      medium: s.disjoint.medium.accuracy,
      hard: s.disjoint.hard.accuracy,
      average: s.averageDisjoint,
    },
    meanLength: s.meanReasoningLength,
    closedFraction: s.closedFraction,
    answeredFraction: s.answeredFraction,
    samples: s.samples,
    budget: s.settings.budget,
  };
  return { ntp, ntr };
}

/** The training curve of a trainer's metrics.jsonl. */
export async function trainCurve(metricsFile: string): Promise<CurvePoint[]> {
  const text = await Deno.readTextFile(metricsFile);
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const r = JSON.parse(l) as StepRecord;
    return {
      step: r.step,
      reward: r.meanReward,
      matchRate: r.matchRate,
      length: r.meanLength,
      budget: r.budget,
    };
  });
}

/** The sessions recorded in `<out>/sessions.json` (empty when there is none). */
export async function readSessions(out: string): Promise<ExperimentSession[]> {
  try {
    return JSON.parse(await Deno.readTextFile(`${out}/sessions.json`)) as ExperimentSession[];
  } catch {
    return [];
  }
}

/** Reads every `record.json` of the planned runs that exist. */
export async function readRecords(runs: PlannedRun[]): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const run of runs) {
    const file = `${run.dir}/record.json`;
    if (await exists(file)) out.push(JSON.parse(await Deno.readTextFile(file)) as RunRecord);
  }
  return out;
}

/** The base model, its tokenizer, the held-out documents and the shared evaluation settings. */
interface BaseContext {
  model: CausalLM;
  tokenizer: Tokenizer;
  documents: number[][];
  prompt: PromptConfig;
  entropy: EntropyConfig;
}

async function loadBase(cfg: ExperimentConfig, reference: TrainConfig): Promise<BaseContext> {
  const ck = await loadCheckpoint(cfg.baseCheckpoint, { optimizer: false });
  const tokenizer = Tokenizer.fromJSON(ck.tokenizerJson, `${cfg.baseCheckpoint}/tokenizer.json`);
  const state = ck.state as Record<string, unknown>;
  const corpus = state.corpus as { data?: unknown } | undefined;
  const recorded = corpus?.data ?? (state.config as { data?: unknown } | undefined)?.data ??
    state.data;
  if (recorded === undefined) {
    ck.model.dispose();
    throw new ConfigError(
      `${cfg.baseCheckpoint}/state.json: no corpus/data record; cannot rebuild the held-out documents`,
    );
  }
  const data: PretrainDataConfig = resolveConfig(
    PRETRAIN_DATA_DEFAULTS,
    recorded,
    `${cfg.baseCheckpoint} data`,
  );
  const heldOut = loadDocuments({ ...data, trainDocs: Math.min(data.trainDocs, 1) }).heldOut;
  const documents = heldOut.map((d) =>
    tokenizer.encode(d.text).slice(0, ck.modelConfig.contextLength)
  );
  return {
    model: ck.model,
    tokenizer,
    documents,
    prompt: reference.rmt.prompt,
    entropy: reference.rmt.entropy,
  };
}

async function gitFacts(): Promise<{ commit: string; dirty: boolean }> {
  try {
    const head = await new Deno.Command("git", { args: ["rev-parse", "HEAD"], stderr: "null" })
      .output();
    const status = await new Deno.Command("git", {
      args: ["status", "--porcelain"],
      stderr: "null",
    }).output();
    const dec = new TextDecoder();
    return {
      commit: head.success ? dec.decode(head.stdout).trim() : "unknown",
      dirty: status.success && dec.decode(status.stdout).trim() !== "",
    };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}

/** The commit and whether the working tree has uncommitted changes. */
export { gitFacts };

/**
 * Runs (or resumes) the experiment and writes the results files after every run.
 *
 * @returns The records of every finished run and whether the plan is complete.
 */
export async function runExperiment(
  opts: RunExperimentOptions,
): Promise<{ records: RunRecord[]; complete: boolean; files: string[] }> {
  const { cfg } = opts;
  const quick = opts.quick ?? false;
  const encoder = new TextEncoder();
  const write = opts.write ?? ((s: string) => Deno.stdout.writeSync(encoder.encode(s)));
  const say = (s: string) => write(`${s}\n`);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const runs = planRuns(cfg, { quick, seeds: opts.seeds });
  const seeds = Math.max(...runs.map((r) => r.seed));
  const evalCfg = evalConfigFor(cfg, quick);
  const rmtRow = EXPERIMENT_ROWS.find((r) => r.id === "rmt")!;
  const reference = trainConfigFor(rmtRow, 1, `${cfg.out}/rmt/seed-1`, cfg, quick);
  // resolve every config before running anything: a typo fails now, not after an hour
  const configs = new Map<string, TrainConfig | PostTrainConfig>();
  for (const run of runs) {
    if (run.row.kind === "train") {
      configs.set(run.dir, trainConfigFor(run.row, run.seed, run.dir, cfg, quick));
    } else if (run.row.kind === "posttrain") {
      configs.set(run.dir, postTrainConfigFor(run.row, run.seed, run.dir, cfg, quick));
    }
  }
  const plan = runs.map((r) => ({ id: r.row.id, seed: r.seed, dir: r.dir }));
  const files = [cfg.results, cfg.report];
  let finishedHere = 0;
  const emit = async (complete: boolean) => {
    const records = await readRecords(runs);
    const session: ExperimentSession = {
      command: opts.meta.command,
      startedAt,
      wallSeconds: (performance.now() - started) / 1000,
      backend: opts.meta.backend,
      commit: opts.meta.commit,
      runs: finishedHere,
    };
    // Re-read at every write: another process may run other rows into the same `out`
    // (`--rows` on separate cores); its sessions are kept, this one's entry is replaced.
    const others = (await readSessions(cfg.out)).filter((x) => x.startedAt !== startedAt);
    const sessions = [...others, session].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    await Deno.mkdir(cfg.out, { recursive: true });
    await Deno.writeTextFile(
      `${cfg.out}/sessions.json`,
      JSON.stringify(sessions, null, 2) + "\n",
    );
    await writeResults(records, {
      ...opts.meta,
      sessions,
      quick,
      seeds,
      startedAt: sessions[0]!.startedAt,
      plan,
      complete,
      wallSeconds: sessions.reduce((a, x) => a + x.wallSeconds, 0),
      settings: {
        eval: evalCfg,
        train: quick ? deepMerge(cfg.train, cfg.quick.train) : cfg.train,
        posttrain: quick
          ? deepMerge(cfg.posttrain.overrides, cfg.quick.posttrain)
          : cfg.posttrain.overrides,
      },
    }, { markdown: cfg.results, html: cfg.report });
    return records;
  };

  let base: BaseContext | null = null;
  const getBase = async () => base ??= await loadBase(cfg, reference);
  let stoppedEarly = false;
  try {
    for (const [i, run] of runs.entries()) {
      const tag = `[${i + 1}/${runs.length}] ${run.row.id} seed ${run.seed}`;
      if (await exists(`${run.dir}/record.json`)) {
        say(`${tag}: done before, skipped`);
        continue;
      }
      const elapsedMin = (performance.now() - started) / 60000;
      if (opts.maxMinutes !== undefined && elapsedMin >= opts.maxMinutes) {
        say(`${tag}: not started (time limit of ${opts.maxMinutes} min reached)`);
        stoppedEarly = true;
        continue;
      }
      const t0 = performance.now();
      say(`${tag}: running…`);
      const record = await runOne(run, {
        cfg,
        reference,
        evalCfg,
        config: configs.get(run.dir),
        getBase,
        write,
        verbose: opts.verbose ?? false,
      });
      await Deno.mkdir(run.dir, { recursive: true });
      await Deno.writeTextFile(`${run.dir}/record.json`, JSON.stringify(record, null, 2) + "\n");
      finishedHere++;
      say(`${tag}: ${summaryLine(record)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      await emit(false);
    }
  } finally {
    (base as BaseContext | null)?.model.dispose();
  }
  const records = await readRecords(runs);
  const complete = !stoppedEarly && records.length === runs.length;
  await emit(complete);
  say(`results: ${files.join(", ")} (${records.length}/${runs.length} runs)`);
  return { records, complete, files };
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? "–" : (100 * x).toFixed(1);
}

function summaryLine(r: RunRecord): string {
  if (r.posttrain !== null) {
    return `accuracy ${pct(r.posttrain.before)} → ${pct(r.posttrain.after)} %`;
  }
  const parts: string[] = [];
  if (r.ntr !== null) {
    parts.push(`NTR avg ${pct(r.ntr.nested.average)} %, ℓ ${r.ntr.meanLength?.toFixed(1) ?? "–"}`);
  }
  if (r.ntp !== null) parts.push(`NTP avg ${pct(r.ntp.nested.average)} %`);
  return parts.join("; ");
}

interface RunContext {
  cfg: ExperimentConfig;
  reference: TrainConfig;
  evalCfg: ExperimentEvalConfig;
  config: TrainConfig | PostTrainConfig | undefined;
  getBase: () => Promise<BaseContext>;
  write: (text: string) => void;
  verbose: boolean;
}

async function evaluate(
  model: CausalLM,
  base: BaseContext,
  ctx: RunContext,
  opts: { mode: "ntp" | "ntr" | "both"; budget: number | null; seed: number; prompt: PromptConfig },
): Promise<EvalReport> {
  return await evaluateModel({
    model,
    tokenizer: base.tokenizer,
    documents: base.documents,
    prompt: opts.prompt,
    tierModel: base.model,
    config: {
      ...EVAL_DEFAULTS,
      mode: opts.mode,
      positions: ctx.evalCfg.positions,
      budget: opts.budget,
      temperature: ctx.evalCfg.temperature,
      maxNewTokens: ctx.evalCfg.maxNewTokens,
      batchSize: ctx.evalCfg.batchSize,
      seed: opts.seed,
      entropy: base.entropy,
      cacheDir: `${ctx.cfg.out.replace(/\/+$/, "")}/cache`,
      examples: 4,
    },
  });
}

async function runOne(run: PlannedRun, ctx: RunContext): Promise<RunRecord> {
  const { row, seed } = run;
  const t0 = performance.now();
  const record: RunRecord = {
    id: row.id,
    label: row.label,
    kind: row.kind,
    group: row.group,
    seed,
    config: row.config ?? null,
    settings: {},
    ntp: null,
    ntr: null,
    curve: null,
    posttrain: null,
    seconds: { train: 0, eval: 0, total: 0 },
    finishedAt: "",
  };
  const quietWrite = ctx.verbose ? ctx.write : undefined;
  if (row.kind === "ntp-base" || row.kind === "ntr-base") {
    const base = await ctx.getBase();
    const te = performance.now();
    const budget = row.evalBudget === "final" ? finalBudget(ctx.reference.rmt.budget) : null;
    const report = await evaluate(base.model, base, ctx, {
      mode: row.kind === "ntp-base" ? "ntp" : "ntr",
      budget,
      seed,
      prompt: base.prompt,
    });
    record.seconds.eval = (performance.now() - te) / 1000;
    Object.assign(record, figuresOf(report));
    record.settings = { eval: ctx.evalCfg, decoding: row.kind === "ntp-base" ? "greedy" : "T=0.8" };
    if (row.kind === "ntr-base") await writeEval(run.dir, report);
  } else if (row.kind === "train") {
    const cfg = ctx.config as TrainConfig;
    const base = await ctx.getBase();
    const checkpoint = `${cfg.out}/checkpoint`;
    let done = 0;
    if (await exists(`${checkpoint}/state.json`)) {
      const state = JSON.parse(await Deno.readTextFile(`${checkpoint}/state.json`));
      done = Number(state.step ?? 0);
    }
    const tt = performance.now();
    if (done < cfg.steps) {
      await train({
        cfg,
        resume: done > 0,
        quiet: !ctx.verbose,
        write: quietWrite,
      });
    }
    record.seconds.train = (performance.now() - tt) / 1000;
    if (done >= cfg.steps) {
      // trained in an earlier session: its wall time is the sum of its steps
      const summary = JSON.parse(await Deno.readTextFile(`${cfg.out}/summary.json`));
      record.seconds.train = Number(summary.totalSeconds ?? 0);
    }
    record.curve = await trainCurve(`${cfg.out}/metrics.jsonl`);
    const te = performance.now();
    const trained = await loadCheckpoint(checkpoint, { optimizer: false });
    try {
      const budget = cfg.method.budget === "dynamic" ? finalBudget(cfg.rmt.budget) : null;
      const report = await evaluate(trained.model, base, ctx, {
        mode: ctx.evalCfg.ntpForTrained ? "both" : "ntr",
        budget,
        seed,
        prompt: cfg.rmt.prompt,
      });
      Object.assign(record, figuresOf(report));
      await writeEval(run.dir, report);
    } finally {
      trained.model.dispose();
    }
    record.seconds.eval = (performance.now() - te) / 1000;
    record.settings = {
      steps: cfg.steps,
      positionsPerStep: cfg.positionsPerStep,
      groupSize: cfg.rmt.grpo.groupSize,
      maxNewTokens: cfg.maxNewTokens,
      lr: cfg.lr,
      method: cfg.method,
      b0: cfg.rmt.budget.b0,
      documents: cfg.data.documents,
    };
  } else {
    const cfg = ctx.config as PostTrainConfig;
    const tt = performance.now();
    const result = await postTrain({ cfg, quiet: !ctx.verbose, write: quietWrite });
    const metrics = (await Deno.readTextFile(`${cfg.out}/metrics.jsonl`)).split("\n")
      .filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as PostTrainStepRecord);
    record.curve = metrics.map((m) => ({
      step: m.step,
      reward: m.meanReward,
      matchRate: m.meanReward,
      length: m.meanLength,
      budget: null,
    }));
    const grades = new Set([
      ...Object.keys(result.before.byDifficulty),
      ...Object.keys(result.after.byDifficulty),
    ]);
    record.posttrain = {
      from: cfg.checkpoint,
      before: result.before.accuracy,
      after: result.after.accuracy,
      byDifficulty: Object.fromEntries(
        [...grades].sort().map((g) => [g, {
          before: result.before.byDifficulty[g]?.accuracy ?? null,
          after: result.after.byDifficulty[g]?.accuracy ?? null,
        }]),
      ),
      lengthBefore: result.before.meanReasoningLength,
      lengthAfter: result.after.meanReasoningLength,
      decoding: result.evaluation.decoding,
      questions: result.evaluation.questions,
      steps: result.steps,
    };
    record.seconds.train = result.seconds.train;
    record.seconds.eval = result.seconds.before + result.seconds.after;
    record.config = ctx.cfg.posttrain.config;
    record.settings = {
      steps: cfg.steps,
      questionsPerStep: cfg.questionsPerStep,
      groupSize: cfg.grpo.groupSize,
      trainQuestions: cfg.trainQuestions,
      heldOutQuestions: cfg.heldOutQuestions,
      maxNewTokens: cfg.maxNewTokens,
      lr: cfg.lr,
      from: cfg.checkpoint,
    };
    void tt;
  }
  record.seconds.total = (performance.now() - t0) / 1000;
  record.finishedAt = new Date().toISOString();
  return record;
}

async function writeEval(dir: string, report: EvalReport): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/eval.json`, JSON.stringify(report, null, 2) + "\n");
}
