/**
 * A sweep of model shapes for sizing the base (issue 17, item 3): every cell of a grid of
 * `{ nLayer, nEmbd, nHead }` is pre-trained with {@linkcode pretrain} for the same budget
 * (wall-clock minutes or tokens), then evaluated with {@linkcode evaluateCheckpoint} at
 * temperature 0.8 without a budget in the prompt; one JSON line per cell goes to
 * `<out>/results.jsonl` and a table ranked by NTR accuracy on the computable slice per hour of
 * pre-training to `<out>/results.md`.
 *
 * - A minutes budget is turned into steps by a probe: the cell's first steps (inside the warm-up,
 *   at most 5) are run and timed, then the run is resumed with the total T that fits the budget.
 *   The warm-up's learning rate does not depend on T, so the cell is the same run as an
 *   uninterrupted one of T steps. Held-out evaluations and checkpoints are not budgeted.
 * - Resumable: a cell with a line in `results.jsonl` is skipped; `<cell>/sweep_cell.json` records
 *   its T and the seconds spent, and `resume` continues an interrupted cell (pretrain's resume).
 *   The seconds of an invocation that was killed are lost (only finished invocations count).
 *
 * @module
 */
import {
  atLeast,
  check,
  ConfigError,
  type ConfigOf,
  defineConfig,
  integer,
  nonEmpty,
  readYamlFile,
  that,
} from "../../util/config.ts";
import { exists } from "../../util/fs.ts";
import { checkpointStep } from "../run_dir.ts";
import { evaluateCheckpoint } from "../eval/evaluate.ts";
import { pct } from "../eval/report.ts";
import {
  cellName,
  readRecords,
  recordOf,
  resultsMarkdown,
  type Shape,
  type SweepRecord,
} from "./sweep_results.ts";
import { type PretrainConfig, resolvePretrainConfig } from "../pretrain/config.ts";
import { pretrain } from "../pretrain/pretrain.ts";
import type { ProgressBar } from "../../util/progress.ts";

/** One model shape of the grid. */
export const SHAPE = defineConfig("shape", {
  /** Transformer blocks. */
  nLayer: { default: 2, check: integer(1) },
  /** Width (residual stream). */
  nEmbd: { default: 64, check: integer(1) },
  /** Attention heads (a divisor of nEmbd). */
  nHead: { default: 4, check: integer(1) },
}, (cfg, path) => {
  check(
    cfg.nEmbd % cfg.nHead === 0,
    `${path}.nHead`,
    `a divisor of nEmbd (${cfg.nEmbd})`,
    cfg.nHead,
  );
});

export { cellName };
export type { Shape, SweepRecord };

const nullOr = (expected: string, ok: (v: number) => boolean) =>
  that<number | null>((v) => v === null || (typeof v === "number" && ok(v)), `null or ${expected}`);

/** The per-cell budget: wall-clock minutes of pre-training or training tokens, one of them. */
export const SWEEP_BUDGET = defineConfig("sweep.budget", {
  /** Wall-clock minutes of pre-training per cell (null: use `tokens`). */
  minutes: { default: null as number | null, check: nullOr("a number > 0", (v) => v > 0) },
  /** Training tokens per cell (null: use `minutes`). */
  tokens: {
    default: null as number | null,
    check: nullOr("an integer ≥ 1", (v) => Number.isInteger(v) && v >= 1),
  },
}, (cfg, path) => {
  check(cfg.minutes !== null || cfg.tokens !== null, path, "minutes or tokens", cfg);
  check(
    cfg.minutes === null || cfg.tokens === null,
    `${path}.tokens`,
    "null when minutes is set (the budget is minutes or tokens, not both)",
    cfg.tokens,
  );
});

/** How each cell is evaluated (no budget in the NTR prompt; tiers from the cell's own model). */
export const SWEEP_EVAL = defineConfig("sweep.eval", {
  /** NTR positions sampled per disjoint tier. */
  positions: { default: 64, check: integer(1) },
  /** NTR sampling temperature. */
  temperature: { default: 0.8, check: atLeast(0) },
  /** Longest NTR completion (clipped to the model's window). */
  maxNewTokens: { default: 256, check: integer(1) },
  /** Seed of the position sample and the sampler. */
  seed: { default: 1, check: integer(0) },
  /** Sequences per forward pass / generation call. */
  batchSize: { default: 32, check: integer(1) },
});

/** The sweep's settings (`configs/sweep_base.yaml`). */
export const SWEEP = defineConfig("sweep", {
  /** The pre-training config every cell starts from. */
  base: { default: "configs/pretrain_reasoning.yaml", check: nonEmpty("a YAML file") },
  /** Overrides of the base config applied to every cell (checked when the cells are built). */
  pretrain: { default: {} as Record<string, unknown> },
  /** The model shapes, one cell each. */
  grid: {
    default: [] as Shape[],
    check: that((v) => v.length > 0, "a non-empty list of { nLayer, nEmbd, nHead }"),
  },
  /** The per-cell budget. */
  budget: SWEEP_BUDGET,
  /** The evaluation of each cell. */
  eval: SWEEP_EVAL,
  /** Most steps timed by a minutes budget's probe (they stay inside the warm-up). */
  probeSteps: { default: 5, check: integer(1) },
}, (cfg, path) => {
  cfg.grid.forEach((shape, i) => {
    const at = `${path}.grid[${i}]`;
    SHAPE.resolve(shape, at);
    for (const key of ["nLayer", "nEmbd", "nHead"] as const) {
      check(key in shape, `${at}.${key}`, "an integer ≥ 1", undefined);
    }
  });
  const names = cfg.grid.map(cellName);
  const dup = names.findIndex((n, i) => names.indexOf(n) !== i);
  check(dup < 0, `${path}.grid[${dup}]`, "a shape not listed before", cfg.grid[dup]);
});

/** The sweep's settings. */
export type SweepConfig = ConfigOf<typeof SWEEP>;

/** Reads a sweep YAML file; errors name the file's field. */
export function loadSweepConfig(file: string): SweepConfig {
  return SWEEP.resolve(readYamlFile(file), file);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `a` with `b` merged in, mapping by mapping (b wins). */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = isMapping(v) && isMapping(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/**
 * The resolved pre-training config of every cell: the base file, the sweep's `pretrain`
 * overrides, the cell's shape and `out = <out>/<cell name>`. Every cell is checked here, before
 * anything runs.
 */
export function cellConfigs(cfg: SweepConfig, out: string): PretrainConfig[] {
  const base = merge(readYamlFile(cfg.base), cfg.pretrain);
  return cfg.grid.map((shape) =>
    resolvePretrainConfig(
      merge(base, { model: { ...shape }, out: `${out}/${cellName(shape)}` }),
      cfg.base,
    )
  );
}

/**
 * Total steps T for a budget: tokens / tokens per step (rounded up), or the minutes at the
 * measured speed (rounded down, at least `minSteps`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepsForBudget } from "./sweep.ts";
 * assert.equal(stepsForBudget({ minutes: null, tokens: 1000 }, 256), 4);
 * // 20 minutes at 512 tokens/s with 1024-token steps: 600 steps
 * assert.equal(stepsForBudget({ minutes: 20, tokens: null }, 1024, 512), 600);
 * assert.equal(stepsForBudget({ minutes: 0.001, tokens: null }, 1024, 512, 6), 6);
 * ```
 */
export function stepsForBudget(
  budget: ConfigOf<typeof SWEEP_BUDGET>,
  tokensPerStep: number,
  tokensPerSecond = 0,
  minSteps = 1,
): number {
  if (budget.tokens !== null) return Math.max(1, Math.ceil(budget.tokens / tokensPerStep));
  const steps = Math.floor((budget.minutes! * 60 * tokensPerSecond) / tokensPerStep);
  return Math.max(minSteps, steps);
}

/** What `<cell>/sweep_cell.json` records. */
interface CellState {
  steps: number;
  seconds: number;
  parameters: number;
}

/** Options of {@linkcode runSweep}. */
export interface SweepOptions {
  /** Output directory: one directory per cell, results.jsonl, results.md. */
  out: string;
  /** Continue an interrupted cell (default: refuse a cell directory without a result). */
  resume?: boolean;
  /** Backend recorded in every cell's config (the device is chosen by the caller). */
  backend?: PretrainConfig["backend"];
  /** Progress bars of pre-training (null: none). */
  progress?: ProgressBar | null;
  /** Messages (default `console.log`). */
  log?: (line: string) => void;
}

function lastHeldOutLoss(dir: string): number | null {
  const lines = readRecords(`${dir}/metrics.jsonl`) as unknown as { heldOutLoss?: number }[];
  return lines.findLast((m) => m.heldOutLoss !== undefined)?.heldOutLoss ?? null;
}

/**
 * Throws a one-line {@linkcode ConfigError} when a cell of the grid has started (its
 * `sweep_cell.json` exists) but has no result: only `--resume` may continue it. The command calls
 * this before it prints anything.
 */
export async function refuseUnfinished(cfg: SweepConfig, out: string): Promise<void> {
  const done = new Set(readRecords(`${out}/results.jsonl`).map((r) => r.cell));
  for (const name of cfg.grid.map(cellName)) {
    if (!done.has(name) && (await exists(`${out}/${name}/sweep_cell.json`))) {
      throw new ConfigError(
        `${out}/${name}: holds an unfinished cell; --resume continues it (or delete the directory)`,
      );
    }
  }
}

/**
 * Runs every cell that has no result yet (see the module doc) and rewrites `results.md` after
 * each; returns every record of `results.jsonl`.
 *
 * @throws {ConfigError} On a cell directory without a result when `resume` is not set.
 */
export async function runSweep(cfg: SweepConfig, opts: SweepOptions): Promise<SweepRecord[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const resultsFile = `${opts.out}/results.jsonl`;
  const configs = cellConfigs(cfg, opts.out).map((c) =>
    opts.backend === undefined ? c : { ...c, backend: opts.backend }
  );
  const budget = cfg.budget.tokens !== null
    ? `${cfg.budget.tokens} training tokens`
    : `${cfg.budget.minutes} minutes of pre-training`;
  const setting = { budget, temperature: cfg.eval.temperature };
  if (!opts.resume) await refuseUnfinished(cfg, opts.out);
  Deno.mkdirSync(opts.out, { recursive: true });
  const done = new Set(readRecords(resultsFile).map((r) => r.cell));
  for (const [i, shape] of cfg.grid.entries()) {
    const name = cellName(shape);
    const cellCfg = configs[i];
    const dir = cellCfg.out;
    if (done.has(name)) {
      log(`${name}: done (in ${resultsFile}), skipped`);
      continue;
    }
    const stateFile = `${dir}/sweep_cell.json`;
    const tokensPerStep = cellCfg.batchSize * cellCfg.model.contextLength;
    let state: CellState | null = (await exists(stateFile))
      ? JSON.parse(Deno.readTextFileSync(stateFile))
      : null;
    const quiet = { progress: opts.progress, log };
    let parameters = state?.parameters ?? 0;
    const capture = (line: string) => {
      const m = /^model: (\d+) parameters/.exec(line);
      if (m !== null) parameters = Number(m[1]);
      log(line);
    };
    const save = (s: CellState) => Deno.writeTextFileSync(stateFile, JSON.stringify(s) + "\n");
    if (state === null) {
      // a fresh cell (a directory without sweep_cell.json was interrupted in its probe)
      log(`${name}: pre-training (${budget})`);
      if (cfg.budget.tokens !== null) {
        state = { steps: stepsForBudget(cfg.budget, tokensPerStep), seconds: 0, parameters: 0 };
        Deno.mkdirSync(dir, { recursive: true });
        save(state);
      } else {
        const probe = Math.max(1, Math.min(cellCfg.warmupSteps, cfg.probeSteps));
        const placeholder = { ...cellCfg, steps: probe + 1 }; // warm-up only: T changes nothing
        const r = await pretrain(placeholder, {
          ...quiet,
          log: capture,
          force: true,
          stopAfter: probe,
        });
        const steps = stepsForBudget(cfg.budget, tokensPerStep, r.tokensPerSecond, probe + 1);
        log(`${name}: ${r.tokensPerSecond.toFixed(0)} tokens/s in the probe → T = ${steps} steps`);
        state = { steps, seconds: r.seconds, parameters };
        save(state);
      }
    }
    const at = (await checkpointStep(dir)) ?? 0;
    if (at < state.steps) {
      const r = await pretrain({ ...cellCfg, steps: state.steps }, {
        ...quiet,
        log: capture,
        resume: at > 0,
        force: at === 0,
      });
      state = { ...state, seconds: state.seconds + r.seconds, parameters };
      save(state);
    }
    log(`${name}: evaluating ${dir}/checkpoint`);
    const report = await evaluateCheckpoint(`${dir}/checkpoint`, {
      config: {
        ...cfg.eval,
        mode: "both",
        budget: null,
        cacheDir: null,
        examples: 0,
      },
      log,
    });
    Deno.writeTextFileSync(`${dir}/eval.json`, JSON.stringify(report, null, 2) + "\n");
    const steps = state.steps;
    const record = recordOf(
      shape,
      {
        parameters: state.parameters,
        steps,
        tokens: steps * tokensPerStep,
        seconds: state.seconds,
      },
      lastHeldOutLoss(dir),
      report,
    );
    Deno.writeTextFileSync(resultsFile, JSON.stringify(record) + "\n", { append: true });
    Deno.writeTextFileSync(
      `${opts.out}/results.md`,
      resultsMarkdown(readRecords(resultsFile), setting),
    );
    log(
      `${name}: NTR ${pct(record.ntrComputable)} % / NTP ${pct(record.ntpComputable)} % on the ` +
        `computable slice, nested NTR ${pct(record.ntrNested)} %`,
    );
  }
  const records = readRecords(resultsFile);
  Deno.writeTextFileSync(`${opts.out}/results.md`, resultsMarkdown(records, setting));
  return records;
}
