/**
 * `lib/model/_kv.ts`: the causal bias, the KV cache's in-place window write, the RoPE tables and
 * the per-parameter seeds, against hand-computed values.
 */
import assert from "node:assert/strict";
import { causalBias, MASKED, mixSeed, ropeTables, writeWindow } from "../../lib/model/_kv.ts";
import { privateBackend } from "../engine/_backend.ts";

Deno.test("causalBias() masks the keys after each query's position, for queries at the end of the keys", async () => {
  const { backend } = privateBackend();
  const M = MASKED;
  // T = 2 new queries at positions 2 and 3 of S = 4 keys
  const values = async (T: number, S: number) => [...await causalBias(backend, T, S).toArray()];
  assert.deepEqual(await values(2, 4), [0, 0, 0, M, 0, 0, 0, 0]);
  assert.deepEqual(await values(3, 3), [0, M, M, 0, 0, M, 0, 0, 0]);
  assert.equal(causalBias(backend, 2, 4), causalBias(backend, 2, 4), "cached per (T, S)");
  assert.notEqual(
    causalBias(backend, 2, 4),
    causalBias(privateBackend().backend, 2, 4),
  );
});

Deno.test("writeWindow() copies into a window along an axis in place, and refuses a window that does not fit", async () => {
  const { t } = privateBackend();
  const dst = t([[0, 0, 0, 0], [0, 0, 0, 0]]); // (2, 4)
  writeWindow(dst, 1, 1, t([[1, 2], [3, 4]]));
  assert.deepEqual([...await dst.toArray()], [0, 1, 2, 0, 0, 3, 4, 0]);
  writeWindow(dst, 0, 1, t([[5, 6, 7, 8]]));
  assert.deepEqual([...await dst.toArray()], [0, 1, 2, 0, 5, 6, 7, 8]);
  assert.throws(
    () => writeWindow(dst, 1, 3, t([[1, 2], [3, 4]])),
    /writeWindow: cannot write \[2,2\] at 3 on axis 1 of \[2,4\]/,
  );
});

Deno.test("ropeTables() gives cos and sin of p·base^(−2i/D) per position p and frequency i", async () => {
  const { backend } = privateBackend();
  const { cos, sin } = ropeTables(backend, 3, 4, 100); // frequencies 1 and 100^(−1/2) = 0.1
  assert.deepEqual(cos.shape, [3, 2]);
  const angles = [0, 0, 1, 0.1, 2, 0.2]; // (p, i) row-major
  for (const [got, f] of [[cos, Math.cos], [sin, Math.sin]] as const) {
    const v = [...await got.toArray()];
    v.forEach((x, j) => assert.ok(Math.abs(x - f(angles[j])) < 1e-6, `${j}: ${x}`));
  }
});

Deno.test("mixSeed() gives a distinct 32-bit seed per parameter and model seed, the same each time", () => {
  const seen = new Set<number>();
  for (const seed of [0, 1, 1337]) {
    for (let k = 0; k < 1000; k++) {
      const s = mixSeed(seed, k);
      assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
      assert.equal(mixSeed(seed, k), s);
      seen.add(s);
    }
  }
  assert.equal(seen.size, 3000);
});
