/**
 * The run directory's lifecycle, shared by `train` and `pretrain`: a directory that holds a run
 * is never written over unless asked (`--resume` continues it, `--force` deletes it first), and
 * resuming starts by recovering the checkpoint an interrupted save left behind.
 *
 * @module
 */
import { ConfigError } from "../util/config.ts";
import { CheckpointError, findCheckpoint, recoverCheckpoint } from "../model/checkpoint.ts";
import { exists } from "../util/fs.ts";

/** The files a run writes into its directory, besides `checkpoint/` and its save leftovers. */
export const RUN_FILES = [
  "metrics.jsonl",
  "summary.json",
  "report.html",
  "config.yaml",
  "config.json",
] as const;

/** Options of {@linkcode prepareRunDir}. */
export interface RunDirOptions {
  /** Continue the run in the directory (its checkpoint must exist). */
  resume?: boolean;
  /** Delete the run the directory holds and start over. */
  force?: boolean;
}

/**
 * The step of the checkpoint in run directory `out` (`state.step`; the complete copy an
 * interrupted save left counts), or null when it holds none.
 *
 * @throws {SyntaxError} When the checkpoint's `state.json` is not JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkpointStep } from "./run_dir.ts";
 * const out = await Deno.makeTempDir();
 * assert.equal(await checkpointStep(out), null);
 * await Deno.mkdir(`${out}/checkpoint`);
 * await Deno.writeTextFile(`${out}/checkpoint/state.json`, '{"step":7}');
 * assert.equal(await checkpointStep(out), 7);
 * ```
 */
export async function checkpointStep(out: string): Promise<number | null> {
  const found = await findCheckpoint(`${out}/checkpoint`);
  if (found === null) return null;
  return Number(JSON.parse(await Deno.readTextFile(`${found}/state.json`)).step ?? 0);
}

/** What the run directory `out` holds: the checkpoint's step, the metrics' line count. */
async function describeRun(out: string): Promise<string | null> {
  const found = await findCheckpoint(`${out}/checkpoint`);
  const parts: string[] = [];
  if (found !== null) {
    let step: unknown = "?";
    try {
      step = JSON.parse(await Deno.readTextFile(`${found}/state.json`)).step;
    } catch {
      // unreadable: still a checkpoint that would be overwritten
    }
    parts.push(`a checkpoint at step ${step}`);
  }
  if (await exists(`${out}/metrics.jsonl`)) {
    const text = await Deno.readTextFile(`${out}/metrics.jsonl`);
    parts.push(
      `metrics.jsonl with ${text.split("\n").filter((l) => l.trim() !== "").length} lines`,
    );
  }
  return parts.length === 0 ? null : parts.join(" and ");
}

/**
 * Makes `out` ready for a run. A fresh run into a directory that holds one (a checkpoint or
 * metrics) is refused with a one-line `ConfigError` naming `--resume` and `--force`; with
 * `force` that run's files are deleted first. A resumed run needs a checkpoint: the one an
 * interrupted save left (`checkpoint.old/`, a complete `checkpoint.tmp-*`) is put back in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareRunDir } from "./run_dir.ts";
 * const out = await Deno.makeTempDir();
 * await prepareRunDir(out); // empty: fine
 * await Deno.writeTextFile(`${out}/metrics.jsonl`, '{"step":0}\n');
 * await assert.rejects(() => prepareRunDir(out), /holds a run \(metrics.jsonl with 1 lines\); pass --resume/);
 * await prepareRunDir(out, { force: true });
 * assert.deepEqual([...Deno.readDirSync(out)], []);
 * await assert.rejects(() => prepareRunDir(out, { resume: true }), /nothing to resume/);
 * ```
 */
export async function prepareRunDir(out: string, opts: RunDirOptions = {}): Promise<void> {
  const checkpoint = `${out}/checkpoint`;
  await Deno.mkdir(out, { recursive: true });
  if (opts.resume) {
    if (!(await recoverCheckpoint(checkpoint))) {
      throw new CheckpointError(
        `${checkpoint}: nothing to resume (no checkpoint); run without --resume to start`,
      );
    }
    return;
  }
  const held = await describeRun(out);
  if (held === null) {
    await recoverCheckpoint(checkpoint); // removes the debris of a save that never completed
    return;
  }
  if (!opts.force) {
    throw new ConfigError(
      `${out}: holds a run (${held}); pass --resume to continue it, --force to delete it and ` +
        `start over, or --out DIR for a new run directory`,
    );
  }
  await recoverCheckpoint(checkpoint); // removes the save leftovers…
  await Deno.remove(checkpoint, { recursive: true }).catch(() => {}); // …then the checkpoint
  for (const f of RUN_FILES) await Deno.remove(`${out}/${f}`).catch(() => {});
}
