/**
 * Reductions (`lib/engine/ops/reduce.ts`): hand-computed forward values over single, adjacent,
 * non-adjacent and all axes, with and without keepdim (the composites mean, logsumexp and sumTo:
 * tests/engine/tensor_methods_test.ts); gradients against central finite differences (`tests/_helpers/fd.ts`:
 * h = 1e-2, |a − n| ≤ 2e-3 + 1e-2·|n|), on contiguous and non-contiguous inputs.
 * Forward values: |got − want| ≤ 1e-6 + 1e-5·|want|.
 */
import assert from "node:assert/strict";
import { checkGrad, values } from "../../_helpers/fd.ts";
import { arange, randn, tensor } from "../../../lib/engine/tensor.ts";

/** 0 … 23 as a (2, 3, 4) tensor: element (i, j, k) = 12i + 4j + k. */
function iota() {
  return arange(24).cast("f32").reshape([2, 3, 4]);
}

Deno.test("Tensor.sum() over all axes gives a scalar", async () => {
  const s = iota().sum();
  assert.deepEqual(s.shape, []);
  assert.equal(await s.item(), 276); // 23·24/2
});

Deno.test("Tensor.sum() over one axis matches hand-computed sums", async () => {
  assert.deepEqual(await values(iota().sum([0])), [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]);
  assert.deepEqual(await values(iota().sum([1])), [12, 15, 18, 21, 48, 51, 54, 57]);
  assert.deepEqual(await values(iota().sum([-1])), [6, 22, 38, 54, 70, 86]);
});

Deno.test("Tensor.sum() with keepdim keeps size-1 axes", () => {
  assert.deepEqual(iota().sum([1], true).shape, [2, 1, 4]);
  assert.deepEqual(iota().sum([0, 2], true).shape, [1, 3, 1]);
  assert.deepEqual(iota().sum([], true).shape, [1, 1, 1]);
});

Deno.test("Tensor.sum() over non-adjacent axes matches hand-computed sums", async () => {
  // Σ_{i,k} (12i + 4j + k) = 2·(4·4j + 6) + 4·12 = 32j + 60
  const s = iota().sum([0, 2]);
  assert.deepEqual(s.shape, [3]);
  assert.deepEqual(await values(s), [60, 92, 124]);
  // Adjacent pair (1, 2): Σ_{j,k} = 12·12i + 66
  assert.deepEqual(await values(iota().sum([1, 2])), [66, 210]);
});

Deno.test("Tensor.sum() of a permuted view sums the viewed axes", async () => {
  const t = iota().permute([2, 0, 1]); // (4, 2, 3)
  assert.deepEqual(await values(t.sum([0])), [6, 22, 38, 54, 70, 86]);
});

Deno.test("Tensor.max() returns the maximum over the axes", async () => {
  const x = tensor([[1, 7, 3], [9, -2, 4]]);
  assert.deepEqual(await values(x.max([1])), [7, 9]);
  assert.deepEqual(await values(x.max([0])), [9, 7, 4]);
  assert.equal(await x.max().item(), 9);
  assert.deepEqual(x.max([1], true).shape, [2, 1]);
  assert.deepEqual(await values(tensor([-5, -3, -4]).max()), [-3]);
});

// ---- gradients --------------------------------------------------------------------------------

const AXES: [string, number[], boolean][] = [
  ["all axes", [], false],
  ["the last axis", [-1], false],
  ["the first axis with keepdim", [0], true],
  ["non-adjacent axes", [0, 2], false],
  ["adjacent axes with keepdim", [1, 2], true],
];

for (const [label, axes, keepdim] of AXES) {
  Deno.test(`Tensor.sum() gradient matches finite differences over ${label}`, async () => {
    await checkGrad(([x]) => x.sum(axes, keepdim), [randn([2, 3, 4], 1)]);
  });
  Deno.test(`Tensor.mean() gradient matches finite differences over ${label}`, async () => {
    await checkGrad(([x]) => x.mean(axes, keepdim), [randn([2, 3, 4], 2)]);
  });
  Deno.test(`Tensor.max() gradient matches finite differences over ${label}`, async () => {
    // Distinct values 0.1 apart (shuffled): no ties, and h never changes the arg max.
    const perm = [
      7,
      19,
      3,
      22,
      11,
      0,
      15,
      9,
      21,
      4,
      17,
      13,
      1,
      23,
      8,
      5,
      18,
      12,
      2,
      20,
      6,
      14,
      10,
      16,
    ];
    await checkGrad(([x]) => x.max(axes, keepdim), [tensor(perm.map((p) => p * 0.1), [2, 3, 4])]);
  });
  Deno.test(`Tensor.logsumexp() gradient matches finite differences over ${label}`, async () => {
    await checkGrad(([x]) => x.logsumexp(axes, keepdim), [randn([2, 3, 4], 3)]);
  });
}

Deno.test("Tensor.sum() gradient matches finite differences on a permuted, narrowed view", async () => {
  await checkGrad(
    ([x]) => x.permute([2, 0, 1]).narrow(0, 1, 2).sum([0, 2]),
    [randn([2, 3, 4], 4)],
  );
});

Deno.test("Tensor.sum() gradient matches finite differences with size-1 axes", async () => {
  await checkGrad(([x]) => x.sum([1]).mul(x.sum([0, 2], true)), [randn([2, 1, 3], 5)]);
});

Deno.test("Tensor.max() gradient goes to every element equal to the maximum", async () => {
  const x = tensor([[1, 3, 3], [2, 0, 1]]).requireGrad();
  x.max([1]).sum().backward();
  assert.deepEqual(await values(x.grad!), [0, 1, 1, 1, 0, 0]);
});

Deno.test("Tensor.sumTo() gradient matches finite differences", async () => {
  await checkGrad(([x]) => x.sumTo([3, 1]), [randn([2, 3, 4], 6)]);
});
