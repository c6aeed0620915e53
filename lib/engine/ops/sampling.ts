/**
 * Ops without gradients: dtype casts, argmax and multinomial sampling on the device. Sampled ids
 * stay where they were drawn (on the GPU for `webgpu`), so generation needs no readback per
 * token.
 *
 * Legend: R rows (all leading axes flattened), V vocabulary (last axis).
 *
 * @module
 */
import type { DType, SampleParams } from "../backend/backend.ts";
import type { Op } from "./_op.ts";
import { packed, release } from "./_storage.ts";

/** Converts to another dtype (f32 → i32 truncates toward zero). */
export const cast: Op<{ dtype: DType }> = {
  name: "cast",
  forward(ctx, [x], { dtype }) {
    return {
      out: { storage: ctx.backend.cast(x.view, dtype), shape: x.shape, dtype },
      saved: undefined,
    };
  },
  backward() {
    return [null];
  },
};

/** Index of the largest element along the last axis: (…, V) → i32 (…). */
export const argmax: Op = {
  name: "argmax",
  forward(ctx, [x]) {
    const cols = x.shape[x.rank - 1];
    const src = packed(ctx.backend, x.view);
    const storage = ctx.backend.argmax(src.storage, x.size / cols, cols);
    release(ctx.backend, src);
    return { out: { storage, shape: x.shape.slice(0, -1), dtype: "i32" }, saved: undefined };
  },
  backward() {
    return [null];
  },
};

/** One draw per row from softmax(logits / temperature) over the top-k: (…, V) → i32 (…). */
export const multinomial: Op<SampleParams> = {
  name: "multinomial",
  forward(ctx, [logits], params) {
    const cols = logits.shape[logits.rank - 1];
    const src = packed(ctx.backend, logits.view);
    const storage = ctx.backend.multinomial(src.storage, logits.size / cols, cols, params);
    release(ctx.backend, src);
    return { out: { storage, shape: logits.shape.slice(0, -1), dtype: "i32" }, saved: undefined };
  },
  backward() {
    return [null];
  },
};
