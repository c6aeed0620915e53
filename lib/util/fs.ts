/**
 * File-system helpers shared by the checkpoint, trainer, experiment and CLI code.
 *
 * @module
 */

/**
 * True when something exists at `path` (a link counts, even a broken one). Errors other than
 * "not found" (e.g. permission denied) are thrown, not taken for absence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exists } from "./fs.ts";
 * assert.equal(await exists("deno.json"), true);
 * assert.equal(await exists("no/such/file"), false);
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
