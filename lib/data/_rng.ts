/**
 * A small seeded pseudo-random number generator (mulberry32) and helpers. Every generator in
 * `lib/data/` draws from an {@linkcode Rng} so that corpora, demonstrations and batches are
 * reproducible from a seed.
 *
 * @module
 */

/** A source of uniform floats in [0, 1), e.g. {@linkcode mulberry32} or `Math.random`. */
export type Rng = () => number;

/**
 * Returns mulberry32 seeded with `seed` (any number; it is truncated to 32 bits): a fast,
 * decent-quality 32-bit generator of floats in [0, 1).
 *
 * @param seed The seed; equal seeds give equal streams.
 * @returns A function returning the next float in [0, 1).
 *
 * @example Same seed, same stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32 } from "./_rng.ts";
 * const a = mulberry32(7), b = mulberry32(7);
 * assert.equal(a(), b());
 * const x = a();
 * assert.ok(x >= 0 && x < 1);
 * ```
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
