/**
 * `deno task pretrain`: pre-trains the base model (method §11.1) with `lib/apps/pretrain/`.
 *
 *     deno task pretrain [--config configs/pretrain.yaml] [--out DIR] [--resume | --force] …
 *
 * (`--help` lists every flag.) Prints the backend and one line on the run, then a progress bar;
 * writes `<out>/metrics.jsonl`, `<out>/config.yaml` and `<out>/checkpoint/`. `--steps` sets the total
 * T (the cosine's length); `--stop-after N` stops after N steps with a checkpoint (continue with
 * `--resume`); `--publish DIR` copies the final checkpoint (without optimizer state), its
 * `config.yaml` and `training_log.jsonl` to DIR (e.g. `checkpoints/base`); `--init DIR` continues
 * pre-training from a checkpoint's weights and tokenizer with a fresh optimizer and schedule.
 *
 * Bad flags or config values throw a one-line `ConfigError` naming the flag or field.
 *
 * @module
 */
import { ConfigError, readYamlFile } from "../../util/config.ts";
import { initDevice } from "../../engine/tensor.ts";
import { resolvePretrainConfig } from "../pretrain/config.ts";
import { formatConfig, pretrain } from "../pretrain/pretrain.ts";
import { checkInit } from "../pretrain/start.ts";
import { checkpointStep } from "../run_dir.ts";
import { weightsDigest } from "../../model/checkpoint.ts";
import { exists } from "../../util/fs.ts";
import { type CommandSpec, parseFlags, refuseEmptyConfig, runFlags, runFlagSpec } from "./flags.ts";

/** The `pretrain` command's flags. */
export const PRETRAIN_COMMAND: CommandSpec = {
  name: "pretrain",
  about: "pre-train the base model on the thinking-augmented math stream (or a corpus file)",
  flags: {
    ...runFlagSpec("configs/pretrain.yaml"),
    init: {
      type: "string",
      arg: "DIR",
      help: "continue pre-training from this checkpoint's weights and tokenizer, with a fresh " +
        "optimizer and warm-up + cosine over --steps (its model config must equal the config's)",
      default: "the config's init; empty: from scratch",
    },
    publish: {
      type: "string",
      arg: "DIR",
      help: "copy the finished checkpoint (without optimizer state), config.yaml and " +
        "training_log.jsonl to DIR, e.g. checkpoints/base: a new directory, or the one holding " +
        "this run's own model (another model there is refused)",
      default: "no copy",
    },
  },
  notes: ["writes <out>/config.yaml, metrics.jsonl and checkpoint/"],
};

/**
 * Copies a finished run to `dir`: the checkpoint's files except the optimizer state, the
 * resolved config as `config.yaml` and the metrics as `training_log.jsonl`. The copy is built
 * next to `dir` and renamed into place. A `dir` that already holds the same model (equal weights
 * digests) is refreshed and keeps its other files (an `eval.json` made for it); one that holds
 * another model, or anything that is not a checkpoint, is refused: nothing is replaced unasked.
 *
 * @throws {ConfigError} When `dir` holds another model or is not a checkpoint.
 */
export async function publishRun(runDir: string, dir: string, configYaml: string): Promise<void> {
  const ours = await weightsDigest(`${runDir}/checkpoint`);
  const theirs = await weightsDigest(dir);
  const present = await exists(dir);
  if (present && theirs === null) {
    throw new ConfigError(`--publish: ${dir} exists and is not a checkpoint; publish elsewhere`);
  }
  if (present && theirs !== ours) {
    throw new ConfigError(
      `--publish: ${dir} holds another model (weights ${theirs!.slice(0, 12)}…, this run's ` +
        `${ours?.slice(0, 12)}…); remove it first (git rm -r ${dir}) or publish elsewhere`,
    );
  }
  const tmp = `${dir}.tmp-${Date.now()}`;
  Deno.mkdirSync(tmp, { recursive: true });
  for (const entry of Deno.readDirSync(`${runDir}/checkpoint`)) {
    if (!entry.isFile || entry.name.startsWith("optimizer")) continue;
    Deno.copyFileSync(`${runDir}/checkpoint/${entry.name}`, `${tmp}/${entry.name}`);
  }
  Deno.writeTextFileSync(`${tmp}/config.yaml`, configYaml);
  Deno.copyFileSync(`${runDir}/metrics.jsonl`, `${tmp}/training_log.jsonl`);
  if (present) {
    for (const entry of Deno.readDirSync(dir)) { // the same model: keep what was made for it
      if (entry.isFile && !(await exists(`${tmp}/${entry.name}`))) {
        Deno.copyFileSync(`${dir}/${entry.name}`, `${tmp}/${entry.name}`);
      }
    }
    Deno.removeSync(dir, { recursive: true });
  }
  Deno.renameSync(tmp, dir);
}

/**
 * Runs the `pretrain` command with `args` (the flags after the command name).
 *
 * @example A bad flag is a one-line ConfigError
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./pretrain.ts";
 * await assert.rejects(() => main(["--stpes", "3"]), /--stpes: unknown flag/);
 * await assert.rejects(() => main(["--steps", "0"]), /--steps: expected an integer ≥ 1, got "0"/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, PRETRAIN_COMMAND);
  if (flags === null) return; // --help printed the help
  const { configFile, backend: backendKind, stopAfter, resume, force, overrides: run } = runFlags(
    flags,
    "configs/pretrain.yaml",
  );
  refuseEmptyConfig(configFile, "configs/pretrain.yaml");
  const overrides: Record<string, unknown> = { ...readYamlFile(configFile), ...run };
  if (flags.backend !== undefined) overrides.backend = backendKind;
  if (flags.init !== undefined) {
    if (typeof flags.init !== "string" || flags.init.length === 0) {
      throw new ConfigError(
        `--init: expected a checkpoint directory, got ${JSON.stringify(flags.init)}`,
      );
    }
    overrides.init = flags.init;
  }
  const cfg = resolvePretrainConfig(overrides, configFile);
  if (typeof flags.publish === "string" && flags.publish.length === 0) {
    throw new ConfigError(`--publish: expected a directory, got ""`);
  }
  await checkInit(cfg, flags.init !== undefined ? "--init" : `${configFile}.init`);
  const publish = flags.publish as string | undefined;
  const finished = resume && publish !== undefined && await checkpointStep(cfg.out) === cfg.steps;
  if (publish !== undefined && !finished && await exists(publish)) {
    // refused now, not after hours of training: a run still to train can only publish anew
    throw new ConfigError(
      `--publish: ${publish} exists; a run publishes into a new directory (or, once finished, ` +
        `into the one holding its own model): remove it first or publish elsewhere`,
    );
  }
  const yaml = formatConfig(cfg);
  const { backend, reason } = await initDevice(cfg.backend);
  console.log(`backend: ${backend.name} (${reason}) — ${backend.description}`);
  console.log(
    `pretrain: ${cfg.steps} steps of ${cfg.batchSize}×${cfg.model.contextLength} tokens, ` +
      `${cfg.model.nLayer} layers × ${cfg.model.nEmbd} wide, corpus ${cfg.data.source}; ` +
      `run directory ${cfg.out} (full config: ${cfg.out}/config.yaml)` +
      (cfg.init === "" ? "" : `; weights from ${cfg.init}`),
  );
  if (finished) {
    // a finished run is published as it is (a resume would refuse it: nothing to resume)
    await publishRun(cfg.out, publish!, Deno.readTextFileSync(`${cfg.out}/config.yaml`));
    console.log(`the run is finished (${cfg.steps}/${cfg.steps} steps); published: ${publish}`);
    return;
  }
  const result = await pretrain(cfg, { resume, force, stopAfter });
  if (typeof flags.publish === "string") {
    if (result.step < cfg.steps) {
      throw new ConfigError(
        `--publish: the run stopped at step ${result.step} of ${cfg.steps}; resume it first`,
      );
    }
    await publishRun(cfg.out, flags.publish, yaml);
    console.log(`published: ${flags.publish}`);
  }
}
