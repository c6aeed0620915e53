/**
 * The tensor API: the top tier of the engine. A {@linkcode Tensor} is a strided view on a
 * backend storage shared with its views; its methods (`tensor_methods.ts`) each apply a
 * differentiable op from `lib/engine/ops/` through `applyOp` below, which records the op in the
 * autograd graph (`autograd.ts`). This file also holds the creation functions and re-exports the
 * rest of the API: grad mode (`noGrad`), lifetimes (`tidy`, `keep`; `memory.ts`) and the default
 * backend and device choice (`device.ts`).
 *
 * @module
 */
import {
  type Backend,
  contiguousStrides,
  type DType,
  numel,
  type Storage,
  type View,
} from "./backend/backend.ts";
import { mulberry32, normal } from "../util/rng.ts";
import { backpropagate, forget, noGrad, record } from "./autograd.ts";
import { getBackend } from "./device.ts";
import { keep, SharedStorage, track } from "./memory.ts";
import { fail, fmtShape, type Op, type OpContext, type Saved } from "./ops/_op.ts";
import { TensorMethods } from "./tensor_methods.ts";

export { isGradEnabled, noGrad } from "./autograd.ts";
export { keep, tidy } from "./memory.ts";
export {
  type BackendKind,
  chooseDevice,
  type DeviceChoice,
  getBackend,
  initBackend,
  initDevice,
  setBackend,
} from "./device.ts";

/** Scalars are broadcast constants; they are cached per backend and value. */
const constants = new WeakMap<Backend, Map<number, Tensor>>();
const MAX_CONSTANTS = 4096;

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
export class Tensor extends TensorMethods {
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

  /** @internal Use the creation functions; the tensor takes one reference to `shared`. */
  constructor(
    shared: SharedStorage,
    shape: readonly number[],
    strides: readonly number[],
    offset: number,
    dtype: DType,
  ) {
    super();
    this.#shared = shared;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    track(this);
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
    forget(this);
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
    const seed = grad !== undefined ? grad.detach() : this.#constant(1).expand(this.shape).detach();
    backpropagate(this, seed, this.#context());
  }

  // ---- applying ops (the methods are in tensor_methods.ts) -------------------------------------

  #context(): OpContext {
    const backend = this.backend;
    return { backend, wrap: (storage, shape) => Tensor.fromStorage(backend, storage, shape) };
  }

  /** Applies a differentiable op to this tensor and `others` and records it for backward. */
  protected applyOp<A, S extends Saved>(op: Op<A, S>, others: readonly Tensor[], attrs: A): Tensor {
    const inputs = [this, ...others];
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
    record(result, op, inputs, attrs, saved);
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

  /** `other`, or a number as a cached constant; fails under `op`'s name if this is disposed. */
  protected operand(op: string, other: Tensor | number): Tensor {
    this.#alive(op);
    return typeof other === "number" ? this.#constant(other) : other;
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
