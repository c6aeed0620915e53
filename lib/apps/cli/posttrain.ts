/**
 * `deno task posttrain`: GRPO post-training on math questions with verifiable answers, from any
 * checkpoint, with held-out accuracy before and after (method §6.5, §11.4).
 *
 *     deno run -A cli.ts posttrain [--checkpoint DIR] [--config configs/posttrain.yaml]
 *                                  [--out DIR] [--steps N] [--seed S] [--questions N]
 *                                  [--backend auto|cpu|webgpu]
 *
 * `--questions` sets the number of held-out questions. Prints the accuracy before and after and
 * writes `result.json`, `metrics.jsonl`, `config.json` and `checkpoint/` into `--out`.
 *
 * @module
 */
import { ConfigError, readYamlFile } from "../../util/config.ts";
import { initBackend } from "../../engine/tensor.ts";
import { resolvePostTrainConfig } from "../posttrain/config.ts";
import { postTrain } from "../posttrain/grpo.ts";
import {
  BACKEND_FLAG,
  backendFlag,
  type CommandSpec,
  intFlag,
  parseFlags,
  refuseEmptyConfig,
  requireCheckpoint,
} from "./flags.ts";

/** The `posttrain` command's flags. */
export const POSTTRAIN_COMMAND: CommandSpec = {
  name: "posttrain",
  about: "GRPO post-training on math questions from any checkpoint, accuracy before and after",
  flags: {
    checkpoint: {
      type: "string",
      arg: "DIR",
      help: "the starting checkpoint (the base, or a mid-trained runs/<x>/checkpoint)",
      default: "the config's checkpoint",
    },
    config: {
      type: "string",
      arg: "FILE",
      help: "the YAML config",
      default: "configs/posttrain.yaml",
    },
    out: { type: "string", arg: "DIR", help: "output directory", default: "the config's out" },
    steps: { type: "string", arg: "N", help: "GRPO steps to run", default: "the config's steps" },
    seed: {
      type: "string",
      arg: "S",
      help: "seed of questions and sampling",
      default: "the config's seed",
    },
    questions: {
      type: "string",
      arg: "N",
      help: "held-out questions",
      default: "the config's heldOutQuestions",
    },
    backend: BACKEND_FLAG,
  },
  notes: ["writes result.json, metrics.jsonl, config.json and checkpoint/ into --out"],
};

/**
 * Runs the `posttrain` command with `args` (the flags after the command name).
 *
 * @example Bad flags are one-line ConfigErrors
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./posttrain.ts";
 * await assert.rejects(() => main(["--steps", "0"]), /--steps: expected an integer ≥ 1/);
 * await assert.rejects(() => main(["--stepz", "1"]), /--stepz: unknown flag/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, POSTTRAIN_COMMAND);
  if (flags === null) return; // --help printed the help
  const steps = intFlag(flags, "steps", 1, null);
  const seed = intFlag(flags, "seed", 0, null);
  const questions = intFlag(flags, "questions", 1, null);
  const backendKind = backendFlag(flags, "auto");
  const file = (flags.config as string | undefined) ?? "configs/posttrain.yaml";
  refuseEmptyConfig(file, "configs/posttrain.yaml");
  const overrides = readYamlFile(file);
  if (flags.checkpoint !== undefined) overrides.checkpoint = flags.checkpoint;
  if (flags.out !== undefined) overrides.out = flags.out;
  if (steps !== null) overrides.steps = steps;
  if (seed !== null) overrides.seed = seed;
  if (questions !== null) overrides.heldOutQuestions = questions;
  if (overrides.checkpoint === "") throw new ConfigError(`--checkpoint: expected a directory`);
  const cfg = resolvePostTrainConfig(overrides);
  await requireCheckpoint(
    cfg.checkpoint,
    flags.checkpoint === undefined ? "checkpoint" : "--checkpoint",
  );
  const backend = await initBackend(backendKind);
  console.log(`backend: ${backend.name}`);
  console.log(
    `posttrain: ${cfg.checkpoint}, ${cfg.steps} GRPO steps (config ${file}; the resolved ` +
      `config goes to ${cfg.out}/config.json)`,
  );
  const r = await postTrain({ cfg });
  const pct = (x: number | null) => (x === null ? "–" : (100 * x).toFixed(1));
  console.log(
    `\nheld-out accuracy (${r.evaluation.decoding}, ${r.evaluation.questions} questions): ` +
      `before ${pct(r.before.accuracy)}%, after ${pct(r.after.accuracy)}% ` +
      `(${r.steps} GRPO steps, ${r.seconds.total.toFixed(0)} s)\nresult: ${r.out}/result.json`,
  );
}
