/**
 * Batched matmul (`lib/engine/ops/linalg.ts`): hand-computed products, batch broadcasting, transposed
 * and otherwise strided operands (read in place or copied), and gradients against central finite
 * differences (`tests/_helpers/fd.ts`: h = 1e-2, |a − n| ≤ 2e-3 + 1e-2·|n|). Forward values of small
 * integer matrices are exact.
 */
import assert from "node:assert/strict";
import { checkGrad, values } from "../../_helpers/fd.ts";
import { arange, randn, tensor } from "../../../lib/engine/tensor.ts";

const A = [[1, 2, 3], [4, 5, 6]]; // (2, 3)
const B = [[1, 0], [0, 1], [2, -1]]; // (3, 2)
const AB = [7, -1, 16, -1]; // rows: [1+6, 2−3], [4+12, 5−6]

Deno.test("Tensor.matmul() multiplies two matrices", async () => {
  const y = tensor(A).matmul(tensor(B));
  assert.deepEqual(y.shape, [2, 2]);
  assert.deepEqual(await values(y), AB);
});

Deno.test("Tensor.matmul() reads transposed operands in place", async () => {
  const at = tensor([[1, 4], [2, 5], [3, 6]]).transpose(0, 1);
  const bt = tensor([[1, 0, 2], [0, 1, -1]]).transpose(-1, -2);
  assert.deepEqual(await values(at.matmul(bt)), AB);
  assert.deepEqual(await values(tensor(A).matmul(bt)), AB);
});

Deno.test("Tensor.matmul() multiplies batches and broadcasts a shared matrix", async () => {
  const a = arange(12).cast("f32").reshape([2, 2, 3]);
  const y = a.matmul(tensor(B));
  assert.deepEqual(y.shape, [2, 2, 2]);
  // batch 0 rows [0,1,2], [3,4,5]; batch 1 rows [6,7,8], [9,10,11]: row·B = [r0 + 2r2, r1 − r2]
  assert.deepEqual(await values(y), [4, -1, 13, -1, 22, -1, 31, -1]);
  const z = tensor(A).matmul(tensor([B, B]).mul(tensor([1, 2]).reshape([2, 1, 1])));
  assert.deepEqual(z.shape, [2, 2, 2]);
  assert.deepEqual(await values(z), [...AB, ...AB.map((v) => 2 * v)]);
});

Deno.test("Tensor.matmul() broadcasts batch axes of size 1 on both sides", () => {
  const y = randn([2, 1, 2, 3], 1).matmul(randn([1, 4, 3, 5], 2));
  assert.deepEqual(y.shape, [2, 4, 2, 5]);
});

Deno.test("Tensor.matmul() handles a row vector times a column vector", async () => {
  assert.deepEqual(await values(tensor([[1, 2, 3]]).matmul(tensor([[4], [5], [6]]))), [32]);
});

Deno.test("Tensor.matmul() rejects mismatched inner dimensions naming both shapes", () => {
  assert.throws(
    () => tensor(A).matmul(tensor(A)),
    /matmul: inner dimensions differ: \[2, 3\] @ \[2, 3\]/,
  );
  assert.throws(
    () => tensor([1, 2]).matmul(tensor(B)),
    /matmul: expected operands of rank ≥ 2, got \[2\] and \[3, 2\]/,
  );
  assert.throws(
    () => randn([2, 2, 3], 1).matmul(randn([3, 3, 2], 2)),
    /matmul: shapes \[2\] and \[3\] cannot be broadcast/,
  );
});

// ---- gradients --------------------------------------------------------------------------------

Deno.test("Tensor.matmul() gradient matches finite differences for plain matrices", async () => {
  await checkGrad(([a, b]) => a.matmul(b), [randn([2, 3], 3), randn([3, 4], 4)]);
});

Deno.test("Tensor.matmul() gradient matches finite differences for transposed operands", async () => {
  await checkGrad(
    ([a, b]) => a.transpose(0, 1).matmul(b.transpose(0, 1)),
    [randn([3, 2], 5), randn([4, 3], 6)],
  );
});

Deno.test("Tensor.matmul() gradient matches finite differences for batched operands", async () => {
  await checkGrad(([a, b]) => a.matmul(b), [randn([2, 2, 3], 7), randn([2, 3, 2], 8)]);
});

Deno.test("Tensor.matmul() gradient matches finite differences when broadcasting the batch", async () => {
  await checkGrad(([a, b]) => a.matmul(b), [randn([2, 3], 9), randn([2, 3, 2], 10)]);
  await checkGrad(([a, b]) => a.matmul(b), [randn([2, 1, 2, 3], 11), randn([3, 3, 1], 12)]);
});

Deno.test("Tensor.matmul() gradient matches finite differences for size-1 rows and columns", async () => {
  await checkGrad(([a, b]) => a.matmul(b), [randn([1, 3], 13), randn([3, 1], 14)]);
  await checkGrad(([a, b]) => a.matmul(b), [randn([3, 1], 15), randn([1, 2], 16)]);
});

Deno.test("Tensor.matmul() gradient matches finite differences for strided views that need a copy", async () => {
  // a: batch axis permuted, narrowed inner axis (read in place); b: neither matrix stride is 1.
  await checkGrad(
    ([a, b]) => a.permute([1, 0, 2]).narrow(2, 1, 3).matmul(b.permute([2, 1, 0])),
    [randn([2, 2, 5], 17), randn([2, 3, 2], 18)],
  );
  // Two batch axes in swapped order: they cannot merge into one stride, so a is copied.
  await checkGrad(
    ([a, b]) => a.permute([1, 0, 2, 3]).matmul(b),
    [randn([2, 2, 2, 3], 20), randn([3, 2], 21)],
  );
});

Deno.test("Tensor.matmul() gradient matches finite differences when the output gradient needs a copy", async () => {
  // The output's batch axes are swapped after the product (as when attention re-merges its
  // heads), so the gradient reaching the product has batch axes that cannot merge into one
  // stride; it is copied once and feeds both operand gradients.
  await checkGrad(
    ([a, b]) => a.matmul(b).permute([1, 0, 2, 3]),
    [randn([2, 3, 2, 4], 22), randn([2, 3, 4, 3], 23)],
  );
});

Deno.test("Tensor.matmul() gradient matches finite differences when both operands are one tensor", async () => {
  await checkGrad(([a]) => a.matmul(a.transpose(0, 1)), [randn([2, 3], 19)]);
});
