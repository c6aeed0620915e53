/**
 * The experiment of method §11.4 as data (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, §6.3–§6.6 in miniature): the rows (name, config file, seeds), the settings
 * of `configs/experiment.yaml`, and the list of runs (row × seed) in the order the runner
 * executes them.
 *
 * Rows:
 *
 * | id           | what                                                   | paper table |
 * |--------------|--------------------------------------------------------|-------------|
 * | ntp_base     | base model, greedy argmax next token (deterministic)   | §6.3 NTP    |
 * | ntr_base     | base model, reason then `\boxed{}`, no training        | §6.3 NTR    |
 * | ntr_base_bt  | the same with RMT's final budget B_T in the prompt     | (control)   |
 * | rpt          | `configs/rpt.yaml` (§7.2)                              | §6.3 RPT    |
 * | rmt          | `configs/rmt.yaml`                                     | §6.3 RMT    |
 * | rmt_no_dtb   | `configs/rmt_no_dtb.yaml`                              | §6.6        |
 * | rmt_no_cas   | `configs/rmt_no_cas.yaml`                              | §6.6        |
 * | rmt_no_ntp   | `configs/rmt_no_ntp.yaml`                              | §6.6        |
 * | post_base    | GRPO post-training from the base checkpoint            | §6.5        |
 * | post_rpt     | GRPO post-training from the RPT checkpoint (same seed) | §6.5        |
 * | post_rmt     | GRPO post-training from the RMT checkpoint (same seed) | §6.5        |
 * | ntp_cont     | `configs/ntp.yaml` (continued NTP; optional, not in §11.4's list) |  |
 *
 * Runs are ordered seed-major (every row of seed 1, then every row of seed 2 …), so an
 * interrupted experiment has all rows at fewer seeds rather than some rows at none.
 *
 * Deliberate deviations: none (no paper content beyond the row list).
 *
 * @module
 */
import {
  ConfigError,
  type ConfigOf,
  defineConfig,
  integer,
  readYamlFile,
  resolveConfig,
  that,
} from "../../util/config.ts";
import { backendKind } from "../../engine/device.ts";
import type { BackendKind } from "../../engine/tensor.ts";

/** What a row runs. */
export type RowKind = "ntp-base" | "ntr-base" | "train" | "posttrain";

/** Which results table a row belongs to. */
export type RowGroup = "main" | "ablation" | "posttrain" | "extra";

/**
 * One row of the experiment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXPERIMENT_ROWS } from "./plan.ts";
 * const rmt = EXPERIMENT_ROWS.find((r) => r.id === "rmt")!;
 * assert.equal(rmt.config, "configs/rmt.yaml");
 * ```
 */
export interface RowSpec {
  /** Stable id (directory name under the experiment output). */
  id: string;
  /** Name in the tables. */
  label: string;
  /** What it runs. */
  kind: RowKind;
  /** Results table. */
  group: RowGroup;
  /** Trainer config file (kind `train`). */
  config?: string;
  /** Post-training start: `"base"` or the id of a trained row (kind `posttrain`). */
  from?: string;
  /** Whether the row's figures vary with the seed (NTP-greedy of the base does not). */
  seeded: boolean;
  /**
   * Budget in the NTR prompt of an evaluation-only row: `"final"` = B_T of the RMT config (a
   * control: how much of RMT's shorter reasoning the budget sentence alone explains).
   */
  evalBudget?: "final";
}

/**
 * Every row, in table order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXPERIMENT_ROWS } from "./plan.ts";
 * assert.deepEqual(EXPERIMENT_ROWS.filter((r) => r.group === "ablation").map((r) => r.id),
 *   ["rmt_no_dtb", "rmt_no_cas", "rmt_no_ntp"]);
 * ```
 */
export const EXPERIMENT_ROWS: readonly RowSpec[] = [
  { id: "ntp_base", label: "NTP (base, greedy)", kind: "ntp-base", group: "main", seeded: false },
  { id: "ntr_base", label: "NTR (base, untrained)", kind: "ntr-base", group: "main", seeded: true },
  {
    id: "ntr_base_bt",
    label: "NTR (base, untrained, B_T in prompt)",
    kind: "ntr-base",
    group: "main",
    seeded: true,
    evalBudget: "final",
  },
  {
    id: "rpt",
    label: "RPT",
    kind: "train",
    group: "main",
    config: "configs/rpt.yaml",
    seeded: true,
  },
  {
    id: "rmt",
    label: "RMT",
    kind: "train",
    group: "main",
    config: "configs/rmt.yaml",
    seeded: true,
  },
  {
    id: "rmt_no_dtb",
    label: "RMT w/o DTB",
    kind: "train",
    group: "ablation",
    config: "configs/rmt_no_dtb.yaml",
    seeded: true,
  },
  {
    id: "rmt_no_cas",
    label: "RMT w/o CAS",
    kind: "train",
    group: "ablation",
    config: "configs/rmt_no_cas.yaml",
    seeded: true,
  },
  {
    id: "rmt_no_ntp",
    label: "RMT w/o NTP",
    kind: "train",
    group: "ablation",
    config: "configs/rmt_no_ntp.yaml",
    seeded: true,
  },
  {
    id: "post_base",
    label: "Base → GRPO",
    kind: "posttrain",
    group: "posttrain",
    from: "base",
    seeded: true,
  },
  {
    id: "post_rpt",
    label: "RPT → GRPO",
    kind: "posttrain",
    group: "posttrain",
    from: "rpt",
    seeded: true,
  },
  {
    id: "post_rmt",
    label: "RMT → GRPO",
    kind: "posttrain",
    group: "posttrain",
    from: "rmt",
    seeded: true,
  },
  {
    id: "ntp_cont",
    label: "NTP (continued training)",
    kind: "train",
    group: "extra",
    config: "configs/ntp.yaml",
    seeded: true,
  },
];

/** Settings of the NTP/NTR evaluation of every row (see `lib/apps/eval/evaluate.ts`). */
export const EXPERIMENT_EVAL = defineConfig("experiment.eval", {
  /** NTR positions per disjoint tier (easy, medium, hard). */
  positions: { default: 64, check: integer(1) },
  /** NTR sampling temperature (method §8.13: 0.8, one sample). */
  temperature: { default: 0.8 },
  /** Longest NTR completion (clipped to the window). */
  maxNewTokens: { default: 112 },
  /** NTR episodes on a uniform sample of the computable positions (0: none). */
  computable: { default: 64, check: integer(0) },
  /** Sequences per forward / generation call. */
  batchSize: { default: 32 },
  /** Also measure greedy NTP accuracy of every trained model (one forward pass). */
  ntpForTrained: { default: true },
});

/** Settings of the NTP/NTR evaluation of every row. */
export type ExperimentEvalConfig = ConfigOf<typeof EXPERIMENT_EVAL>;

/** The default rows (all but the optional continued-NTP row). */
export const DEFAULT_ROWS: readonly string[] = EXPERIMENT_ROWS.filter((r) => r.group !== "extra")
  .map((r) => r.id);

const ROW_IDS = EXPERIMENT_ROWS.map((x) => x.id);

/** `configs/experiment.yaml`. The free-form overrides are checked by the runs' own resolvers. */
export const EXPERIMENT = defineConfig("experiment", {
  /** Backend of every run (`auto`: WebGPU on a hardware GPU, else the CPU); `--backend` overrides it. */
  backend: { default: "auto" as BackendKind, check: backendKind },
  /** The base checkpoint (NTP/NTR rows, start of every trained row, tier model). */
  baseCheckpoint: { default: "checkpoints/base" },
  /** Output directory of the runs (`<out>/<row>/seed-<s>/record.json`). */
  out: { default: "runs/experiment" },
  /** The Markdown results file. */
  results: { default: "docs/results.md" },
  /** The HTML report. */
  report: { default: "docs/results/report.html" },
  /** Seeds per seeded row (seeds 1..n). */
  seeds: { default: 3, check: integer(1) },
  /** Row ids to run (empty = the default rows, every row except `ntp_cont`). */
  rows: {
    default: [] as string[],
    check: that(
      (rows: string[]) => rows.every((id) => ROW_IDS.includes(id)),
      `row ids among ${ROW_IDS.join(", ")}`,
    ),
  },
  /** Overrides of every trained row's config (e.g. `steps`, `positionsPerStep`). */
  train: { default: {} as Record<string, unknown> },
  /** Evaluation settings. */
  eval: EXPERIMENT_EVAL,
  /** Post-training: its config file and overrides. */
  posttrain: defineConfig("experiment.posttrain", {
    config: { default: "configs/posttrain.yaml" },
    overrides: { default: {} as Record<string, unknown> },
  }),
  /** `--quick` settings. */
  quick: defineConfig("experiment.quick", {
    /** Seeds per seeded row. */
    seeds: { default: 2, check: integer(1) },
    /** Overrides of every trained row's config (laid over `train`). */
    train: { default: {} as Record<string, unknown> },
    /** Overrides of the evaluation: only the keys given (checked against `eval`'s). */
    eval: { default: {} as Partial<ExperimentEvalConfig> },
    /** Overrides of the post-training config (laid over `posttrain.overrides`). */
    posttrain: { default: {} as Record<string, unknown> },
  }),
});

/** `configs/experiment.yaml`. */
export type ExperimentConfig = ConfigOf<typeof EXPERIMENT>;

/** Reduced settings of `--quick`. */
export type QuickConfig = ExperimentConfig["quick"];

/** Defaults of `configs/experiment.yaml`. */
export const EXPERIMENT_DEFAULTS: Readonly<ExperimentConfig> = EXPERIMENT.defaults;

/**
 * Resolves a parsed `configs/experiment.yaml` over {@linkcode EXPERIMENT_DEFAULTS}; the
 * free-form override mappings (`train`, `posttrain.overrides`, `quick.train`, `quick.posttrain`)
 * are checked later by the trainer / post-training config resolvers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveExperimentConfig } from "./plan.ts";
 * const cfg = resolveExperimentConfig({ seeds: 2, train: { steps: 5 } });
 * assert.equal(cfg.seeds, 2);
 * assert.deepEqual(cfg.train, { steps: 5 });
 * assert.throws(() => resolveExperimentConfig({ rows: ["nope"] }), /experiment.rows/);
 * assert.throws(() => resolveExperimentConfig({ quick: { eval: { positons: 1 } } }), /experiment.quick.eval.positons/);
 * ```
 */
export function resolveExperimentConfig(raw: unknown, path = "experiment"): ExperimentConfig {
  const cfg = EXPERIMENT.resolve(raw, path);
  // quick.eval: the keys given, with the types of eval's
  resolveConfig(EXPERIMENT_EVAL.defaults, cfg.quick.eval, `${path}.quick.eval`);
  return cfg;
}

/**
 * Reads and resolves `configs/experiment.yaml`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperimentConfig } from "./plan.ts";
 * assert.throws(() => loadExperimentConfig("no/such.yaml"), /cannot read config file/);
 * ```
 */
export function loadExperimentConfig(file: string): ExperimentConfig {
  return resolveExperimentConfig(readYamlFile(file));
}

/** One run: a row at one seed, and its output directory. */
export interface PlannedRun {
  /** The row. */
  row: RowSpec;
  /** Its seed. */
  seed: number;
  /** `<out>/<row id>/seed-<seed>`. */
  dir: string;
}

/**
 * The runs of an experiment in execution order (seed-major; within a seed, table order, so a
 * post-training row comes after the row it starts from). Rows whose start row is not selected
 * are rejected.
 *
 * @param cfg Resolved experiment config.
 * @param opts `quick` (use `quick.seeds`) and `seeds` (overrides both).
 *
 * @example Two seeds: NTP-greedy once, every other row twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXPERIMENT_DEFAULTS, planRuns } from "./plan.ts";
 * const runs = planRuns({ ...EXPERIMENT_DEFAULTS, rows: ["ntp_base", "rmt", "post_rmt"] }, { seeds: 2 });
 * assert.deepEqual(runs.map((r) => `${r.row.id}@${r.seed}`),
 *   ["ntp_base@1", "rmt@1", "post_rmt@1", "rmt@2", "post_rmt@2"]);
 * assert.equal(runs[1].dir, "runs/experiment/rmt/seed-1");
 * ```
 */
export function planRuns(
  cfg: ExperimentConfig,
  opts: { quick?: boolean; seeds?: number } = {},
): PlannedRun[] {
  const n = opts.seeds ?? (opts.quick ? cfg.quick.seeds : cfg.seeds);
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`--seeds: expected an integer ≥ 1, got ${n}`);
  }
  const selected = cfg.rows.length > 0 ? cfg.rows : DEFAULT_ROWS;
  const rows = EXPERIMENT_ROWS.filter((r) => selected.includes(r.id));
  for (const r of rows) {
    if (r.kind === "posttrain" && r.from !== "base" && !selected.includes(r.from!)) {
      throw new ConfigError(
        `experiment.rows: ${r.id} starts from ${r.from}, which is not among the rows`,
      );
    }
  }
  const runs: PlannedRun[] = [];
  for (let seed = 1; seed <= n; seed++) {
    for (const row of rows) {
      if (!row.seeded && seed > 1) continue;
      runs.push({ row, seed, dir: `${cfg.out.replace(/\/+$/, "")}/${row.id}/seed-${seed}` });
    }
  }
  return runs;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `over` laid over `base`, mapping by mapping (arrays and scalars replace).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deepMerge } from "./plan.ts";
 * assert.deepEqual(deepMerge({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 4 } }), { a: 1, b: { c: 2, d: 4 } });
 * ```
 */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const below = out[k];
    out[k] = isMapping(below) && isMapping(v) ? deepMerge(below, v) : v;
  }
  return out;
}
