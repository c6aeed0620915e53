/**
 * The project's one home for random numbers.
 *
 * - Host-side, seeded: mulberry32 (a 32-bit state generator, good enough for ML initialisation,
 *   corpora and samplers; not cryptographic, reproducible within this project only), Box–Muller
 *   normals, and the small draws built on them (integers, picks, categorical draws).
 * - Counter-based, shared by the CPU and WebGPU samplers: a PCG hash of (seed, counter, row), so
 *   both backends draw the same uniform for the same row and the GPU needs no state buffer.
 *
 * @module
 */

/** A seeded uniform generator in [0, 1). */
export type Rng = () => number;

/** mulberry32: a fast 32-bit seeded generator (Tommy Ettinger's constants). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw by the Box–Muller transform. */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // in (0, 1]: log(u) is finite
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Returns an integer uniformly drawn from `lo..hi`, both inclusive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32, randInt } from "./rng.ts";
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
 * import { mulberry32, pick } from "./rng.ts";
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
 * import { mulberry32, randDigits } from "./rng.ts";
 * assert.equal(String(randDigits(mulberry32(5), 4)).length, 4);
 * ```
 */
export function randDigits(rng: Rng, digits: number): number {
  const lo = digits === 1 ? 1 : 10 ** (digits - 1);
  return randInt(rng, lo, 10 ** digits - 1);
}

/**
 * Draws an index from the categorical distribution `probs` (non-negative weights, not
 * necessarily normalised) using one call of `rng`. Throws when the total weight is not positive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleCategorical } from "./rng.ts";
 * assert.equal(sampleCategorical([0, 1, 0], () => 0.99), 1);
 * assert.equal(sampleCategorical([1, 1], () => 0.25), 0);
 * assert.equal(sampleCategorical([1, 1], () => 0.75), 1);
 * ```
 */
// §3.3 step 1: d ~ Categorical(p) by inverse CDF
export function sampleCategorical(probs: readonly number[], rng: () => number): number {
  let total = 0;
  for (const p of probs) total += p;
  if (!(total > 0)) {
    throw new RangeError(`Cannot sample a categorical: total weight is ${total}`);
  }
  const u = rng() * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p <= 0) continue;
    cumulative += p;
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u ≈ total through rounding: the last index with positive weight
}

/**
 * Uniform integer in [0, n) from one call of `rng`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomInt } from "./rng.ts";
 * assert.equal(randomInt(4, () => 0.6), 2);
 * ```
 */
// §3.3 step 2: uniform choice among n candidates
export function randomInt(n: number, rng: () => number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

// Counter-based uniforms (PCG hash, O'Neill's `pcg_hash` as in Jarzynski & Olano, "Hash Functions
// for GPU Rendering", JCGT 2020), mirrored by kernels/sample.wgsl.

/** One round of the PCG hash on a u32. */
export function pcgHash(input: number): number {
  const state = (Math.imul(input >>> 0, 747796405) + 2891336453) >>> 0;
  const shift = ((state >>> 28) + 4) >>> 0;
  const word = Math.imul(((state >>> shift) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** A uniform in [0, 1) from (seed, counter, row): `pcg(seed ^ pcg(counter ^ pcg(row)))`. */
export function pcgUniform(seed: number, counter: number, row: number): number {
  const h = pcgHash((seed ^ pcgHash((counter ^ pcgHash(row >>> 0)) >>> 0)) >>> 0);
  // 24 high-quality bits → exactly representable in f32 on the GPU side as well.
  return (h >>> 8) / 16777216;
}
