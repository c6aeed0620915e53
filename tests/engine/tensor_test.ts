/**
 * The tensor API (`lib/engine/tensor.ts`): storage sharing of views, lifetimes (`tidy`, `keep`,
 * `dispose`), the autograd engine (`backward`, accumulation, `noGrad`, `detach`), creation
 * functions, and errors that name the op and the shapes (shape mismatch, wrong dtype, index out
 * of range, disposed tensor). Memory is counted on a private {@linkcode CpuBackend} per test so
 * that other tests' tensors do not interfere.
 */
import assert from "node:assert/strict";
import { CpuBackend } from "../../lib/engine/backend/cpu/cpu.ts";
import { checkGrad, values } from "../_helpers/fd.ts";
import {
  arange,
  concat,
  full,
  isGradEnabled,
  keep,
  noGrad,
  ones,
  rand,
  randn,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from "../../lib/engine/tensor.ts";

/** A fresh CPU backend and a `tensor` bound to it. */
function privateBackend() {
  const backend = new CpuBackend();
  const t = (data: number[] | number[][], dtype: "f32" | "i32" = "f32") =>
    tensor(data, undefined, { backend, dtype });
  return { backend, t, live: () => backend.memory().liveStorages };
}

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

// ---- views and storage ------------------------------------------------------------------------

Deno.test("Tensor views share storage with their base (no copy)", () => {
  const { t, live } = privateBackend();
  const x = t([[1, 2, 3], [4, 5, 6]]);
  const before = live();
  const views = [
    x.transpose(0, 1),
    x.narrow(1, 1, 2),
    x.reshape([3, 2]),
    x.reshape([1, 6]).expand([4, 6]),
    x.unsqueeze(0),
    x.detach(),
  ];
  for (const v of views) assert.equal(v.view.storage, x.view.storage);
  assert.equal(live(), before);
  assert.equal(x.narrow(1, 1, 2).offset, 1);
  assert.deepEqual(x.transpose(0, 1).strides, [1, 3]);
});

Deno.test("Tensor.reshape() of a non-contiguous view copies", () => {
  const { t, live } = privateBackend();
  const x = t([[1, 2, 3], [4, 5, 6]]);
  const before = live();
  const y = x.transpose(0, 1).reshape([6]);
  assert.notEqual(y.view.storage, x.view.storage);
  assert.equal(live(), before + 1);
});

Deno.test("Tensor.dispose() frees the storage when the last view is disposed", async () => {
  const { t, live } = privateBackend();
  const x = t([1, 2, 3, 4]);
  const v = x.narrow(0, 1, 2);
  assert.equal(live(), 1);
  x.dispose();
  assert.equal(live(), 1); // the view still holds the storage
  assert.deepEqual(await values(v), [2, 3]);
  v.dispose();
  assert.equal(live(), 0);
});

Deno.test("Tensor.dispose() is idempotent", () => {
  const { backend, t } = privateBackend();
  const x = t([1, 2]);
  const y = x.detach();
  x.dispose();
  x.dispose();
  assert.equal(x.disposed, true);
  assert.equal(backend.memory().liveStorages, 1); // y's reference is untouched
  y.dispose();
  assert.deepEqual(backend.memory(), { liveStorages: 0, liveBytes: 0, pooledBytes: 0 });
});

// ---- tidy and keep ----------------------------------------------------------------------------

Deno.test("tidy() disposes intermediates and keeps the returned tensor", async () => {
  const { t, live } = privateBackend();
  const x = t([1, 2, 3]);
  let temp: Tensor | null = null;
  const run = () =>
    tidy(() => {
      temp = x.mul(2);
      return temp.add(1);
    });
  run().dispose(); // creates the cached scalar constants 2 and 1
  const before = live();
  const y = run();
  assert.equal(temp!.disposed, true);
  assert.equal(x.disposed, false); // created outside the scope
  assert.deepEqual(await values(y), [3, 5, 7]);
  assert.equal(live(), before + 1); // y only
});

Deno.test("tidy() keeps tensors returned in arrays and plain objects", () => {
  const { t, live } = privateBackend();
  const x = t([1, 2]);
  const one = t([1, 1]);
  const before = live();
  const out = tidy(() => {
    const a = x.add(one);
    a.mul(a); // dropped
    return { a, list: [x.sub(one), x.exp()] };
  });
  assert.equal(out.a.disposed, false);
  assert.ok(out.list.every((u) => !u.disposed));
  assert.equal(live(), before + 3);
});

Deno.test("tidy() nested hands returned tensors to the enclosing scope", () => {
  const { t } = privateBackend();
  const x = t([1, 2]);
  let inner: Tensor | null = null;
  const outer = tidy(() => {
    inner = tidy(() => x.add(1).mul(2));
    assert.equal(inner.disposed, false);
    return inner.add(1);
  });
  assert.equal(inner!.disposed, true); // the outer scope disposed it
  assert.equal(outer.disposed, false);
});

Deno.test("keep() exempts a tensor from every enclosing tidy()", () => {
  const { t } = privateBackend();
  const x = t([1, 2]);
  let kept: Tensor | null = null;
  tidy(() =>
    tidy(() => {
      kept = keep(x.add(1));
      x.add(2);
    })
  );
  assert.equal(kept!.disposed, false);
});

Deno.test("tidy() rejects an async function naming itself", () => {
  assert.throws(() => tidy(() => Promise.resolve(1)), /tidy: expected a synchronous function/);
});

Deno.test("tidy() around a training step leaves the storage count unchanged", () => {
  const { backend, t } = privateBackend();
  const w = keep(t([[0.5, -0.2], [0.1, 0.3]]).requireGrad());
  const step = () =>
    tidy(() => {
      w.matmul(t([[1], [2]])).tanh().sum().backward();
      w.grad!.dispose();
      w.grad = null;
    });
  step();
  const after1 = backend.memory();
  for (let i = 0; i < 5; i++) step();
  assert.deepEqual(backend.memory(), after1);
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

// ---- autograd ---------------------------------------------------------------------------------

Deno.test("Tensor.backward() computes the gradient of a scalar expression", async () => {
  const x = tensor([1, 2, 3]).requireGrad();
  x.mul(x).sum().backward();
  assert.deepEqual(await values(x.grad!), [2, 4, 6]);
});

Deno.test("Tensor.backward() accumulates gradients over two calls", async () => {
  const x = tensor([1, 2]).requireGrad();
  x.mul(3).sum().backward();
  x.mul(x).sum().backward();
  assert.deepEqual(await values(x.grad!), [3 + 2, 3 + 4]);
});

Deno.test("Tensor.backward() sums the gradients of a tensor used on several paths", async () => {
  const x = tensor([2]).requireGrad();
  const y = x.mul(x); // 2x
  y.add(x).add(y.mul(x)).sum().backward(); // d(x² + x + x³) = 2x + 1 + 3x²
  assert.deepEqual(await values(x.grad!), [4 + 1 + 12]);
});

Deno.test("Tensor.backward() on a non-scalar requires an explicit gradient", async () => {
  const x = tensor([1, 2]).requireGrad();
  const y = x.mul(2);
  assert.throws(
    () => y.backward(),
    /backward: expected a scalar or an explicit gradient, got shape \[2\]/,
  );
  y.backward(tensor([1, 10]));
  assert.deepEqual(await values(x.grad!), [2, 20]);
});

Deno.test("Tensor.backward() rejects a tensor that does not require grad", () => {
  assert.throws(() => tensor([1]).sum().backward(), /backward: tensor does not require grad/);
});

Deno.test("Tensor.backward() gives each leaf a whole, contiguous gradient storage", async () => {
  // concat's backward hands each part a window of one gradient storage.
  const a = tensor([[1, 2]]).requireGrad();
  const b = tensor([[3, 4]]).requireGrad();
  concat([a, b]).mul(tensor([[1, 2], [3, 4]])).sum().backward();
  for (const p of [a, b]) {
    assert.equal(p.grad!.offset, 0);
    assert.equal(p.grad!.view.storage.size, p.size);
  }
  assert.deepEqual(await values(b.grad!), [3, 4]);
});

Deno.test("Tensor.backward() leaves no gradient on leaves without requiresGrad", () => {
  const x = tensor([1, 2]).requireGrad();
  const c = tensor([3, 4]);
  x.mul(c).sum().backward();
  assert.equal(c.grad, null);
  assert.notEqual(x.grad, null);
});

Deno.test("noGrad() records no graph and restores grad mode", () => {
  const w = tensor([1, 2]).requireGrad();
  assert.equal(isGradEnabled(), true);
  const y = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    noGrad(() => {});
    assert.equal(isGradEnabled(), false);
    return w.mul(2);
  });
  assert.equal(isGradEnabled(), true);
  assert.equal(y.requiresGrad, false);
  assert.throws(() => y.sum().backward(), /backward: tensor does not require grad/);
  assert.throws(() =>
    noGrad(() => {
      throw new Error("boom");
    }), /boom/);
  assert.equal(isGradEnabled(), true);
});

Deno.test("Tensor.detach() shares storage and stops the gradient", async () => {
  const x = tensor([1, 2, 3]).requireGrad();
  const d = x.detach();
  assert.equal(d.view.storage, x.view.storage);
  assert.equal(d.requiresGrad, false);
  x.mul(d).sum().backward(); // d(x·c)/dx = c: the detached factor is a constant
  assert.deepEqual(await values(x.grad!), [1, 2, 3]);
});

Deno.test("checkGrad() rejects a wrong gradient (x·detach(x) has autograd x, true 2x)", async () => {
  await assert.rejects(
    () => checkGrad(([x]) => x.mul(x.detach()), [tensor([1, -2, 0.5])]),
    /autograd .* vs finite difference/,
  );
});

Deno.test("Tensor.backward() throws when the graph reaches a tensor disposed by tidy()", () => {
  const w = tensor([1, 2]).requireGrad();
  const loss = tidy(() => w.mul(3).exp().sum());
  assert.throws(() => loss.backward(), /backward: the graph reaches a disposed tensor/);
});
