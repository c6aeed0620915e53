/**
 * The `cpu` backend: every kernel of {@linkcode Backend} in TypeScript, with matrix products
 * through a CBLAS library when one loads (`blas.ts`, `matmul.ts`). It is the readable
 * specification of each kernel and the oracle the WebGPU kernels are tested against.
 *
 * The kernels live by concern, each with its reference loop next to any fast path it has:
 * - `loops.ts`: row plans for strided views, gather/scatter/copy, the reference matmul;
 * - `elementwise.ts`: unary, binary, where;
 * - `rows.ts`: reductions, softmax, cross-entropy, layer norm;
 * - `matmul.ts` (+ `blas.ts`): the batched product;
 * - `indexing.ts`: embedding gather/scatter, last-axis gather/scatter, sampling, AdamW;
 * - `pool.ts` (+ `hugepages.ts`): recycled output buffers.
 *
 * This file holds the storages, their bookkeeping and the dispatch. Output arrays come from an
 * {@linkcode ArrayPool} (`pool.ts`) of recycled buffers, holding at most twice as many bytes as
 * were ever live at once (so the next step of a training loop, whose shapes may differ, finds
 * buffers; the process holds at most three times its peak); kernels therefore write every
 * element of their outputs.
 *
 * Legend: N elements, R rows, C columns, B batch, M/K/N matmul dims, V vocabulary.
 *
 * @module
 */
import {
  type AdamWParams,
  type Backend,
  type BinaryOp,
  type DType,
  numel,
  type ReduceOp,
  type SampleParams,
  type Storage,
  type UnaryOp,
  type View,
} from "../backend.ts";
import type { Blas } from "./blas.ts";
import { binaryInto, unaryInto, whereInto } from "./elementwise.ts";
import * as ix from "./indexing.ts";
import { copyStrided, gatherInto, scatterInto } from "./loops.ts";
import { matmul, sharedBlas } from "./matmul.ts";
import { ArrayPool } from "./pool.ts";
import * as rows from "./rows.ts";

export { gelu, geluDerivative } from "./elementwise.ts";

/** A CPU storage: a typed array. */
export class CpuStorage implements Storage {
  /** @param data The elements (owned by the storage). */
  constructor(readonly data: Float32Array | Int32Array) {}
  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
  /** Element type. */
  get dtype(): DType {
    return this.data instanceof Int32Array ? "i32" : "f32";
  }
}

function dataOf(s: Storage): Float32Array | Int32Array {
  if (!(s instanceof CpuStorage)) {
    throw new TypeError("cpu backend: storage belongs to another backend");
  }
  return s.data;
}

function f32Of(s: Storage, kernel: string): Float32Array {
  const d = dataOf(s);
  if (!(d instanceof Float32Array)) throw new TypeError(`${kernel}: expected an f32 storage`);
  return d;
}

function alloc(dtype: DType, n: number): Float32Array | Int32Array {
  return dtype === "i32" ? new Int32Array(n) : new Float32Array(n);
}

/**
 * The CPU implementation of {@linkcode Backend}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CpuBackend } from "./cpu.ts";
 * import { fullView } from "../backend.ts";
 * const cpu = new CpuBackend();
 * const a = cpu.upload(new Float32Array([1, 2, 3, 4])); // (2, 2)
 * const y = cpu.matmul(fullView(a, [1, 2, 2]), fullView(a, [1, 2, 2]));
 * assert.deepEqual([...await cpu.read(y)], [7, 10, 15, 22]);
 * ```
 */
export class CpuBackend implements Backend {
  readonly name = "cpu";
  /** The BLAS behind `matmul`, or null for the TypeScript loops. */
  readonly blas: Blas | null;
  #live = 0;
  #liveBytes = 0;
  #pool = new ArrayPool();
  /** Bytes of the buffers behind live storages (capacity, not length), and their peak. */
  #liveCapacity = 0;
  #peakCapacity = 0;

  /**
   * @param opts `blas`: a loaded BLAS, or null for the reference loops (default: the
   * process's, found as `blas.ts` describes).
   */
  constructor(opts: { blas?: Blas | null } = {}) {
    this.blas = opts.blas === undefined ? sharedBlas() : opts.blas;
  }

  /** One line: the kernels and the BLAS behind matmul. */
  get description(): string {
    const mm = this.blas === null ? "TypeScript loops" : `BLAS ${this.blas.library}`;
    return `CPU (TypeScript kernels; matmul: ${mm})`;
  }

  #wrap(data: Float32Array | Int32Array): CpuStorage {
    this.#live++;
    this.#liveBytes += data.byteLength;
    this.#liveCapacity += data.buffer.byteLength;
    if (this.#liveCapacity > this.#peakCapacity) this.#peakCapacity = this.#liveCapacity;
    return new CpuStorage(data);
  }

  /** An array of `n` elements, recycled from the pool when one fits: its contents are stale. */
  #alloc(dtype: DType, n: number): Float32Array | Int32Array {
    return this.#pool.take(dtype, n);
  }

  #f32(n: number): Float32Array {
    return this.#alloc("f32", n) as Float32Array;
  }

  full(size: number, value: number, dtype: DType): Storage {
    const data = this.#alloc(dtype, size);
    data.fill(value);
    return this.#wrap(data);
  }

  upload(data: Float32Array | Int32Array): Storage {
    const copy = this.#alloc(data instanceof Int32Array ? "i32" : "f32", data.length);
    copy.set(data);
    return this.#wrap(copy);
  }

  write(storage: Storage, data: Float32Array | Int32Array): void {
    const dst = dataOf(storage);
    if (dst.length !== data.length) {
      throw new RangeError(`write: expected ${dst.length} elements, got ${data.length}`);
    }
    dst.set(data);
  }

  read(storage: Storage): Promise<Float32Array | Int32Array> {
    return Promise.resolve(dataOf(storage).slice());
  }

  free(storage: Storage): void {
    const data = dataOf(storage);
    this.#live--;
    this.#liveBytes -= data.byteLength;
    this.#liveCapacity -= data.buffer.byteLength;
    this.#pool.give(data, 2 * this.#peakCapacity);
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): { liveStorages: number; liveBytes: number; pooledBytes: number } {
    return {
      liveStorages: this.#live,
      liveBytes: this.#liveBytes,
      pooledBytes: this.#pool.bytes,
    };
  }

  copy(src: View, dst: View): void {
    const from = dataOf(src.storage);
    const to = dataOf(dst.storage);
    if (from !== to) return copyStrided(from, src, to, dst);
    // Same storage: the windows may overlap, so read everything before writing.
    const values = alloc(src.storage.dtype, numel(src.shape));
    gatherInto(from, src, values);
    scatterInto(values, dst, to);
  }

  cast(x: View, dtype: DType): Storage {
    const src = dataOf(x.storage);
    const n = numel(x.shape);
    if (x.storage.dtype === dtype) {
      const out = this.#alloc(dtype, n);
      gatherInto(src, x, out);
      return this.#wrap(out);
    }
    const values = alloc(x.storage.dtype, n);
    gatherInto(src, x, values);
    // f32 → i32 truncates toward zero; i32 → f32 rounds to nearest.
    return this.#wrap(
      dtype === "i32" ? Int32Array.from(values, Math.trunc) : new Float32Array(values),
    );
  }

  unary(op: UnaryOp, x: View): Storage {
    const out = this.#f32(numel(x.shape));
    unaryInto(op, dataOf(x.storage), x, out);
    return this.#wrap(out);
  }

  binary(op: BinaryOp, a: View, b: View): Storage {
    const out = this.#f32(numel(a.shape));
    binaryInto(op, dataOf(a.storage), a, dataOf(b.storage), b, out);
    return this.#wrap(out);
  }

  where(cond: View, a: View, b: View): Storage {
    const out = this.#alloc(a.storage.dtype, numel(a.shape)); // a's dtype, as on the GPU
    whereInto(dataOf(cond.storage), cond, dataOf(a.storage), a, dataOf(b.storage), b, out);
    return this.#wrap(out);
  }

  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    const out = this.#f32(outer * inner);
    rows.reduce(op, dataOf(x), outer, size, inner, out);
    return this.#wrap(out);
  }

  argmax(x: Storage, r: number, c: number): Storage {
    const out = this.#alloc("i32", r) as Int32Array;
    rows.argmax(dataOf(x), r, c, out);
    return this.#wrap(out);
  }

  softmax(x: Storage, r: number, c: number): Storage {
    const out = this.#f32(r * c);
    rows.softmax(dataOf(x), r, c, out);
    return this.#wrap(out);
  }

  crossEntropy(
    logits: Storage,
    targets: Storage,
    r: number,
    c: number,
  ): { nll: Storage; lse: Storage } {
    const nll = this.#f32(r);
    const lse = this.#f32(r);
    rows.crossEntropy(dataOf(logits), dataOf(targets), r, c, nll, lse);
    return { nll: this.#wrap(nll), lse: this.#wrap(lse) };
  }

  crossEntropyBackward(
    logits: Storage,
    lse: Storage,
    targets: Storage,
    dNll: Storage,
    r: number,
    c: number,
  ): Storage {
    const [x, l, t, g] = [logits, lse, targets, dNll].map(dataOf);
    const out = this.#f32(r * c);
    rows.crossEntropyBackward(x, l, t, g, r, c, out);
    return this.#wrap(out);
  }

  layerNorm(
    x: Storage,
    gamma: Storage,
    beta: Storage,
    r: number,
    c: number,
    eps: number,
  ): { y: Storage; mean: Storage; rstd: Storage } {
    const out = { y: this.#f32(r * c), mean: this.#f32(r), rstd: this.#f32(r) };
    rows.layerNorm(dataOf(x), dataOf(gamma), dataOf(beta), r, c, eps, out);
    return { y: this.#wrap(out.y), mean: this.#wrap(out.mean), rstd: this.#wrap(out.rstd) };
  }

  layerNormBackward(
    x: Storage,
    gamma: Storage,
    mean: Storage,
    rstd: Storage,
    dy: Storage,
    r: number,
    c: number,
  ): Storage {
    const [xs, g, mu, rs, d] = [x, gamma, mean, rstd, dy].map(dataOf);
    const dx = this.#f32(r * c);
    rows.layerNormBackward(xs, g, mu, rs, d, r, c, dx);
    return this.#wrap(dx);
  }

  matmul(a: View, bm: View): Storage {
    const [batch, m] = a.shape;
    const out = this.#f32(batch * m * bm.shape[2]); // (B, M, N)
    matmul(this.blas, dataOf(a.storage), a, dataOf(bm.storage), bm, out);
    return this.#wrap(out);
  }

  gatherRows(table: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const out = this.#f32(ids.size * cols);
    ix.gatherRows(dataOf(table), dataOf(ids), vocab, cols, out);
    return this.#wrap(out);
  }

  scatterAddRows(src: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const out = this.#f32(vocab * cols);
    ix.scatterAddRows(dataOf(src), dataOf(ids), cols, out);
    return this.#wrap(out);
  }

  gatherLast(x: Storage, idx: Storage, r: number, cols: number, k: number): Storage {
    const out = this.#f32(r * k);
    ix.gatherLast(dataOf(x), dataOf(idx), r, cols, k, out);
    return this.#wrap(out);
  }

  scatterLast(src: Storage, idx: Storage, r: number, cols: number, k: number): Storage {
    const out = this.#f32(r * cols);
    ix.scatterLast(dataOf(src), dataOf(idx), r, cols, k, out);
    return this.#wrap(out);
  }

  multinomial(logits: Storage, r: number, cols: number, params: SampleParams): Storage {
    const out = this.#alloc("i32", r) as Int32Array;
    ix.multinomial(dataOf(logits), r, cols, params, out);
    return this.#wrap(out);
  }

  adamw(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    p: AdamWParams,
    gradScale: Storage | null,
  ): void {
    const scale = gradScale === null ? 1 : dataOf(gradScale)[0];
    ix.adamw(f32Of(param, "adamw"), dataOf(grad), f32Of(m, "adamw"), f32Of(v, "adamw"), p, scale);
  }
}
