/**
 * Shape ops (`lib/engine/ops/shape.ts`): reshape, permute/transpose, narrow, expand, contiguous,
 * concat and unsqueeze. Forward values are exact (they move elements); gradients are checked
 * against central finite differences (`tests/_helpers/fd.ts`: h = 1e-2, |a − n| ≤ 2e-3 + 1e-2·|n|),
 * including chains of views (non-contiguous inputs) and size-1 axes. The error messages name
 * the op and the shapes.
 */
import assert from "node:assert/strict";
import { checkGrad, values } from "../../_helpers/fd.ts";
import { arange, concat, randn, tensor } from "../../../lib/engine/tensor.ts";

/** 0 … 5 as a (2, 3) f32 tensor. */
function m23() {
  return tensor([[0, 1, 2], [3, 4, 5]]);
}

Deno.test("Tensor.reshape() keeps row-major order and infers one −1", async () => {
  const y = m23().reshape([3, -1]);
  assert.deepEqual(y.shape, [3, 2]);
  assert.deepEqual(await values(y), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(m23().reshape([6]).shape, [6]);
  assert.deepEqual(tensor([7]).reshape([]).shape, []);
});

Deno.test("Tensor.reshape() of a transposed view copies in the viewed order", async () => {
  const y = m23().transpose(0, 1).reshape([6]);
  assert.deepEqual(await values(y), [0, 3, 1, 4, 2, 5]);
});

Deno.test("Tensor.reshape() rejects a different element count naming both shapes", () => {
  assert.throws(
    () => m23().reshape([4, 2]),
    /reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/,
  );
});

Deno.test("Tensor.permute() reorders axes and transpose() swaps two", async () => {
  const x = arange(24).cast("f32").reshape([2, 3, 4]);
  const p = x.permute([2, 0, 1]);
  assert.deepEqual(p.shape, [4, 2, 3]);
  // p[k, i, j] = x[i, j, k] = 12i + 4j + k; first row p[0, 0, :] = [0, 4, 8]
  assert.deepEqual((await values(p)).slice(0, 6), [0, 4, 8, 12, 16, 20]);
  assert.deepEqual(await values(m23().transpose(0, 1)), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(await values(m23().transpose(-1, -2)), [0, 3, 1, 4, 2, 5]);
});

Deno.test("Tensor.permute() rejects a non-permutation naming the op", () => {
  assert.throws(
    () => m23().permute([0, 0]),
    /permute: dims \[0, 0\] are not a permutation of 2 axes/,
  );
  assert.throws(() => m23().permute([0, 2]), /permute: axis 2 out of range for rank 2/);
});

Deno.test("Tensor.narrow() selects a window along an axis", async () => {
  assert.deepEqual(await values(m23().narrow(1, 1, 2)), [1, 2, 4, 5]);
  assert.deepEqual(await values(m23().narrow(0, 1, 1)), [3, 4, 5]);
  assert.deepEqual(await values(m23().narrow(-1, 2, 1)), [2, 5]);
  assert.deepEqual(m23().narrow(1, 3, 0).shape, [2, 0]);
});

Deno.test("Tensor.narrow() rejects an out-of-range window naming the op and shape", () => {
  assert.throws(
    () => m23().narrow(1, 2, 2),
    /narrow: range \[2, 4\) out of bounds for axis 1 of \[2, 3\]/,
  );
});

Deno.test("Tensor.expand() repeats size-1 and new leading axes", async () => {
  const y = tensor([[1], [2]]).expand([3, 2, 2]);
  assert.deepEqual(y.shape, [3, 2, 2]);
  assert.deepEqual(y.strides, [0, 1, 0]);
  assert.deepEqual(await values(y), [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
});

Deno.test("Tensor.expand() rejects an incompatible shape naming both shapes", () => {
  assert.throws(() => m23().expand([2, 4]), /expand: cannot expand \[2, 3\] to \[2, 4\]/);
  assert.throws(() => m23().expand([3]), /expand: cannot expand \[2, 3\] to \[3\]/);
});

Deno.test("Tensor.contiguous() copies a strided view and returns a contiguous tensor as is", async () => {
  const t = m23().transpose(0, 1);
  const c = t.contiguous();
  assert.notEqual(c, t);
  assert.deepEqual(c.strides, [2, 1]);
  assert.deepEqual(await values(c), [0, 3, 1, 4, 2, 5]);
  assert.equal(c.contiguous(), c);
});

Deno.test("concat() joins along an axis, including views and empty parts", async () => {
  const a = m23();
  const b = tensor([[6], [7]]);
  const y = concat([a, b], 1);
  assert.deepEqual(y.shape, [2, 4]);
  assert.deepEqual(await values(y), [0, 1, 2, 6, 3, 4, 5, 7]);
  assert.deepEqual(await values(concat([a, a.narrow(0, 1, 1)], 0)), [0, 1, 2, 3, 4, 5, 3, 4, 5]);
  assert.deepEqual(
    await values(a.cat([a.narrow(0, 0, 0), a.transpose(0, 1).narrow(1, 0, 1).transpose(0, 1)], 0)),
    [0, 1, 2, 3, 4, 5, 0, 1, 2],
  );
});

Deno.test("concat() rejects shapes that differ off the axis, naming them", () => {
  assert.throws(
    () => concat([m23(), tensor([1, 2])], 0),
    /concat: shapes \[2, 3\], \[2\] differ off axis 0/,
  );
  assert.throws(() => concat([m23(), tensor([[1, 2]])], 0), /concat: shapes \[2, 3\], \[1, 2\]/);
});

Deno.test("Tensor.unsqueeze() inserts a size-1 axis", () => {
  assert.deepEqual(m23().unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(m23().unsqueeze(-1).shape, [2, 3, 1]);
  assert.deepEqual(m23().unsqueeze(1).shape, [2, 1, 3]);
});

// ---- gradients --------------------------------------------------------------------------------

Deno.test("Tensor.reshape() gradient matches finite differences, contiguous and strided", async () => {
  await checkGrad(([x]) => x.reshape([3, 2]).exp(), [randn([2, 3], 1)]);
  await checkGrad(([x]) => x.transpose(0, 1).reshape([-1]).exp(), [randn([2, 3], 2)]);
});

Deno.test("Tensor.permute() gradient matches finite differences", async () => {
  await checkGrad(([x]) => x.permute([2, 0, 1]).mul(tensor([1, 2, 3])), [randn([2, 3, 4], 3)]);
});

Deno.test("Tensor.transpose() gradient matches finite differences with negative axes", async () => {
  await checkGrad(([x]) => x.transpose(-1, -3).tanh(), [randn([2, 1, 3], 4)]);
});

Deno.test("Tensor.narrow() gradient matches finite differences and is zero outside the window", async () => {
  await checkGrad(([x]) => x.narrow(1, 1, 2).exp(), [randn([2, 4], 5)]);
  await checkGrad(([x]) => x.transpose(0, 1).narrow(0, 1, 2).narrow(1, 1, 1), [randn([2, 3], 6)]);
  const x = tensor([1, 2, 3, 4]).requireGrad();
  x.narrow(0, 1, 2).sum().backward();
  assert.deepEqual(await values(x.grad!), [0, 1, 1, 0]);
});

Deno.test("Tensor.expand() gradient sums over the broadcast axes", async () => {
  await checkGrad(([x]) => x.expand([2, 3, 4]), [randn([3, 1], 7)]);
  await checkGrad(([x]) => x.transpose(0, 1).expand([2, 2, 3]), [randn([3, 2], 8)]);
  const x = tensor([[1], [2]]).requireGrad();
  x.expand([2, 5]).sum().backward();
  assert.deepEqual(await values(x.grad!), [5, 5]);
});

Deno.test("Tensor.contiguous() gradient matches finite differences", async () => {
  await checkGrad(([x]) => x.transpose(0, 1).contiguous().mul(x.transpose(0, 1)), [
    randn([2, 3], 9),
  ]);
});

Deno.test("concat() gradient matches finite differences for every part", async () => {
  await checkGrad(
    ([a, b, c]) => concat([a, b.transpose(0, 1), c], 1),
    [randn([2, 3], 10), randn([1, 2], 11), randn([2, 2], 12)],
  );
  await checkGrad(([a, b]) => concat([a, b, a], 0).exp(), [randn([1, 3], 13), randn([2, 3], 14)]);
});

Deno.test("Tensor.unsqueeze() gradient matches finite differences", async () => {
  await checkGrad(([x]) => x.unsqueeze(1).mul(x.unsqueeze(0)), [randn([3], 15)]);
});
