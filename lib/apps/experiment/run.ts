/**
 * The experiment runner (method §11.4; Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, §6.3–§6.6 in miniature): every planned run (row × seed, `plan.ts`) in
 * process, by calling the library functions (`train` → `evaluateModel`, `postTrain`), one
 * `record.json` per run, and the results files rewritten after every run.
 *
 * Several processes may share a plan: a run another live process has claimed is skipped
 * (`claim.ts`). Resumable: a run whose `record.json` exists is skipped; a trained row whose
 * checkpoint is complete is only evaluated; an interrupted training run resumes from its last
 * checkpoint (`train({ resume: true })`, same config → same metrics).
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
import { readTrainYaml, resolveTrainConfig, type TrainConfig } from "../train/config.ts";
import { type PostTrainConfig, resolvePostTrainConfig } from "../posttrain/config.ts";
import {
  deepMerge,
  EXPERIMENT_ROWS,
  type ExperimentConfig,
  type ExperimentEvalConfig,
  type PlannedRun,
  planRuns,
  type RowSpec,
} from "./plan.ts";
import { writeResults } from "./results.ts";
import {
  type ExperimentMeta,
  type ExperimentSession,
  readRecords,
  readSessions,
  type RunRecord,
} from "./records.ts";
import { type BaseContext, loadBase, runOne, summaryLine } from "./run_one.ts";
import { exists } from "../../util/fs.ts";
import { claimRun, releaseRun } from "./claim.ts";
import { checkRecordedSettings, plannedSettings } from "./settings.ts";
import { weightsDigest } from "../../model/checkpoint.ts";

export * from "./records.ts";

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
  const baseDigest = await weightsDigest(cfg.baseCheckpoint);
  const planned = (run: PlannedRun) =>
    plannedSettings(run, evalCfg, configs.get(run.dir), baseDigest);
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
        const done = JSON.parse(await Deno.readTextFile(`${run.dir}/record.json`)) as RunRecord;
        checkRecordedSettings(run.dir, done.settings, planned(run));
        say(`${tag}: done before, skipped`);
        continue;
      }
      const elapsedMin = (performance.now() - started) / 60000;
      if (opts.maxMinutes !== undefined && elapsedMin >= opts.maxMinutes) {
        say(`${tag}: not started (time limit of ${opts.maxMinutes} min reached)`);
        stoppedEarly = true;
        continue;
      }
      const held = await claimRun(run.dir);
      if (held !== null) {
        say(
          `${tag}: running in process ${held.pid} on ${held.host} since ${held.startedAt}, skipped`,
        );
        stoppedEarly = true;
        continue;
      }
      const t0 = performance.now();
      say(`${tag}: running…`);
      let record: RunRecord;
      try {
        record = await runOne(run, {
          cfg,
          reference,
          evalCfg,
          config: configs.get(run.dir),
          getBase,
          write,
          verbose: opts.verbose ?? false,
        });
        record.settings = planned(run); // what the check above compares a finished run with
        await Deno.writeTextFile(`${run.dir}/record.json`, JSON.stringify(record, null, 2) + "\n");
      } finally {
        await releaseRun(run.dir);
      }
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
