/**
 * The backend's batched matmul over views: each operand as row-major or transposed (a copy
 * where it is neither), the planner's reshapes on CPU adapters (the narrow-output swap, the K
 * chunks of a repacked A), then the plan's dispatches.
 *
 * Legend: B batch, M/K/N matmul dims.
 *
 * @module
 */
import { type DType, fullView, type Storage, type View } from "../../backend.ts";
import type { Pipelines } from "../pipelines.ts";
import type { Recorder } from "../recorder.ts";
import { bufOf } from "../storage.ts";
import { chunkedProblem, planMatmul, swapForNarrowOutput, windowChunk } from "./plan.ts";
import type { MatmulProblem } from "./problem.ts";

/** What the matmul needs of the backend. */
export interface MatmulContext {
  readonly adapterKind: "cpu" | "gpu";
  readonly pipelines: Pipelines;
  readonly recorder: Recorder;
  /** A new contiguous f32 storage of `size` elements (contents undefined). */
  alloc(size: number): Storage;
  /** A contiguous copy of a view (the backend's `cast`). */
  cast(x: View, dtype: DType): Storage;
  free(s: Storage): void;
}

/** `a · b` for views `a` (B, M, K) and `b` (B, K, N) → a new contiguous (B, M, N) storage. */
export function matmul(ctx: MatmulContext, a: View, bm: View): Storage {
  const [batch, m, k] = a.shape;
  const n = bm.shape[2];
  if (batch * m * n === 0 || k === 0) {
    // No output, or an empty sum over K = 0: zeros.
    const out = ctx.alloc(batch * m * n);
    ctx.recorder.clear(bufOf(out), batch * m * n * 4);
    return out;
  }
  // Operands whose inner strides are neither row-major nor transposed become contiguous.
  const temps: Storage[] = [];
  const layout = (v: View) => {
    let l = matrixLayout(v);
    if (!l) {
      const c = ctx.cast(v, "f32");
      temps.push(c);
      v = fullView(c, v.shape);
      l = matrixLayout(v)!;
    }
    return { view: v, ...l };
  };
  let A = layout(a);
  const B = layout(bm);
  let problem: MatmulProblem = {
    batch,
    m,
    n,
    k,
    transA: A.trans,
    transB: B.trans,
    aOffset: A.view.offset,
    bOffset: B.view.offset,
    aBatchStride: batch === 1 ? 0 : A.view.strides[0],
    bBatchStride: batch === 1 ? 0 : B.view.strides[0],
    lda: A.ld,
    ldb: B.ld,
    aBytes: bufOf(A.view.storage).bytes,
  };
  const limits = ctx.recorder.device.limits;
  if (swapForNarrowOutput(problem, limits, ctx.adapterKind)) {
    for (const t of temps) ctx.free(t);
    return swappedProduct(ctx, a, bm);
  }
  const out = ctx.alloc(batch * m * n);
  const kc = windowChunk(problem, limits, ctx.adapterKind);
  if (kc > 0) {
    // CPU adapter: repack A (transposed, or with long rows) as (K / kc, M, kc) chunks of
    // its columns so that the window variant applies with full row blocks, and sum the
    // chunks' products (see windowChunk).
    const v = A.view;
    const packed = ctx.cast({
      storage: v.storage,
      shape: [k / kc, m, kc],
      strides: A.trans ? [kc * A.ld, 1, A.ld] : [kc, A.ld, 1],
      offset: v.offset,
    }, "f32");
    temps.push(packed);
    A = { view: fullView(packed, [k / kc, m, kc]), trans: false, ld: kc };
    problem = chunkedProblem(problem, kc, bufOf(packed).bytes);
  }
  const plan = planMatmul(problem, limits, ctx.adapterKind);
  const kernel = ctx.pipelines.rawKernel(
    plan.key,
    plan.code,
    [plan.windowBytes === undefined ? "read" : "window", "read", "read_write"],
    plan.dispatches[0].params.byteLength,
    plan.windowBytes,
  );
  const buffers = [bufOf(A.view.storage), bufOf(B.view.storage), bufOf(out)];
  for (const d of plan.dispatches) {
    ctx.recorder.dispatch(kernel, buffers, d.params, ...d.workgroups, d.windowOffset);
  }
  for (const t of temps) ctx.free(t);
  return out;
}

/** A·B as (Bᵀ·Aᵀ)ᵀ: the swapped product, then one copy of M·N floats (see swapForNarrowOutput). */
function swappedProduct(ctx: MatmulContext, a: View, bm: View): Storage {
  const transpose = (v: View): View => ({
    ...v,
    shape: [v.shape[0], v.shape[2], v.shape[1]],
    strides: [v.strides[0], v.strides[2], v.strides[1]],
  });
  const m = a.shape[1], n = bm.shape[2];
  const outT = matmul(ctx, transpose(bm), transpose(a)); // (1, N, M)
  const out = ctx.cast(
    { storage: outT, shape: [1, m, n], strides: [m * n, 1, m], offset: 0 },
    "f32",
  );
  ctx.free(outT);
  return out;
}

/**
 * How a 3-D view (B, R, C) stores each matrix: row-major (`trans` false, row stride `ld`) or
 * transposed (column-major, column stride `ld`); null when neither (then it is copied).
 */
function matrixLayout(v: View): { trans: boolean; ld: number } | null {
  const [, r, c] = v.shape;
  const [, s1, s2] = v.strides;
  if ((c === 1 || s2 === 1) && (r === 1 || s1 >= c)) return { trans: false, ld: r === 1 ? c : s1 };
  if ((r === 1 || s1 === 1) && (c === 1 || s2 >= r)) return { trans: true, ld: c === 1 ? r : s2 };
  return null;
}
