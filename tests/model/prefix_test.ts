import assert from "node:assert/strict";
import { promptGroups, spreadRows } from "../../lib/model/prefix.ts";
import { tensor } from "../../lib/engine/tensor.ts";

Deno.test("promptGroups() numbers distinct rows in order of first appearance", () => {
  const g = promptGroups([[5], [1, 2], [5], [2, 1], [1, 2]]);
  assert.deepEqual([...g.source], [0, 1, 0, 2, 1]);
  assert.deepEqual(g.first, [0, 1, 3]);
});

Deno.test("spreadRows() copies each prompt's rows to its rows and sums their gradients back", async () => {
  const t = tensor([[[1, 2]], [[3, 4]]]).requireGrad(); // (U = 2, 1, 2)
  const out = spreadRows(t, Int32Array.from([1, 0, 1])); // (3, 1, 2)
  assert.deepEqual(out.shape, [3, 1, 2]);
  assert.deepEqual([...await out.toArray()], [3, 4, 1, 2, 3, 4]);
  out.mul(tensor([[[1, 1]], [[10, 10]], [[100, 100]]])).sum().backward();
  assert.deepEqual([...await t.grad!.toArray()], [10, 10, 101, 101]);
});
