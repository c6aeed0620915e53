/**
 * The kernels the backend dispatches itself (`lib/engine/backend/webgpu/backend.ts`) against the
 * CPU backend: reductions, gathers and scatters, multinomial sampling, AdamW.
 *
 * Skipped when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import { compare, cpu, EXACT, random, randomInts } from "./_oracle.ts";
import { gpu, ignore } from "../../../_helpers/gpu.ts";

Deno.test({
  name: "webgpu reduce sum/max matches cpu (rtol 1e-4, atol 1e-5·√size)",
  ignore,
  fn: async (t) => {
    const cases: [number, number, number][] = [
      [3, 5000, 1],
      [1, 100_000, 1],
      [100, 65, 1],
      [4, 64, 1],
      [7, 33, 5],
      [2, 1000, 64],
      [5, 1, 3],
      [1, 3, 1],
      [70_000, 2, 1],
    ];
    for (const [outer, size, inner] of cases) {
      await t.step(`(${outer}, ${size}, ${inner})`, async () => {
        const data = random(outer * size * inner, outer + size + inner);
        for (const op of ["sum", "max"] as const) {
          const tol = { rtol: 1e-4, atol: 1e-5 * Math.sqrt(size) };
          await compare(`${op}`, [data], (b, [x]) => b.reduce(op, x, outer, size, inner), tol);
        }
      });
    }
  },
});

Deno.test({
  name: "webgpu gatherRows/scatterAddRows/gatherLast/scatterLast match cpu",
  ignore,
  fn: async () => {
    const vocab = 301;
    const cols = 70;
    const n = 555;
    const table = random(vocab * cols, 1);
    const ids = randomInts(n, 2, 0, 40); // many repeats
    const src = random(n * cols, 3);
    await compare(
      "gatherRows",
      [table, ids],
      (b, [t, i]) => b.gatherRows(t, i, vocab, cols),
      EXACT,
    );
    await compare(
      "scatterAddRows",
      [src, ids],
      (b, [s, i]) => b.scatterAddRows(s, i, vocab, cols),
      { rtol: 1e-5, atol: 1e-6 },
    );
    const rows = 129;
    const c = 500;
    const k = 37;
    const x = random(rows * c, 4);
    const idx = randomInts(rows * k, 5, 0, 20); // repeats within a row
    const srcK = random(rows * k, 6);
    await compare("gatherLast", [x, idx], (b, [xs, i]) => b.gatherLast(xs, i, rows, c, k), EXACT);
    await compare("scatterLast", [srcK, idx], (b, [s, i]) => b.scatterLast(s, i, rows, c, k), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  },
});

Deno.test({
  name: "webgpu multinomial: deterministic per seed, agrees with cpu, frequencies, top-k",
  ignore,
  fn: async (t) => {
    const g = gpu();
    const cols = 10;
    const rows = 20_000;
    const row = random(cols, 42, -2, 2);
    const logits = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) logits.set(row, r * cols);
    const gl = g.upload(logits);
    const cl = cpu.upload(logits);
    const params = { temperature: 0.8, topK: 0, seed: 1234, counter: 7 };

    await t.step("same seed → same ids, other counter → other ids", async () => {
      const a = await g.read(g.multinomial(gl, rows, cols, params));
      const b = await g.read(g.multinomial(gl, rows, cols, params));
      const c = await g.read(g.multinomial(gl, rows, cols, { ...params, counter: 8 }));
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    });
    await t.step("≥ 99 % of ids equal the cpu's", async () => {
      const a = await g.read(g.multinomial(gl, rows, cols, params));
      const e = await cpu.read(cpu.multinomial(cl, rows, cols, params));
      let same = 0;
      for (let i = 0; i < rows; i++) same += a[i] === e[i] ? 1 : 0;
      assert.ok(same / rows >= 0.99, `agreement ${same / rows}`);
    });
    await t.step("frequencies match softmax(x / T) within 0.015", async () => {
      const ids = await g.read(g.multinomial(gl, rows, cols, params));
      const p = Array.from(row, (v) => Math.exp(v / params.temperature));
      const z = p.reduce((s, v) => s + v, 0);
      const counts = new Array<number>(cols).fill(0);
      for (const id of ids) counts[id]++;
      for (let c = 0; c < cols; c++) {
        assert.ok(Math.abs(counts[c] / rows - p[c] / z) < 0.015, `column ${c}`);
      }
    });
    await t.step("top-k never picks outside the k largest", async () => {
      const vocab = 700;
      const many = 300;
      const data = random(many * vocab, 77, -3, 3);
      const sl = g.upload(data);
      for (const topK of [1, 5, 64]) {
        const ids = await g.read(
          g.multinomial(sl, many, vocab, { temperature: 2, topK, seed: 3, counter: topK }),
        );
        for (let r = 0; r < many; r++) {
          const values = Array.from(data.subarray(r * vocab, (r + 1) * vocab));
          const kth = [...values].sort((p, q) => q - p)[topK - 1];
          assert.ok(values[ids[r]] >= kth, `row ${r}: picked ${ids[r]} outside top-${topK}`);
          if (topK === 1) assert.equal(ids[r], values.indexOf(kth));
        }
      }
      g.free(sl);
    });
    g.free(gl);
  },
});

Deno.test({
  name: "webgpu adamw matches cpu over 3 steps (rtol 1e-5, atol 1e-6), with and without scale",
  ignore,
  fn: async () => {
    const n = 100_003;
    for (const scaled of [false, true]) {
      const inputs = [
        random(n, 1),
        random(n, 2),
        random(n, 3, -0.1, 0.1),
        random(n, 4, 0, 0.01),
        new Float32Array([0.5]),
      ];
      await compare(`adamw scaled=${scaled}`, inputs, (b, [p, g, m, v, s]) => {
        for (let step = 1; step <= 3; step++) {
          b.adamw(p, g, m, v, {
            lr: 1e-2,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            weightDecay: 0.1,
            step,
          }, scaled ? s : null);
        }
        return [p, m, v];
      }, { rtol: 1e-5, atol: 1e-6 });
    }
  },
});
