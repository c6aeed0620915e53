/**
 * The tensor API (`lib/engine/tensor.ts`, `lib/engine/tensor_methods.ts`): creation functions and
 * errors that name the op and the shapes (shape mismatch, wrong dtype, index out of range,
 * disposed tensor, operands on different backends).
 */
import assert from "node:assert/strict";
import { CpuBackend } from "../../lib/engine/backend/cpu/cpu.ts";
import { values } from "../_helpers/fd.ts";
import { privateBackend } from "./_backend.ts";
import { arange, full, ones, rand, randn, tensor, zeros } from "../../lib/engine/tensor.ts";

// ---- creation ---------------------------------------------------------------------------------

Deno.test("tensor() infers the shape of nested arrays and checks an explicit one", async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(x.shape, [2, 3]);
  assert.deepEqual(x.strides, [3, 1]);
  assert.equal(x.dtype, "f32");
  assert.deepEqual(tensor(5).shape, []);
  assert.deepEqual(await values(tensor([1, 2, 3, 4], [2, 2])), [1, 2, 3, 4]);
  assert.equal(tensor(new Int32Array([1, 2])).dtype, "i32");
  assert.throws(
    () => tensor([1, 2, 3, 4, 5], [2, 3]),
    /tensor: 5 values cannot have shape \[2, 3\]/,
  );
});

Deno.test("zeros(), ones(), full() and arange() fill as named", async () => {
  assert.deepEqual(await values(zeros([2])), [0, 0]);
  assert.deepEqual(await values(ones([1, 2])), [1, 1]);
  assert.deepEqual(await values(full([3], 2.5)), [2.5, 2.5, 2.5]);
  const r = arange(4);
  assert.equal(r.dtype, "i32");
  assert.deepEqual([...await r.toArray()], [0, 1, 2, 3]);
});

Deno.test("rand() and randn() are reproducible for a seed", async () => {
  assert.deepEqual(await values(randn([5], 3)), await values(randn([5], 3)));
  assert.notDeepEqual(await values(randn([5], 3)), await values(randn([5], 4)));
  const u = await values(rand([200], 1, { low: 2, high: 3 }));
  assert.ok(u.every((v) => v >= 2 && v < 3));
  const n = await values(randn([2000], 2, { std: 0.5 }));
  const mean = n.reduce((p, v) => p + v, 0) / n.length;
  const sd = Math.sqrt(n.reduce((p, v) => p + (v - mean) ** 2, 0) / n.length);
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(sd - 0.5) < 0.05, `mean ${mean}, sd ${sd}`);
});

Deno.test("Tensor.item() reads one element and rejects more", async () => {
  assert.equal(await tensor([[4]]).item(), 4);
  await assert.rejects(() => tensor([1, 2]).item(), /item: expected one element, got shape \[2\]/);
});
// ---- errors name the op and the shapes --------------------------------------------------------

Deno.test("Tensor methods on a disposed tensor throw naming the op and the shape", async () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const y = tensor([[1], [2], [3]]);
  x.dispose();
  assert.throws(() => x.add(1), /add: tensor \[2, 3\] was disposed/);
  assert.throws(() => tensor([1]).mul(x), /mul: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.exp(), /exp: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.sum(), /sum: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.matmul(y), /matmul: tensor \[2, 3\] was disposed/);
  assert.throws(() => y.matmul(x), /matmul: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.transpose(0, 1), /permute: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.reshape([6]), /reshape: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.softmax(), /softmax: tensor \[2, 3\] was disposed/);
  assert.throws(() => x.gt(0).where(1, 0), /gt: tensor \[2, 3\] was disposed/);
  await assert.rejects(() => x.toArray(), /toArray: tensor \[2, 3\] was disposed/);
});

Deno.test("Tensor.add() rejects shapes that cannot broadcast naming both shapes", () => {
  assert.throws(
    () => tensor([[1, 2, 3], [4, 5, 6]]).add(tensor([1, 2, 3, 4])),
    /add: shapes \[2, 3\] and \[4\] cannot be broadcast/,
  );
  assert.throws(
    () => randn([2, 3], 1).mul(randn([3, 2], 2)),
    /mul: shapes \[2, 3\] and \[3, 2\] cannot be broadcast/,
  );
  assert.throws(
    () => tensor([1, 0]).where(tensor([1, 2, 3]), 0),
    /where: shapes \[2\] and \[3\] cannot be broadcast/,
  );
});

Deno.test("Tensor.matmul() rejects mismatched inner dimensions naming both shapes", () => {
  assert.throws(
    () => randn([2, 3], 1).matmul(randn([4, 5], 2)),
    /matmul: inner dimensions differ: \[2, 3\] @ \[4, 5\]/,
  );
});

Deno.test("Index ops reject a wrong index dtype naming the op and shapes", () => {
  assert.throws(
    () => randn([4, 2], 1).embedding(tensor([0, 1])),
    /embedding: expected a \(V, C\) table and i32 ids, got \[4, 2\] and f32 \[2\]/,
  );
  assert.throws(
    () => randn([2, 4], 1).crossEntropy(tensor([0, 1])),
    /crossEntropy: expected i32 targets of 2 elements for logits \[2, 4\], got f32 \[2\]/,
  );
});

Deno.test("Tensor.embedding() rejects an id out of range naming the op, the id and the shapes", () => {
  const { backend, t, live } = privateBackend();
  const table = t([[1, 2], [3, 4], [5, 6]]);
  const before = live();
  assert.throws(
    () => table.embedding(t([0, 5], "i32")),
    /embedding: gatherRows: id 5 out of range \[0, 3\) \(table \[3, 2\], ids \[2\]\)/,
  );
  assert.throws(
    () => table.transpose(0, 1).embedding(t([2], "i32")),
    /embedding: .*id 2 out of range \[0, 2\)/,
  );
  assert.equal(live(), before + 2, "only the two id tensors remain: no temporaries leak");
  void backend;
});

Deno.test("Tensor.gatherLast() and crossEntropy() reject an index out of range naming the shapes", () => {
  assert.throws(
    () => randn([2, 3], 1).gatherLast(tensor([[0], [3]], undefined, { dtype: "i32" })),
    /gatherLast: gatherLast: index 3 out of range \[0, 3\) \(x \[2, 3\], indices \[2, 1\]\)/,
  );
  assert.throws(
    () => randn([2, 3], 1).crossEntropy(tensor([0, 7], undefined, { dtype: "i32" })),
    /crossEntropy: .*target 7 out of range \[0, 3\) \(logits \[2, 3\], targets \[2\]\)/,
  );
});

Deno.test("Tensor ops reject operands on different backends", () => {
  const a = tensor([1, 2], undefined, { backend: new CpuBackend() });
  const b = tensor([1, 2], undefined, { backend: new CpuBackend() });
  assert.throws(() => a.add(b), /add: inputs live on different backends/);
});
