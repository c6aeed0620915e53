/**
 * The settings a run's record is made with, known before the run starts: the experiment skips a
 * run whose `record.json` exists, and that is only safe when the record was made under the same
 * plan. A record made from another base checkpoint, with another learning rate, step count or
 * evaluation, is refused with the field that differs, never silently reused or overwritten.
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { firstDifference } from "../../util/diff.ts";
import type { TrainConfig } from "../train/config.ts";
import type { PostTrainConfig } from "../posttrain/config.ts";
import type { ExperimentEvalConfig, PlannedRun } from "./plan.ts";

/**
 * The settings recorded with a run (`RunRecord.settings`): what matters for reading its numbers,
 * and the base checkpoint's weights (`base`: `weightsDigest` of `lib/model/checkpoint.ts`).
 *
 * @param config The run's resolved trainer or post-training config (base rows have none).
 *
 * @example A trained row
 * ```ts
 * import assert from "node:assert/strict";
 * import { plannedSettings } from "./settings.ts";
 * import { resolveTrainConfig } from "../train/config.ts";
 * const cfg = resolveTrainConfig({ steps: 100, lr: 3e-5 }, "x.yaml");
 * const run = { row: { kind: "train" } } as Parameters<typeof plannedSettings>[0];
 * const s = plannedSettings(run, { positions: 256 } as never, cfg, "ab12");
 * assert.equal(s.lr, 3e-5);
 * assert.equal(s.steps, 100);
 * assert.equal(s.base, "ab12");
 * ```
 */
export function plannedSettings(
  run: Pick<PlannedRun, "row">,
  evalCfg: ExperimentEvalConfig,
  config: TrainConfig | PostTrainConfig | undefined,
  base: string | null,
): Record<string, unknown> {
  const kind = run.row.kind;
  if (kind === "ntp-base" || kind === "ntr-base") {
    return { eval: evalCfg, decoding: kind === "ntp-base" ? "greedy" : "T=0.8", base };
  }
  if (kind === "train") {
    const cfg = config as TrainConfig;
    return {
      steps: cfg.steps,
      positionsPerStep: cfg.positionsPerStep,
      groupSize: cfg.rmt.grpo.groupSize,
      maxNewTokens: cfg.maxNewTokens,
      lr: cfg.lr,
      method: cfg.method,
      b0: cfg.rmt.budget.b0,
      documents: cfg.data.documents,
      eval: evalCfg,
      base,
    };
  }
  const cfg = config as PostTrainConfig;
  return {
    steps: cfg.steps,
    questionsPerStep: cfg.questionsPerStep,
    groupSize: cfg.grpo.groupSize,
    trainQuestions: cfg.trainQuestions,
    heldOutQuestions: cfg.heldOutQuestions,
    maxNewTokens: cfg.maxNewTokens,
    lr: cfg.lr,
    from: cfg.checkpoint,
    base,
  };
}

/**
 * Throws a one-line `ConfigError` when a finished run's recorded settings differ from the
 * planned ones (a record without `settings.base` was made before bases were recorded: it
 * differs too).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRecordedSettings } from "./settings.ts";
 * checkRecordedSettings("runs/x/rpt/seed-1", { lr: 3e-5, base: "ab" }, { lr: 3e-5, base: "ab" });
 * assert.throws(
 *   () => checkRecordedSettings("runs/x/rpt/seed-1", { lr: 1e-4, base: "ab" }, { lr: 3e-5, base: "ab" }),
 *   /^ConfigError: runs\/x\/rpt\/seed-1\/record\.json: made with another plan \(lr: 0\.0001 vs 0\.00003\)/,
 * );
 * ```
 */
export function checkRecordedSettings(
  dir: string,
  recorded: Record<string, unknown>,
  planned: Record<string, unknown>,
): void {
  const diff = firstDifference(recorded, planned);
  if (diff === null) return;
  const show = (root: Record<string, unknown>) => {
    let v: unknown = root;
    for (const k of diff.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
    return v === undefined ? "absent" : JSON.stringify(v);
  };
  throw new ConfigError(
    `${dir}/record.json: made with another plan (${diff}: ${show(recorded)} vs ` +
      `${show(planned)}); to run it again under this plan, move ${dir} away, or give the ` +
      `experiment another out directory`,
  );
}
