/**
 * The contract of a differentiable op: the middle tier of the engine. An op computes its output
 * from its inputs with backend kernels (`forward`) and maps the output's gradient to its inputs'
 * gradients (`backward`), a few lines apart. `backward` is written with tensor methods, so one
 * backward serves every backend; ops import `Tensor` as a type only, which keeps the import
 * direction one-way: `tensor.ts` and `autograd.ts` → `ops/` → `backend/`.
 *
 * @module
 */
import type { Backend, DType, Storage, View } from "../backend/backend.ts";
import type { Tensor } from "../tensor.ts";

/** What a forward pass produces: a new storage with a shape, or a view of an input's storage. */
export type OpOutput =
  | { storage: Storage; shape: readonly number[]; dtype?: DType }
  | { view: View; dtype?: DType };

/** Services the engine gives to an op's forward and backward passes. */
export interface OpContext {
  /** The backend that holds every input. */
  readonly backend: Backend;
  /** Wraps a storage made by a kernel as a (non-differentiable) tensor that owns it. */
  wrap(storage: Storage, shape: readonly number[]): Tensor;
}

/**
 * Tensors a forward pass keeps for its backward pass, by name. The engine disposes them with the
 * output (or at once when no graph is recorded).
 */
export type Saved = Readonly<Record<string, Tensor>> | undefined;

/**
 * A differentiable op. `A` are its non-tensor attributes, `S` what forward saves for backward.
 * `backward` returns one gradient (or `null` for none) per input.
 */
export interface Op<A = undefined, S extends Saved = undefined> {
  /** Name used in error messages and graph dumps. */
  readonly name: string;
  /** Computes the output with backend kernels. */
  forward(ctx: OpContext, inputs: readonly Tensor[], attrs: A): { out: OpOutput; saved: S };
  /** Gradients of the inputs given the output's gradient `dOut`. */
  backward(
    ctx: OpContext,
    dOut: Tensor,
    inputs: readonly Tensor[],
    out: Tensor,
    attrs: A,
    saved: S,
  ): (Tensor | null)[];
}

/** Throws a one-line error naming the op and what was wrong. */
export function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

/**
 * Runs an indexing kernel, re-throwing its `RangeError` (an index out of range, detected by
 * backends that can check on the host) as an error naming the op and the operands' shapes.
 */
export function checkedIndex<T>(op: string, operands: string, kernel: () => T): T {
  try {
    return kernel();
  } catch (e) {
    if (e instanceof RangeError) fail(op, `${e.message} (${operands})`);
    throw e;
  }
}

/** Formats a shape for error messages, e.g. `[2, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Normalises a possibly negative axis for a tensor of rank `rank`. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    fail(op, `axis ${axis} out of range for rank ${rank}`);
  }
  return a;
}

/** Shape that `a` and `b` broadcast to (NumPy rules), or an error naming the op. */
export function broadcastShapes(
  op: string,
  a: readonly number[],
  b: readonly number[],
): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      fail(op, `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A view of `v` broadcast to `shape` (0 strides on new or size-1 axes); no copy. */
export function broadcastView(v: View, shape: readonly number[]): View {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  const shift = rank - v.shape.length;
  for (let d = 0; d < v.shape.length; d++) {
    strides[d + shift] = v.shape[d] === 1 && shape[d + shift] !== 1 ? 0 : v.strides[d];
  }
  return { storage: v.storage, shape: [...shape], strides, offset: v.offset };
}
