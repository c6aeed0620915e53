/**
 * The oracle of the WebGPU kernel tests: every kernel runs on the same inputs on the CPU
 * backend (`lib/engine/backend/cpu/cpu.ts`) and the outputs are compared within a tolerance.
 *
 * Tolerances (|gpu − cpu| ≤ atol + rtol·|cpu|; the CPU computes in float64 then rounds):
 * - exact (0): memory ops, copy, cast, where, comparisons, argmax, gathers, scatters of one term
 * - elementwise: rtol 1e-5, atol 1e-6 (transcendentals ≤ a few ulp; gelu's 1 + tanh cancels)
 * - reductions and row kernels: rtol 1e-4, atol 1e-5 · (typical row magnitude)
 * - matmul: rtol 1e-4, atol 1e-4·√K
 * - AdamW: rtol 1e-5, atol 1e-6 after 3 steps
 * - sampling: same seed ⇒ same ids; ≥ 99 % of ids equal to the CPU's (same uniforms, f32 vs
 *   f64 sums); empirical frequencies over 20,000 rows within 0.015 of softmax; top-k never
 *   outside the k largest.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type Backend,
  contiguousStrides,
  type Storage,
  type View,
} from "../../../../lib/engine/backend/backend.ts";
import { CpuBackend } from "../../../../lib/engine/backend/cpu/cpu.ts";
import { gpu } from "../../../_helpers/gpu.ts";

/** The CPU backend: the specification every kernel is compared against. */
export const cpu = new CpuBackend();

/** Deterministic uniform floats in [lo, hi) (mulberry32). */
export function random(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

export function randomInts(n: number, seed: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(random(n, seed, 0, 1), (u) => lo + Math.floor(u * (hi - lo)));
}

export interface Tol {
  rtol: number;
  atol: number;
}
export const EXACT: Tol = { rtol: 0, atol: 0 };
export const ELEMENTWISE: Tol = { rtol: 1e-5, atol: 1e-6 };
export const ROWS: Tol = { rtol: 1e-4, atol: 1e-5 };

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tol,
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const err = Math.abs(a - e);
    if (!(err <= tol.atol + tol.rtol * Math.abs(e))) {
      assert.fail(`${label}: element ${i}: gpu ${a}, cpu ${e} (|diff| ${err})`);
    }
  }
}

export type Data = Float32Array | Int32Array;

/**
 * Uploads `inputs` to both backends, runs `fn` on each, reads every output back and compares
 * them; frees everything. `fn` may return one storage or several.
 */
export async function compare(
  label: string,
  inputs: Data[],
  fn: (b: Backend, xs: Storage[]) => Storage | Storage[],
  tol: Tol,
): Promise<void> {
  const g = gpu();
  const gIn = inputs.map((d) => g.upload(d));
  const cIn = inputs.map((d) => cpu.upload(d));
  const gOut = [fn(g, gIn)].flat();
  const cOut = [fn(cpu, cIn)].flat();
  for (let i = 0; i < gOut.length; i++) {
    assert.equal(gOut[i].dtype, cOut[i].dtype, `${label}: dtype of output ${i}`);
    assertClose(await g.read(gOut[i]), await cpu.read(cOut[i]), tol, `${label} [out ${i}]`);
  }
  for (const s of new Set([...gIn, ...gOut])) g.free(s); // in-place ops return inputs
}

export function view(
  s: Storage,
  shape: number[],
  strides = contiguousStrides(shape),
  offset = 0,
): View {
  return { storage: s, shape, strides, offset };
}

/** A permuted view: dims of `shape` (contiguous in storage) reordered by `perm`. */
export function permuted(s: Storage, shape: number[], perm: number[]): View {
  const strides = contiguousStrides(shape);
  return view(s, perm.map((p) => shape[p]), perm.map((p) => strides[p]));
}
