/**
 * The `cpu` backend's matmul through CBLAS (`lib/engine/backend/cpu/matmul.ts`, `blas.ts`)
 * against the reference TypeScript loop (`matmulInto`, f64 accumulation), on every shape class
 * the model uses: plain, transposed A and/or B, batched, broadcast batch, strided windows that
 * need a copy, M = 1, N = 1, K = 1, K = 0, storage offsets.
 *
 * Tolerance: `|blas − ref| ≤ 1e-5·(1 + Σ_k |a·b|)` per element: BLAS accumulates in f32 in an
 * order of its own, so each element can differ by a few f32 roundings of the partial sums
 * (≈ K·6e-8·Σ|a·b|, ≤ 4e-6·Σ|a·b| for K ≤ 64 blocks); a wrong index or transpose is off by O(1).
 *
 * When no BLAS loads here (or `RMT_BLAS=off`), the BLAS comparisons are skipped (`ignore`) and
 * the layout mapping and the loop fallback are still tested.
 */
import assert from "node:assert/strict";
import type { View } from "../../../../lib/engine/backend/backend.ts";
import { contiguousStrides, fullView, numel } from "../../../../lib/engine/backend/backend.ts";
import { loadBlas } from "../../../../lib/engine/backend/cpu/blas.ts";
import { CpuBackend, type CpuStorage } from "../../../../lib/engine/backend/cpu/cpu.ts";
import { gatherInto, matmulInto } from "../../../../lib/engine/backend/cpu/loops.ts";
import { cblasLayout, matmulBlas } from "../../../../lib/engine/backend/cpu/matmul.ts";
import { mulberry32 } from "../../../../lib/util/rng.ts";

const blas = loadBlas();

function randomArray(n: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rnd() * 2 - 1);
}

/** Reference product and Σ|a·b| per output element (the tolerance scale). */
function reference(av: Float32Array, a: View, bv: Float32Array, b: View) {
  const [batch, m, k] = a.shape;
  const n = b.shape[2];
  const out = new Float32Array(batch * m * n);
  matmulInto(av, a, bv, b, out);
  const absA = av.map(Math.abs);
  const absB = bv.map(Math.abs);
  const scale = new Float32Array(batch * m * n);
  matmulInto(absA, a, absB, b, scale);
  return { out, scale, k };
}

function assertClose(got: Float32Array, want: Float32Array, scale: Float32Array, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const tol = 1e-5 * (1 + scale[i]);
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      assert.fail(`${what}: element ${i}: got ${got[i]}, want ${want[i]} (tol ${tol})`);
    }
  }
}

/**
 * A (B, rows, cols) view of a fresh random storage: `layout` "row" (row-major), "col" (a
 * transposed view) or "every2" (every other column of a wider array: needs a copy); `pad` adds
 * unused columns (leading dimension > cols), `offset` leading unused elements, `broadcast`
 * a batch stride of 0.
 */
function makeView(
  batch: number,
  rows: number,
  cols: number,
  seed: number,
  opts: { layout?: "row" | "col" | "every2"; pad?: number; offset?: number; broadcast?: boolean } =
    {},
): { data: Float32Array; view: View } {
  const layout = opts.layout ?? "row";
  const pad = opts.pad ?? 0;
  const offset = opts.offset ?? 0;
  const stored = opts.broadcast === true ? 1 : batch;
  let strides: number[];
  let perBatch: number;
  if (layout === "row") {
    strides = [rows * (cols + pad), cols + pad, 1];
    perBatch = rows * (cols + pad);
  } else if (layout === "col") {
    strides = [cols * (rows + pad), 1, rows + pad];
    perBatch = cols * (rows + pad);
  } else {
    strides = [rows * 2 * cols, 2 * cols, 2];
    perBatch = rows * 2 * cols;
  }
  if (opts.broadcast === true) strides[0] = 0;
  const data = randomArray(offset + stored * perBatch, seed);
  const storage = new CpuBackendless(data);
  return { data, view: { storage, shape: [batch, rows, cols], strides, offset } };
}

/** A minimal storage for views handed straight to the loops (no backend bookkeeping). */
class CpuBackendless {
  constructor(readonly data: Float32Array) {}
  get size(): number {
    return this.data.length;
  }
  readonly dtype = "f32" as const;
}

const CASES: {
  name: string;
  dims: [number, number, number, number];
  a?: Parameters<typeof makeView>[4];
  b?: Parameters<typeof makeView>[4];
}[] = [
  { name: "plain (2048, 256)·(256, 96)", dims: [1, 64, 256, 96] },
  { name: "transposed B (the tied head x·wteᵀ)", dims: [1, 33, 40, 51], b: { layout: "col" } },
  { name: "transposed A (a weight gradient xᵀ·dy)", dims: [1, 40, 33, 17], a: { layout: "col" } },
  {
    name: "both transposed",
    dims: [1, 19, 23, 29],
    a: { layout: "col" },
    b: { layout: "col" },
  },
  { name: "batched attention q·kᵀ", dims: [8, 16, 8, 16], b: { layout: "col" } },
  { name: "batched att·v", dims: [8, 16, 16, 8] },
  { name: "broadcast B batch", dims: [5, 7, 9, 11], b: { broadcast: true } },
  {
    name: "broadcast A batch, transposed",
    dims: [5, 7, 9, 11],
    a: { broadcast: true, layout: "col" },
  },
  {
    name: "padded rows (leading dimension > cols)",
    dims: [3, 6, 5, 4],
    a: { pad: 3 },
    b: { pad: 2 },
  },
  {
    name: "padded transposes",
    dims: [3, 6, 5, 4],
    a: { layout: "col", pad: 2 },
    b: { layout: "col", pad: 1 },
  },
  { name: "strided A (copy)", dims: [2, 9, 13, 7], a: { layout: "every2" } },
  {
    name: "strided B (copy), broadcast",
    dims: [3, 9, 13, 7],
    b: { layout: "every2", broadcast: true },
  },
  { name: "offsets", dims: [2, 5, 6, 7], a: { offset: 11 }, b: { offset: 3, layout: "col" } },
  { name: "M = 1 (one generated token)", dims: [4, 1, 64, 130], b: { layout: "col" } },
  { name: "N = 1", dims: [2, 17, 9, 1] },
  { name: "K = 1 (outer product)", dims: [2, 6, 1, 5] },
  { name: "K = 1 transposed", dims: [2, 6, 1, 5], a: { layout: "col" }, b: { layout: "col" } },
  { name: "K = 0", dims: [2, 3, 0, 4] },
  { name: "M = 0", dims: [2, 0, 3, 4] },
];

for (const c of CASES) {
  Deno.test({
    name: `matmulBlas() equals the reference loop for ${c.name}`,
    ignore: blas === null,
    fn() {
      const [batch, m, k, n] = c.dims;
      const a = makeView(batch, m, k, 1, c.a);
      const b = makeView(batch, k, n, 2, c.b);
      const { out: want, scale } = reference(a.data, a.view, b.data, b.view);
      const got = new Float32Array(batch * m * n);
      matmulBlas(blas!, a.data, a.view, b.data, b.view, got);
      assertClose(got, want, scale, c.name);
      if (k === 0) assert.ok(got.every((x) => x === 0), "K = 0 gives zeros");
    },
  });
}

Deno.test("matmulBlas() leaves its inputs unchanged", { ignore: blas === null }, () => {
  const a = makeView(2, 5, 6, 3, { layout: "every2" });
  const b = makeView(2, 6, 4, 4, { layout: "col" });
  const before = [a.data.slice(), b.data.slice()];
  matmulBlas(blas!, a.data, a.view, b.data, b.view, new Float32Array(2 * 5 * 4));
  assert.deepEqual(a.data, before[0]);
  assert.deepEqual(b.data, before[1]);
});

Deno.test("CpuBackend.matmul() agrees with and without BLAS on a stacked product", async () => {
  const withBlas = new CpuBackend();
  const loops = new CpuBackend({ blas: null });
  assert.match(loops.description, /TypeScript loops/);
  const [batch, m, k, n] = [3, 10, 12, 7];
  const aData = randomArray(batch * m * k, 5);
  const bData = randomArray(k * n, 6);
  const results: Float32Array[] = [];
  for (const be of [withBlas, loops]) {
    const a = fullView(be.upload(aData), [batch, m, k]);
    const b: View = {
      storage: be.upload(bData),
      shape: [batch, k, n],
      strides: [0, n, 1],
      offset: 0,
    };
    const out = be.matmul(a, b) as CpuStorage;
    results.push((await be.read(out)) as Float32Array);
  }
  const scaleView = (d: Float32Array, shape: number[], strides: number[]): View => ({
    storage: new CpuBackendless(d),
    shape,
    strides,
    offset: 0,
  });
  const { scale } = reference(
    aData,
    scaleView(aData, [batch, m, k], contiguousStrides([batch, m, k])),
    bData,
    scaleView(bData, [batch, k, n], [0, n, 1]),
  );
  assertClose(results[0], results[1], scale, "stacked product");
});

Deno.test("cblasLayout() maps unit strides to CBLAS transposes and rejects others", () => {
  assert.deepEqual(cblasLayout(4, 3, 3, 1), { trans: false, ld: 3 });
  assert.deepEqual(cblasLayout(4, 3, 1, 4), { trans: true, ld: 4 });
  assert.deepEqual(cblasLayout(1, 3, 0, 1), { trans: false, ld: 3 }); // one row: any row stride
  assert.deepEqual(cblasLayout(4, 1, 1, 0), { trans: false, ld: 1 }); // one column
  assert.deepEqual(cblasLayout(4, 0, 1, 1), { trans: false, ld: 1 }); // no columns
  assert.equal(cblasLayout(4, 3, 0, 1), null); // a broadcast row
  assert.equal(cblasLayout(4, 3, 2, 1), null); // rows overlap
  assert.equal(cblasLayout(4, 3, 6, 2), null); // every other column
});

Deno.test("gatherInto() copies a view with size-1 axes and zero strides in row order", () => {
  const data = Float32Array.from({ length: 6 }, (_, i) => i);
  const view: View = {
    storage: new CpuBackendless(data),
    shape: [2, 1, 3],
    strides: [0, 7, 2],
    offset: 0,
  };
  const out = new Float32Array(numel(view.shape));
  gatherInto(data, view, out);
  assert.deepEqual([...out], [0, 2, 4, 0, 2, 4]);
});
