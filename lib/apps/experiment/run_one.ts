/**
 * One planned run of the experiment (method §11.4, §6.2): a base-model evaluation, a training
 * row (train or resume, then evaluate the checkpoint) or a post-training row, as a
 * {@linkcode RunRecord}. The base model and its held-out documents are loaded once per session
 * ({@linkcode loadBase}) and shared by every evaluation.
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { loadCheckpoint } from "../../model/checkpoint.ts";
import { checkpointStep } from "../run_dir.ts";
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
import type { MathDocument } from "../../data/math_doc.ts";
import type { TrainConfig } from "../train/config.ts";
import { train } from "../train/trainer.ts";
import { EVAL_DEFAULTS, evaluateModel } from "../eval/evaluate.ts";
import { type DocumentKinds, documentKinds } from "../eval/slices.ts";
import type { EvalReport } from "../eval/report.ts";
import type { PostTrainConfig } from "../posttrain/config.ts";
import { postTrain, type PostTrainStepRecord } from "../posttrain/grpo.ts";
import type { ExperimentConfig, ExperimentEvalConfig, PlannedRun } from "./plan.ts";
import { figuresOf, type RunRecord, trainCurve } from "./records.ts";

/** The base model, its tokenizer, the held-out documents and the shared evaluation settings. */
export interface BaseContext {
  model: CausalLM;
  tokenizer: Tokenizer;
  documents: number[][];
  /** Position tags of the held-out documents (null: untagged user text). */
  kinds: DocumentKinds;
  /** The held-out documents as generated (the computable sample reads derivations against them). */
  heldOut: readonly MathDocument[];
  prompt: PromptConfig;
  entropy: EntropyConfig;
}

/** Loads the base checkpoint and rebuilds its held-out documents (tokenized). */
export async function loadBase(
  cfg: ExperimentConfig,
  reference: TrainConfig,
): Promise<BaseContext> {
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
    kinds: documentKinds(heldOut, tokenizer),
    heldOut,
    prompt: reference.rmt.prompt,
    entropy: reference.rmt.entropy,
  };
}

function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? "–" : (100 * x).toFixed(1);
}

/** One line on a finished run, for the runner's log. */
export function summaryLine(r: RunRecord): string {
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

/** What {@linkcode runOne} needs besides the run. */
export interface RunContext {
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
    kinds: base.kinds,
    heldOut: base.heldOut,
    prompt: opts.prompt,
    tierModel: base.model,
    config: {
      ...EVAL_DEFAULTS,
      mode: opts.mode,
      positions: ctx.evalCfg.positions,
      budget: opts.budget,
      temperature: ctx.evalCfg.temperature,
      maxNewTokens: ctx.evalCfg.maxNewTokens,
      computable: ctx.evalCfg.computable,
      batchSize: ctx.evalCfg.batchSize,
      seed: opts.seed,
      entropy: base.entropy,
      cacheDir: `${ctx.cfg.out.replace(/\/+$/, "")}/cache`,
      examples: 4,
    },
  });
}

/** Runs one planned run and returns its record (not yet written; the caller adds its settings). */
export async function runOne(run: PlannedRun, ctx: RunContext): Promise<RunRecord> {
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
    if (row.kind === "ntr-base") await writeEval(run.dir, report);
  } else if (row.kind === "train") {
    const cfg = ctx.config as TrainConfig;
    const base = await ctx.getBase();
    const checkpoint = `${cfg.out}/checkpoint`;
    // the copy an interrupted save left counts (train() puts it back in place on resume)
    const done = (await checkpointStep(cfg.out)) ?? 0;
    const tt = performance.now();
    if (done < cfg.steps) {
      // a run killed before its first checkpoint is this runner's own debris: start it over
      await train({
        cfg,
        resume: done > 0,
        force: done === 0,
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
