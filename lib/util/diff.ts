/**
 * Where two JSON-like values differ: used to refuse a `--resume` whose configuration, tokenizer or
 * prompt differs from the run it would continue.
 *
 * @module
 */

/**
 * The first key path where two JSON-like values differ, or null when they are equal. Paths are
 * dotted and start with `path` (`"train.rmt.w"`); a difference at the root itself is reported as
 * `path`, or `"(root)"` when no path was given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstDifference } from "./diff.ts";
 * assert.equal(firstDifference({ a: { b: 1 } }, { a: { b: 2 } }), "a.b");
 * assert.equal(firstDifference({ a: { b: 1 } }, { a: { b: 2 } }, "train"), "train.a.b");
 * assert.equal(firstDifference({ a: [1, 2] }, { a: [1, 2] }), null);
 * assert.equal(firstDifference(1, 2), "(root)");
 * ```
 */
export function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    return Object.is(a, b) ? null : path || "(root)";
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      path ? `${path}.${k}` : k,
    );
    if (d !== null) return d;
  }
  return null;
}
