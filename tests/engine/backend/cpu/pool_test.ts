/**
 * The `cpu` backend's buffer pool (`lib/engine/backend/cpu/pool.ts`): capacity classes, reuse
 * of a larger class, the byte limit with oldest-first eviction, and arrays it did not make.
 */
import assert from "node:assert/strict";
import {
  ArrayPool,
  capacityClass,
  POOL_MIN_BYTES,
} from "../../../../lib/engine/backend/cpu/pool.ts";

const N = POOL_MIN_BYTES; // elements: 4·N bytes, above the pooling threshold

Deno.test("ArrayPool.take() reuses a freed buffer of the same or a larger class", () => {
  const pool = new ArrayPool();
  const a = pool.take("f32", N);
  pool.give(a, Infinity);
  assert.equal(pool.bytes, capacityClass(4 * N));
  const b = pool.take("i32", N - 100); // same class, other dtype
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, N - 100);
  assert.equal(pool.bytes, 0);
  pool.give(b, Infinity);
  const c = pool.take("f32", N / 2); // a smaller request takes the larger buffer
  assert.equal(c.buffer, a.buffer);
});

Deno.test("ArrayPool.give() drops the longest-idle buffers beyond the limit", () => {
  const pool = new ArrayPool();
  const [a, b, c] = [N, 2 * N, 4 * N].map((n) => pool.take("f32", n));
  const limit = b.buffer.byteLength + c.buffer.byteLength;
  for (const x of [a, b, c]) pool.give(x, limit);
  assert.equal(pool.bytes, limit); // a, the oldest, was dropped to make room for c
  assert.notEqual(pool.take("f32", N).buffer, a.buffer);
});

Deno.test("ArrayPool.give() ignores small arrays, foreign arrays and a second free", () => {
  const pool = new ArrayPool();
  pool.give(pool.take("f32", 10), Infinity); // below POOL_MIN_BYTES: never pooled
  pool.give(new Float32Array(N), Infinity); // not the pool's
  assert.equal(pool.bytes, 0);
  const a = pool.take("f32", N);
  pool.give(a, Infinity);
  pool.give(a, Infinity);
  assert.equal(pool.bytes, a.buffer.byteLength);
});
