/**
 * Shape ops. `permute`, `narrow` and `expand` return views that share the input's storage (no
 * copy); `reshape` is a view when the input is contiguous and a copy otherwise; `contiguous`
 * and `concat` copy. Backward maps each view back: inverse permutation, zero-padding, summing
 * over broadcast axes.
 *
 * @module
 */
import { contiguousStrides, isContiguous, numel } from "../backend/backend.ts";
import { broadcastView, fail, fmtShape, normAxis, type Op } from "./_op.ts";

/** Same elements, new shape (−1 infers one dimension). */
export const reshape: Op<{ shape: readonly number[] }> = {
  name: "reshape",
  forward(ctx, [x], { shape }) {
    if (numel(shape) !== x.size) {
      fail(
        "reshape",
        `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`,
      );
    }
    const v = x.view;
    if (isContiguous(v)) {
      return {
        out: {
          view: { storage: v.storage, shape, strides: contiguousStrides(shape), offset: v.offset },
        },
        saved: undefined,
      };
    }
    return {
      out: { storage: ctx.backend.cast(v, x.dtype), shape, dtype: x.dtype },
      saved: undefined,
    };
  },
  backward(_ctx, dy, [x]) {
    return [dy.reshape(x.shape)];
  },
};

/** Reorders axes: output axis i is input axis `dims[i]`; a view. */
export const permute: Op<{ dims: readonly number[] }> = {
  name: "permute",
  forward(_ctx, [x], { dims }) {
    const v = x.view;
    if (dims.length !== x.rank || new Set(dims).size !== dims.length) {
      fail("permute", `dims ${fmtShape(dims)} are not a permutation of ${x.rank} axes`);
    }
    const shape = dims.map((d) => v.shape[normAxis("permute", d, x.rank)]);
    const strides = dims.map((d) => v.strides[normAxis("permute", d, x.rank)]);
    return {
      out: { view: { storage: v.storage, shape, strides, offset: v.offset } },
      saved: undefined,
    };
  },
  backward(_ctx, dy, _inputs, _out, { dims }) {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[(d + dims.length) % dims.length] = i));
    return [dy.permute(inverse)];
  },
};

/** Elements `start … start+length−1` along `axis`; a view. */
export const narrow: Op<{ axis: number; start: number; length: number }> = {
  name: "narrow",
  forward(_ctx, [x], { axis, start, length }) {
    const a = normAxis("narrow", axis, x.rank);
    if (start < 0 || length < 0 || start + length > x.shape[a]) {
      fail(
        "narrow",
        `range [${start}, ${start + length}) out of bounds for axis ${a} of ${fmtShape(x.shape)}`,
      );
    }
    const v = x.view;
    const shape = [...v.shape];
    shape[a] = length;
    return {
      out: {
        view: {
          storage: v.storage,
          shape,
          strides: v.strides,
          offset: v.offset + start * v.strides[a],
        },
      },
      saved: undefined,
    };
  },
  backward(ctx, dy, [x], _out, { axis, start, length }) {
    // Zero-pad: write dy into its window of a zero tensor of the input's shape.
    const a = normAxis("narrow", axis, x.rank);
    const dx = ctx.wrap(ctx.backend.full(x.size, 0, "f32"), x.shape);
    const strides = contiguousStrides(x.shape);
    const window = {
      storage: dx.view.storage,
      shape: dy.shape,
      strides,
      offset: start * strides[a],
    };
    if (length > 0) ctx.backend.copy(dy.view, window);
    return [dx];
  },
};

/** Broadcasts size-1 (or missing leading) axes to `shape`; a view with 0 strides. */
export const expand: Op<{ shape: readonly number[] }> = {
  name: "expand",
  forward(_ctx, [x], { shape }) {
    const shift = shape.length - x.rank;
    if (shift < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[i + shift])) {
      fail("expand", `cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    }
    return { out: { view: broadcastView(x.view, shape) }, saved: undefined };
  },
  backward(_ctx, dy, [x]) {
    return [dy.sumTo(x.shape)];
  },
};

/** A contiguous copy (identity gradient). */
export const contiguous: Op = {
  name: "contiguous",
  forward(ctx, [x]) {
    return {
      out: { storage: ctx.backend.cast(x.view, x.dtype), shape: x.shape, dtype: x.dtype },
      saved: undefined,
    };
  },
  backward(_ctx, dy) {
    return [dy];
  },
};

/** Joins tensors along `axis`; backward slices the gradient back. */
export const concat: Op<{ axis: number }> = {
  name: "concat",
  forward(ctx, inputs, { axis }) {
    const first = inputs[0];
    const a = normAxis("concat", axis, first.rank);
    for (const t of inputs) {
      if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
        fail(
          "concat",
          `shapes ${inputs.map((u) => fmtShape(u.shape)).join(", ")} differ off axis ${a}`,
        );
      }
    }
    const shape = [...first.shape];
    shape[a] = inputs.reduce((s, t) => s + t.shape[a], 0);
    const storage = ctx.backend.full(numel(shape), 0, first.dtype);
    const strides = contiguousStrides(shape);
    let start = 0;
    for (const t of inputs) {
      if (t.size > 0) {
        ctx.backend.copy(t.view, { storage, shape: t.shape, strides, offset: start * strides[a] });
      }
      start += t.shape[a];
    }
    return { out: { storage, shape, dtype: first.dtype }, saved: undefined };
  },
  backward(_ctx, dy, inputs, _out, { axis }) {
    let start = 0;
    return inputs.map((t) => {
      const a = normAxis("concat", axis, t.rank);
      const g = t.requiresGrad ? dy.narrow(a, start, t.shape[a]) : null;
      start += t.shape[a];
      return g;
    });
  },
};
