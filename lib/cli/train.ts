/**
 * `deno task train`: Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375) from the base checkpoint, or any baseline/ablation given as a config
 * (`configs/rmt.yaml`, `ntp.yaml`, `rpt.yaml`, `rmt_no_dtb.yaml`, `rmt_no_cas.yaml`,
 * `rmt_no_ntp.yaml`, `rmt_gpu.yaml`).
 *
 *     deno task train [--config configs/rmt.yaml] [--backend auto|cpu|webgpu] [--resume]
 *                     [--steps N] [--out DIR] [--pretrain-if-missing]
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
import { ConfigError } from "../config.ts";
import { type BackendKind, initBackend } from "../tensor.ts";
import { readTrainYaml, resolveTrainConfig } from "../train/config.ts";
import { train } from "../train/trainer.ts";

const USAGE = "usage: deno task train [--config FILE] [--backend auto|cpu|webgpu] [--resume] " +
  "[--steps N] [--out DIR] [--pretrain-if-missing]";

/** Parsed command-line flags. */
interface TrainFlags {
  config: string;
  backend: BackendKind;
  resume: boolean;
  steps: number | null;
  out: string | null;
  pretrainIfMissing: boolean;
}

function parseFlags(args: string[]): TrainFlags | null {
  const flags: TrainFlags = {
    config: "configs/rmt.yaml",
    backend: "auto",
    resume: false,
    steps: null,
    out: null,
    pretrainIfMissing: false,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq >= 0) return arg.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new ConfigError(`${name}: expected a value (${USAGE})`);
      return v;
    };
    switch (name) {
      case "--help":
      case "-h":
        return null;
      case "--config":
        flags.config = value();
        break;
      case "--backend": {
        const b = value();
        if (b !== "auto" && b !== "cpu" && b !== "webgpu") {
          throw new ConfigError(`--backend: expected auto, cpu or webgpu, got "${b}"`);
        }
        flags.backend = b;
        break;
      }
      case "--resume":
        flags.resume = true;
        break;
      case "--steps": {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) {
          throw new ConfigError(`--steps: expected an integer ≥ 1, got "${v}"`);
        }
        flags.steps = n;
        break;
      }
      case "--out":
        flags.out = value();
        break;
      case "--pretrain-if-missing":
        flags.pretrainIfMissing = true;
        break;
      default:
        throw new ConfigError(`${arg}: unknown flag (${USAGE})`);
    }
  }
  return flags;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

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
  const flags = parseFlags(args);
  if (flags === null) {
    console.log(USAGE);
    return;
  }
  const overrides = readTrainYaml(flags.config);
  if (flags.steps !== null) overrides.steps = flags.steps;
  if (flags.out !== null) overrides.out = flags.out;
  const cfg = resolveTrainConfig(overrides);
  console.log(`# train: resolved config (${flags.config})\n${stringify(cfg).trimEnd()}\n`);

  if (!(await exists(cfg.baseCheckpoint)) && flags.pretrainIfMissing) {
    console.log(`${cfg.baseCheckpoint} is missing: pre-training it first (deno task pretrain)`);
    const pretrain = await import("./pretrain.ts");
    await pretrain.main([]);
  }
  const backend = await initBackend(flags.backend);
  console.log(`backend: ${backend.name}`);
  const result = await train({ cfg, resume: flags.resume });
  console.log(
    `\ndone: ${result.step}/${cfg.steps} steps, ${result.meanStepSeconds.toFixed(2)} s/step\n` +
      `checkpoint: ${result.checkpoint}\nmetrics:    ${result.metrics}\n` +
      `summary:    ${result.summary}`,
  );
}
