/**
 * The backend interface: the lowest tier of the engine. A backend is a set of raw kernels over
 * flat storages; it knows nothing of gradients, graphs or tensors' lifetimes. The `cpu` backend
 * (plain TypeScript, the readable oracle) and the `webgpu` backend (WGSL kernels in `kernels/`)
 * implement it; the differentiable ops in `lib/engine/ops/` are written against it.
 *
 * Conventions shared by every kernel:
 * - A {@linkcode View} is a strided window on a storage: element `i0..ik` lives at
 *   `offset + Σ i_d · strides[d]`. Strides may be 0 (broadcast) and need not be contiguous.
 * - Kernels that take a `Storage` (not a `View`) read it as a contiguous row-major array.
 * - Every kernel returns a new contiguous storage, except `copy`, `adamw` and `write`, which
 *   write in place and say so.
 * - Rows/cols: a "row kernel" treats its input as a `(rows, cols)` matrix, one row per item.
 *
 * Legend: N number of elements, R rows, C columns, B batch, M/K/N matmul dims, V vocabulary.
 *
 * @module
 */

/** Element types: `f32` for values, `i32` for indices and sampled token ids. */
export type DType = "f32" | "i32";

/** A flat, backend-owned array of `size` elements. Backends extend it with their handle. */
export interface Storage {
  /** Number of elements (not bytes). */
  readonly size: number;
  /** Element type. */
  readonly dtype: DType;
}

/** A strided window on a storage (see the module doc for the addressing rule). */
export interface View {
  /** The storage viewed. */
  readonly storage: Storage;
  /** Logical shape. */
  readonly shape: readonly number[];
  /** Element stride per dimension (0 broadcasts). */
  readonly strides: readonly number[];
  /** Element offset of index (0, …, 0). */
  readonly offset: number;
}

/** Elementwise unary kernels, every one (tests run each on both backends). */
export const UNARY_OPS = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "rsqrt",
  "abs",
  "sign",
  "recip",
  "tanh",
  "sigmoid",
  "relu",
  "gelu",
  "silu",
] as const;

/** An elementwise unary kernel. */
export type UnaryOp = typeof UNARY_OPS[number];

/**
 * Elementwise binary kernels. Comparisons return 1.0 or 0.0. `gelu_grad(x, dy)` and
 * `silu_grad(x, dy)` return `dy · f'(x)` (the backward of `gelu`/`silu`, fused because their
 * derivatives are long expressions).
 */
export const BINARY_OPS = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "lt",
  "le",
  "gt",
  "ge",
  "eq",
  "ne",
  "gelu_grad",
  "silu_grad",
] as const;

/** An elementwise binary kernel (see {@linkcode BINARY_OPS}). */
export type BinaryOp = typeof BINARY_OPS[number];

/** Reductions over the middle axis of an `(outer, size, inner)` array. */
export type ReduceOp = "sum" | "max";

/** AdamW hyper-parameters for one update (Loshchilov & Hutter, arXiv 1711.05101, Alg. 2). */
export interface AdamWParams {
  /** Learning rate α for this step. */
  lr: number;
  /** First-moment decay β1. */
  beta1: number;
  /** Second-moment decay β2. */
  beta2: number;
  /** ε added to √v̂. */
  eps: number;
  /** Decoupled weight decay λ (applied as θ ← θ − α·λ·θ). */
  weightDecay: number;
  /** 1-based step count t, for the bias corrections 1 − β^t. */
  step: number;
}

/** Options of the on-device sampler. */
export interface SampleParams {
  /** Softmax temperature (> 0). */
  temperature: number;
  /** Keep only the k most likely tokens (0 = all). */
  topK: number;
  /** RNG seed (u32). */
  seed: number;
  /** RNG stream counter: use a new value per call so draws differ (u32). */
  counter: number;
}

/** The raw kernels every backend implements. */
export interface Backend {
  /** `"cpu"` or `"webgpu"`. */
  readonly name: string;
  /** One line describing the device (adapter name, driver). */
  readonly description: string;

  // ---- memory ------------------------------------------------------------------------------
  /** A new storage of `size` elements filled with `value`. */
  full(size: number, value: number, dtype: DType): Storage;
  /** A new storage holding a copy of `data`. */
  upload(data: Float32Array | Int32Array): Storage;
  /** Overwrites `storage` with `data` (same length), in place. */
  write(storage: Storage, data: Float32Array | Int32Array): void;
  /** Reads a storage back to the host: the only way data leaves the device. */
  read(storage: Storage): Promise<Float32Array | Int32Array>;
  /** Returns the storage's memory to the backend; the storage must not be used again. */
  free(storage: Storage): void;
  /** Waits until all queued work is done (for benchmarks). */
  sync(): Promise<void>;
  /** Statistics for leak checks: live storages and bytes held by the backend. */
  memory(): { liveStorages: number; liveBytes: number; pooledBytes: number };

  // ---- layout ------------------------------------------------------------------------------
  /** Copies `src` into the (strided) window `dst`, in place. `src.shape` equals `dst.shape`. */
  copy(src: View, dst: View): void;
  /** Converts dtype: a new contiguous storage of `x.shape` with elements cast. */
  cast(x: View, dtype: DType): Storage;

  // ---- elementwise (inputs already broadcast to `shape` via 0 strides) ----------------------
  /** `out[i] = op(x[i])` over `x.shape`. */
  unary(op: UnaryOp, x: View): Storage;
  /** `out[i] = op(a[i], b[i])`; `a.shape` and `b.shape` equal the output shape. */
  binary(op: BinaryOp, a: View, b: View): Storage;
  /**
   * `out[i] = cond[i] != 0 ? a[i] : b[i]`; all three views have the output shape, and the
   * output a's dtype.
   */
  where(cond: View, a: View, b: View): Storage;

  // ---- reductions and row kernels ----------------------------------------------------------
  /** Reduces the middle axis of contiguous `x` seen as `(outer, size, inner)` → `(outer, inner)`. */
  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage;
  /** Index of the maximum of each row of `x` (R, C) → i32 (R); first index on ties. */
  argmax(x: Storage, rows: number, cols: number): Storage;
  /** Row-wise softmax of `x` (R, C): `exp(x − max) / Σ exp(x − max)`. */
  softmax(x: Storage, rows: number, cols: number): Storage;
  /**
   * Fused cross-entropy: for logits (R, C) and i32 targets (R), returns per-row
   * `nll = logsumexp(x) − x[target]` and `lse = logsumexp(x)`; a target < 0 gives nll 0.
   */
  crossEntropy(
    logits: Storage,
    targets: Storage,
    rows: number,
    cols: number,
  ): { nll: Storage; lse: Storage };
  /** Gradient of the fused cross-entropy: `dx = (softmax(x) − onehot(target)) · dNll[row]`. */
  crossEntropyBackward(
    logits: Storage,
    lse: Storage,
    targets: Storage,
    dNll: Storage,
    rows: number,
    cols: number,
  ): Storage;
  /**
   * Layer norm over rows (R, C): `y = (x − μ)·rstd·γ + β`, `rstd = 1/√(σ² + eps)` (biased σ²).
   * Returns `y` and the saved `mean`, `rstd` (R each).
   */
  layerNorm(
    x: Storage,
    gamma: Storage,
    beta: Storage,
    rows: number,
    cols: number,
    eps: number,
  ): { y: Storage; mean: Storage; rstd: Storage };
  /** `dx` of layer norm: `rstd·(g − mean(g) − x̂·mean(g·x̂))` with `g = dy·γ`, `x̂ = (x − μ)·rstd`. */
  layerNormBackward(
    x: Storage,
    gamma: Storage,
    mean: Storage,
    rstd: Storage,
    dy: Storage,
    rows: number,
    cols: number,
  ): Storage;

  // ---- linear algebra ----------------------------------------------------------------------
  /**
   * Batched matmul `out[b] = a[b] · bm[b]` for `a` (B, M, K) and `bm` (B, K, N) → (B, M, N).
   * Each operand's batch stride may be 0 (broadcast). Within a matrix, one of the last two
   * strides must be 1 (row-major or transposed); the op layer makes other views contiguous.
   */
  matmul(a: View, bm: View): Storage;

  // ---- indexing ----------------------------------------------------------------------------
  /** `out[n, :] = table[ids[n], :]` for table (V, C) and i32 ids (N) → (N, C). */
  gatherRows(table: Storage, ids: Storage, vocab: number, cols: number): Storage;
  /** `out[v, :] = Σ_{n: ids[n] = v} src[n, :]` for src (N, C) → (V, C); deterministic order. */
  scatterAddRows(src: Storage, ids: Storage, vocab: number, cols: number): Storage;
  /** `out[r, j] = x[r, idx[r, j]]` for x (R, C) and i32 idx (R, K) → (R, K). */
  gatherLast(x: Storage, idx: Storage, rows: number, cols: number, k: number): Storage;
  /** `out[r, c] = Σ_{j: idx[r, j] = c} src[r, j]` → (R, C): the backward of `gatherLast`. */
  scatterLast(src: Storage, idx: Storage, rows: number, cols: number, k: number): Storage;

  // ---- sampling and optimisation (not differentiable) --------------------------------------
  /**
   * Draws one token per row of `logits` (R, V) from `softmax(logits / temperature)` restricted
   * to the top-k, with a counter-based RNG (PCG hash of seed, counter, row): i32 (R).
   */
  multinomial(logits: Storage, rows: number, cols: number, params: SampleParams): Storage;
  /**
   * One fused AdamW update, in place on `param`, `m`, `v`. The gradient is multiplied by
   * `gradScale[0]` first when given (global-norm clipping without a readback).
   */
  adamw(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    params: AdamWParams,
    gradScale: Storage | null,
  ): void;
}

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (contiguous) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** True when the view addresses its elements in row-major order with no gaps. */
export function isContiguous(view: View): boolean {
  let expected = 1;
  for (let d = view.shape.length - 1; d >= 0; d--) {
    if (view.shape[d] !== 1 && view.strides[d] !== expected) return false;
    expected *= view.shape[d];
  }
  return true;
}

/** A contiguous view of a whole storage with the given shape. */
export function fullView(storage: Storage, shape: readonly number[]): View {
  return { storage, shape, strides: contiguousStrides(shape), offset: 0 };
}
