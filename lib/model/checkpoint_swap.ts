/**
 * The crash-safe part of checkpoint saving (method-independent): a directory of files is
 * written to `<dir>.tmp-<pid>/` with a `checksums.json` manifest last (every file fsynced), the
 * previous copy renamed to `<dir>.old/`, the new one renamed to `<dir>`, and `<dir>.old/`
 * removed. {@linkcode findCheckpoint} finds the complete copy whatever point a crash reached;
 * {@linkcode recoverCheckpoint} puts it back in place and removes the leftovers.
 *
 * @module
 */
import { exists } from "../util/fs.ts";

/** Points of {@linkcode writeCheckpointFiles} at which a test may stop the process (a crash). */
export type SaveStage = "partial" | "written" | "moved-aside" | "in-place";

/** The list of the other files' SHA-256, written last: its presence marks a whole copy. */
export const MANIFEST = "checksums.json";

/** SHA-256 of `bytes`, as 64 hex digits. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `dir/name`. */
export function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

function splitPath(dir: string): { parent: string; base: string } {
  const trimmed = dir.replace(/\/+$/, "");
  const i = trimmed.lastIndexOf("/");
  return i < 0
    ? { parent: ".", base: trimmed }
    : { parent: i === 0 ? "/" : trimmed.slice(0, i), base: trimmed.slice(i + 1) };
}

/**
 * Replaces the directory `dir` by one holding `files` (name, bytes) plus their manifest, so that
 * a crash at any point leaves a complete copy (old or new) that {@linkcode findCheckpoint} finds.
 * `onStage` is called at each {@linkcode SaveStage} (tests end the process there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeCheckpointFiles } from "./checkpoint_swap.ts";
 * const dir = `${await Deno.makeTempDir()}/ck`;
 * await writeCheckpointFiles(dir, [["a.json", new TextEncoder().encode("1")]]);
 * await writeCheckpointFiles(dir, [["a.json", new TextEncoder().encode("2")]]);
 * assert.equal(await Deno.readTextFile(`${dir}/a.json`), "2");
 * assert.deepEqual([...Deno.readDirSync(`${dir}/..`)].map((e) => e.name), ["ck"]);
 * ```
 */
export async function writeCheckpointFiles(
  dir: string,
  files: ReadonlyArray<[string, Uint8Array]>,
  onStage?: (stage: SaveStage) => void | Promise<void>,
): Promise<void> {
  const sums: Record<string, string> = {};
  for (const [name, bytes] of files) sums[name] = await sha256Hex(bytes);

  const { parent } = splitPath(dir);
  const tmp = `${trimSlash(dir)}.tmp-${Deno.pid}`;
  const old = `${trimSlash(dir)}.old`;
  await Deno.mkdir(parent, { recursive: true });
  await recoverCheckpoint(dir); // a crashed save before this one: finish or undo it
  await Deno.mkdir(tmp);
  try {
    for (const [i, [name, bytes]] of files.entries()) {
      await writeSynced(join(tmp, name), bytes);
      if (i === 0) await onStage?.("partial");
    }
    // the manifest last: its presence means every other file is complete
    await writeSynced(
      join(tmp, MANIFEST),
      new TextEncoder().encode(JSON.stringify(sums, null, 2) + "\n"),
    );
    await syncDir(tmp);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  await onStage?.("written");
  // POSIX cannot rename over a non-empty directory: the old copy moves aside first and is
  // removed last, so at every moment one complete copy exists under a name findCheckpoint tries.
  const hadOld = await exists(dir);
  if (hadOld) {
    await Deno.rename(dir, old);
    await syncDir(parent);
    await onStage?.("moved-aside");
  }
  try {
    await Deno.rename(tmp, dir);
    await syncDir(parent);
  } catch (e) {
    if (hadOld) await Deno.rename(old, dir).catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  await onStage?.("in-place");
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/** Writes `bytes` to `file` and flushes it to the disk. */
async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
  using f = await Deno.open(file, { write: true, create: true, truncate: true });
  let at = 0;
  while (at < bytes.length) at += await f.write(bytes.subarray(at));
  await f.sync();
}

/** Flushes a directory's entries (a rename or a new file in it) to the disk. */
async function syncDir(dir: string): Promise<void> {
  try {
    using d = await Deno.open(dir, { read: true });
    await d.sync();
  } catch {
    // some file systems cannot sync a directory; the rename itself is still atomic
  }
}

function trimSlash(dir: string): string {
  return dir.replace(/\/+$/, "") || "/";
}

/** The sibling directories a save of `dir` may leave behind: `<dir>.tmp-*`, `<dir>.old`. */
async function leftovers(dir: string): Promise<{ tmp: string[]; old: string | null }> {
  const { parent, base } = splitPath(dir);
  const tmp: string[] = [];
  let old: string | null = null;
  try {
    for await (const e of Deno.readDir(parent)) {
      if (e.name.startsWith(`${base}.tmp-`)) tmp.push(join(parent, e.name));
      else if (e.name === `${base}.old`) old = join(parent, e.name);
      // before this layout: hidden .<base>.tmp-<tag> / .<base>.old-<tag>, never complete
      else if (e.name.startsWith(`.${base}.tmp-`) || e.name.startsWith(`.${base}.old-`)) {
        tmp.push(join(parent, e.name));
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { tmp: tmp.sort(), old };
}

/** True when `copy` holds a manifest and every file it lists matches its SHA-256. */
async function verifiedCopy(copy: string): Promise<boolean> {
  try {
    const sums = JSON.parse(await Deno.readTextFile(join(copy, MANIFEST))) as Record<
      string,
      string
    >;
    for (const [name, sum] of Object.entries(sums)) {
      if (await sha256Hex(await Deno.readFile(join(copy, name))) !== sum) return false;
    }
    return Object.keys(sums).length > 0;
  } catch {
    return false;
  }
}

/** The `state.step` of a copy (0 when unreadable), to prefer the newest of several. */
async function stepOf(copy: string): Promise<number> {
  try {
    const step = JSON.parse(await Deno.readTextFile(join(copy, "state.json"))).step;
    return typeof step === "number" ? step : 0;
  } catch {
    return 0;
  }
}

/**
 * Where the complete copy of the checkpoint `dir` is, whatever point an interrupted save
 * reached: `dir` itself when it exists, else the newest `<dir>.tmp-*` whose checksums verify
 * (the save was about to swap it in), else `<dir>.old` (the previous copy, moved aside);
 * null when there is none. Reads only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findCheckpoint } from "./checkpoint_swap.ts";
 * assert.equal(await findCheckpoint("no/such/checkpoint"), null);
 * ```
 */
export async function findCheckpoint(dir: string): Promise<string | null> {
  if (await exists(dir)) return dir;
  const { tmp, old } = await leftovers(dir);
  let best: string | null = null;
  let bestStep = -1;
  for (const t of tmp) {
    if (!(await verifiedCopy(t))) continue;
    const step = await stepOf(t);
    if (step > bestStep) [best, bestStep] = [t, step];
  }
  return best ?? old;
}

/**
 * Finishes or undoes an interrupted save of `dir`: the complete copy {@linkcode findCheckpoint}
 * finds is renamed to `dir`, and the other `<dir>.tmp-*` and `<dir>.old` directories are
 * removed. Returns whether a checkpoint is now at `dir`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recoverCheckpoint } from "./checkpoint_swap.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/checkpoint.tmp-1`); // a save killed before its manifest
 * assert.equal(await recoverCheckpoint(`${dir}/checkpoint`), false);
 * assert.deepEqual([...Deno.readDirSync(dir)], []);
 * ```
 */
export async function recoverCheckpoint(dir: string): Promise<boolean> {
  const found = await findCheckpoint(dir);
  if (found !== null && found !== dir) {
    await Deno.rename(found, dir);
    await syncDir(splitPath(dir).parent);
  }
  const { tmp, old } = await leftovers(dir);
  for (const d of old === null ? tmp : [...tmp, old]) {
    await Deno.remove(d, { recursive: true }).catch(() => {});
  }
  return found !== null;
}
