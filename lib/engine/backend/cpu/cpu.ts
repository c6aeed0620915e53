/**
 * The `cpu` backend: every kernel of {@linkcode Backend} as a plain TypeScript loop. It is the
 * readable specification of each kernel and the oracle the WebGPU kernels are tested against;
 * it favours clarity over speed. The few loops that dominate a training step (strided gathers,
 * add/sub/mul/div, matmul) live in `_cpu_loops.ts`, written for V8 but computing the same values
 * in the same order.
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
  isContiguous,
  numel,
  type ReduceOp,
  type SampleParams,
  type Storage,
  type UnaryOp,
  type View,
} from "../backend.ts";
import { pcgUniform } from "../../../util/rng.ts";
import { gatherInto, mapBinary, scatterInto } from "./loops.ts";
import type { Blas } from "./blas.ts";
import { matmul, sharedBlas } from "./matmul.ts";

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

function f32(n: number): CpuStorage {
  return new CpuStorage(new Float32Array(n));
}

/** √(2/π), the constant of the tanh approximation of GELU (Hendrycks & Gimpel, arXiv 1606.08415). */
const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (as GPT-2). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

/** Derivative of {@linkcode gelu}. */
export function geluDerivative(x: number): number {
  const u = GELU_C * (x + 0.044715 * x * x * x);
  const t = Math.tanh(u);
  const du = GELU_C * (1 + 3 * 0.044715 * x * x);
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  sign: Math.sign,
  recip: (x) => 1 / x,
  tanh: Math.tanh,
  sigmoid,
  relu: (x) => (x > 0 ? x : 0),
  gelu,
  silu: (x) => x * sigmoid(x),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => (a >= b ? a : b),
  minimum: (a, b) => (a <= b ? a : b),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  gelu_grad: (x, dy) => dy * geluDerivative(x),
  silu_grad: (x, dy) => {
    const s = sigmoid(x);
    return dy * s * (1 + x * (1 - s));
  },
};

/** Gathers a view into a new contiguous array of the same dtype. */
function gather(view: View): Float32Array | Int32Array {
  const src = dataOf(view.storage);
  const out = src instanceof Int32Array
    ? new Int32Array(numel(view.shape))
    : new Float32Array(numel(view.shape));
  gatherInto(src, view, out);
  return out;
}

/** The elements of a view in row-major order, without a copy when the view is contiguous (read only). */
function valuesOf(view: View): Float32Array | Int32Array {
  if (!isContiguous(view)) return gather(view);
  const offset = view.offset;
  return dataOf(view.storage).subarray(offset, offset + numel(view.shape));
}

/** The CPU implementation of {@linkcode Backend}. */
export class CpuBackend implements Backend {
  readonly name = "cpu";
  /** The BLAS behind `matmul`, or null for the TypeScript loops. */
  readonly blas: Blas | null;
  /** @param opts `blas`: a loaded BLAS, or null for the reference loops (default: the process's, see `blas.ts`). */
  constructor(opts: { blas?: Blas | null } = {}) {
    this.blas = opts.blas === undefined ? sharedBlas() : opts.blas;
  }
  /** One line: the kernels and the BLAS behind matmul. */
  get description(): string {
    const mm = this.blas === null ? "TypeScript loops" : `BLAS ${this.blas.library}`;
    return `CPU (TypeScript kernels; matmul: ${mm})`;
  }
  #live = 0;
  #liveBytes = 0;

  #track(s: CpuStorage): CpuStorage {
    this.#live++;
    this.#liveBytes += s.data.byteLength;
    return s;
  }

  full(size: number, value: number, dtype: DType): Storage {
    const data = dtype === "i32" ? new Int32Array(size) : new Float32Array(size);
    data.fill(value);
    return this.#track(new CpuStorage(data));
  }

  upload(data: Float32Array | Int32Array): Storage {
    return this.#track(new CpuStorage(data.slice()));
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
    this.#live--;
    this.#liveBytes -= dataOf(storage).byteLength;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): { liveStorages: number; liveBytes: number; pooledBytes: number } {
    return { liveStorages: this.#live, liveBytes: this.#liveBytes, pooledBytes: 0 };
  }

  copy(src: View, dst: View): void {
    scatterInto(gather(src), dst, dataOf(dst.storage));
  }

  cast(x: View, dtype: DType): Storage {
    const values = gather(x);
    const out = dtype === "i32" ? Int32Array.from(values, Math.trunc) : Float32Array.from(values);
    return this.#track(new CpuStorage(out));
  }

  unary(op: UnaryOp, x: View): Storage {
    const fn = UNARY[op];
    const values = valuesOf(x);
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = fn(values[i]);
    return this.#track(new CpuStorage(out));
  }

  binary(op: BinaryOp, a: View, b: View): Storage {
    const out = new Float32Array(numel(a.shape));
    mapBinary(op, BINARY[op], valuesOf(a), valuesOf(b), out);
    return this.#track(new CpuStorage(out));
  }

  where(cond: View, a: View, b: View): Storage {
    const cv = valuesOf(cond);
    const av = valuesOf(a);
    const bv = valuesOf(b);
    // The output has a's dtype, as on the GPU.
    const out = a.storage.dtype === "i32" ? new Int32Array(av.length) : new Float32Array(av.length);
    for (let i = 0; i < av.length; i++) out[i] = cv[i] !== 0 ? av[i] : bv[i];
    return this.#track(new CpuStorage(out));
  }

  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    const src = dataOf(x);
    const out = f32(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let acc = op === "sum" ? 0 : -Infinity;
        const at = o * size * inner + j;
        if (op === "sum") {
          for (let s = 0; s < size; s++) acc += src[at + s * inner];
        } else {
          for (let s = 0; s < size; s++) acc = Math.max(acc, src[at + s * inner]);
        }
        out.data[o * inner + j] = acc;
      }
    }
    return this.#track(out);
  }

  argmax(x: Storage, rows: number, cols: number): Storage {
    const src = dataOf(x);
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < cols; c++) if (src[r * cols + c] > src[r * cols + best]) best = c;
      out[r] = best;
    }
    return this.#track(new CpuStorage(out));
  }

  softmax(x: Storage, rows: number, cols: number): Storage {
    const src = dataOf(x);
    const out = new Float32Array(rows * cols);
    const e = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let max = -Infinity;
      for (let c = 0; c < cols; c++) max = Math.max(max, src[base + c]);
      let sum = 0;
      for (let c = 0; c < cols; c++) {
        e[c] = Math.exp(src[base + c] - max);
        sum += e[c];
      }
      for (let c = 0; c < cols; c++) out[base + c] = e[c] / sum;
    }
    return this.#track(new CpuStorage(out));
  }

  #logsumexp(src: Float32Array | Int32Array, base: number, cols: number): number {
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, src[base + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.exp(src[base + c] - max);
    return max + Math.log(sum);
  }

  crossEntropy(
    logits: Storage,
    targets: Storage,
    rows: number,
    cols: number,
  ): { nll: Storage; lse: Storage } {
    const src = dataOf(logits);
    const tgt = dataOf(targets);
    const nll = f32(rows);
    const lse = f32(rows);
    for (let r = 0; r < rows; r++) {
      lse.data[r] = this.#logsumexp(src, r * cols, cols);
      const t = tgt[r];
      if (t >= cols) throw new RangeError(`crossEntropy: target ${t} out of range [0, ${cols})`);
      nll.data[r] = t < 0 ? 0 : lse.data[r] - src[r * cols + t];
    }
    return { nll: this.#track(nll), lse: this.#track(lse) };
  }

  crossEntropyBackward(
    logits: Storage,
    lse: Storage,
    targets: Storage,
    dNll: Storage,
    rows: number,
    cols: number,
  ): Storage {
    const src = dataOf(logits);
    const l = dataOf(lse);
    const tgt = dataOf(targets);
    const g = dataOf(dNll);
    const out = f32(rows * cols);
    for (let r = 0; r < rows; r++) {
      const t = tgt[r];
      if (t < 0) continue;
      for (let c = 0; c < cols; c++) {
        const p = Math.exp(src[r * cols + c] - l[r]);
        out.data[r * cols + c] = (p - (c === t ? 1 : 0)) * g[r];
      }
    }
    return this.#track(out);
  }

  layerNorm(
    x: Storage,
    gamma: Storage,
    beta: Storage,
    rows: number,
    cols: number,
    eps: number,
  ): { y: Storage; mean: Storage; rstd: Storage } {
    const src = dataOf(x);
    const gm = dataOf(gamma);
    const bt = dataOf(beta);
    const y = f32(rows * cols);
    const mean = f32(rows);
    const rstd = f32(rows);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let mu = 0;
      for (let c = 0; c < cols; c++) mu += src[base + c];
      mu /= cols;
      let variance = 0;
      for (let c = 0; c < cols; c++) variance += (src[base + c] - mu) ** 2;
      variance /= cols;
      const s = 1 / Math.sqrt(variance + eps);
      mean.data[r] = mu;
      rstd.data[r] = s;
      for (let c = 0; c < cols; c++) y.data[base + c] = (src[base + c] - mu) * s * gm[c] + bt[c];
    }
    return { y: this.#track(y), mean: this.#track(mean), rstd: this.#track(rstd) };
  }

  layerNormBackward(
    x: Storage,
    gamma: Storage,
    mean: Storage,
    rstd: Storage,
    dy: Storage,
    rows: number,
    cols: number,
  ): Storage {
    const src = dataOf(x);
    const gm = dataOf(gamma);
    const mu = dataOf(mean);
    const rs = dataOf(rstd);
    const dyv = dataOf(dy);
    const dx = f32(rows * cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      // g = dy·γ; dx = rstd·(g − mean(g) − x̂·mean(g·x̂))
      let meanG = 0;
      let meanGx = 0;
      for (let c = 0; c < cols; c++) {
        const g = dyv[base + c] * gm[c];
        const xhat = (src[base + c] - mu[r]) * rs[r];
        meanG += g;
        meanGx += g * xhat;
      }
      meanG /= cols;
      meanGx /= cols;
      for (let c = 0; c < cols; c++) {
        const g = dyv[base + c] * gm[c];
        const xhat = (src[base + c] - mu[r]) * rs[r];
        dx.data[base + c] = rs[r] * (g - meanG - xhat * meanGx);
      }
    }
    return this.#track(dx);
  }

  matmul(a: View, bm: View): Storage {
    const [batch, m] = a.shape;
    const n = bm.shape[2];
    const out = new Float32Array(batch * m * n);
    matmul(this.blas, dataOf(a.storage), a, dataOf(bm.storage), bm, out); // (B, M, N)
    return this.#track(new CpuStorage(out));
  }

  gatherRows(table: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const t = dataOf(table);
    const idv = dataOf(ids);
    const out = f32(idv.length * cols);
    for (let i = 0; i < idv.length; i++) {
      const v = idv[i];
      if (v < 0 || v >= vocab) {
        throw new RangeError(`gatherRows: id ${v} out of range [0, ${vocab})`);
      }
      out.data.set(t.subarray(v * cols, (v + 1) * cols), i * cols);
    }
    return this.#track(out);
  }

  scatterAddRows(src: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const s = dataOf(src);
    const idv = dataOf(ids);
    const out = f32(vocab * cols);
    for (let i = 0; i < idv.length; i++) {
      const v = idv[i];
      for (let c = 0; c < cols; c++) out.data[v * cols + c] += s[i * cols + c];
    }
    return this.#track(out);
  }

  gatherLast(x: Storage, idx: Storage, rows: number, cols: number, k: number): Storage {
    const xv = dataOf(x);
    const iv = dataOf(idx);
    const out = f32(rows * k);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) {
        const c = iv[r * k + j];
        if (c < 0 || c >= cols) {
          throw new RangeError(`gatherLast: index ${c} out of range [0, ${cols})`);
        }
        out.data[r * k + j] = xv[r * cols + c];
      }
    }
    return this.#track(out);
  }

  scatterLast(src: Storage, idx: Storage, rows: number, cols: number, k: number): Storage {
    const sv = dataOf(src);
    const iv = dataOf(idx);
    const out = f32(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < k; j++) out.data[r * cols + iv[r * k + j]] += sv[r * k + j];
    }
    return this.#track(out);
  }

  multinomial(logits: Storage, rows: number, cols: number, params: SampleParams): Storage {
    const src = dataOf(logits);
    const out = new Int32Array(rows);
    const order = new Array<number>(cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      // Top-k threshold: the k-th largest logit (ties at the threshold are all kept).
      let threshold = -Infinity;
      if (params.topK > 0 && params.topK < cols) {
        for (let c = 0; c < cols; c++) order[c] = src[base + c];
        order.sort((p, q) => q - p);
        threshold = order[params.topK - 1];
      }
      let max = -Infinity;
      for (let c = 0; c < cols; c++) max = Math.max(max, src[base + c]);
      let total = 0;
      for (let c = 0; c < cols; c++) {
        if (src[base + c] >= threshold) {
          total += Math.exp((src[base + c] - max) / params.temperature);
        }
      }
      const u = pcgUniform(params.seed, params.counter, r) * total;
      let acc = 0;
      let pick = -1;
      for (let c = 0; c < cols; c++) {
        if (src[base + c] < threshold) continue;
        acc += Math.exp((src[base + c] - max) / params.temperature);
        pick = c;
        if (acc > u) break;
      }
      out[r] = pick;
    }
    return this.#track(new CpuStorage(out));
  }

  adamw(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    p: AdamWParams,
    gradScale: Storage | null,
  ): void {
    const w = dataOf(param);
    const g = dataOf(grad);
    const mv = dataOf(m);
    const vv = dataOf(v);
    const scale = gradScale === null ? 1 : dataOf(gradScale)[0];
    const c1 = 1 - Math.pow(p.beta1, p.step);
    const c2 = 1 - Math.pow(p.beta2, p.step);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] * scale;
      mv[i] = p.beta1 * mv[i] + (1 - p.beta1) * gi; // first moment
      vv[i] = p.beta2 * vv[i] + (1 - p.beta2) * gi * gi; // second moment
      const mHat = mv[i] / c1; // bias corrections
      const vHat = vv[i] / c2;
      w[i] -= p.lr * (mHat / (Math.sqrt(vHat) + p.eps) + p.weightDecay * w[i]);
    }
  }
}
