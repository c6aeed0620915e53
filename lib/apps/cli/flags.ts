/**
 * Flag parsing for the commands in `lib/apps/cli/`, with one-line errors that name the flag
 * ({@linkcode parseFlags}, {@linkcode intFlag}, {@linkcode numberFlag}).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ConfigError, readYamlFile } from "../../util/config.ts";
import { checkBackendKind } from "../../engine/device.ts";
import { findCheckpoint } from "../../model/checkpoint.ts";

/** One flag of a command: its kind, its value's placeholder, what it does and its default. */
export interface FlagDef {
  /** `string`: takes a value (`--name value`, `--name=value`); `boolean`: a switch. */
  type: "string" | "boolean";
  /** Placeholder of the value in the help (`DIR`, `N`, `FILE`); switches have none. */
  arg?: string;
  /** What the flag does, in one line. */
  help: string;
  /** What applies when the flag is absent, as the help shows it (switches: off). */
  default?: string;
}

/** A command's flags by name (without `--`). */
export type FlagSpec = Record<string, FlagDef>;

/** A command: its name (`deno task <name>`), one line on what it does, and its flags. */
export interface CommandSpec {
  /** The command's name. */
  name: string;
  /** What it does, in one line. */
  about: string;
  /** Its flags (`--help` is added to every command). */
  flags: FlagSpec;
  /** Lines printed after the flags (examples, where the outputs go). */
  notes?: string[];
}

/** Parsed flags: the value of each given flag (strings for values, true for switches). */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * The `--help` text of a command: what it does, then every flag with its meaning and default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helpText } from "./flags.ts";
 * const help = helpText({
 *   name: "demo",
 *   about: "does a demo",
 *   flags: { steps: { type: "string", arg: "N", help: "steps to run", default: "3" } },
 * });
 * assert.match(help, /^deno task demo: does a demo/);
 * assert.match(help, /--steps N +steps to run \(default: 3\)/);
 * ```
 */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.flags, help: HELP_FLAG }).map(([name, f]) => {
    const left = `--${name}${f.arg === undefined ? "" : ` ${f.arg}`}`;
    const fallback = f.default ?? (f.type === "boolean" ? "off" : undefined);
    return [left, `${f.help}${fallback === undefined ? "" : ` (default: ${fallback})`}`];
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `deno task ${spec.name}: ${spec.about}`,
    "",
    `usage: deno task ${spec.name} [flags]`,
    "",
    "flags:",
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`),
    ...(spec.notes === undefined ? [] : ["", ...spec.notes]),
  ].join("\n");
}

const HELP_FLAG: FlagDef = { type: "boolean", help: "print this help and exit" };

/**
 * Parses `args` against the command's flags (`--name value`, `--name=value`, `--switch`). An
 * unknown flag, a missing value or a stray argument throws a one-line {@linkcode ConfigError}
 * naming the flag and pointing at `--help`. `--help` prints {@linkcode helpText} and returns
 * `null`, so a command's `main` ends right there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const spec = {
 *   name: "demo",
 *   about: "a demo",
 *   flags: {
 *     steps: { type: "string", arg: "N", help: "steps", default: "1" },
 *     resume: { type: "boolean", help: "resume" },
 *   },
 * } as const;
 * const f = parseFlags(["--steps", "3", "--resume"], spec);
 * assert.deepEqual(f, { steps: "3", resume: true });
 * assert.throws(() => parseFlags(["--step", "3"], spec),
 *   /^ConfigError: --step: unknown flag \(deno task demo --help lists the flags\)$/);
 * assert.throws(() => parseFlags(["--steps"], spec), /--steps: expected a value/);
 * ```
 */
export function parseFlags(args: string[], spec: CommandSpec): Flags | null {
  const all: FlagSpec = { ...spec.flags, help: HELP_FLAG };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, f]) => [name, { type: f.type }]),
  ) as Record<string, { type: "string" | "boolean" }>;
  const see = `deno task ${spec.name} --help lists the flags`;
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    if (values.help === true) {
      console.log(helpText(spec));
      return null;
    }
    return { ...values } as Flags;
  } catch (e) {
    const message = (e as Error).message;
    const code = (e as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? /'([^']+)'/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new ConfigError(`${flag}: unknown flag (${see})`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      throw new ConfigError(`${flag}: unexpected argument (${see})`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const expects = all[flag.replace(/^--/, "")]?.type === "boolean" ? "no value" : "a value";
      throw new ConfigError(`${flag}: expected ${expects} (${see})`);
    }
    throw new ConfigError(`${message.split("\n")[0]} (${see})`);
  }
}

/**
 * Reads a command's YAML config file and refuses an empty one: a file without a single setting
 * is almost always a mistake (a wrong file, an unsaved edit), and running the built-in defaults
 * instead would silently differ from the shipped config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseEmptyConfig } from "./flags.ts";
 * const file = await Deno.makeTempFile({ suffix: ".yaml" });
 * await Deno.writeTextFile(file, "# nothing yet\n");
 * assert.throws(() => refuseEmptyConfig(file, "configs/rmt.yaml"), /empty config file/);
 * ```
 */
export function refuseEmptyConfig(file: string, shipped: string): void {
  if (Object.keys(readYamlFile(file)).length > 0) return;
  throw new ConfigError(
    `${file}: empty config file (no settings); pass --config ${shipped} for the shipped run, ` +
      `or start the file with "extends: ${shipped.split("/").pop()}" and change what you need`,
  );
}

/**
 * The integer value of flag `name` (≥ `min`), or `fallback` when absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intFlag } from "./flags.ts";
 * assert.equal(intFlag({ steps: "4" }, "steps", 1, 0), 4);
 * assert.throws(() => intFlag({ steps: "x" }, "steps", 1, 0), /--steps: expected an integer ≥ 1, got "x"/);
 * ```
 */
export function intFlag<T>(flags: Flags, name: string, min: number, fallback: T): number | T {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new ConfigError(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * The numeric value of flag `name` (≥ `min`), or `fallback` when absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberFlag } from "./flags.ts";
 * assert.equal(numberFlag({ t: "0.5" }, "t", 0, 1), 0.5);
 * assert.throws(() => numberFlag({ t: "-1" }, "t", 0, 1), /--t: expected a number ≥ 0/);
 * ```
 */
export function numberFlag<T>(flags: Flags, name: string, min: number, fallback: T): number | T {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || n < min) {
    throw new ConfigError(`--${name}: expected a number ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * The value of a backend flag: `auto`, `cpu` or `webgpu`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backendFlag } from "./flags.ts";
 * assert.equal(backendFlag({ backend: "cpu" }, "auto"), "cpu");
 * assert.throws(() => backendFlag({ backend: "gpu" }, "auto"), /--backend: expected auto, cpu or webgpu, got "gpu"/);
 * ```
 */
export function backendFlag(
  flags: Flags,
  fallback: "auto" | "cpu" | "webgpu",
): "auto" | "cpu" | "webgpu" {
  const raw = flags.backend;
  if (raw === undefined) return fallback;
  checkBackendKind(raw, "--backend");
  return raw;
}

/** `--backend`, the same in every command (its default: `auto`). */
export const BACKEND_FLAG: FlagDef = {
  type: "string",
  arg: "auto|cpu|webgpu",
  help: "where tensors live; auto is WebGPU on a hardware GPU, else the CPU",
  default: "auto",
};

/**
 * The flags shared by the training commands (`pretrain`, `train`), for their {@linkcode FlagSpec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFlagSpec } from "./flags.ts";
 * assert.equal(runFlagSpec("configs/rmt.yaml").config.default, "configs/rmt.yaml");
 * ```
 */
export function runFlagSpec(defaultConfig: string): FlagSpec {
  return {
    config: { type: "string", arg: "FILE", help: "the run's YAML config", default: defaultConfig },
    backend: { ...BACKEND_FLAG, default: "the config's backend" },
    steps: { type: "string", arg: "N", help: "total steps T", default: "the config's steps" },
    out: {
      type: "string",
      arg: "DIR",
      help: "run directory (checkpoint, metrics, config, report)",
      default: "the config's out",
    },
    resume: {
      type: "boolean",
      help: "continue the unfinished run in the run directory from its checkpoint",
    },
    force: {
      type: "boolean",
      help: "start over in a run directory that holds a run (deletes that run's files)",
    },
    "stop-after": {
      type: "string",
      arg: "N",
      help: "stop after step N with a checkpoint, as an interruption would (continue: --resume)",
      default: "run to T",
    },
  };
}

/** The flags shared by the training commands (`pretrain`, `train`), validated. */
export interface RunFlags {
  /** The config file: `--config`, else the command's default. */
  configFile: string;
  /** The backend: `--backend`, else `auto`. */
  backend: "auto" | "cpu" | "webgpu";
  /** `--stop-after N`: stop (resumably) after N steps of this invocation. */
  stopAfter: number | undefined;
  /** Overrides of the config file's `steps` and `out` (only the flags that were given). */
  overrides: { steps?: number; out?: string };
  /** `--resume`: continue the run in the run directory. */
  resume: boolean;
  /** `--force`: start over in a run directory that holds a run. */
  force: boolean;
}

/**
 * Reads `--config`, `--backend`, `--steps`, `--out`, `--stop-after`, `--resume` and `--force`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFlags } from "./flags.ts";
 * const r = runFlags({ steps: "5", out: "runs/x" }, "configs/rmt.yaml");
 * assert.deepEqual(r.overrides, { steps: 5, out: "runs/x" });
 * assert.equal(r.configFile, "configs/rmt.yaml");
 * ```
 */
export function runFlags(flags: Flags, defaultConfig: string): RunFlags {
  const steps = intFlag(flags, "steps", 1, undefined);
  if (flags.resume === true && flags.force === true) {
    throw new ConfigError("--force: cannot be combined with --resume (one continues, one deletes)");
  }
  const out = flags.out;
  if (out !== undefined && (typeof out !== "string" || out.length === 0)) {
    throw new ConfigError(`--out: expected a directory, got ${JSON.stringify(out)}`);
  }
  return {
    configFile: (flags.config as string | undefined) ?? defaultConfig,
    backend: backendFlag(flags, "auto"),
    stopAfter: intFlag(flags, "stop-after", 1, undefined),
    resume: flags.resume === true,
    force: flags.force === true,
    overrides: {
      ...(steps === undefined ? {} : { steps }),
      ...(out === undefined ? {} : { out }),
    },
  };
}

/**
 * Throws a one-line {@linkcode ConfigError} naming `flag` unless `dir` holds a checkpoint (ours
 * or a Hugging Face directory, or the complete copy an interrupted save left beside it), so that
 * a command refuses a bad path before it prints anything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireCheckpoint } from "./flags.ts";
 * await requireCheckpoint("checkpoints/base", "--checkpoint");
 * await assert.rejects(() => requireCheckpoint("no/such/dir", "--checkpoint"),
 *   /^ConfigError: --checkpoint: no\/such\/dir: no checkpoint here \(missing directory\)$/);
 * ```
 */
export async function requireCheckpoint(dir: string, flag: string): Promise<void> {
  if ((await findCheckpoint(dir)) === null) {
    throw new ConfigError(`${flag}: ${dir}: no checkpoint here (missing directory)`);
  }
}
