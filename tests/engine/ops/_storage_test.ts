/**
 * `lib/engine/ops/_storage.ts`: a kernel that needs a packed storage gets the view's own when it
 * is whole and contiguous, else a temporary row-major copy that `release()` frees.
 */
import assert from "node:assert/strict";
import { packed, release } from "../../../lib/engine/ops/_storage.ts";
import { privateBackend } from "../_backend.ts";

Deno.test("packed() reuses a whole contiguous storage and copies a strided or partial view", async () => {
  const { backend, t, live } = privateBackend();
  const x = t([[1, 2, 3], [4, 5, 6]]);
  const same = packed(backend, x.view);
  assert.equal(same.storage, x.view.storage);
  assert.equal(same.temporary, false);

  const [xt, x1] = [x.transpose(0, 1), x.narrow(0, 1, 1)]; // views of x's storage
  const before = live();
  const transposed = packed(backend, xt.view);
  const row = packed(backend, x1.view); // contiguous, but not the whole storage
  assert.equal(live(), before + 2);
  assert.equal(transposed.temporary, true);
  assert.equal(row.temporary, true);
  assert.deepEqual([...await backend.read(transposed.storage)], [1, 4, 2, 5, 3, 6]);
  assert.deepEqual([...await backend.read(row.storage)], [4, 5, 6]);
  release(backend, same, transposed, row);
  assert.equal(live(), before, "the copies are freed, the tensor's own storage is not");
  assert.deepEqual([...await x.toArray()], [1, 2, 3, 4, 5, 6]);
});
