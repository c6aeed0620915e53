/**
 * The autograd engine (`lib/engine/autograd.ts`): `backward` over a recorded graph, gradient
 * accumulation into leaves, `noGrad`, `detach`, and the error when the graph reaches a disposed
 * tensor.
 */
import assert from "node:assert/strict";
import { checkGrad, values } from "../_helpers/fd.ts";
import { concat, isGradEnabled, noGrad, tensor, tidy } from "../../lib/engine/tensor.ts";

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
