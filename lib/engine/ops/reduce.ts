/**
 * Reductions over any set of axes: `sum` and `max` (mean and logsumexp are composed from them in
 * `tensor_methods.ts`). The kernel reduces the middle axis of an `(outer, size, inner)` array; axes that
 * are not adjacent are first permuted to the end.
 *
 * @module
 */
import type { ReduceOp } from "../backend/backend.ts";
import type { Tensor } from "../tensor.ts";
import { normAxis, type Op, type OpContext, type OpOutput } from "./_op.ts";
import { packed, release } from "./_storage.ts";

/** Attributes of a reduction: the axes reduced and whether they stay as size-1 axes. */
export interface ReduceAttrs {
  /** Axes to reduce (negative counts from the end); all axes when empty. */
  axes: readonly number[];
  /** Keep reduced axes with size 1. */
  keepdim: boolean;
}

/** Sorted, de-duplicated, non-negative axes (all axes when none are given). */
export function reduceAxes(op: string, axes: readonly number[], rank: number): number[] {
  if (axes.length === 0) return [...Array(rank).keys()];
  return [...new Set(axes.map((a) => normAxis(op, a, rank)))].sort((p, q) => p - q);
}

/** Output shape of a reduction, with or without the reduced axes as 1s. */
export function reducedShape(
  shape: readonly number[],
  axes: readonly number[],
  keepdim: boolean,
): number[] {
  return keepdim
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
}

function reduceForward(ctx: OpContext, op: ReduceOp, x: Tensor, attrs: ReduceAttrs): OpOutput {
  const axes = reduceAxes(op, attrs.axes, x.rank);
  const shape = reducedShape(x.shape, axes, attrs.keepdim);
  const adjacent = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  let view = x.view;
  let outer: number, size: number, inner: number;
  const prod = (dims: number[]) => dims.reduce((p, d) => p * view.shape[d], 1);
  if (adjacent && axes.length > 0) {
    const all = [...Array(x.rank).keys()];
    outer = prod(all.slice(0, axes[0]));
    size = prod(axes);
    inner = prod(all.slice(axes[axes.length - 1] + 1));
  } else {
    // Move reduced axes last: (kept…, reduced…) → (outer, size, 1).
    const kept = [...Array(x.rank).keys()].filter((d) => !axes.includes(d));
    const order = [...kept, ...axes];
    view = {
      ...view,
      shape: order.map((d) => view.shape[d]),
      strides: order.map((d) => view.strides[d]),
    };
    outer = kept.reduce((p, d) => p * x.shape[d], 1);
    size = axes.reduce((p, d) => p * x.shape[d], 1);
    inner = 1;
  }
  const src = packed(ctx.backend, view);
  const storage = ctx.backend.reduce(op, src.storage, outer, size, inner);
  release(ctx.backend, src);
  return { storage, shape };
}

/** Σ over `axes`; backward broadcasts dOut back over the reduced axes. */
export const sum: Op<ReduceAttrs> = {
  name: "sum",
  forward(ctx, [x], attrs) {
    return { out: reduceForward(ctx, "sum", x, attrs), saved: undefined };
  },
  backward(_ctx, dy, [x], _out, attrs) {
    const axes = reduceAxes("sum", attrs.axes, x.rank);
    return [dy.reshape(reducedShape(x.shape, axes, true)).expand(x.shape)];
  },
};

/** max over `axes`; the gradient flows to every element equal to the maximum. */
export const max: Op<ReduceAttrs> = {
  name: "max",
  forward(ctx, [x], attrs) {
    return { out: reduceForward(ctx, "max", x, attrs), saved: undefined };
  },
  backward(_ctx, dy, [x], out, attrs) {
    const axes = reduceAxes("max", attrs.axes, x.rank);
    const keptShape = reducedShape(x.shape, axes, true);
    const isMax = x.eq(out.reshape(keptShape));
    return [dy.reshape(keptShape).mul(isMax)];
  },
};
