/**
 * Shared by the checkpoint tests: the names beside a checkpoint directory (what a save left).
 *
 * @module
 */

/** The sorted names in the parent directory of `dir`. */
export async function siblings(dir: string): Promise<string[]> {
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  const names: string[] = [];
  for await (const e of Deno.readDir(parent)) names.push(e.name);
  return names.sort();
}
