/**
 * Elementwise ops with NumPy broadcasting: unary maths and activations, binary arithmetic,
 * comparisons and `where`. Each op's backward sits next to its forward and names what it saves.
 * Broadcast inputs get their gradient summed back to their own shape (`sumTo`).
 *
 * @module
 */
import type { BinaryOp, UnaryOp } from "../backend/backend.ts";
import type { Tensor } from "../tensor.ts";
import { broadcastShapes, broadcastView, type Op } from "./_op.ts";

/** An elementwise unary op whose backward is `dOut ↦ grad(dOut, x, out)`. */
function unary(
  name: UnaryOp,
  grad: ((dOut: Tensor, x: Tensor, out: Tensor) => Tensor) | null,
): Op {
  return {
    name,
    forward(ctx, [x]) {
      return {
        out: { storage: ctx.backend.unary(name, x.view), shape: x.shape },
        saved: undefined,
      };
    },
    backward(_ctx, dOut, [x], out) {
      return [grad === null ? null : grad(dOut, x, out)];
    },
  };
}

/** −x; d/dx = −1. */
export const neg: Op = unary("neg", (dy) => dy.neg());
/** eˣ; d/dx = eˣ (reuses the output). */
export const exp: Op = unary("exp", (dy, _x, y) => dy.mul(y));
/** ln x; d/dx = 1/x. */
export const log: Op = unary("log", (dy, x) => dy.div(x));
/** √x; d/dx = 1/(2√x) (reuses the output). */
export const sqrt: Op = unary("sqrt", (dy, _x, y) => dy.div(y.mul(2)));
/** 1/√x; d/dx = −½·x^(−3/2) = −½·y³. */
export const rsqrt: Op = unary("rsqrt", (dy, _x, y) => dy.mul(y.mul(y).mul(y)).mul(-0.5));
/** |x|; d/dx = sign(x) (0 at 0). */
export const abs: Op = unary("abs", (dy, x) => dy.mul(x.sign()));
/** sign(x); not differentiable (gradient 0 almost everywhere). */
export const sign: Op = unary("sign", null);
/** 1/x; d/dx = −1/x² = −y². */
export const recip: Op = unary("recip", (dy, _x, y) => dy.mul(y.mul(y)).neg());
/** tanh x; d/dx = 1 − y². */
export const tanh: Op = unary("tanh", (dy, _x, y) => dy.mul(y.mul(y).neg().add(1)));
/** σ(x); d/dx = y·(1 − y). */
export const sigmoid: Op = unary("sigmoid", (dy, _x, y) => dy.mul(y.mul(y.neg().add(1))));
/** max(x, 0); d/dx = 1[x > 0] (0 at 0, as PyTorch). */
export const relu: Op = unary("relu", (dy, x) => dy.mul(x.gt(0)));
/** GELU (tanh approximation); backward by the fused `gelu_grad` kernel. */
export const gelu: Op = unary("gelu", (dy, x) => x.binaryRaw("gelu_grad", dy));
/** SiLU x·σ(x); backward by the fused `silu_grad` kernel. */
export const silu: Op = unary("silu", (dy, x) => x.binaryRaw("silu_grad", dy));

/** A broadcasting binary op; `grad` returns the gradients at the broadcast shape. */
function binary(
  name: BinaryOp,
  grad:
    | ((dOut: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null])
    | null,
): Op {
  return {
    name,
    forward(ctx, [a, b]) {
      const shape = broadcastShapes(name, a.shape, b.shape);
      const storage = ctx.backend.binary(
        name,
        broadcastView(a.view, shape),
        broadcastView(b.view, shape),
      );
      return { out: { storage, shape }, saved: undefined };
    },
    backward(_ctx, dOut, [a, b], out) {
      if (grad === null) return [null, null];
      const [da, db] = grad(dOut, a, b, out);
      return [da?.sumTo(a.shape) ?? null, db?.sumTo(b.shape) ?? null];
    },
  };
}

/** a + b; ∂/∂a = ∂/∂b = 1. */
export const add: Op = binary("add", (dy) => [dy, dy]);
/** a − b; ∂/∂a = 1, ∂/∂b = −1. */
export const sub: Op = binary("sub", (dy) => [dy, dy.neg()]);
/** a·b; ∂/∂a = b, ∂/∂b = a. */
export const mul: Op = binary("mul", (dy, a, b) => [dy.mul(b), dy.mul(a)]);
/** a/b; ∂/∂a = 1/b, ∂/∂b = −a/b² = −out/b. */
export const div: Op = binary("div", (dy, _a, b, y) => [dy.div(b), dy.mul(y).div(b).neg()]);
/** aᵇ; ∂/∂a = b·a^(b−1), ∂/∂b = out·ln a (only where a > 0). */
export const pow: Op = binary("pow", (dy, a, b, y) => [
  dy.mul(b).mul(a.pow(b.sub(1))),
  b.requiresGrad ? dy.mul(y).mul(a.gt(0).where(a, 1).log()) : null,
]);
/** max(a, b); the gradient goes to `a` where a ≥ b, else to `b`. */
export const maximum: Op = binary("maximum", (dy, a, b) => {
  const pickA = a.ge(b);
  return [dy.mul(pickA), dy.mul(pickA.neg().add(1))];
});
/** min(a, b); the gradient goes to `a` where a ≤ b, else to `b`. */
export const minimum: Op = binary("minimum", (dy, a, b) => {
  const pickA = a.le(b);
  return [dy.mul(pickA), dy.mul(pickA.neg().add(1))];
});

/** Comparisons: 1.0 where true, else 0.0; not differentiable. */
export const comparisons: Record<"lt" | "le" | "gt" | "ge" | "eq" | "ne", Op> = {
  lt: binary("lt", null),
  le: binary("le", null),
  gt: binary("gt", null),
  ge: binary("ge", null),
  eq: binary("eq", null),
  ne: binary("ne", null),
};

/** A fused backward kernel used as a plain (non-differentiable) binary op. */
export function rawBinary(name: BinaryOp): Op {
  return binary(name, null);
}

/** cond ? a : b (cond ≠ 0), broadcasting all three; the gradient follows the branch taken. */
export const where: Op = {
  name: "where",
  forward(ctx, [cond, a, b]) {
    const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, a.shape), b.shape);
    const storage = ctx.backend.where(
      broadcastView(cond.view, shape),
      broadcastView(a.view, shape),
      broadcastView(b.view, shape),
    );
    return { out: { storage, shape }, saved: undefined };
  },
  backward(_ctx, dy, [cond, a, b]) {
    return [
      null,
      a.requiresGrad ? cond.where(dy, 0).sumTo(a.shape) : null,
      b.requiresGrad ? cond.where(0, dy).sumTo(b.shape) : null,
    ];
  },
};
