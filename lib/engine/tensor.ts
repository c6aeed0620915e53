/**
 * The tensor API: the top tier of the engine. A {@linkcode Tensor} is a strided view on a
 * backend storage plus the autograd record of the op that made it. Every method is one line
 * that applies a differentiable op from `lib/engine/ops/` (forward and backward live there); this file
 * holds what ties them together: the reverse-mode engine (`backward`), grad mode (`noGrad`),
 * lifetimes (`tidy`, `dispose`, `keep`), creation functions and the default backend.
 *
 * @module
 */
import {
  type Backend,
  type BinaryOp,
  contiguousStrides,
  type DType,
  isContiguous,
  numel,
  type SampleParams,
  type Storage,
  type View,
} from "./backend/backend.ts";
import { CpuBackend } from "./backend/cpu/cpu.ts";
import { mulberry32, normal } from "../util/rng.ts";
import { fail, fmtShape, normAxis, type Op, type OpContext } from "./ops/_op.ts";
import * as ew from "./ops/elementwise.ts";
import * as shapeOps from "./ops/shape.ts";
import * as red from "./ops/reduce.ts";
import { matmul as matmulOp } from "./ops/linalg.ts";
import * as nnOps from "./ops/nn.ts";
import * as sampling from "./ops/sampling.ts";

// ---- default backend ---------------------------------------------------------------------------

let defaultBackend: Backend | null = null;

/** The backend new tensors go to (a {@linkcode CpuBackend} unless one was set). */
export function getBackend(): Backend {
  defaultBackend ??= new CpuBackend();
  return defaultBackend;
}

/** Makes `backend` the default for new tensors. */
export function setBackend(backend: Backend): void {
  defaultBackend = backend;
}

/** Which backend to run on: `auto` takes WebGPU when an adapter exists, else the CPU. */
export type BackendKind = "auto" | "cpu" | "webgpu";

/**
 * Creates the backend of the given kind, makes it the default and returns it. With `auto`,
 * a missing WebGPU adapter falls back to the CPU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "./tensor.ts";
 * const backend = await initBackend("cpu");
 * assert.equal(backend.name, "cpu");
 * ```
 */
export async function initBackend(kind: BackendKind): Promise<Backend> {
  let backend: Backend;
  if (kind === "cpu") {
    backend = new CpuBackend();
  } else {
    const { WebGpuBackend } = await import("./backend/webgpu/backend.ts");
    try {
      backend = await WebGpuBackend.create();
    } catch (e) {
      if (kind === "webgpu") throw e;
      backend = new CpuBackend();
    }
  }
  setBackend(backend);
  return backend;
}

// ---- grad mode and scopes ----------------------------------------------------------------------

let gradEnabled = true;

/**
 * Runs `fn` without recording the autograd graph (inference, optimizer updates).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noGrad, tensor } from "./tensor.ts";
 * const w = tensor([1, 2]).requireGrad();
 * const y = noGrad(() => w.mul(2));
 * assert.equal(y.requiresGrad, false);
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** True while the graph is being recorded (outside {@linkcode noGrad}). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

const scopes: Set<Tensor>[] = [];

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) { for (const v of value) collectTensors(v, into); }
  else if (
    value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) collectTensors(v, into);
  }
}

/**
 * Runs a synchronous `fn` and disposes every tensor it created except those it returns (a
 * tensor, or arrays and plain objects of them) and those passed to {@linkcode keep}. Training
 * steps run inside `tidy` so that memory stays flat over thousands of steps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, tidy } from "./tensor.ts";
 * const x = tensor([1, 2, 3]);
 * let temp = x;
 * const y = tidy(() => { temp = x.mul(2); return temp.add(1); });
 * assert.equal(temp.disposed, true);
 * assert.deepEqual([...await y.toArray()], [3, 5, 7]);
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    fail("tidy", "expected a synchronous function, got one returning a Promise");
  }
  const kept = new Set<Tensor>();
  collectTensors(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Exempts `t` from every enclosing {@linkcode tidy}: it lives until `dispose()`. */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}

// ---- storage sharing ---------------------------------------------------------------------------

/** A storage shared by a tensor and its views; freed when the last one is disposed. */
class SharedStorage {
  refs = 1;
  constructor(readonly backend: Backend, readonly storage: Storage) {}
  release(): void {
    if (--this.refs === 0) this.backend.free(this.storage);
  }
}

/** The autograd record of the op that produced a tensor. */
interface Node {
  op: Op<unknown, unknown>;
  inputs: Tensor[];
  attrs: unknown;
  saved: unknown;
}

function disposeSaved(saved: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(saved, found);
  for (const t of found) t.dispose();
}

/** Scalars are broadcast constants; they are cached per backend and value. */
const constants = new WeakMap<Backend, Map<number, Tensor>>();
const MAX_CONSTANTS = 4096;

// ---- the tensor --------------------------------------------------------------------------------

/**
 * An n-dimensional array on a backend, with reverse-mode autograd. Create tensors with
 * {@linkcode tensor}, {@linkcode zeros}, {@linkcode randn} and friends; read them back with
 * `await t.toArray()` (the only readback).
 *
 * @example Gradient of a small expression
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "./tensor.ts";
 * const x = tensor([1, 2, 3]).requireGrad();
 * const y = x.mul(x).sum(); // Σ x²
 * y.backward();
 * assert.deepEqual([...await x.grad!.toArray()], [2, 4, 6]);
 * ```
 */
export class Tensor {
  #shared: SharedStorage | null;
  /** Logical shape. */
  readonly shape: readonly number[];
  /** Element strides (views may be non-contiguous or broadcast). */
  readonly strides: readonly number[];
  /** Element offset into the storage. */
  readonly offset: number;
  /** Element type. */
  readonly dtype: DType;
  /** Whether gradients flow to this tensor. */
  requiresGrad = false;
  /** Accumulated gradient (leaves with `requiresGrad` only), filled by `backward()`. */
  grad: Tensor | null = null;
  #node: Node | null = null;

  /** @internal Use the creation functions; the tensor takes one reference to `shared`. */
  constructor(
    shared: SharedStorage,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
    dtype: DType,
  ) {
    this.#shared = shared;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    scopes[scopes.length - 1]?.add(this);
  }

  /** Wraps a new, contiguous storage. */
  static fromStorage(backend: Backend, storage: Storage, shape: readonly number[]): Tensor {
    if (storage.size !== numel(shape)) {
      fail(
        "fromStorage",
        `storage of ${storage.size} elements cannot have shape ${fmtShape(shape)}`,
      );
    }
    return new Tensor(
      new SharedStorage(backend, storage),
      [...shape],
      contiguousStrides(shape),
      0,
      storage.dtype,
    );
  }

  /** The backend holding the data. */
  get backend(): Backend {
    return this.#alive("backend").backend;
  }
  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }
  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }
  /** True after `dispose()`. */
  get disposed(): boolean {
    return this.#shared === null;
  }
  /** The strided view the kernels read. */
  get view(): View {
    const shared = this.#alive("view");
    return {
      storage: shared.storage,
      shape: this.shape,
      strides: this.strides,
      offset: this.offset,
    };
  }

  #alive(op: string): SharedStorage {
    if (this.#shared === null) fail(op, `tensor ${fmtShape(this.shape)} was disposed`);
    return this.#shared;
  }

  /** Releases this tensor's reference to its storage (idempotent). */
  dispose(): void {
    if (this.#shared === null) return;
    this.#shared.release();
    this.#shared = null;
    if (this.#node !== null) disposeSaved(this.#node.saved);
    this.#node = null;
  }

  /** Marks this tensor as a leaf that receives gradients; returns `this`. */
  requireGrad(flag = true): this {
    if (flag && this.dtype !== "f32") {
      fail("requireGrad", `only f32 tensors take gradients, got ${this.dtype}`);
    }
    this.requiresGrad = flag;
    return this;
  }

  /** A tensor sharing this one's storage, cut from the graph (no gradient flows through it). */
  detach(): Tensor {
    const shared = this.#alive("detach");
    shared.refs++;
    return new Tensor(shared, this.shape, this.strides, this.offset, this.dtype);
  }

  /** Reads the elements back in row-major order (the only readback from the device). */
  async toArray(): Promise<Float32Array | Int32Array> {
    this.#alive("toArray");
    const t = noGrad(() => this.contiguous());
    const data = await this.backend.read(t.view.storage);
    const out = data.subarray(t.offset, t.offset + this.size);
    if (t !== this) t.dispose();
    return out;
  }

  /** The single element of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) fail("item", `expected one element, got shape ${fmtShape(this.shape)}`);
    return (await this.toArray())[0];
  }

  // ---- autograd --------------------------------------------------------------------------------

  /**
   * Back-propagates from this tensor: accumulates `d this / d leaf` into `leaf.grad` for every
   * leaf with `requiresGrad`. Without `grad` the tensor must have one element (seed 1).
   */
  backward(grad?: Tensor): void {
    this.#alive("backward");
    if (!this.requiresGrad) fail("backward", "tensor does not require grad");
    if (grad === undefined && this.size !== 1) {
      fail(
        "backward",
        `expected a scalar or an explicit gradient, got shape ${fmtShape(this.shape)}`,
      );
    }
    noGrad(() => {
      // Topological order of the graph that reaches this tensor.
      const order: Tensor[] = [];
      const seen = new Set<Tensor>();
      const visit = (t: Tensor) => {
        if (seen.has(t)) return;
        seen.add(t);
        if (t.disposed) {
          fail(
            "backward",
            `the graph reaches a disposed tensor ${
              fmtShape(t.shape)
            } (call backward() inside the tidy() that computed the loss)`,
          );
        }
        for (const input of t.#node?.inputs ?? []) if (input.requiresGrad) visit(input);
        order.push(t);
      };
      visit(this);
      const grads = new Map<Tensor, Tensor>();
      grads.set(
        this,
        grad !== undefined ? grad.detach() : this.#constant(1).expand(this.shape).detach(),
      );
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i];
        const g = grads.get(t);
        if (g === undefined) continue;
        grads.delete(t);
        const node = t.#node;
        if (node === null) {
          t.#accumulate(g);
          continue;
        }
        const ctx = t.#context();
        const inGrads = node.op.backward(ctx, g, node.inputs, t, node.attrs, node.saved);
        const handed = new Set<Tensor>();
        node.inputs.forEach((input, k) => {
          let gi = inGrads[k];
          if (!input.requiresGrad || gi === null || gi === undefined) return;
          // A gradient handed to two inputs (or equal to g) gets its own handle.
          if (gi === g || handed.has(gi)) gi = gi.detach();
          handed.add(gi);
          const previous = grads.get(input);
          if (previous === undefined) grads.set(input, gi);
          else {
            grads.set(input, previous.add(gi));
            previous.dispose();
            gi.dispose();
          }
        });
        g.dispose();
      }
    });
  }

  #accumulate(g: Tensor): void {
    // A gradient owns a whole contiguous storage (the optimizer updates storages in place), not a
    // window of a larger one such as the slice of `concat`'s output gradient.
    const v = g.view;
    const whole = v.offset === 0 && v.storage.size === g.size && isContiguous(v);
    let grad = whole ? g : g.#apply(shapeOps.contiguous, [g], undefined);
    if (grad !== g) g.dispose();
    if (this.grad !== null) {
      const sum = this.grad.add(grad);
      this.grad.dispose();
      grad.dispose();
      grad = sum;
    }
    this.grad = keep(grad);
  }

  #context(): OpContext {
    const backend = this.backend;
    return { backend, wrap: (storage, shape) => Tensor.fromStorage(backend, storage, shape) };
  }

  /** Applies a differentiable op to `inputs` (this tensor first) and records it for backward. */
  #apply<A, S>(op: Op<A, S>, inputs: Tensor[], attrs: A): Tensor {
    // Check every input first, so that a disposed one is reported under the op's name.
    for (const t of inputs) t.#alive(op.name);
    const backend = this.backend;
    for (const t of inputs) {
      const b = t.#alive(op.name).backend;
      if (b !== backend) {
        fail(op.name, `inputs live on different backends (${backend.name}, ${b.name})`);
      }
    }
    const ctx = this.#context();
    const { out, saved } = op.forward(ctx, inputs, attrs);
    let result: Tensor;
    if ("view" in out) {
      const owner = inputs.find((t) => t.#shared!.storage === out.view.storage)!;
      owner.#shared!.refs++;
      result = new Tensor(
        owner.#shared!,
        out.view.shape,
        out.view.strides,
        out.view.offset,
        out.dtype ?? owner.dtype,
      );
    } else {
      result = Tensor.fromStorage(backend, out.storage, out.shape);
    }
    if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
      result.requiresGrad = true;
      result.#node = { op: op as Op<unknown, unknown>, inputs, attrs, saved };
    } else {
      disposeSaved(saved);
    }
    return result;
  }

  /** A broadcastable scalar constant on this tensor's backend (cached, never disposed). */
  #constant(value: number): Tensor {
    const backend = this.backend;
    let cache = constants.get(backend);
    if (cache === undefined) constants.set(backend, cache = new Map());
    let c = cache.get(value);
    if (c === undefined) {
      c = Tensor.fromStorage(backend, backend.full(1, value, "f32"), []);
      if (cache.size < MAX_CONSTANTS) cache.set(value, keep(c));
    }
    return c;
  }

  #operand(other: Tensor | number): Tensor {
    return typeof other === "number" ? this.#constant(other) : other;
  }

  #f32(op: string): void {
    if (this.dtype !== "f32") {
      fail(op, `expected an f32 tensor, got ${this.dtype} ${fmtShape(this.shape)}`);
    }
  }

  #unary(op: Op): Tensor {
    this.#f32(op.name);
    return this.#apply(op, [this], undefined);
  }

  #binary(op: Op, other: Tensor | number): Tensor {
    this.#alive(op.name);
    const b = this.#operand(other);
    this.#f32(op.name);
    b.#f32(op.name);
    return this.#apply(op, [this, b], undefined);
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
    this.#alive("where");
    const ta = this.#operand(a);
    const tb = this.#operand(b);
    return this.#apply(ew.where, [this, ta, tb], undefined);
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
  square(): Tensor {
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
    this.#f32("sum");
    return this.#apply(red.sum, [this], { axes, keepdim });
  }
  /** Mean over `axes` (all when omitted). */
  mean(axes: readonly number[] = [], keepdim = false): Tensor {
    const reduced = red.reduceAxes("mean", axes, this.rank);
    const count = reduced.reduce((p, a) => p * this.shape[a], 1);
    return this.sum(axes, keepdim).div(count);
  }
  /** Maximum over `axes` (all when omitted). */
  max(axes: readonly number[] = [], keepdim = false): Tensor {
    this.#f32("max");
    return this.#apply(red.max, [this], { axes, keepdim });
  }
  /** log Σ exp over `axes`, computed stably as `m + log Σ exp(x − m)` with m the max. */
  logsumexp(axes: readonly number[] = [], keepdim = false): Tensor {
    const m = this.detach().max(axes, true);
    const out = this.sub(m).exp().sum(axes, true).log().add(m);
    return keepdim ? out : out.reshape(
      red.reducedShape(this.shape, red.reduceAxes("logsumexp", axes, this.rank), false),
    );
  }
  /** Sums broadcast axes away so the result has `shape` (the adjoint of `expand`). */
  sumTo(shape: readonly number[]): Tensor {
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
    return this.#apply(shapeOps.reshape, [this], { shape: resolved });
  }
  /** Reorders axes; a view. */
  permute(dims: readonly number[]): Tensor {
    return this.#apply(shapeOps.permute, [this], {
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
    return this.#apply(shapeOps.narrow, [this], { axis, start, length });
  }
  /** Broadcasts to `shape`; a view with 0 strides. */
  expand(shape: readonly number[]): Tensor {
    return this.#apply(shapeOps.expand, [this], { shape });
  }
  /** Concatenates `this` and `others` along `axis` (see {@linkcode concat}). */
  cat(others: readonly Tensor[], axis = 0): Tensor {
    return this.#apply(shapeOps.concat, [this, ...others], { axis });
  }
  /** Inserts a size-1 axis at `axis`. */
  unsqueeze(axis: number): Tensor {
    const a = axis < 0 ? axis + this.rank + 1 : axis;
    return this.reshape([...this.shape.slice(0, a), 1, ...this.shape.slice(a)]);
  }
  /** A contiguous copy, or `this` when already contiguous. */
  contiguous(): Tensor {
    this.#alive("contiguous");
    const v = this.view;
    let expected = 1;
    let ok = true;
    for (let d = v.shape.length - 1; d >= 0; d--) {
      if (v.shape[d] !== 1 && v.strides[d] !== expected) ok = false;
      expected *= v.shape[d];
    }
    return ok ? this : this.#apply(shapeOps.contiguous, [this], undefined);
  }

  // ---- linear algebra and nn -------------------------------------------------------------------

  /** Batched matrix product (…, M, K) @ (…, K, N) → (…, M, N). */
  matmul(other: Tensor): Tensor {
    this.#f32("matmul");
    other.#f32("matmul");
    return this.#apply(matmulOp, [this, other], undefined);
  }
  /** Softmax along the last axis (fused kernel; composite backward). */
  softmax(): Tensor {
    this.#f32("softmax");
    return this.#apply(nnOps.softmax, [this], undefined);
  }
  /** log-softmax along the last axis, `x − logsumexp(x)`. */
  logSoftmax(): Tensor {
    return this.sub(this.logsumexp([-1], true));
  }
  /** Per-row negative log-likelihood of i32 `targets` under these logits (…, V) → (…); fused. */
  crossEntropy(targets: Tensor): Tensor {
    this.#f32("crossEntropy");
    return this.#apply(nnOps.crossEntropy, [this, targets], undefined);
  }
  /** Layer norm over the last axis with γ, β of that size; fused forward and dx. */
  layerNorm(gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
    this.#f32("layerNorm");
    return this.#apply(nnOps.layerNorm, [this, gamma, beta], { eps });
  }
  /** Rows of this (V, C) table at i32 `ids` (…) → (…, C). */
  embedding(ids: Tensor): Tensor {
    return this.#apply(nnOps.embedding, [this, ids], undefined);
  }
  /** `out[…, j] = this[…, idx[…, j]]` with i32 `idx` (…, K). */
  gatherLast(idx: Tensor): Tensor {
    return this.#apply(nnOps.gatherLast, [this, idx], undefined);
  }

  // ---- not differentiable ----------------------------------------------------------------------

  /** Converts to `dtype`. */
  cast(dtype: DType): Tensor {
    return dtype === this.dtype ? this : this.#apply(sampling.cast, [this], { dtype });
  }
  /** i32 index of the maximum along the last axis. */
  argmax(): Tensor {
    return this.#apply(sampling.argmax, [this], undefined);
  }
  /** One i32 draw per row from softmax(this / temperature) over the top-k. */
  multinomial(params: SampleParams): Tensor {
    return this.#apply(sampling.multinomial, [this], params);
  }
}

// ---- free functions ----------------------------------------------------------------------------

/** Concatenates tensors along `axis`. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) fail("concat", "expected at least one tensor");
  return tensors[0].cat(tensors.slice(1), axis);
}

/** Options for creation functions. */
export interface CreateOptions {
  /** Element type (default `f32`). */
  dtype?: DType;
  /** Backend (default: {@linkcode getBackend}). */
  backend?: Backend;
}

/**
 * A tensor from numbers (nested arrays give the shape) or a typed array with a `shape`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "./tensor.ts";
 * const t = tensor([[1, 2], [3, 4]]);
 * assert.deepEqual(t.shape, [2, 2]);
 * ```
 */
export function tensor(
  data: number | readonly unknown[] | Float32Array | Int32Array,
  shape?: readonly number[],
  options: CreateOptions = {},
): Tensor {
  const backend = options.backend ?? getBackend();
  let flat: number[] | Float32Array | Int32Array;
  let inferred: number[];
  if (typeof data === "number") {
    flat = [data];
    inferred = [];
  } else if (data instanceof Float32Array || data instanceof Int32Array) {
    flat = data;
    inferred = [data.length];
  } else {
    inferred = [];
    let level: unknown = data;
    while (Array.isArray(level)) {
      inferred.push(level.length);
      level = level[0];
    }
    flat = (data as unknown[]).flat(Infinity) as number[];
  }
  const finalShape = shape ? [...shape] : inferred;
  if (numel(finalShape) !== flat.length) {
    fail("tensor", `${flat.length} values cannot have shape ${fmtShape(finalShape)}`);
  }
  const dtype = options.dtype ?? (data instanceof Int32Array ? "i32" : "f32");
  const typed = dtype === "i32" ? Int32Array.from(flat) : Float32Array.from(flat);
  return Tensor.fromStorage(backend, backend.upload(typed), finalShape);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  const backend = options.backend ?? getBackend();
  return Tensor.fromStorage(
    backend,
    backend.full(numel(shape), value, options.dtype ?? "f32"),
    shape,
  );
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** `[0, 1, …, n − 1]` (i32 by default, for positions and indices). */
export function arange(n: number, options: CreateOptions = {}): Tensor {
  const values = Array.from({ length: n }, (_, i) => i);
  return tensor(values, [n], { dtype: "i32", ...options });
}

/** Seeded uniform values in [low, high). */
export function rand(
  shape: readonly number[],
  seed: number,
  options: CreateOptions & { low?: number; high?: number } = {},
): Tensor {
  const rng = mulberry32(seed);
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  const data = Float32Array.from({ length: numel(shape) }, () => low + (high - low) * rng());
  return tensor(data, shape, options);
}

/** Seeded normal values with mean 0 and the given standard deviation. */
export function randn(
  shape: readonly number[],
  seed: number,
  options: CreateOptions & { std?: number } = {},
): Tensor {
  const rng = mulberry32(seed);
  const std = options.std ?? 1;
  const data = Float32Array.from({ length: numel(shape) }, () => std * normal(rng));
  return tensor(data, shape, options);
}
