/**
 * `deno task train`: Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375) from the base checkpoint, or any baseline/ablation given as a config
 * (`configs/rmt.yaml`, `ntp.yaml`, `rpt.yaml`, `rmt_no_dtb.yaml`, `rmt_no_cas.yaml`,
 * `rmt_no_ntp.yaml`, `rmt_gpu.yaml`).
 *
 *     deno task train [--config configs/rmt.yaml] [--backend auto|cpu|webgpu] [--resume]
 *                     [--steps N] [--out DIR] [--stop-after N] [--pretrain-if-missing]
 *
 * `--stop-after N` stops (with a checkpoint) after N steps, as an interruption would;
 * `--pretrain-if-missing` runs `deno task pretrain --publish <baseCheckpoint>` first when the
 * base checkpoint does not exist.
 *
 * Prints the resolved config, runs, then prints where the checkpoint, metrics and summary are.
 * Bad flags or config values throw a one-line `ConfigError`; a missing checkpoint a
 * `CheckpointError` (cli.ts prints the message only).
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */
import { stringify } from "yaml";
import { initDevice } from "../../engine/tensor.ts";
import { readTrainYaml, resolveTrainConfig } from "../train/config.ts";
import { train } from "../train/trainer.ts";
import { parseFlags, runFlags } from "./flags.ts";
import { exists } from "../../util/fs.ts";

const USAGE = "usage: deno task train [--config FILE] [--backend auto|cpu|webgpu] [--resume] " +
  "[--steps N] [--out DIR] [--stop-after N] [--pretrain-if-missing]";

const FLAGS = {
  config: "string",
  backend: "string",
  resume: "boolean",
  steps: "string",
  out: "string",
  "stop-after": "string",
  "pretrain-if-missing": "boolean",
} as const;

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
  const flags = parseFlags(args, FLAGS, USAGE);
  if (flags === null) return; // --help printed the usage
  const { configFile, backend: backendKind, stopAfter, overrides: run } = runFlags(
    flags,
    "configs/rmt.yaml",
  );
  const overrides: Record<string, unknown> = { ...readTrainYaml(configFile), ...run };
  if (flags.backend !== undefined) overrides.backend = backendKind;
  const cfg = resolveTrainConfig(overrides);
  console.log(`# train: resolved config (${configFile})\n${stringify(cfg).trimEnd()}\n`);

  if (flags["pretrain-if-missing"] === true && !(await exists(cfg.baseCheckpoint))) {
    console.log(`${cfg.baseCheckpoint} is missing: pre-training it (deno task pretrain) first`);
    const pretrain = await import("./pretrain.ts");
    await pretrain.main(["--backend", cfg.backend, "--publish", cfg.baseCheckpoint]);
  }
  const { backend, reason } = await initDevice(cfg.backend);
  console.log(`backend: ${backend.name} (${reason}) — ${backend.description}`);
  const result = await train({ cfg, resume: flags.resume === true, stopAfter });
  console.log(
    `\ndone: ${result.step}/${cfg.steps} steps, ${result.meanStepSeconds.toFixed(2)} s/step\n` +
      `checkpoint: ${result.checkpoint}\nmetrics:    ${result.metrics}\n` +
      `summary:    ${result.summary}\nreport:     ${result.report} (open in a browser)`,
  );
}
