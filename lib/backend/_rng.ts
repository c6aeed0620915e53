/**
 * Counter-based random numbers shared by the CPU and WebGPU samplers: a PCG hash (O'Neill's
 * `pcg_hash`, as in Jarzynski & Olano, "Hash Functions for GPU Rendering", JCGT 2020) of
 * (seed, counter, row), so that both backends draw the same uniform for the same row and the
 * GPU never needs a state buffer.
 *
 * @module
 */

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
