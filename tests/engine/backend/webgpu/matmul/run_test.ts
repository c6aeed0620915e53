/**
 * The backend's matmul over views (`lib/engine/backend/webgpu/matmul/run.ts`) against the CPU
 * backend: transposes, broadcast batches, operands that need a copy, the window variant with
 * its K chunks, and the narrow products computed as (Bᵀ·Aᵀ)ᵀ.
 *
 * Skipped when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import { type Storage, type View } from "../../../../../lib/engine/backend/backend.ts";
import { compare, permuted, random, view } from "./../_oracle.ts";
import { gpu, ignore } from "../../../../_helpers/gpu.ts";

Deno.test({
  name: "webgpu matmul matches cpu (rtol 1e-4, atol 1e-4·√K): transposes, broadcast, copies",
  ignore,
  fn: async (t) => {
    const cases: {
      name: string;
      b: number;
      m: number;
      k: number;
      n: number;
      a: (s: Storage) => View;
      bm: (s: Storage) => View;
    }[] = [
      {
        name: "plain 1×33×65·65×17",
        b: 1,
        m: 33,
        k: 65,
        n: 17,
        a: (s) => view(s, [1, 33, 65]),
        bm: (s) => view(s, [1, 65, 17]),
      },
      {
        name: "batched, B transposed",
        b: 3,
        m: 20,
        k: 31,
        n: 9,
        a: (s) => view(s, [3, 20, 31]),
        bm: (s) => permuted(s, [3, 9, 31], [0, 2, 1]),
      },
      {
        name: "A transposed, B broadcast",
        b: 4,
        m: 7,
        k: 16,
        n: 40,
        a: (s) => permuted(s, [4, 16, 7], [0, 2, 1]),
        bm: (s) => view(s, [4, 16, 40], [0, 40, 1]),
      },
      {
        name: "M = 1 (GEMV)",
        b: 2,
        m: 1,
        k: 300,
        n: 50,
        a: (s) => view(s, [2, 1, 300]),
        bm: (s) => view(s, [2, 300, 50]),
      },
      {
        name: "A needs a copy (batch-major permute)",
        b: 5,
        m: 6,
        k: 8,
        n: 3,
        a: (s) => permuted(s, [6, 5, 8], [1, 0, 2]),
        bm: (s) => view(s, [5, 8, 3]),
      },
      {
        name: "K = 1 with offset",
        b: 1,
        m: 4,
        k: 1,
        n: 5,
        a: (s) => view(s, [1, 4, 1], [4, 1, 1], 1),
        bm: (s) => view(s, [1, 1, 5]),
      },
      // Large enough for the window variant on a CPU adapter (≥ 2 MFLOP per row block).
      {
        name: "window variant: 100 rows (a partial block), A at an offset",
        b: 1,
        m: 100,
        k: 256,
        n: 256,
        a: (s) => view(s, [1, 100, 256], [25600, 256, 1], 4),
        bm: (s) => view(s, [1, 256, 256]),
      },
      {
        name: "window variant on K chunks: A transposed (a weight gradient)",
        b: 1,
        m: 64,
        k: 1024,
        n: 256,
        a: (s) => permuted(s, [1, 1024, 64], [0, 2, 1]),
        bm: (s) => view(s, [1, 1024, 256]),
      },
      {
        name: "A transposed, N < M/2: computed as (Bᵀ·Aᵀ)ᵀ",
        b: 1,
        m: 64,
        k: 96,
        n: 20,
        a: (s) => permuted(s, [1, 96, 64], [0, 2, 1]),
        bm: (s) => view(s, [1, 96, 20]),
      },
      {
        name: "A transposed, N < M/2, B transposed: (Bᵀ·Aᵀ)ᵀ on K chunks (a weight gradient)",
        b: 1,
        m: 512,
        k: 1024,
        n: 64,
        a: (s) => permuted(s, [1, 1024, 512], [0, 2, 1]),
        bm: (s) => permuted(s, [1, 64, 1024], [0, 2, 1]),
      },
      {
        name: "row-major A with rows over 512, N < M/2: computed as (Bᵀ·Aᵀ)ᵀ",
        b: 1,
        m: 96,
        k: 640,
        n: 40,
        a: (s) => view(s, [1, 96, 640]),
        bm: (s) => permuted(s, [1, 40, 640], [0, 2, 1]),
      },
      {
        name: "window variant on K chunks: row-major A with long rows, at an offset",
        b: 1,
        m: 40,
        k: 1024,
        n: 512,
        a: (s) => view(s, [1, 40, 1024], [40960, 1024, 1], 4),
        bm: (s) => view(s, [1, 1024, 512]),
      },
      {
        name: "window variant: batched, B transposed",
        b: 2,
        m: 64,
        k: 256,
        n: 128,
        a: (s) => view(s, [2, 64, 256]),
        bm: (s) => permuted(s, [2, 128, 256], [0, 2, 1]),
      },
    ];
    // K = 0: an empty sum, all zeros (a buffer clear), even in a reused pool buffer.
    await t.step("K = 0 gives zeros", async () => {
      const g = gpu();
      g.free(g.upload(new Float32Array(12).fill(7)));
      const a = g.upload(new Float32Array(0)), b = g.upload(new Float32Array(0));
      const out = g.matmul(view(a, [1, 3, 0]), view(b, [1, 0, 4]));
      assert.deepEqual(await g.read(out), new Float32Array(12));
      for (const s of [a, b, out]) g.free(s);
    });
    // A·Aᵀ from one buffer: the window variant binds it as a uniform window and as storage.
    await t.step("window variant: A and B views of one buffer (A·Aᵀ)", async () => {
      const x = random(128 * 256, 9);
      const tol = { rtol: 1e-4, atol: 1e-4 * Math.sqrt(256) };
      await compare(
        "A·Aᵀ",
        [x],
        (be, [s]) => be.matmul(view(s, [1, 128, 256]), permuted(s, [1, 128, 256], [0, 2, 1])),
        tol,
      );
    });
    for (const c of cases) {
      await t.step(c.name, async () => {
        const a = random(c.b * c.m * c.k + 4, c.m * c.k);
        const bm = random(c.b * c.k * c.n, c.k * c.n + 1);
        const tol = { rtol: 1e-4, atol: 1e-4 * Math.sqrt(c.k) };
        await compare(c.name, [a, bm], (be, [x, y]) => be.matmul(c.a(x), c.bm(y)), tol);
      });
    }
  },
});
