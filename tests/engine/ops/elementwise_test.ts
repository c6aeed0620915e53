/**
 * Elementwise ops (`lib/engine/ops/elementwise.ts`): forward values against hand-computed numbers and
 * gradients against central finite differences (`tests/_helpers/fd.ts`: h = 1e-2, |a − n| ≤ 2e-3 +
 * 1e-2·|n|), with broadcasting, size-1 axes and non-contiguous (permuted, narrowed) operands.
 * Forward values: |got − want| ≤ 1e-6 + 1e-5·|want| (f32 rounding of the host formula).
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../../lib/util/rng.ts";
import { assertAllClose, checkGrad, values } from "../../_helpers/fd.ts";
import { rand, randn, type Tensor, tensor } from "../../../lib/engine/tensor.ts";

/** Seeded values with |x| ∈ [0.2, 1.5] and random sign: kinks at 0 stay further than h. */
function awayFromZero(shape: number[], seed: number): Tensor {
  const rng = mulberry32(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const data = Float32Array.from({ length: n }, () => {
    const v = 0.2 + 1.3 * rng();
    return rng() < 0.5 ? -v : v;
  });
  return tensor(data, shape);
}

/** Seeded values in [0.5, 2] for ops defined on x > 0. */
function positive(shape: number[], seed: number): Tensor {
  return rand(shape, seed, { low: 0.5, high: 2 });
}

// ---- forward values ---------------------------------------------------------------------------

Deno.test("Tensor.add() broadcasts a row over every row of a matrix", async () => {
  const y = tensor([[1, 2, 3], [4, 5, 6]]).add(tensor([10, 20, 30]));
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(await values(y), [11, 22, 33, 14, 25, 36]);
});

Deno.test("Tensor.sub(), mul() and div() compute hand-checked values with scalars", async () => {
  const x = tensor([[2, 4], [6, 8]]);
  assert.deepEqual(await values(x.sub(1)), [1, 3, 5, 7]);
  assert.deepEqual(await values(x.mul(0.5)), [1, 2, 3, 4]);
  assert.deepEqual(await values(x.div(4)), [0.5, 1, 1.5, 2]);
  assert.deepEqual(await values(x.sub(tensor([[1], [2]]))), [1, 3, 4, 6]);
});

Deno.test("Tensor.mul() of a column and a row gives the outer product", async () => {
  const y = tensor([[1], [2]]).mul(tensor([[3, 4, 5]]));
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(await values(y), [3, 4, 5, 6, 8, 10]);
});

Deno.test("Tensor.pow() raises elementwise to scalar and tensor exponents", async () => {
  assert.deepEqual(await values(tensor([1, 2, 3]).pow(2)), [1, 4, 9]);
  assert.deepEqual(await values(tensor([4, 9]).pow(0.5)), [2, 3]);
  assertAllClose(await values(tensor([2, 2, 3]).pow(tensor([3, 0, -1]))), [8, 1, 1 / 3]);
});

Deno.test("Tensor.maximum() and minimum() pick elementwise with broadcasting", async () => {
  const a = tensor([1, 5, 3]);
  assert.deepEqual(await values(a.maximum(2)), [2, 5, 3]);
  assert.deepEqual(await values(a.minimum(tensor([2]))), [1, 2, 2]);
});

Deno.test("Tensor.lt() … ne() return 1 where true and 0 where false", async () => {
  const a = tensor([1, 2, 3]);
  assert.deepEqual(await values(a.lt(2)), [1, 0, 0]);
  assert.deepEqual(await values(a.le(2)), [1, 1, 0]);
  assert.deepEqual(await values(a.gt(2)), [0, 0, 1]);
  assert.deepEqual(await values(a.ge(2)), [0, 1, 1]);
  assert.deepEqual(await values(a.eq(2)), [0, 1, 0]);
  assert.deepEqual(await values(a.ne(2)), [1, 0, 1]);
});

Deno.test("Tensor.where() selects a where the condition is nonzero, broadcasting all three", async () => {
  const cond = tensor([[1], [0]]);
  const y = cond.where(tensor([1, 2, 3]), -1);
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(await values(y), [1, 2, 3, -1, -1, -1]);
});

Deno.test("Tensor unary maths ops compute hand-checked values", async () => {
  const close = async (t: Tensor, want: number[]) => assertAllClose(await values(t), want);
  await close(tensor([1, -2]).neg(), [-1, 2]);
  await close(tensor([0, 1]).exp(), [1, Math.E]);
  await close(tensor([1, Math.E]).log(), [0, 1]);
  await close(tensor([4, 9]).sqrt(), [2, 3]);
  await close(tensor([4, 0.25]).rsqrt(), [0.5, 2]);
  await close(tensor([-2, 0, 3]).abs(), [2, 0, 3]);
  await close(tensor([-2, 0, 3]).sign(), [-1, 0, 1]);
  await close(tensor([4, -0.5]).recip(), [0.25, -2]);
  await close(tensor([3, -2]).square(), [9, 4]);
});

Deno.test("Tensor activations compute hand-checked values", async () => {
  const close = async (t: Tensor, want: number[]) => assertAllClose(await values(t), want);
  await close(tensor([0, 1]).tanh(), [0, 0.7615941559557649]);
  await close(tensor([0, 2, -1]).sigmoid(), [0.5, 0.8807970779778823, 0.2689414213699951]);
  await close(tensor([-1, 0, 2]).relu(), [0, 0, 2]);
  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  await close(tensor([0, 1, -1, 2]).gelu(), [
    0,
    0.8411919906082768,
    -0.15880800939172324,
    1.954597694087775,
  ]);
  // x·σ(x)
  await close(tensor([0, 1, -1]).silu(), [0, 0.7310585786300049, -0.2689414213699951]);
});

// ---- gradients: unary -------------------------------------------------------------------------

const UNARY_SMOOTH: [string, (x: Tensor) => Tensor, (shape: number[], seed: number) => Tensor][] = [
  ["neg", (x) => x.neg(), (s, seed) => randn(s, seed)],
  ["exp", (x) => x.exp(), (s, seed) => randn(s, seed)],
  ["log", (x) => x.log(), positive],
  ["sqrt", (x) => x.sqrt(), positive],
  ["rsqrt", (x) => x.rsqrt(), positive],
  ["recip", (x) => x.recip(), positive],
  ["square", (x) => x.square(), (s, seed) => randn(s, seed)],
  ["tanh", (x) => x.tanh(), (s, seed) => randn(s, seed)],
  ["sigmoid", (x) => x.sigmoid(), (s, seed) => randn(s, seed)],
  ["gelu", (x) => x.gelu(), (s, seed) => randn(s, seed, { std: 1.5 })],
  ["silu", (x) => x.silu(), (s, seed) => randn(s, seed, { std: 1.5 })],
  ["abs", (x) => x.abs(), awayFromZero],
  ["relu", (x) => x.relu(), awayFromZero],
];

for (const [name, f, make] of UNARY_SMOOTH) {
  Deno.test(`Tensor.${name}() gradient matches finite differences`, async () => {
    await checkGrad(([x]) => f(x), [make([2, 3], 11)]);
  });
  Deno.test(
    `Tensor.${name}() gradient matches finite differences on permuted and narrowed views`,
    async () => {
      // (3, 4) → transpose (4, 3) → narrow rows 1..2 → a (2, 3) view with strides (1, 4).
      await checkGrad(([x]) => f(x.transpose(0, 1).narrow(0, 1, 2)), [make([3, 4], 12)]);
    },
  );
}

Deno.test("Tensor.sign() has a zero gradient", async () => {
  const x = awayFromZero([2, 2], 3).requireGrad();
  x.sign().mul(x).sum().backward();
  // d(sign(x)·x)/dx = sign(x) (the sign factor contributes nothing).
  assert.deepEqual(await values(x.grad!), await values(x.sign()));
  await checkGrad(([x]) => x.sign(), [awayFromZero([2, 2], 4)]);
});

// ---- gradients: binary ------------------------------------------------------------------------

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor][] = [
  ["add", (a, b) => a.add(b)],
  ["sub", (a, b) => a.sub(b)],
  ["mul", (a, b) => a.mul(b)],
  ["div", (a, b) => a.div(b)],
];

for (const [name, f] of BINARY) {
  const divisor = (shape: number[], seed: number) =>
    name === "div" ? positive(shape, seed) : randn(shape, seed);
  Deno.test(`Tensor.${name}() gradient matches finite differences for equal shapes`, async () => {
    await checkGrad(([a, b]) => f(a, b), [randn([2, 3], 21), divisor([2, 3], 22)]);
  });
  Deno.test(`Tensor.${name}() gradient matches finite differences when broadcasting a row`, async () => {
    await checkGrad(([a, b]) => f(a, b), [randn([2, 3], 23), divisor([3], 24)]);
  });
  Deno.test(
    `Tensor.${name}() gradient matches finite differences for size-1 axes on both sides`,
    async () => {
      // (2, 1, 3) with (1, 4, 1) → (2, 4, 3)
      await checkGrad(([a, b]) => f(a, b), [randn([2, 1, 3], 25), divisor([1, 4, 1], 26)]);
    },
  );
  Deno.test(`Tensor.${name}() gradient matches finite differences for transposed operands`, async () => {
    await checkGrad(
      ([a, b]) => f(a.transpose(0, 1), b.narrow(1, 1, 3)),
      [randn([3, 2], 27), divisor([2, 5], 28)],
    );
  });
  Deno.test(`Tensor.${name}() gradient matches finite differences with a scalar operand`, async () => {
    await checkGrad(([a, b]) => f(a, b), [randn([2, 2], 29), divisor([], 30)]);
    await checkGrad(([a]) => f(a, tensor(1.5)), [randn([2, 2], 31)]);
  });
}

Deno.test("Tensor.mul() gradient accumulates when both operands are the same tensor", async () => {
  const x = tensor([1, -2, 3]).requireGrad();
  x.mul(x).sum().backward();
  assert.deepEqual(await values(x.grad!), [2, -4, 6]);
  await checkGrad(([x]) => x.mul(x).mul(x.narrow(0, 0, 1)), [randn([3], 32)]);
});

Deno.test("Tensor.pow() gradient matches finite differences for base and exponent", async () => {
  await checkGrad(([a, b]) => a.pow(b), [positive([2, 3], 33), randn([3], 34)]);
  await checkGrad(([a]) => a.pow(3), [randn([2, 3], 35)]);
  const a = tensor([2, 3]).requireGrad();
  a.pow(2).sum().backward();
  assert.deepEqual(await values(a.grad!), [4, 6]);
});

Deno.test("Tensor.maximum() and minimum() gradients follow the selected operand", async () => {
  // Every |a − b| ≥ 0.1 > h, so finite differences never cross the kink.
  const a = tensor([[0.1, 1.0, -0.8], [0.5, -1.2, 2.0]]);
  const b = tensor([0.6, -0.3, 0.2]);
  await checkGrad(([a, b]) => a.maximum(b), [a, b]);
  await checkGrad(([a, b]) => a.minimum(b), [a, b]);
  const x = tensor([1, 5]).requireGrad();
  const y = tensor([3, 2]).requireGrad();
  x.maximum(y).sum().backward();
  assert.deepEqual(await values(x.grad!), [0, 1]);
  assert.deepEqual(await values(y.grad!), [1, 0]);
});

Deno.test("Tensor.lt() and other comparisons pass no gradient", async () => {
  const a = tensor([[0.1, 1.0], [-0.5, 2.0]]);
  const b = tensor([0.6, -0.3]);
  await checkGrad(([a, b]) => a.lt(b).add(a.ge(b)).add(a.eq(b)).mul(2), [a, b]);
  const x = tensor([1, 2]).requireGrad();
  x.gt(1.5).mul(x).sum().backward();
  assert.deepEqual(await values(x.grad!), [0, 1]);
});

Deno.test("Tensor.where() gradient flows to the branch taken, with broadcasting", async () => {
  const cond = tensor([[1, 0, 1], [0, 0, 1]]);
  await checkGrad(([a, b]) => cond.where(a, b), [randn([3], 36), randn([2, 1], 37)]);
  await checkGrad(([a]) => cond.transpose(0, 1).where(a.exp(), 0), [randn([3, 2], 38)]);
});
