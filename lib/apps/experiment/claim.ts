/**
 * Claims on the experiment's runs, so that several processes can work through the same plan
 * (`deno task experiment` started twice, one per core) without running a run twice: before a
 * run starts, its process creates `<run dir>/running.json` (pid, host, start time) exclusively;
 * another process that finds a live claim skips the run, and the claim is removed when the run
 * has written its record. A claim left by a process that died (no such pid on this host, Linux
 * `/proc`) is taken over: the run resumes from its checkpoint as it would after a restart.
 *
 * @module
 */

/** What a claim file holds. */
export interface RunClaim {
  /** Process id of the claimant. */
  pid: number;
  /** Its host name. */
  host: string;
  /** When it claimed the run (ISO time). */
  startedAt: string;
}

/** The claim file of a run directory. */
export const claimPath = (dir: string): string => `${dir}/running.json`;

/**
 * Whether the process of `claim` may still be running: false only when it ran on this host and
 * no process with its pid exists (read from `/proc`; without `/proc` a claim counts as live).
 */
export function claimIsLive(claim: RunClaim): boolean {
  if (claim.host !== Deno.hostname()) return true;
  if (claim.pid === Deno.pid) return true;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true; // no procfs: cannot tell, so do not take the run over
  }
  try {
    Deno.statSync(`/proc/${claim.pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims the run in `dir` for this process. Returns null when it got the claim (a stale claim
 * of a dead process is replaced), or the live claim of another process.
 *
 * @example Two claims on one run: the second finds the first's
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimRun, releaseRun } from "./claim.ts";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await claimRun(dir), null);
 * const other = JSON.stringify({ pid: 1, host: "elsewhere", startedAt: "2026-01-01T00:00:00Z" });
 * await releaseRun(dir);
 * await Deno.writeTextFile(`${dir}/running.json`, other);
 * assert.equal((await claimRun(dir))?.host, "elsewhere");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function claimRun(dir: string): Promise<RunClaim | null> {
  await Deno.mkdir(dir, { recursive: true });
  const mine: RunClaim = {
    pid: Deno.pid,
    host: Deno.hostname(),
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(claimPath(dir), JSON.stringify(mine) + "\n", { createNew: true });
      return null;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    let held: RunClaim;
    try {
      held = JSON.parse(await Deno.readTextFile(claimPath(dir))) as RunClaim;
    } catch {
      continue; // released (or half-written) meanwhile: try again
    }
    if (claimIsLive(held)) return held;
    await Deno.remove(claimPath(dir)).catch(() => {}); // a dead process's claim
  }
  throw new Error(`${claimPath(dir)}: could not claim the run (another process keeps claiming it)`);
}

/** Removes this process's claim on the run in `dir` (nothing when there is none). */
export async function releaseRun(dir: string): Promise<void> {
  await Deno.remove(claimPath(dir)).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}
