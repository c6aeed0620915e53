/**
 * The op helpers (`lib/engine/ops/_op.ts`): NumPy broadcasting of shapes and views, axis
 * normalisation, and errors that name the op.
 */
import assert from "node:assert/strict";
import {
  broadcastShapes,
  broadcastView,
  checkedIndex,
  fail,
  fmtShape,
  normAxis,
} from "../../../lib/engine/ops/_op.ts";
import type { View } from "../../../lib/engine/backend/backend.ts";

Deno.test("broadcastShapes() aligns trailing axes and stretches size-1 axes (NumPy rules)", () => {
  assert.deepEqual(broadcastShapes("add", [2, 3], [3]), [2, 3]);
  assert.deepEqual(broadcastShapes("add", [4, 1, 5], [3, 1]), [4, 3, 5]);
  assert.deepEqual(broadcastShapes("add", [1], [2, 0]), [2, 0]);
  assert.deepEqual(broadcastShapes("add", [], [2, 2]), [2, 2]);
  assert.throws(
    () => broadcastShapes("mul", [2, 3], [2]),
    /^Error: mul: shapes \[2, 3\] and \[2\] cannot be broadcast$/,
  );
});

Deno.test("broadcastView() gives 0 strides to new and stretched axes and keeps the others", () => {
  const storage = {} as View["storage"];
  const v: View = { storage, shape: [3, 1], strides: [1, 1], offset: 2 };
  assert.deepEqual(broadcastView(v, [2, 3, 4]), {
    storage,
    shape: [2, 3, 4],
    strides: [0, 1, 0],
    offset: 2,
  });
  const same: View = { storage, shape: [2, 3], strides: [3, 1], offset: 0 };
  assert.deepEqual(broadcastView(same, [2, 3]).strides, [3, 1]);
});

Deno.test("normAxis() counts negative axes from the end and rejects axes out of range", () => {
  assert.equal(normAxis("sum", -1, 3), 2);
  assert.equal(normAxis("sum", 0, 3), 0);
  assert.equal(normAxis("sum", 0, 0), 0, "axis 0 of a scalar");
  assert.throws(() => normAxis("sum", 3, 3), /^Error: sum: axis 3 out of range for rank 3$/);
  assert.throws(() => normAxis("sum", -4, 3), /sum: axis -4 out of range for rank 3/);
  assert.throws(() => normAxis("sum", 0.5, 3), /sum: axis 0\.5 out of range/);
});

Deno.test("checkedIndex() re-throws a kernel's RangeError naming the op and operands, other errors as they are", () => {
  assert.equal(checkedIndex("embedding", "x", () => 7), 7);
  assert.throws(
    () =>
      checkedIndex("embedding", "table [3, 2], ids [2]", () => {
        throw new RangeError("id 5 out of range [0, 3)");
      }),
    /^Error: embedding: id 5 out of range \[0, 3\) \(table \[3, 2\], ids \[2\]\)$/,
  );
  const other = new TypeError("no");
  assert.throws(() =>
    checkedIndex("embedding", "x", () => {
      throw other;
    }), (e) => e === other);
  assert.throws(() => fail("op", "what"), /^Error: op: what$/);
  assert.equal(fmtShape([]), "[]");
  assert.equal(fmtShape([2, 3]), "[2, 3]");
});
