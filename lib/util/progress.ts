/**
 * A one-line progress bar for long-running commands: `step/total`, a bar, named fields (loss,
 * tokens/s, …) and the ETA, redrawn in place with `\r` on a terminal. When the output is not a
 * terminal (`nohup … > log`), each update is printed as its own line instead, so that logs stay
 * readable. Used by the trainers and by the commands in `lib/apps/cli/`.
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

const encoder = new TextEncoder();

/**
 * Formats seconds as `1h02m`, `3m05s` or `12s`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./progress.ts";
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
 * import { ProgressBar } from "./progress.ts";
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
