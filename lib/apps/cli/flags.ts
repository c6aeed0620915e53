/**
 * Flag parsing for the commands in `lib/apps/cli/`, with one-line errors that name the flag
 * ({@linkcode parseFlags}, {@linkcode intFlag}, {@linkcode numberFlag}).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkBackendKind, ConfigError } from "../../util/config.ts";

/** Flag declarations: name (without `--`) → `string` (takes a value) or `boolean` (a switch). */
export type FlagSpec = Record<string, "string" | "boolean">;

/** Parsed flags: the value of each given flag (strings for values, true for switches). */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Parses `args` against `spec` (`--name value`, `--name=value`, `--switch`). An unknown flag, a
 * missing value or a stray argument throws a one-line {@linkcode ConfigError} naming the flag
 * and showing `usage`. `--help` is accepted by every command: it prints `usage` and returns
 * `null`, so a command's `main` ends right there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./flags.ts";
 * const f = parseFlags(["--steps", "3", "--resume"], { steps: "string", resume: "boolean" }, "u");
 * assert.deepEqual(f, { steps: "3", resume: true });
 * assert.throws(() => parseFlags(["--step", "3"], { steps: "string" }, "u"),
 *   /^ConfigError: --step: unknown flag \(u\)$/);
 * assert.throws(() => parseFlags(["--steps"], { steps: "string" }, "u"), /--steps: expected a value/);
 * assert.equal(parseFlags(["--help"], { steps: "string" }, "usage: cmd [--steps N]"), null);
 * ```
 */
export function parseFlags(args: string[], spec: FlagSpec, usage: string): Flags | null {
  const options = Object.fromEntries(
    Object.entries({ ...spec, help: "boolean" }).map(([name, type]) => [name, { type }]),
  ) as Record<string, { type: "string" | "boolean" }>;
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    if (values.help === true) {
      console.log(usage);
      return null;
    }
    return { ...values } as Flags;
  } catch (e) {
    const message = (e as Error).message;
    const code = (e as { code?: string }).code;
    const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? /'([^']+)'/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new ConfigError(`${flag}: unknown flag (${usage})`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      throw new ConfigError(`${flag}: unexpected argument (${usage})`);
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const expects = spec[flag.replace(/^--/, "")] === "boolean" ? "no value" : "a value";
      throw new ConfigError(`${flag}: expected ${expects} (${usage})`);
    }
    throw new ConfigError(`${message.split("\n")[0]} (${usage})`);
  }
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
}

/**
 * Reads `--config`, `--backend`, `--steps`, `--out` and `--stop-after`.
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
  const out = flags.out;
  if (out !== undefined && (typeof out !== "string" || out.length === 0)) {
    throw new ConfigError(`--out: expected a directory, got ${JSON.stringify(out)}`);
  }
  return {
    configFile: (flags.config as string | undefined) ?? defaultConfig,
    backend: backendFlag(flags, "auto"),
    stopAfter: intFlag(flags, "stop-after", 1, undefined),
    overrides: {
      ...(steps === undefined ? {} : { steps }),
      ...(out === undefined ? {} : { out }),
    },
  };
}
