/**
 * `deno task experiment`: every row of method §11.4 (NTP, NTR, RPT, RMT, the three ablations,
 * post-training from base/RPT/RMT) at several seeds, then `docs/results.md` and
 * `docs/results/report.html`.
 *
 *     deno run -A cli.ts experiment [--config configs/experiment.yaml] [--quick] [--seeds N]
 *                                   [--rows id,id,…] [--out DIR] [--base DIR] [--max-minutes M]
 *                                   [--report-only] [--note TEXT] [--verbose]
 *                                   [--backend auto|cpu|webgpu]
 *
 * Resumable: the same command skips finished runs. `--max-minutes` stops starting new runs
 * after M minutes (the results say they are partial). `--report-only` rewrites the results
 * files from the records on disk without running anything.
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { initBackend } from "../../engine/tensor.ts";
import {
  deepMerge,
  loadExperimentConfig,
  planRuns,
  resolveExperimentConfig,
} from "../experiment/plan.ts";
import {
  evalConfigFor,
  gitFacts,
  readRecords,
  readSessions,
  runExperiment,
} from "../experiment/run.ts";
import { writeResults } from "../experiment/results.ts";
import { backendFlag, intFlag, numberFlag, parseFlags } from "./flags.ts";

const USAGE = "usage: deno task experiment [--config FILE] [--quick] [--seeds N] " +
  "[--rows id,id,...] [--out DIR] [--base DIR] [--max-minutes M] [--report-only] [--note TEXT] " +
  "[--verbose] [--backend auto|cpu|webgpu]";

const FLAGS = {
  config: "string",
  quick: "boolean",
  seeds: "string",
  rows: "string",
  out: "string",
  base: "string",
  "max-minutes": "string",
  "report-only": "boolean",
  note: "string",
  verbose: "boolean",
  backend: "string",
} as const;

/**
 * Runs the `experiment` command with `args` (the flags after the command name).
 *
 * @example Bad flags are one-line ConfigErrors
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./experiment.ts";
 * await assert.rejects(() => main(["--seeds", "0"]), /--seeds: expected an integer ≥ 1/);
 * await assert.rejects(() => main(["--rows", "rmt,bogus"]), /experiment.rows/);
 * ```
 */
/** The experiment command of `args` without the report-only flags (`--report-only`, `--note`). */
function reproduceCommand(args: string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--report-only") continue;
    if (args[i] === "--note") {
      i++;
      continue;
    }
    kept.push(args[i]!.includes(" ") ? JSON.stringify(args[i]) : args[i]!);
  }
  return ["deno run -A cli.ts experiment", ...kept].join(" ");
}

export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, FLAGS, USAGE);
  if (flags === null) return; // --help printed the usage
  const configFile = (flags.config as string | undefined) ?? "configs/experiment.yaml";
  const seeds = intFlag(flags, "seeds", 1, undefined);
  const maxMinutes = numberFlag(flags, "max-minutes", 0, undefined);
  const cfg = loadExperimentConfig(configFile);
  if (flags.rows !== undefined) {
    cfg.rows = String(flags.rows).split(",").map((s) => s.trim()).filter((s) => s !== "");
    resolveExperimentConfig({ rows: cfg.rows }); // validates the ids
  }
  if (flags.out !== undefined) {
    if (flags.out === "") throw new ConfigError(`--out: expected a directory`);
    cfg.out = String(flags.out);
  }
  if (flags.base !== undefined) {
    if (flags.base === "") throw new ConfigError(`--base: expected a checkpoint directory`);
    cfg.baseCheckpoint = String(flags.base);
  }
  if (flags.backend !== undefined) cfg.backend = backendFlag(flags, "auto");
  const quick = flags.quick === true;
  const command = ["deno run -A cli.ts experiment", ...args].join(" ");
  const git = await gitFacts();
  if (flags["report-only"]) {
    const runs = planRuns(cfg, { quick, seeds });
    const records = await readRecords(runs);
    // the facts of the sessions that ran (report-only adds none)
    const sessions = await readSessions(cfg.out);
    const last = sessions.at(-1);
    // Sessions may have split the rows between processes (--rows); the command that reproduces
    // every record is this one without --report-only and --note.
    await writeResults(records, {
      command: sessions.length > 1 ? reproduceCommand(args) : last?.command ?? command,
      configFile,
      commit: last?.commit ?? git.commit,
      dirty: git.dirty,
      backend: last?.backend ?? "(report only)",
      quick,
      seeds: Math.max(...runs.map((r) => r.seed)),
      startedAt: sessions[0]?.startedAt ?? new Date().toISOString(),
      wallSeconds: sessions.reduce((a, x) => a + x.wallSeconds, 0),
      sessions,
      notes: flags.note !== undefined ? [String(flags.note)] : undefined,
      settings: {
        eval: evalConfigFor(cfg, quick),
        train: quick ? deepMerge(cfg.train, cfg.quick.train) : cfg.train,
        posttrain: quick
          ? deepMerge(cfg.posttrain.overrides, cfg.quick.posttrain)
          : cfg.posttrain.overrides,
      },
      complete: records.length === runs.length,
      plan: runs.map((r) => ({ id: r.row.id, seed: r.seed, dir: r.dir })),
    }, { markdown: cfg.results, html: cfg.report });
    console.log(
      `wrote ${cfg.results} and ${cfg.report} from ${records.length}/${runs.length} records`,
    );
    return;
  }
  const backend = await initBackend(cfg.backend);
  const runs = planRuns(cfg, { quick, seeds });
  console.log(
    `experiment: ${runs.length} runs (${quick ? "quick" : "full"} settings), backend ` +
      `${backend.name}, output ${cfg.out}`,
  );
  const { records, complete } = await runExperiment({
    cfg,
    quick,
    seeds,
    maxMinutes,
    verbose: flags.verbose === true,
    meta: {
      notes: flags.note !== undefined ? [String(flags.note)] : undefined,
      command,
      configFile,
      commit: git.commit,
      dirty: git.dirty,
      backend: `${backend.name} (${backend.description})`,
    },
  });
  console.log(
    `${complete ? "complete" : "partial"}: ${records.length}/${runs.length} runs; ` +
      `${cfg.results}, ${cfg.report}`,
  );
}
