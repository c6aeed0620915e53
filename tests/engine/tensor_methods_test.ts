/**
 * The methods of a tensor (`lib/engine/tensor_methods.ts`) that compose other methods (mean,
 * logsumexp, sumTo, logSoftmax, unsqueeze) against hand-computed values, and the dtype check
 * every f32 op makes first. Forward values: |got − want| ≤ 1e-6 + 1e-5·|want|.
 */
import assert from "node:assert/strict";
import { assertAllClose, values } from "../_helpers/fd.ts";
import { arange, ones, tensor } from "../../lib/engine/tensor.ts";

/** 0 … 23 as a (2, 3, 4) tensor: element (i, j, k) = 12i + 4j + k. */
function iota() {
  return arange(24).cast("f32").reshape([2, 3, 4]);
}

Deno.test("Tensor.mean() divides the sum by the reduced count", async () => {
  assert.deepEqual(await values(iota().mean([2])), [1.5, 5.5, 9.5, 13.5, 17.5, 21.5]);
  assert.equal(await iota().mean().item(), 11.5);
});

Deno.test("Tensor.logsumexp() matches log Σ exp and stays finite for large inputs", async () => {
  const x = tensor([[0, Math.log(3)], [1000, 1000]]);
  assertAllClose(await values(x.logsumexp([1])), [Math.log(4), 1000 + Math.log(2)]);
  assert.deepEqual(x.logsumexp([1], true).shape, [2, 1]);
  assertAllClose([await tensor([1, 2, 3]).logsumexp().item()], [
    Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)),
  ]);
});

Deno.test("Tensor.sumTo() sums broadcast axes back to a shape", async () => {
  const y = iota().sumTo([3, 1]);
  assert.deepEqual(y.shape, [3, 1]);
  // Σ_{i,k} = 32j + 60
  assert.deepEqual(await values(y), [60, 92, 124]);
  const same = iota();
  assert.equal(same.sumTo([2, 3, 4]), same);
});

Deno.test("f32 ops reject an i32 tensor naming the op, dtype and shape", () => {
  const i = arange(3);
  assert.throws(() => i.add(1), /add: expected an f32 tensor, got i32 \[3\]/);
  assert.throws(() => tensor([1, 2, 3]).mul(i), /mul: expected an f32 tensor, got i32 \[3\]/);
  assert.throws(() => i.exp(), /exp: expected an f32 tensor, got i32 \[3\]/);
  assert.throws(() => i.sum(), /sum: expected an f32 tensor, got i32 \[3\]/);
  assert.throws(
    () => i.reshape([1, 3]).matmul(ones([3, 1])),
    /matmul: expected an f32 tensor, got i32 \[1, 3\]/,
  );
  assert.throws(() => i.softmax(), /softmax: expected an f32 tensor, got i32 \[3\]/);
  assert.throws(() => i.requireGrad(), /requireGrad: only f32 tensors take gradients, got i32/);
});

Deno.test("Tensor.logSoftmax() subtracts each row's logsumexp from it", async () => {
  const x = tensor([[0, Math.log(3)], [10, 10]]);
  assertAllClose(await values(x.logSoftmax()), [
    -Math.log(4),
    Math.log(3) - Math.log(4),
    -Math.log(2),
    -Math.log(2),
  ]);
});

Deno.test("Tensor.unsqueeze() and transpose() take negative axes counted from the end", () => {
  const x = ones([2, 3]);
  assert.deepEqual(x.unsqueeze(-1).shape, [2, 3, 1]);
  assert.deepEqual(x.unsqueeze(-3).shape, [1, 2, 3]);
  assert.deepEqual(x.unsqueeze(1).shape, [2, 1, 3]);
  assert.deepEqual(ones([2, 3, 4]).transpose(-1, 0).shape, [4, 3, 2]);
  assert.throws(() => x.transpose(0, 2), /transpose: axis 2 out of range for rank 2/);
});

Deno.test("Tensor.cast() to the tensor's own dtype returns it as it is", async () => {
  const x = tensor([1.5, -2.5]);
  assert.equal(x.cast("f32"), x);
  assert.deepEqual(await values(x.cast("i32")), [1, -2]);
});
