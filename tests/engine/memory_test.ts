/**
 * Lifetimes (`lib/engine/memory.ts`): views share their base's storage, `dispose` frees it with
 * the last reference, `tidy` disposes what a function created except what it returns, `keep`
 * exempts a tensor. Memory is counted on a private `CpuBackend` per test so that other
 * tests' tensors do not interfere.
 */
import assert from "node:assert/strict";
import { values } from "../_helpers/fd.ts";
import { privateBackend } from "./_backend.ts";
import { keep, type Tensor, tidy } from "../../lib/engine/tensor.ts";

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
