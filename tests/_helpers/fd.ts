/**
 * Test helpers for the engine: a finite-difference gradient checker and an all-close assertion.
 *
 * {@linkcode checkGrad} compares the autograd gradients of `f(inputs)` (any output shape) with
 * central finite differences, on the CPU backend:
 *
 * - The output is contracted with a fixed random weight `W` (uniform in [−1, 1], seeded):
 *   `L(x) = Σ W ⊙ f(x)`, so every output element matters and no two errors cancel by symmetry.
 *   Autograd computes `∂L/∂x` as `f(x).backward(W)`; the finite difference perturbs one element of
 *   the host `Float32Array` of one input at a time by ±h and evaluates `L` in float64 on the host
 *   from the f32 outputs: `n = (L(x + h·e) − L(x − h·e)) / 2h`.
 * - Step `h = 1e-2` by default (in float32 the input itself rounds at ~6e-8·|x|, so a smaller step
 *   mostly adds rounding noise).
 * - Tolerance: `|a − n| ≤ atol + rtol·|n|` with `rtol = 1e-2`, `atol = 2e-3`. Why: the
 *   truncation error of a central difference is `h²/6·|L'''|` ≈ 2e-5·|L'''| (≲ 1e-3 for the
 *   smooth ops here at |x| ≲ 3), and the f32 rounding of `L` (≈ 1e-7·Σ|W⊙f| ≲ 1e-5 for the
 *   small tensors used) divided by 2h adds ≲ 5e-4. A wrong gradient (a missing factor, a
 *   transposed or mis-broadcast term) is off by O(|n|) and fails by orders of magnitude.
 * - Inputs must keep a distance > h from kinks (relu, abs, max ties, sign) and from the edge of
 *   the domain (log, sqrt, pow); the tests pick such values.
 *
 * @module
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../lib/util/rng.ts";
import { noGrad, type Tensor, tensor, tidy } from "../../lib/engine/tensor.ts";

/** Options of {@linkcode checkGrad}. */
export interface GradCheckOptions {
  /** Finite-difference step h (default 1e-2). */
  step?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Absolute tolerance (default 2e-3). */
  atol?: number;
  /** Seed of the contraction weight W (default 7). */
  seed?: number;
}

/** Default finite-difference step. */
export const FD_STEP = 1e-2;
/** Default relative tolerance of the gradient check. */
export const FD_RTOL = 1e-2;
/** Default absolute tolerance of the gradient check. */
export const FD_ATOL = 2e-3;

/** Uniform weights in [−1, 1] from a seed. */
function weights(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * rng() - 1);
}

/** `Σ W ⊙ f(xs)` in float64, evaluated without a graph; also returns the output shape. */
async function contracted(
  f: (xs: Tensor[]) => Tensor,
  data: readonly Float32Array[],
  shapes: readonly (readonly number[])[],
  seed: number,
): Promise<{ value: number; shape: readonly number[] }> {
  const out = noGrad(() => tidy(() => f(data.map((d, i) => tensor(d, shapes[i])))));
  const y = await out.toArray();
  out.dispose();
  const w = weights(y.length, seed);
  let value = 0;
  for (let i = 0; i < y.length; i++) value += w[i] * y[i];
  return { value, shape: out.shape };
}

/**
 * Asserts that the autograd gradient of `Σ W ⊙ f(inputs)` with respect to every input equals
 * central finite differences (see the module doc for the step and tolerance). `inputs` are f32
 * tensors whose values are used; the check makes its own leaves, so they are left untouched.
 * Non-differentiable operands (i32 ids, masks) are captured by `f` instead. Returns the largest
 * |autograd − finite difference| seen.
 */
export async function checkGrad(
  f: (xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): Promise<number> {
  const h = options.step ?? FD_STEP;
  const rtol = options.rtol ?? FD_RTOL;
  const atol = options.atol ?? FD_ATOL;
  const seed = options.seed ?? 7;
  const shapes = inputs.map((t) => [...t.shape]);
  const data = await Promise.all(inputs.map(async (t) => Float32Array.from(await t.toArray())));

  // Autograd: ∂L/∂x = Jᵀ·W via backward with an explicit output gradient.
  const leaves = data.map((d, i) => tensor(d, shapes[i]).requireGrad());
  const analytic = await (async () => {
    const y = f(leaves);
    const w = tensor(weights(y.size, seed), y.shape);
    y.backward(w);
    const grads: Float32Array[] = [];
    for (const [i, leaf] of leaves.entries()) {
      if (leaf.grad === null) {
        grads.push(new Float32Array(data[i].length)); // no path: the gradient is zero
      } else {
        assert.deepEqual(leaf.grad.shape, shapes[i], `gradient ${i} has the input's shape`);
        grads.push(Float32Array.from(await leaf.grad.toArray()));
      }
    }
    return grads;
  })();

  let worst = 0;
  for (const [i, d] of data.entries()) {
    for (let j = 0; j < d.length; j++) {
      const original = d[j];
      d[j] = original + h;
      const plus = (await contracted(f, data, shapes, seed)).value;
      d[j] = original - h;
      const minus = (await contracted(f, data, shapes, seed)).value;
      d[j] = original;
      // The step actually taken in f32 (x ± h rounds).
      const taken = Math.fround(original + h) - Math.fround(original - h);
      const numeric = (plus - minus) / taken;
      const a = analytic[i][j];
      const err = Math.abs(a - numeric);
      worst = Math.max(worst, err);
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        assert.fail(
          `input ${i} ${JSON.stringify(shapes[i])} element ${j}: autograd ${a} vs finite ` +
            `difference ${numeric} (|Δ| ${err.toExponential(2)} > ${atol} + ${rtol}·|n|)`,
        );
      }
    }
  }
  return worst;
}

/** Asserts `|actual − expected| ≤ atol + rtol·|expected|` elementwise, with matching lengths. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6 }: { rtol?: number; atol?: number } = {},
  message = "",
): void {
  assert.equal(actual.length, expected.length, `${message} length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = (Number.isNaN(a) && Number.isNaN(e)) || a === e ||
      Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) {
      assert.fail(
        `${message} element ${i}: got ${a}, expected ${e}\n  actual   [${
          Array.from(actual).join(", ")
        }]\n  expected [${Array.from(expected).join(", ")}]`,
      );
    }
  }
}

/** Reads a tensor back as a plain number array. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.toArray());
}
