/**
 * `deno task train`: Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375) from the base checkpoint, or any baseline/ablation given as a config
 * (`configs/rmt.yaml`, `ntp.yaml`, `rpt.yaml`, `rmt_no_dtb.yaml`, `rmt_no_cas.yaml`,
 * `rmt_no_ntp.yaml`, `rmt_gpu.yaml`). `deno task train --help` lists every flag.
 *
 * Every input (flags, config, base checkpoint, corpus, run directory) is checked before anything
 * is printed; then a few lines say what runs (the full config goes to `<out>/config.yaml`), a
 * legend explains the progress line, and the run ends with a headline and where its files are.
 * Bad input throws a one-line `ConfigError` or `CheckpointError` (cli.ts prints the message).
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */
import { initDevice } from "../../engine/tensor.ts";
import { readTrainYaml, resolveTrainConfig } from "../train/config.ts";
import { train } from "../train/trainer.ts";
import { type CommandSpec, parseFlags, refuseEmptyConfig, runFlags, runFlagSpec } from "./flags.ts";
import { exists } from "../../util/fs.ts";
import { ConfigError } from "../../util/config.ts";

/** The `train` command's flags. */
export const TRAIN_COMMAND: CommandSpec = {
  name: "train",
  about: "Reinforcement Mid-Training (RMT) of a base checkpoint, or a baseline/ablation config",
  flags: {
    ...runFlagSpec("configs/rmt.yaml"),
    checkpoint: {
      type: "string",
      arg: "DIR",
      help: "base checkpoint to mid-train (the config's baseCheckpoint)",
      default: "checkpoints/base",
    },
    corpus: {
      type: "string",
      arg: "FILE",
      help: "training documents: a .txt (blank-line or --- separated) or .jsonl file " +
        "(the config's data.source; \"base\" = the base checkpoint's own documents)",
      default: "base",
    },
    "pretrain-if-missing": {
      type: "boolean",
      help: "pre-train the base checkpoint first (deno task pretrain) when it does not exist",
    },
  },
  notes: [
    "writes <out>/config.yaml, metrics.jsonl, checkpoint/, summary.json and report.html;",
    "configs/: rmt.yaml (RMT), ntp.yaml, rpt.yaml, rmt_no_dtb.yaml, rmt_no_cas.yaml, rmt_no_ntp.yaml",
  ],
};

/**
 * Runs the `train` command with `args` (flags after the command name).
 *
 * @example A bad flag is a one-line ConfigError
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./train.ts";
 * await assert.rejects(() => main(["--steps", "zero"]), /--steps: expected an integer/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, TRAIN_COMMAND);
  if (flags === null) return; // --help printed the help
  const { configFile, backend: backendKind, stopAfter, resume, force, overrides: run } = runFlags(
    flags,
    "configs/rmt.yaml",
  );
  refuseEmptyConfig(configFile, "configs/rmt.yaml");
  const overrides: Record<string, unknown> = { ...readTrainYaml(configFile), ...run };
  if (flags.backend !== undefined) overrides.backend = backendKind;
  for (const [flag, key] of [["checkpoint", "baseCheckpoint"], ["corpus", "source"]] as const) {
    const value = flags[flag];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") {
      throw new ConfigError(`--${flag}: expected a ${flag === "corpus" ? "file" : "directory"}`);
    }
    if (key === "source") {
      const data = (overrides.data ?? {}) as Record<string, unknown>;
      overrides.data = { ...data, source: value };
    } else overrides[key] = value;
  }
  const cfg = resolveTrainConfig(overrides);

  if (flags["pretrain-if-missing"] === true && !(await exists(cfg.baseCheckpoint))) {
    console.log(`${cfg.baseCheckpoint} is missing: pre-training it (deno task pretrain) first`);
    const pretrain = await import("./pretrain.ts");
    await pretrain.main(["--backend", cfg.backend, "--publish", cfg.baseCheckpoint]);
  }
  const { backend, reason } = await initDevice(cfg.backend);
  const preamble = `backend: ${backend.name} (${reason}) — ${backend.description}`;
  const result = await train({ cfg, resume, force, stopAfter, preamble }); // prints it after the checks
  console.log(
    `\n${result.step}/${cfg.steps} steps, ${result.meanStepSeconds.toFixed(2)} s/step` +
      (result.step < cfg.steps ? ` (stopped; continue with --resume)` : "") +
      `\ncheckpoint: ${result.checkpoint}\nmetrics:    ${result.metrics}\n` +
      `summary:    ${result.summary}\nreport:     ${result.report} (open in a browser)`,
  );
}
