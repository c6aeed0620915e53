/**
 * Seeded host-side random numbers for parameter initialisation and data sampling: mulberry32
 * (a 32-bit state generator, good enough for ML initialisation and small simulations) and
 * Box–Muller normals.
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
