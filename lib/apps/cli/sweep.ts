/**
 * `deno task sweep`: sizes the base model by measurement (issue 17, item 3) with
 * `lib/apps/sweep/sweep.ts`: each model shape of the grid is pre-trained for the same budget
 * and evaluated (NTR and greedy NTP on the computable slice and the nested tiers).
 *
 *     deno task sweep [--config configs/sweep_base.yaml] [--out runs/sweep] [--resume]
 *
 * (`--help` lists every flag.) Writes `<out>/<cell>/` (a pre-training run and `eval.json`),
 * `<out>/results.jsonl` (one line per cell) and `<out>/results.md` (the ranked table). A cell
 * with a result is skipped; `--resume` continues an interrupted one.
 *
 * Bad flags or config values throw a one-line `ConfigError` naming the flag or field, before
 * anything is printed.
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { initDevice } from "../../engine/tensor.ts";
import {
  cellConfigs,
  cellName,
  loadSweepConfig,
  refuseUnfinished,
  runSweep,
} from "../sweep/sweep.ts";
import { BACKEND_FLAG, backendFlag, type CommandSpec, parseFlags } from "./flags.ts";

/** The `sweep` command's flags. */
export const SWEEP_COMMAND: CommandSpec = {
  name: "sweep",
  about: "pre-train and evaluate a grid of model shapes for one budget each, ranked per hour",
  flags: {
    config: {
      type: "string",
      arg: "FILE",
      help: "the sweep's YAML config (base pre-training config, grid, budget, evaluation)",
      default: "configs/sweep_base.yaml",
    },
    out: {
      type: "string",
      arg: "DIR",
      help: "output directory: one run directory per cell, results.jsonl, results.md",
      default: "runs/sweep",
    },
    resume: {
      type: "boolean",
      help: "continue an interrupted cell from its checkpoint (finished cells are always skipped)",
    },
    backend: { ...BACKEND_FLAG, default: "the base config's backend" },
  },
  notes: ["writes <out>/<cell>/ (run, eval.json), <out>/results.jsonl and <out>/results.md"],
};

/**
 * Runs the `sweep` command with `args` (the flags after the command name).
 *
 * @example A bad flag is a one-line ConfigError
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./sweep.ts";
 * await assert.rejects(() => main(["--outt", "x"]), /^ConfigError: --outt: unknown flag/);
 * await assert.rejects(() => main(["--out", ""]), /--out: expected a directory, got ""/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, SWEEP_COMMAND);
  if (flags === null) return; // --help printed the help
  const out = (flags.out as string | undefined) ?? "runs/sweep";
  if (out.length === 0) throw new ConfigError(`--out: expected a directory, got ""`);
  const backend = flags.backend === undefined ? undefined : backendFlag(flags, "auto");
  const configFile = (flags.config as string | undefined) ?? "configs/sweep_base.yaml";
  const cfg = loadSweepConfig(configFile);
  const cells = cellConfigs(cfg, out); // every cell checked before anything runs
  const resume = flags.resume === true;
  if (!resume) await refuseUnfinished(cfg, out);
  const { backend: device, reason } = await initDevice(backend ?? cells[0].backend);
  console.log(`backend: ${device.name} (${reason}) — ${device.description}`);
  const budget = cfg.budget.tokens !== null
    ? `${cfg.budget.tokens} tokens`
    : `${cfg.budget.minutes} minutes`;
  console.log(
    `sweep: ${cells.length} cells (${cfg.grid.map(cellName).join(", ")}) on ${cfg.base}, ` +
      `${budget} each; ${cfg.eval.positions} NTR positions per tier at temperature ` +
      `${cfg.eval.temperature}; results in ${out}/results.md`,
  );
  const records = await runSweep(cfg, { out, resume, backend });
  console.log(`sweep: ${records.length} cells with results; table: ${out}/results.md`);
}
