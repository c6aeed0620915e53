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
 * Resumable: the same command skips finished runs. Started twice (one process per core), the
 * two share the plan: each claims the runs it does (`running.json`) and skips the other's.
 * `--max-minutes` stops starting new runs after M minutes (the results say they are partial).
 * `--report-only` rewrites the results files from the records on disk without running anything.
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
import {
  BACKEND_FLAG,
  backendFlag,
  type CommandSpec,
  intFlag,
  numberFlag,
  parseFlags,
  refuseEmptyConfig,
} from "./flags.ts";

/** The `experiment` command's flags. */
export const EXPERIMENT_COMMAND: CommandSpec = {
  name: "experiment",
  about: "every method and ablation over several seeds, evaluated, with results.md and a report",
  flags: {
    config: {
      type: "string",
      arg: "FILE",
      help: "the experiment config",
      default: "configs/experiment.yaml",
    },
    quick: { type: "boolean", help: "the config's quick settings (fewer seeds and steps)" },
    seeds: { type: "string", arg: "N", help: "seeds per row", default: "the config's seeds" },
    rows: { type: "string", arg: "ID,ID,…", help: "run only these rows", default: "every row" },
    out: { type: "string", arg: "DIR", help: "directory of the runs", default: "the config's out" },
    base: {
      type: "string",
      arg: "DIR",
      help: "base checkpoint",
      default: "the config's baseCheckpoint",
    },
    "max-minutes": {
      type: "string",
      arg: "M",
      help: "stop starting new runs after M minutes (resume later)",
      default: "no limit",
    },
    "report-only": {
      type: "boolean",
      help: "rewrite results.md and the report from finished runs",
    },
    note: { type: "string", arg: "TEXT", help: "a note printed in the results", default: "none" },
    verbose: { type: "boolean", help: "print each run's progress" },
    backend: BACKEND_FLAG,
  },
};

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
  const flags = parseFlags(args, EXPERIMENT_COMMAND);
  if (flags === null) return; // --help printed the help
  const configFile = (flags.config as string | undefined) ?? "configs/experiment.yaml";
  const seeds = intFlag(flags, "seeds", 1, undefined);
  const maxMinutes = numberFlag(flags, "max-minutes", 0, undefined);
  refuseEmptyConfig(configFile, "configs/experiment.yaml");
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
