/**
 * Fused neural-network ops, each with a kernel per direction: softmax (composite backward),
 * cross-entropy (fused forward and backward), layer norm (fused forward, fused dx), embedding
 * lookup (backward: deterministic scatter-add) and gather along the last axis (log-probs of
 * chosen tokens). Each fused op has a test that it equals its composite.
 *
 * Legend: R rows (all leading axes flattened), C columns (last axis), V vocabulary.
 *
 * @module
 */

import type { Tensor } from "../tensor.ts";
import { checkedIndex, fail, fmtShape, type Op } from "./_op.ts";
import { packed, release } from "./_storage.ts";

function rowsOf(t: Tensor): { rows: number; cols: number } {
  const cols = t.shape[t.rank - 1] ?? 1;
  return { rows: cols === 0 ? 0 : t.size / cols, cols };
}

/** softmax over the last axis; backward `y·(dy − Σ dy·y)`. */
export const softmax: Op = {
  name: "softmax",
  forward(ctx, [x]) {
    const { rows, cols } = rowsOf(x);
    const src = packed(ctx.backend, x.view);
    const storage = ctx.backend.softmax(src.storage, rows, cols);
    release(ctx.backend, src);
    return { out: { storage, shape: x.shape }, saved: undefined };
  },
  backward(_ctx, dy, _inputs, y) {
    const dyy = dy.mul(y);
    return [dyy.sub(y.mul(dyy.sum([-1], true)))];
  },
};

/** Per-row negative log-likelihood `logsumexp(x) − x[target]` (R, V) × i32 (R) → (R). */
export const crossEntropy: Op<undefined, { lse: Tensor }> = {
  name: "crossEntropy",
  forward(ctx, [logits, targets]) {
    const { rows, cols } = rowsOf(logits);
    if (targets.dtype !== "i32" || targets.size !== rows) {
      fail(
        "crossEntropy",
        `expected i32 targets of ${rows} elements for logits ${
          fmtShape(logits.shape)
        }, got ${targets.dtype} ${fmtShape(targets.shape)}`,
      );
    }
    const x = packed(ctx.backend, logits.view);
    const t = packed(ctx.backend, targets.view);
    let result;
    try {
      result = checkedIndex(
        "crossEntropy",
        `logits ${fmtShape(logits.shape)}, targets ${fmtShape(targets.shape)}`,
        () => ctx.backend.crossEntropy(x.storage, t.storage, rows, cols),
      );
    } finally {
      release(ctx.backend, x, t);
    }
    const { nll, lse } = result;
    return {
      out: { storage: nll, shape: logits.shape.slice(0, -1) },
      saved: { lse: ctx.wrap(lse, [rows]) },
    };
  },
  backward(ctx, dNll, [logits, targets], _out, _attrs, { lse }) {
    const { rows, cols } = rowsOf(logits);
    const x = packed(ctx.backend, logits.view);
    const t = packed(ctx.backend, targets.view);
    const g = packed(ctx.backend, dNll.view);
    const dx = ctx.backend.crossEntropyBackward(
      x.storage,
      lse.view.storage,
      t.storage,
      g.storage,
      rows,
      cols,
    );
    release(ctx.backend, x, t, g);
    return [ctx.wrap(dx, logits.shape), null];
  },
};

/** Layer norm over the last axis with affine γ, β (Ba et al., arXiv 1607.06450). */
export const layerNorm: Op<{ eps: number }, { mean: Tensor; rstd: Tensor }> = {
  name: "layerNorm",
  forward(ctx, [x, gamma, beta], { eps }) {
    const { rows, cols } = rowsOf(x);
    if (gamma.size !== cols || beta.size !== cols) {
      fail(
        "layerNorm",
        `γ ${fmtShape(gamma.shape)} and β ${
          fmtShape(beta.shape)
        } must have ${cols} elements for input ${fmtShape(x.shape)}`,
      );
    }
    const xs = packed(ctx.backend, x.view);
    const gs = packed(ctx.backend, gamma.view);
    const bs = packed(ctx.backend, beta.view);
    const { y, mean, rstd } = ctx.backend.layerNorm(
      xs.storage,
      gs.storage,
      bs.storage,
      rows,
      cols,
      eps,
    );
    release(ctx.backend, xs, gs, bs);
    return {
      out: { storage: y, shape: x.shape },
      saved: { mean: ctx.wrap(mean, [rows, 1]), rstd: ctx.wrap(rstd, [rows, 1]) },
    };
  },
  backward(ctx, dy, [x, gamma, beta], _out, _attrs, { mean, rstd }) {
    const { rows, cols } = rowsOf(x);
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const xs = packed(ctx.backend, x.view);
      const gs = packed(ctx.backend, gamma.view);
      const ds = packed(ctx.backend, dy.view);
      const s = ctx.backend.layerNormBackward(
        xs.storage,
        gs.storage,
        mean.view.storage,
        rstd.view.storage,
        ds.storage,
        rows,
        cols,
      );
      release(ctx.backend, xs, gs, ds);
      dx = ctx.wrap(s, x.shape);
    }
    const dy2 = dy.reshape([rows, cols]);
    // dγ = Σ_rows dy·x̂ with x̂ = (x − μ)·rstd; dβ = Σ_rows dy.
    const dGamma = gamma.requiresGrad
      ? dy2.mul(x.reshape([rows, cols]).sub(mean).mul(rstd)).sum([0]).reshape(gamma.shape)
      : null;
    const dBeta = beta.requiresGrad ? dy2.sum([0]).reshape(beta.shape) : null;
    return [dx, dGamma, dBeta];
  },
};

/** Row lookup `table[ids]`: (V, C) × i32 (…) → (…, C); backward scatter-adds into (V, C). */
export const embedding: Op = {
  name: "embedding",
  forward(ctx, [table, ids]) {
    if (table.rank !== 2 || ids.dtype !== "i32") {
      fail(
        "embedding",
        `expected a (V, C) table and i32 ids, got ${fmtShape(table.shape)} and ${ids.dtype} ${
          fmtShape(ids.shape)
        }`,
      );
    }
    const [vocab, cols] = table.shape;
    const t = packed(ctx.backend, table.view);
    const i = packed(ctx.backend, ids.view);
    let storage;
    try {
      storage = checkedIndex(
        "embedding",
        `table ${fmtShape(table.shape)}, ids ${fmtShape(ids.shape)}`,
        () => ctx.backend.gatherRows(t.storage, i.storage, vocab, cols),
      );
    } finally {
      release(ctx.backend, t, i);
    }
    return { out: { storage, shape: [...ids.shape, cols] }, saved: undefined };
  },
  backward(ctx, dy, [table, ids]) {
    const [vocab, cols] = table.shape;
    const g = packed(ctx.backend, dy.view);
    const i = packed(ctx.backend, ids.view);
    const storage = ctx.backend.scatterAddRows(g.storage, i.storage, vocab, cols);
    release(ctx.backend, g, i);
    return [ctx.wrap(storage, table.shape), null];
  },
};

/** `out[…, j] = x[…, idx[…, j]]`: (…, C) × i32 (…, K) → (…, K); backward scatters back. */
export const gatherLast: Op = {
  name: "gatherLast",
  forward(ctx, [x, idx]) {
    const { rows, cols } = rowsOf(x);
    const k = idx.shape[idx.rank - 1] ?? 1;
    const sameLead = idx.rank === x.rank &&
      idx.shape.slice(0, -1).every((d, i) => d === x.shape[i]);
    if (idx.dtype !== "i32" || !sameLead) {
      fail(
        "gatherLast",
        `expected i32 indices shaped like ${
          fmtShape(x.shape)
        } but for the last axis, got ${idx.dtype} ${fmtShape(idx.shape)}`,
      );
    }
    const xs = packed(ctx.backend, x.view);
    const is = packed(ctx.backend, idx.view);
    let storage;
    try {
      storage = checkedIndex(
        "gatherLast",
        `x ${fmtShape(x.shape)}, indices ${fmtShape(idx.shape)}`,
        () => ctx.backend.gatherLast(xs.storage, is.storage, rows, cols, k),
      );
    } finally {
      release(ctx.backend, xs, is);
    }
    return { out: { storage, shape: idx.shape }, saved: undefined };
  },
  backward(ctx, dy, [x, idx]) {
    const { rows, cols } = rowsOf(x);
    const k = idx.shape[idx.rank - 1] ?? 1;
    const g = packed(ctx.backend, dy.view);
    const is = packed(ctx.backend, idx.view);
    const storage = ctx.backend.scatterLast(g.storage, is.storage, rows, cols, k);
    release(ctx.backend, g, is);
    return [ctx.wrap(storage, x.shape), null];
  },
};
