/**
 * The methods of a {@linkcode Tensor}, one per op: each applies a differentiable op from
 * `lib/engine/ops/` (forward and backward live there) or composes a few such methods. They are
 * the abstract base of `Tensor` (`tensor.ts`), which implements `applyOp`: check the inputs, run
 * the op's forward pass and record it in the autograd graph.
 *
 * @module
 */
import {
  type BinaryOp,
  type DType,
  isContiguous,
  type SampleParams,
  type View,
} from "./backend/backend.ts";
import { fail, fmtShape, normAxis, type Op, type Saved } from "./ops/_op.ts";
import * as ew from "./ops/elementwise.ts";
import * as shapeOps from "./ops/shape.ts";
import * as red from "./ops/reduce.ts";
import { matmul as matmulOp } from "./ops/linalg.ts";
import * as nnOps from "./ops/nn.ts";
import * as sampling from "./ops/sampling.ts";
import type { Tensor } from "./tensor.ts";

function checkF32(op: string, t: TensorMethods): void {
  if (t.dtype !== "f32") fail(op, `expected an f32 tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
}

/**
 * @internal The op methods of {@linkcode Tensor}, which extends this class (use `Tensor`). A
 * method whose `this` is typed `Tensor` composes other methods on it.
 */
export abstract class TensorMethods {
  /** Logical shape. */
  abstract readonly shape: readonly number[];
  /** Element type. */
  abstract readonly dtype: DType;
  /** Number of elements. */
  abstract get size(): number;
  /** Number of axes. */
  abstract get rank(): number;
  /** The strided view the kernels read. */
  abstract get view(): View;

  /** Applies `op` to this tensor followed by `others` and records it for backward. */
  protected abstract applyOp<A, S extends Saved>(
    op: Op<A, S>,
    others: readonly Tensor[],
    attrs: A,
  ): Tensor;

  /** `other`, or a number as a broadcast constant; fails under `op`'s name if this is disposed. */
  protected abstract operand(op: string, other: Tensor | number): Tensor;

  #unary(op: Op): Tensor {
    checkF32(op.name, this);
    return this.applyOp(op, [], undefined);
  }

  #binary(op: Op, other: Tensor | number): Tensor {
    const b = this.operand(op.name, other);
    checkF32(op.name, this);
    checkF32(op.name, b);
    return this.applyOp(op, [b], undefined);
  }

  // ---- elementwise -----------------------------------------------------------------------------

  /** Elementwise `this + other` (broadcasting). */
  add(other: Tensor | number): Tensor {
    return this.#binary(ew.add, other);
  }
  /** Elementwise `this − other`. */
  sub(other: Tensor | number): Tensor {
    return this.#binary(ew.sub, other);
  }
  /** Elementwise `this · other`. */
  mul(other: Tensor | number): Tensor {
    return this.#binary(ew.mul, other);
  }
  /** Elementwise `this / other`. */
  div(other: Tensor | number): Tensor {
    return this.#binary(ew.div, other);
  }
  /** Elementwise `this ^ other`. */
  pow(other: Tensor | number): Tensor {
    return this.#binary(ew.pow, other);
  }
  /** Elementwise maximum. */
  maximum(other: Tensor | number): Tensor {
    return this.#binary(ew.maximum, other);
  }
  /** Elementwise minimum. */
  minimum(other: Tensor | number): Tensor {
    return this.#binary(ew.minimum, other);
  }
  /** `this < other` as 1/0. */
  lt(other: Tensor | number): Tensor {
    return this.#binary(ew.comparisons.lt, other);
  }
  /** `this ≤ other` as 1/0. */
  le(other: Tensor | number): Tensor {
    return this.#binary(ew.comparisons.le, other);
  }
  /** `this > other` as 1/0. */
  gt(other: Tensor | number): Tensor {
    return this.#binary(ew.comparisons.gt, other);
  }
  /** `this ≥ other` as 1/0. */
  ge(other: Tensor | number): Tensor {
    return this.#binary(ew.comparisons.ge, other);
  }
  /** `this = other` as 1/0. */
  eq(other: Tensor | number): Tensor {
    return this.#binary(ew.comparisons.eq, other);
  }
  /** `this ≠ other` as 1/0. */
  ne(other: Tensor | number): Tensor {
    return this.#binary(ew.comparisons.ne, other);
  }
  /** @internal A fused backward kernel such as `gelu_grad(this, dy)` (not differentiable). */
  binaryRaw(op: BinaryOp, other: Tensor): Tensor {
    return this.#binary(ew.rawBinary(op), other);
  }
  /** `this ≠ 0 ? a : b`, elementwise with broadcasting (this is the condition). */
  where(a: Tensor | number, b: Tensor | number): Tensor {
    const ta = this.operand("where", a);
    const tb = this.operand("where", b);
    return this.applyOp(ew.where, [ta, tb], undefined);
  }
  /** −x. */
  neg(): Tensor {
    return this.#unary(ew.neg);
  }
  /** eˣ. */
  exp(): Tensor {
    return this.#unary(ew.exp);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return this.#unary(ew.log);
  }
  /** √x. */
  sqrt(): Tensor {
    return this.#unary(ew.sqrt);
  }
  /** 1/√x. */
  rsqrt(): Tensor {
    return this.#unary(ew.rsqrt);
  }
  /** |x|. */
  abs(): Tensor {
    return this.#unary(ew.abs);
  }
  /** sign(x) ∈ {−1, 0, 1}. */
  sign(): Tensor {
    return this.#unary(ew.sign);
  }
  /** 1/x. */
  recip(): Tensor {
    return this.#unary(ew.recip);
  }
  /** x². */
  square(this: Tensor): Tensor {
    return this.mul(this);
  }
  /** tanh x. */
  tanh(): Tensor {
    return this.#unary(ew.tanh);
  }
  /** Logistic sigmoid. */
  sigmoid(): Tensor {
    return this.#unary(ew.sigmoid);
  }
  /** max(x, 0). */
  relu(): Tensor {
    return this.#unary(ew.relu);
  }
  /** GELU, tanh approximation (GPT-2). */
  gelu(): Tensor {
    return this.#unary(ew.gelu);
  }
  /** SiLU x·σ(x). */
  silu(): Tensor {
    return this.#unary(ew.silu);
  }

  // ---- reductions ------------------------------------------------------------------------------

  /** Σ over `axes` (all when omitted). */
  sum(axes: readonly number[] = [], keepdim = false): Tensor {
    checkF32("sum", this);
    return this.applyOp(red.sum, [], { axes, keepdim });
  }
  /** Mean over `axes` (all when omitted). */
  mean(axes: readonly number[] = [], keepdim = false): Tensor {
    const reduced = red.reduceAxes("mean", axes, this.rank);
    const count = reduced.reduce((p, a) => p * this.shape[a], 1);
    return this.sum(axes, keepdim).div(count);
  }
  /** Maximum over `axes` (all when omitted). */
  max(axes: readonly number[] = [], keepdim = false): Tensor {
    checkF32("max", this);
    return this.applyOp(red.max, [], { axes, keepdim });
  }
  /** log Σ exp over `axes`, computed stably as `m + log Σ exp(x − m)` with m the max. */
  logsumexp(this: Tensor, axes: readonly number[] = [], keepdim = false): Tensor {
    const m = this.detach().max(axes, true);
    const out = this.sub(m).exp().sum(axes, true).log().add(m);
    return keepdim ? out : out.reshape(
      red.reducedShape(this.shape, red.reduceAxes("logsumexp", axes, this.rank), false),
    );
  }
  /** Sums broadcast axes away so the result has `shape` (the adjoint of `expand`). */
  sumTo(this: Tensor, shape: readonly number[]): Tensor {
    if (this.shape.length === shape.length && this.shape.every((d, i) => d === shape[i])) {
      return this;
    }
    const shift = this.rank - shape.length;
    const axes: number[] = [];
    for (let d = 0; d < this.rank; d++) {
      if (d < shift || (shape[d - shift] === 1 && this.shape[d] !== 1)) axes.push(d);
    }
    return this.sum(axes, true).reshape(shape);
  }

  // ---- shape -----------------------------------------------------------------------------------

  /** Same elements in a new shape (one −1 is inferred); a view when contiguous. */
  reshape(shape: readonly number[]): Tensor {
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const resolved = shape.map((d) => (d === -1 ? this.size / known : d));
    return this.applyOp(shapeOps.reshape, [], { shape: resolved });
  }
  /** Reorders axes; a view. */
  permute(dims: readonly number[]): Tensor {
    return this.applyOp(shapeOps.permute, [], {
      dims: dims.map((d) => normAxis("permute", d, this.rank)),
    });
  }
  /** Swaps two axes; a view. */
  transpose(a: number, b: number): Tensor {
    const dims = [...Array(this.rank).keys()];
    const i = normAxis("transpose", a, this.rank);
    const j = normAxis("transpose", b, this.rank);
    [dims[i], dims[j]] = [dims[j], dims[i]];
    return this.permute(dims);
  }
  /** `length` elements from `start` along `axis`; a view. */
  narrow(axis: number, start: number, length: number): Tensor {
    return this.applyOp(shapeOps.narrow, [], { axis, start, length });
  }
  /** Broadcasts to `shape`; a view with 0 strides. */
  expand(shape: readonly number[]): Tensor {
    return this.applyOp(shapeOps.expand, [], { shape });
  }
  /** Concatenates `this` and `others` along `axis` (see {@linkcode concat}). */
  cat(others: readonly Tensor[], axis = 0): Tensor {
    return this.applyOp(shapeOps.concat, others, { axis });
  }
  /** Inserts a size-1 axis at `axis`. */
  unsqueeze(axis: number): Tensor {
    const a = axis < 0 ? axis + this.rank + 1 : axis;
    return this.reshape([...this.shape.slice(0, a), 1, ...this.shape.slice(a)]);
  }
  /** A contiguous copy, or `this` when already contiguous. */
  contiguous(this: Tensor): Tensor {
    return isContiguous(this.view) ? this : this.applyOp(shapeOps.contiguous, [], undefined);
  }

  // ---- linear algebra and nn -------------------------------------------------------------------

  /** Batched matrix product (…, M, K) @ (…, K, N) → (…, M, N). */
  matmul(other: Tensor): Tensor {
    checkF32("matmul", this);
    checkF32("matmul", other);
    return this.applyOp(matmulOp, [other], undefined);
  }
  /** Softmax along the last axis (fused kernel; composite backward). */
  softmax(): Tensor {
    checkF32("softmax", this);
    return this.applyOp(nnOps.softmax, [], undefined);
  }
  /** log-softmax along the last axis, `x − logsumexp(x)`. */
  logSoftmax(this: Tensor): Tensor {
    return this.sub(this.logsumexp([-1], true));
  }
  /** Per-row negative log-likelihood of i32 `targets` under these logits (…, V) → (…); fused. */
  crossEntropy(targets: Tensor): Tensor {
    checkF32("crossEntropy", this);
    return this.applyOp(nnOps.crossEntropy, [targets], undefined);
  }
  /** Layer norm over the last axis with γ, β of that size; fused forward and dx. */
  layerNorm(gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
    checkF32("layerNorm", this);
    return this.applyOp(nnOps.layerNorm, [gamma, beta], { eps });
  }
  /** Rows of this (V, C) table at i32 `ids` (…) → (…, C). */
  embedding(ids: Tensor): Tensor {
    return this.applyOp(nnOps.embedding, [ids], undefined);
  }
  /** `out[…, j] = this[…, idx[…, j]]` with i32 `idx` (…, K). */
  gatherLast(idx: Tensor): Tensor {
    return this.applyOp(nnOps.gatherLast, [idx], undefined);
  }

  // ---- not differentiable ----------------------------------------------------------------------

  /** Converts to `dtype`. */
  cast(this: Tensor, dtype: DType): Tensor {
    return dtype === this.dtype ? this : this.applyOp(sampling.cast, [], { dtype });
  }
  /** i32 index of the maximum along the last axis. */
  argmax(): Tensor {
    return this.applyOp(sampling.argmax, [], undefined);
  }
  /** One i32 draw per row from softmax(this / temperature) over the top-k. */
  multinomial(params: SampleParams): Tensor {
    return this.applyOp(sampling.multinomial, [], params);
  }
}
