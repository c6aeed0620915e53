/**
 * The row kernels (`lib/engine/backend/webgpu/rows.ts`, `kernels/rows.wgsl`) against the CPU
 * backend: argmax, softmax, cross-entropy and layer norm with their backwards, in both layouts.
 *
 * Skipped when no WebGPU adapter is available.
 */
import { compare, EXACT, random, randomInts, ROWS } from "./_oracle.ts";
import { ignore } from "../../../_helpers/gpu.ts";

Deno.test({
  name: "webgpu argmax matches cpu exactly, first index on ties",
  ignore,
  fn: async () => {
    for (const [rows, cols] of [[37, 5000], [64, 3], [1, 1], [5, 300]]) {
      const data = Float32Array.from(random(rows * cols, cols), (v) => Math.round(v * 4));
      await compare(`argmax ${rows}×${cols}`, [data], (b, [x]) => b.argmax(x, rows, cols), EXACT);
    }
  },
});

// On a CPU adapter rows of up to 1024 columns run one per invocation (LANES = 1, 8 rows per
// workgroup), longer ones one per workgroup; rows longer than the private row cache (5000, 1025)
// take the re-reading path. 70,000 rows of one per workgroup, or 530,000 of eight per workgroup,
// need a 2-D workgroup grid (> 65,535 workgroups); 1000 and 3 rows leave a partial workgroup.
const ROW_SHAPES: [number, number][] = [
  [33, 5000],
  [1000, 7],
  [64, 256],
  [3, 1],
  [1, 1025],
  [70_000, 3],
  [530_000, 2],
];

Deno.test({
  name: "webgpu softmax matches cpu (rtol 1e-4, atol 1e-6)",
  ignore,
  fn: async () => {
    for (const [rows, cols] of ROW_SHAPES) {
      const data = random(rows * cols, rows * 31 + cols, -10, 10);
      await compare(`softmax ${rows}×${cols}`, [data], (b, [x]) => b.softmax(x, rows, cols), {
        rtol: 1e-4,
        atol: 1e-6,
      });
    }
  },
});

Deno.test({
  name: "webgpu crossEntropy and its backward match cpu (rtol 1e-4, atol 1e-5)",
  ignore,
  fn: async () => {
    for (const [rows, cols] of ROW_SHAPES) {
      const logits = random(rows * cols, rows + cols, -6, 6);
      const targets = randomInts(rows, rows * 7 + cols, -1, cols); // some -1: ignored rows
      const dNll = random(rows, 3, 0.1, 2);
      await compare(`crossEntropy ${rows}×${cols}`, [logits, targets], (b, [x, t]) => {
        const { nll, lse } = b.crossEntropy(x, t, rows, cols);
        return [nll, lse];
      }, ROWS);
      await compare(
        `crossEntropyBackward ${rows}×${cols}`,
        [logits, targets, dNll],
        (b, [x, t, g]) => {
          const { nll, lse } = b.crossEntropy(x, t, rows, cols);
          const dx = b.crossEntropyBackward(x, lse, t, g, rows, cols);
          b.free(nll);
          b.free(lse);
          return dx;
        },
        { rtol: 1e-4, atol: 1e-6 },
      );
    }
  },
});

Deno.test({
  name: "webgpu layerNorm and its backward match cpu (rtol 1e-4, atol 1e-5)",
  ignore,
  fn: async () => {
    for (const [rows, cols] of [...ROW_SHAPES, [5, 3]] as [number, number][]) {
      const x = random(rows * cols, rows + 2 * cols, -3, 5);
      const gamma = random(cols, 1, 0.5, 1.5);
      const beta = random(cols, 2);
      const dy = random(rows * cols, 4);
      await compare(`layerNorm ${rows}×${cols}`, [x, gamma, beta], (b, [xs, g, bt]) => {
        const { y, mean, rstd } = b.layerNorm(xs, g, bt, rows, cols, 1e-5);
        return [y, mean, rstd];
      }, { rtol: 1e-4, atol: 1e-4 });
      await compare(
        `layerNormBackward ${rows}×${cols}`,
        [x, gamma, beta, dy],
        (b, [xs, g, bt, d]) => {
          const { y, mean, rstd } = b.layerNorm(xs, g, bt, rows, cols, 1e-5);
          const dx = b.layerNormBackward(xs, g, mean, rstd, d, rows, cols);
          for (const s of [y, mean, rstd]) b.free(s);
          return dx;
        },
        { rtol: 1e-3, atol: 1e-4 },
      );
    }
  },
});
