/**
 * Helpers of the commands in `lib/cli/`: flag parsing with one-line errors that name the flag
 * ({@linkcode parseFlags}, {@linkcode intFlag}, {@linkcode numberFlag}) and a one-line
 * progress bar for long-running commands: `step/total`, a bar, named fields
 * (loss, tokens/s, …) and the ETA, redrawn in place with `\r` on a terminal. When the output is
 * not a terminal (`nohup … > log`), each update is printed as its own line instead, so that
 * logs stay readable.
 *
 * @module
 */

/** Options of {@linkcode ProgressBar}. */
export interface ProgressOptions {
  /** Characters of the bar itself (default 24). */
  width?: number;
  /** Redraw in place with `\r` (default: whether stdout is a terminal). */
  inPlace?: boolean;
  /** Where the text goes (default: stdout). */
  write?: (text: string) => void;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** When not redrawing in place, print only every this many steps (and the last; default 1). */
  lineEvery?: number;
}

import { parseArgs } from "node:util";
import { checkBackendKind, ConfigError } from "../config.ts";

const encoder = new TextEncoder();

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
 * import { parseFlags } from "./_progress.ts";
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
 * import { intFlag } from "./_progress.ts";
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
 * import { numberFlag } from "./_progress.ts";
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
 * import { backendFlag } from "./_progress.ts";
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
 * import { runFlags } from "./_progress.ts";
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

/**
 * Formats seconds as `1h02m`, `3m05s` or `12s`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./_progress.ts";
 * assert.equal(formatDuration(65), "1m05s");
 * assert.equal(formatDuration(3720), "1h02m");
 * assert.equal(formatDuration(Infinity), "?");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * A progress bar over steps `start..total`. The ETA extrapolates the rate measured since the
 * first update (steps before `start`, e.g. those of a resumed run, do not count).
 *
 * @example Non-terminal output: one line per update
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "./_progress.ts";
 * const lines: string[] = [];
 * let t = 0;
 * const bar = new ProgressBar(10, 0, { inPlace: false, write: (s) => lines.push(s), now: () => t });
 * t = 1000;
 * bar.update(5, { loss: "2.31" });
 * assert.match(lines[0], /^ *5\/10 \[#+-+\] loss 2.31 ETA 1s\n$/);
 * ```
 */
export class ProgressBar {
  readonly #width: number;
  readonly #inPlace: boolean;
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #t0: number;
  readonly #lineEvery: number;
  #drawn = false;

  /**
   * @param total Last step (the bar is full at `total`).
   * @param start Step the run starts from (0, or the step a resumed run continues at).
   * @param opts Output options.
   */
  constructor(readonly total: number, readonly start = 0, opts: ProgressOptions = {}) {
    this.#width = opts.width ?? 24;
    this.#inPlace = opts.inPlace ?? Deno.stdout.isTerminal();
    this.#write = opts.write ?? ((s) => Deno.stdout.writeSync(encoder.encode(s)));
    this.#now = opts.now ?? (() => performance.now());
    this.#t0 = this.#now();
    this.#lineEvery = Math.max(1, opts.lineEvery ?? 1);
  }

  /** Draws the bar at `step` with `fields` shown as `name value`. */
  update(step: number, fields: Record<string, string> = {}): void {
    if (!this.#inPlace && step % this.#lineEvery !== 0 && step !== this.total) return;
    const frac = this.total > 0 ? Math.min(1, step / this.total) : 1;
    const filled = Math.round(frac * this.#width);
    const bar = "#".repeat(filled) + "-".repeat(this.#width - filled);
    const elapsed = (this.#now() - this.#t0) / 1000;
    const done = step - this.start;
    const eta = done > 0 ? (elapsed / done) * (this.total - step) : Infinity;
    const digits = String(this.total).length;
    const text = [
      `${String(step).padStart(digits)}/${this.total} [${bar}]`,
      ...Object.entries(fields).map(([k, v]) => `${k} ${v}`),
      `ETA ${formatDuration(eta)}`,
    ].join(" ");
    if (this.#inPlace) {
      this.#write(`\r${text}\x1b[K`);
      this.#drawn = true;
    } else this.#write(`${text}\n`);
  }

  /** Prints a message on its own line without losing the bar (it is redrawn on the next update). */
  log(message: string): void {
    this.#write(this.#inPlace && this.#drawn ? `\r\x1b[K${message}\n` : `${message}\n`);
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.#inPlace && this.#drawn) this.#write("\n");
    this.#drawn = false;
  }
}
