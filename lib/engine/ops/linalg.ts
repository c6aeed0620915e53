/**
 * Batched matrix multiplication with broadcasting over leading (batch) axes. Transposed operands
 * are strided views: the backend reads them in place, so `a.matmul(b.transpose(-1, -2))` copies
 * nothing. Backward: dA = dY·Bᵀ, dB = Aᵀ·dY, each summed back over broadcast batch axes.
 *
 * Legend: M rows of A, K shared dimension, N columns of B, batch… leading axes.
 *
 * @module
 */
import { numel, type View } from "../backend/backend.ts";
import { broadcastShapes, broadcastView, fail, fmtShape, type Op } from "./_op.ts";
import type { Packed } from "./_storage.ts";

/**
 * `v` broadcast to `(…batch, rows, cols)`: its strides (a size-1 matrix axis given the stride
 * that keeps the layout simple), and the one stride of the merged batch axes, or null when
 * the layout needs a copy (batch axes that do not merge, or neither matrix axis contiguous).
 */
function layout3d(v: View, batch: readonly number[]) {
  const rows = v.shape[v.shape.length - 2];
  const cols = v.shape[v.shape.length - 1];
  const full = broadcastView(v, [...batch, rows, cols]);
  const strides = [...full.strides];
  const nb = batch.length;
  // A size-1 matrix axis may carry any stride: give it the one that keeps the layout simple.
  if (cols === 1) strides[nb + 1] = 1;
  if (rows === 1) strides[nb] = 1;
  const big = [...Array(nb).keys()].filter((d) => batch[d] > 1);
  let batchStride: number | null = big.length === 0 ? 0 : strides[big[big.length - 1]];
  for (let i = 0; i + 1 < big.length; i++) {
    if (strides[big[i]] !== strides[big[i + 1]] * batch[big[i + 1]]) batchStride = null;
  }
  if (strides[nb + 1] !== 1 && strides[nb] !== 1) batchStride = null;
  return { full, strides, rows, cols, batchStride };
}

/**
 * `v` broadcast to `(…batch, rows, cols)` and seen as a 3-D `(B, rows, cols)` view, merging the
 * batch axes into one stride when the layout allows; otherwise a contiguous copy is made.
 */
function as3d(
  backend: Parameters<Op["forward"]>[0]["backend"],
  v: View,
  batch: readonly number[],
): { view: View; temp: Packed | null } {
  const { full, strides, rows, cols, batchStride } = layout3d(v, batch);
  const nb = batch.length;
  const batchCount = numel(batch);
  if (batchStride !== null) {
    return {
      view: {
        storage: v.storage,
        shape: [batchCount, rows, cols],
        strides: [batchStride, strides[nb], strides[nb + 1]],
        offset: v.offset,
      },
      temp: null,
    };
  }
  const storage = backend.cast({ ...full, strides }, v.storage.dtype);
  return {
    view: { storage, shape: [batchCount, rows, cols], strides: [rows * cols, cols, 1], offset: 0 },
    temp: { storage, temporary: true },
  };
}

/** `a @ b` for a (…, M, K) and b (…, K, N) → (…, M, N). */
export const matmul: Op = {
  name: "matmul",
  forward(ctx, [a, b]) {
    if (a.rank < 2 || b.rank < 2) {
      fail(
        "matmul",
        `expected operands of rank ≥ 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
      );
    }
    const [m, k] = a.shape.slice(-2);
    const [k2, n] = b.shape.slice(-2);
    if (k !== k2) {
      fail("matmul", `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
    }
    const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
    const a3 = as3d(ctx.backend, a.view, batch);
    const b3 = as3d(ctx.backend, b.view, batch);
    const storage = ctx.backend.matmul(a3.view, b3.view);
    for (const t of [a3.temp, b3.temp]) if (t) ctx.backend.free(t.storage);
    return { out: { storage, shape: [...batch, m, n] }, saved: undefined };
  },
  backward(_ctx, dy, [a, b]) {
    // dy feeds both products: where its layout needs a copy (e.g. heads re-split from a
    // transposed view), make it once here rather than once per product.
    const needsCopy = a.requiresGrad && b.requiresGrad &&
      layout3d(dy.view, dy.shape.slice(0, -2)).batchStride === null;
    const g = needsCopy ? dy.contiguous() : dy;
    const grads = [
      a.requiresGrad ? g.matmul(b.transpose(-1, -2)).sumTo(a.shape) : null,
      b.requiresGrad ? a.transpose(-1, -2).matmul(g).sumTo(b.shape) : null,
    ];
    if (g !== dy) g.dispose();
    return grads;
  },
};
