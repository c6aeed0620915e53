/**
 * A small seeded pseudo-random number generator (mulberry32) and helpers. Every generator in
 * `lib/data/` draws from an {@linkcode Rng} so that corpora, demonstrations and batches are
 * reproducible from a seed.
 *
 * @module
 */

import { mulberry32, type Rng } from "../_random.ts";

/** The engine's seeded generator (one implementation for the whole project). */
export { mulberry32, type Rng };

/**
 * Returns an integer uniformly drawn from `lo..hi`, both inclusive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32, randInt } from "./_rng.ts";
 * const r = mulberry32(1);
 * for (let i = 0; i < 100; i++) {
 *   const k = randInt(r, 3, 5);
 *   assert.ok(k >= 3 && k <= 5 && Number.isInteger(k));
 * }
 * ```
 */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/**
 * Returns an element of `items` drawn uniformly (throws on an empty array).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32, pick } from "./_rng.ts";
 * assert.ok(["a", "b"].includes(pick(mulberry32(3), ["a", "b"])));
 * ```
 */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick: empty array");
  return items[Math.floor(rng() * items.length)];
}

/**
 * Returns an integer with exactly `digits` decimal digits (no leading zero; `digits = 1`
 * gives 1..9).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32, randDigits } from "./_rng.ts";
 * assert.equal(String(randDigits(mulberry32(5), 4)).length, 4);
 * ```
 */
export function randDigits(rng: Rng, digits: number): number {
  const lo = digits === 1 ? 1 : 10 ** (digits - 1);
  return randInt(rng, lo, 10 ** digits - 1);
}
