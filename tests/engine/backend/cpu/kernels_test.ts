/**
 * The `cpu` backend's fast paths against their reference loops (`lib/engine/backend/cpu/`):
 * elementwise kernels over every view class the ops produce (contiguous, row-broadcast bias,
 * column broadcast, scalar broadcast, transposed, offset windows, rank 0, empty), the
 * memory-order bias-gradient sum, the row kernels' edge cases, and the storage pool (recycled
 * arrays are fully overwritten).
 *
 * Tolerances: the fast unary/binary loops compute the reference's operator except `exp`, GELU
 * and its gradient, written with `fastExp` (relative error < 3e-10) instead of `Math.exp` and
 * `Math.tanh`: `|fast − ref| ≤ 1e-6·(1 + |ref|)` (f32 rounding, ~6e-8 relative, plus ≪ 1e-9);
 * every other operator and the sums must be bit-identical (same operations, same order).
 */
import assert from "node:assert/strict";
import type { View } from "../../../../lib/engine/backend/backend.ts";
import { BINARY_OPS, fullView, UNARY_OPS } from "../../../../lib/engine/backend/backend.ts";
import { CpuBackend } from "../../../../lib/engine/backend/cpu/cpu.ts";
import { capacityClass } from "../../../../lib/engine/backend/cpu/pool.ts";
import {
  binaryInto,
  binaryReference,
  unaryInto,
  unaryReference,
  whereInto,
} from "../../../../lib/engine/backend/cpu/elementwise.ts";
import { reduce, reduceReference, softmax } from "../../../../lib/engine/backend/cpu/rows.ts";
import { mulberry32 } from "../../../../lib/util/rng.ts";

const storage = { size: 0, dtype: "f32" as const };

function randomArray(n: number, seed: number, scale = 3): Float32Array {
  const rnd = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
}

/** View classes over a (4, 6) logical shape, each with the storage length it needs. */
const VIEWS: { name: string; view: View; length: number }[] = [
  { name: "contiguous", view: { storage, shape: [4, 6], strides: [6, 1], offset: 0 }, length: 24 },
  {
    name: "row-broadcast bias",
    view: { storage, shape: [4, 6], strides: [0, 1], offset: 0 },
    length: 6,
  },
  {
    name: "column broadcast",
    view: { storage, shape: [4, 6], strides: [1, 0], offset: 0 },
    length: 4,
  },
  {
    name: "scalar broadcast",
    view: { storage, shape: [4, 6], strides: [0, 0], offset: 2 },
    length: 3,
  },
  { name: "transposed", view: { storage, shape: [4, 6], strides: [1, 4], offset: 0 }, length: 24 },
  {
    name: "offset window",
    view: { storage, shape: [4, 6], strides: [9, 1], offset: 5 },
    length: 41,
  },
  {
    name: "rank 4 with size-1 axes",
    view: { storage, shape: [2, 1, 2, 6], strides: [12, 99, 6, 1], offset: 1 },
    length: 25,
  },
];

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const same = Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]));
    const ok = same || Math.abs(got[i] - want[i]) <= rtol * (1 + Math.abs(want[i]));
    if (!ok) assert.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

const tolOf = (op: string) => (["exp", "gelu", "gelu_grad"].includes(op) ? 1e-6 : 0);

Deno.test("unaryInto() equals unaryReference() for every operator and view class", () => {
  for (const op of UNARY_OPS) {
    for (const { name, view, length } of VIEWS) {
      const data = randomArray(length, 7);
      const got = new Float32Array(24).fill(NaN);
      unaryInto(op, data, view, got);
      assertClose(got, unaryReference(op, data, view), tolOf(op), `${op} on ${name}`);
    }
  }
});

Deno.test("binaryInto() equals binaryReference() for every operator and pair of views", () => {
  for (const op of BINARY_OPS) {
    for (const a of VIEWS) {
      for (const b of VIEWS) {
        if (a.view.shape.length !== b.view.shape.length) continue;
        const ad = randomArray(a.length, 1);
        const bd = op === "pow" ? randomArray(b.length, 2).map(Math.abs) : randomArray(b.length, 2);
        const got = new Float32Array(24).fill(NaN);
        binaryInto(op, ad, a.view, bd, b.view, got);
        const want = binaryReference(op, ad, a.view, bd, b.view);
        assertClose(got, want, tolOf(op), `${op}(${a.name}, ${b.name})`);
      }
    }
  }
});

Deno.test("gelu fast path stays finite and exact at the extremes", () => {
  const x = new Float32Array([-1e4, -30, -10, -1e-30, 0, 1e-30, 10, 30, 1e4, Infinity]);
  const view = fullView(storage, [x.length]);
  const got = new Float32Array(x.length);
  unaryInto("gelu", x, view, got);
  assertClose(got, unaryReference("gelu", x, view), 1e-6, "gelu extremes");
  const dy = new Float32Array(x.length).fill(1);
  const grad = new Float32Array(x.length);
  binaryInto(
    "gelu_grad",
    x.subarray(0, 9),
    fullView(storage, [9]),
    dy,
    fullView(storage, [9]),
    grad,
  );
  const want = binaryReference(
    "gelu_grad",
    x.subarray(0, 9),
    fullView(storage, [9]),
    dy,
    fullView(storage, [9]),
  );
  assertClose(grad.subarray(0, 9), want, 1e-6, "gelu_grad extremes");
});

Deno.test("whereInto() selects per element over broadcast views", () => {
  const cond = new Float32Array([1, 0, 1]);
  const a = new Float32Array([10, 20, 30, 40, 50, 60]);
  const b = new Float32Array([-1]);
  const out = new Float32Array(6);
  whereInto(
    cond,
    { storage, shape: [2, 3], strides: [0, 1], offset: 0 },
    a,
    { storage, shape: [2, 3], strides: [1, 2], offset: 0 }, // transposed (3, 2)
    b,
    { storage, shape: [2, 3], strides: [0, 0], offset: 0 },
    out,
  );
  assert.deepEqual([...out], [10, -1, 50, 20, -1, 60]);
});

Deno.test("reduce() sums rows in memory order with the reference's values", () => {
  for (const [outer, size, inner] of [[1, 37, 8], [3, 5, 7], [2, 9, 1], [1, 1, 5], [2, 0, 3]]) {
    const src = randomArray(outer * size * inner, 3);
    for (const op of ["sum", "max"] as const) {
      const got = new Float32Array(outer * inner).fill(NaN);
      reduce(op, src, outer, size, inner, got);
      assertClose(
        got,
        reduceReference(op, src, outer, size, inner),
        0,
        `${op} ${outer}×${size}×${inner}`,
      );
    }
  }
});

Deno.test("softmax() gives exact zeros for padding-biased columns and NaN rows stay NaN", () => {
  const x = new Float32Array([0, -1e4, 1, -1e4, NaN, 0, -Infinity, -Infinity]);
  const out = new Float32Array(8);
  softmax(x, 2, 4, out);
  const e = Math.exp(1);
  assertClose(out.subarray(0, 4), [1 / (1 + e), 0, e / (1 + e), 0], 1e-7, "row 0");
  assert.ok(out.subarray(4).every(Number.isNaN), "a NaN row");
});

Deno.test("CpuBackend recycles freed arrays and its kernels overwrite every element", async () => {
  const cpu = new CpuBackend({ blas: null });
  const n = 1 << 15;
  const dirty = cpu.full(n - 1000, 7, "f32"); // same capacity class as n
  cpu.free(dirty); // now pooled, full of 7s
  assert.equal(cpu.memory().pooledBytes, capacityClass(4 * n));
  const ids = cpu.upload(new Int32Array([0, 2, 2]));
  const src = cpu.upload(new Float32Array(3 * (n / 4)).fill(1));
  const sums = cpu.scatterAddRows(src, ids, 4, n / 4); // (4, n/4) from the pool
  assert.equal(cpu.memory().pooledBytes, 0);
  const v = await cpu.read(sums);
  assert.deepEqual([v[0], v[n / 4], v[2 * n / 4], v[3 * n / 4]], [1, 0, 2, 0]);
  cpu.free(sums);
  const z = cpu.full(n, 0, "f32");
  assert.ok((await cpu.read(z)).every((x) => x === 0));
  for (const s of [z, ids, src]) cpu.free(s);
  assert.equal(cpu.memory().liveStorages, 0);
});
