/**
 * The attention shared by the decoders (`lib/model/attention.ts`): grouped-query attention
 * against plain loops, the rotate-half RoPE on hand values, and the checks and biases of a
 * forward pass. Values: |got − want| ≤ 1e-6 + 1e-5·|want|.
 */
import assert from "node:assert/strict";
import { applyRope, attend, beginPass, newKvCache } from "../../lib/model/attention.ts";
import { MASKED, PADDING } from "../../lib/model/_kv.ts";
import { noGrad, randn, tensor } from "../../lib/engine/tensor.ts";
import { assertAllClose, values } from "../_helpers/fd.ts";

const ids = (rows: number[][]) => tensor(rows, undefined, { dtype: "i32" });

Deno.test("attend() equals causal softmax(q·kᵀ/√D)·v by loops, query heads sharing their group's key head", async () => {
  const [B, H, Hkv, T, D] = [2, 4, 2, 3, 2];
  const q = randn([B, H, T, D], 1), k = randn([B, Hkv, T, D], 2), v = randn([B, Hkv, T, D], 3);
  const pass = beginPass("test", ids([[1, 2, 3], [4, 5, 6]]), {}, 8, null);
  const got = attend(q, k, v, pass, 0);
  assert.deepEqual(got.shape, [B * T, H * D]);
  const [Q, K, V] = [await values(q), await values(k), await values(v)];
  const at = (x: number[], heads: number, b: number, h: number, t: number, d: number) =>
    x[((b * heads + h) * T + t) * D + d];
  const want = new Array<number>(B * T * H * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv)); // heads 0, 1 → key head 0; 2, 3 → 1
      for (let t = 0; t < T; t++) {
        const s = [...Array(t + 1).keys()].map((j) => {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += at(Q, H, b, h, t, d) * at(K, Hkv, b, g, j, d);
          return dot / Math.sqrt(D);
        });
        const m = Math.max(...s), e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, c) => a + c, 0);
        for (let d = 0; d < D; d++) {
          let o = 0;
          for (let j = 0; j <= t; j++) o += (e[j] / z) * at(V, Hkv, b, g, j, d);
          want[(b * T + t) * H * D + h * D + d] = o;
        }
      }
    }
  }
  assertAllClose(await values(got), want);
});

Deno.test("applyRope() rotates each pair (x_i, x_{i+D/2}) by its angle", async () => {
  // D = 4: pairs (x0, x2) by angle a, (x1, x3) by angle b; rotation by π/2 maps (1, 0) to (0, 1)
  const x = tensor([1, 2, 0, 3], [1, 1, 1, 4]);
  const [a, b] = [Math.PI / 2, Math.PI / 3];
  const cos = tensor([[Math.cos(a), Math.cos(b)]]), sin = tensor([[Math.sin(a), Math.sin(b)]]);
  const y = applyRope(x, cos, sin);
  assertAllClose(await values(y), [
    1 * Math.cos(a) - 0 * Math.sin(a),
    2 * Math.cos(b) - 3 * Math.sin(b),
    0 * Math.cos(a) + 1 * Math.sin(a),
    3 * Math.cos(b) + 2 * Math.sin(b),
  ]);
});

Deno.test("beginPass() adds the padding bias of the key mask to the causal bias", async () => {
  const mask = tensor([[0, 1, 1], [1, 1, 1]]); // row 0: the first key is padding
  const pass = beginPass("test", ids([[0, 1, 2], [3, 4, 5]]), { keyMask: mask }, 8, null);
  assert.deepEqual(pass.bias!.shape, [2, 1, 3, 3]);
  const [P, M] = [PADDING, MASKED];
  assertAllClose(await values(pass.bias!), [
    ...[P, M, M, P, 0, M, P, 0, 0], // padding key plus causal
    ...[0, M, M, 0, 0, M, 0, 0, 0],
  ]);
  assert.equal(beginPass("test", ids([[7]]), {}, 8, null).bias, null, "one query: no bias");
});

Deno.test("beginPass() and newKvCache() refuse inconsistent inputs naming the model", () => {
  const cache = noGrad(() =>
    newKvCache(
      "GPT",
      ids([[0]]).backend,
      {
        batch: 1,
        maxLength: 4,
        contextLength: 8,
        nLayer: 2,
      },
      2,
      3,
    )
  );
  assert.deepEqual(cache.k.map((t) => t.shape), [[1, 2, 4, 3], [1, 2, 4, 3]]);
  assert.throws(
    () =>
      newKvCache(
        "GPT",
        cache.k[0].backend,
        {
          batch: 1,
          maxLength: 9,
          contextLength: 8,
          nLayer: 1,
        },
        2,
        3,
      ),
    /^Error: GPT\.newCache: maxLength 9 exceeds contextLength 8$/,
  );
  const prefix = { k: [], v: [] };
  assert.throws(
    () => beginPass("GPT", ids([[1]]), { cache, prefix }, 8, null),
    /GPT\.forward: give a KV cache or a prefix, not both/,
  );
  assert.throws(
    () => beginPass("GPT", tensor([[1, 2]]), {}, 8, null),
    /GPT\.forward: expected i32 ids \(B, T\), got f32 \[1,2\]/,
  );
  assert.throws(
    () => beginPass("GPT", ids([[1, 2, 3]]), {}, 2, null),
    /GPT\.forward: 3 positions exceed contextLength 2/,
  );
  assert.throws(
    () => beginPass("GPT", ids([[1, 2]]), { cache }, 8, null),
    /GPT\.forward: a KV cache is for inference; use noGrad/,
  );
  assert.throws(
    () => beginPass("GPT", ids([[1, 2]]), { keyMask: tensor([[1, 1, 1]]) }, 8, null),
    /GPT\.forward: expected keyMask \(1, 2\), got \[1,3\]/,
  );
});
