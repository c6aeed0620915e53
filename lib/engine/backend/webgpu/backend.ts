/**
 * The `webgpu` backend: every kernel of {@linkcode Backend} as a WGSL compute shader from
 * `kernels/`, run through Deno's WebGPU (`navigator.gpu`). The CPU backend (`cpu/cpu.ts`) is the
 * specification; the tests in `tests/engine/backend/webgpu/` compare every kernel against it.
 *
 * Work is recorded into one open compute pass and submitted in batches (`recorder.ts`); nothing
 * waits for the GPU except {@linkcode WebGpuBackend.read} and {@linkcode WebGpuBackend.sync}.
 * Freed storages go back to a size-bucketed pool at once (`pool.ts`): commands recorded later
 * run after the ones recorded earlier, so reuse is safe.
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
  fullView,
  numel,
  type ReduceOp,
  type SampleParams,
  type Storage,
  type UnaryOp,
  type View,
} from "../backend.ts";
import { adapterDescription, adapterKindOf, requestDevice } from "./device.ts";
import {
  dispatchElementwise,
  type ElementwiseKernel,
  flatGrid,
  peelCalls,
  type ViewGeometry,
  viewGeometry,
  viewParams,
} from "./elementwise.ts";
import { BINARY_EXPR, type KernelRunner, KERNELS, UNARY_EXPR } from "./kernels.ts";
import { matmul, type MatmulContext } from "./matmul/run.ts";
import { type Kernel, Pipelines } from "./pipelines.ts";
import { BufferPool, type GpuBuffer } from "./pool.ts";
import { Recorder, type RecorderOptions } from "./recorder.ts";
import { dispatchRows, rowWorkgroup } from "./rows.ts";
import { bufOf, GpuStorage } from "./storage.ts";

export { GpuStorage } from "./storage.ts";

/**
 * The kernels that record out-of-range indices in `Recorder.faults`, by fault code (the FAULT_*
 * constants of `kernels/indexing.wgsl` and `kernels/rows.wgsl`); the messages are the CPU
 * backend's.
 */
const FAULT_NAMES: Readonly<Record<number, string>> = {
  1: "gatherRows: id",
  2: "gatherLast: index",
  3: "crossEntropy: target",
};

/** The WebGPU implementation of {@linkcode Backend}. */
export class WebGpuBackend implements Backend {
  readonly name = "webgpu";
  readonly description: string;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  /** The buffer pool, pipeline cache and command recorder; exposed for benches and tests. */
  readonly pool: BufferPool;
  readonly pipelines: Pipelines;
  readonly recorder: Recorder;
  /** `cpu` for a software adapter (lavapipe, SwiftShader, WARP), which changes kernel choices. */
  readonly adapterKind: "cpu" | "gpu";
  #runner: KernelRunner;
  #matmul: MatmulContext;
  #one: GpuBuffer;
  #live = 0;

  private constructor(adapter: GPUAdapter, device: GPUDevice, options: RecorderOptions) {
    this.adapter = adapter;
    this.device = device;
    this.description = `WebGPU: ${adapterDescription(adapter)}`;
    this.adapterKind = adapterKindOf(adapter);
    this.pool = new BufferPool(device);
    this.pipelines = new Pipelines(device);
    this.recorder = new Recorder(this.pool, options);
    this.#one = this.pool.constant(new Float32Array([1]));
    this.#runner = {
      adapterKind: this.adapterKind,
      recorder: this.recorder,
      kernel: (name, constants, workgroupSize) => this.#kernel(name, constants, workgroupSize),
    };
    this.#matmul = {
      ...this.#runner,
      pipelines: this.pipelines,
      alloc: (size) => this.#alloc(size, "f32"),
      cast: (x, dtype) => this.cast(x, dtype),
      free: (s) => this.free(s),
    };
    this.recorder.describeFault = (code, id, bound) =>
      `${FAULT_NAMES[code] ?? `kernel fault ${code}:`} ${id} out of range [0, ${bound})`;
  }

  /** Creates the backend on the default adapter; throws a clear error when there is none. */
  static async create(options: RecorderOptions = {}): Promise<WebGpuBackend> {
    const { adapter, device } = await requestDevice();
    return new WebGpuBackend(adapter, device, options);
  }

  #kernel(name: keyof typeof KERNELS, constants = {}, workgroupSize?: number): Kernel {
    return this.pipelines.kernel(KERNELS[name], constants, workgroupSize);
  }

  #alloc(size: number, dtype: DType): GpuStorage {
    this.#live++;
    return new GpuStorage(this.pool.alloc(Math.max(size, 1) * 4), size, dtype);
  }

  // ---- memory ------------------------------------------------------------------------------

  full(size: number, value: number, dtype: DType): Storage {
    const out = this.#alloc(size, dtype);
    const bits = dtype === "f32"
      ? new Uint32Array(new Float32Array([value]).buffer)[0]
      : (value | 0) >>> 0;
    // All-zero bits (0, −0 is not: its sign bit is set) need no kernel: a buffer clear.
    if (bits === 0) this.recorder.clear(out.buf, size * 4);
    else {
      const params = { n: size, value_bits: bits };
      this.recorder.dispatch(this.#kernel("fill"), [out.buf], params, ...flatGrid(size));
    }
    return out;
  }

  upload(data: Float32Array | Int32Array): Storage {
    const out = this.#alloc(data.length, data instanceof Int32Array ? "i32" : "f32");
    if (data.length > 0) this.recorder.write(out.buf, data);
    return out;
  }

  write(storage: Storage, data: Float32Array | Int32Array): void {
    if (storage.size !== data.length) {
      throw new RangeError(`write: expected ${storage.size} elements, got ${data.length}`);
    }
    if (data.length > 0) this.recorder.write(bufOf(storage), data);
  }

  async read(storage: Storage): Promise<Float32Array | Int32Array> {
    const bytes = await this.recorder.read(bufOf(storage), storage.size * 4);
    return storage.dtype === "i32" ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  free(storage: Storage): void {
    if (!(storage instanceof GpuStorage)) {
      throw new TypeError("webgpu backend: storage belongs to another backend");
    }
    this.pool.release(storage.take());
    this.#live--;
  }

  sync(): Promise<void> {
    return this.recorder.sync();
  }

  memory(): { liveStorages: number; liveBytes: number; pooledBytes: number } {
    const m = this.pool.memory();
    return { liveStorages: this.#live, liveBytes: m.liveBytes, pooledBytes: m.pooledBytes };
  }

  // ---- layout ------------------------------------------------------------------------------

  copy(src: View, dst: View): void {
    const n = numel(dst.shape);
    if (n === 0) return;
    if (src.storage === dst.storage) {
      // One buffer cannot be bound read-only and writable in one dispatch: stage it.
      const staged = this.cast(src, src.storage.dtype);
      this.copy(fullView(staged, src.shape), dst);
      this.free(staged);
      return;
    }
    const g = viewGeometry(dst.shape, [src, dst]);
    const kernel = this.#kernel("copy", { RANK: g.rank, PEEL: peelCalls(g.rank) });
    const buffers = [bufOf(src.storage), bufOf(dst.storage)];
    this.recorder.dispatch(kernel, buffers, viewParams(n, [src, dst], g), ...flatGrid(n));
  }

  cast(x: View, dtype: DType): Storage {
    const g = viewGeometry(x.shape, [x]);
    const constants = { RANK: g.rank, SRC_T: x.storage.dtype, DST_T: dtype };
    return this.#elementwise("cast", constants, [x], g, dtype);
  }

  // ---- elementwise -------------------------------------------------------------------------

  unary(op: UnaryOp, x: View): Storage {
    const g = viewGeometry(x.shape, [x]);
    return this.#elementwise("unary", { RANK: g.rank, EXPR: UNARY_EXPR[op] }, [x], g, "f32");
  }

  binary(op: BinaryOp, a: View, b: View): Storage {
    const g = viewGeometry(a.shape, [a, b]);
    return this.#elementwise("binary", { RANK: g.rank, EXPR: BINARY_EXPR[op] }, [a, b], g, "f32");
  }

  where(cond: View, a: View, b: View): Storage {
    const g = viewGeometry(a.shape, [cond, a, b]);
    const dtype = a.storage.dtype;
    const constants = { RANK: g.rank, COND_T: cond.storage.dtype, T: dtype };
    return this.#elementwise("where", constants, [cond, a, b], g, dtype);
  }

  /** One elementwise kernel over views of the same shape → new contiguous storage. */
  #elementwise(
    name: ElementwiseKernel,
    constants: Record<string, string | number>,
    views: readonly View[],
    g: ViewGeometry,
    dtype: DType,
  ): Storage {
    const out = this.#alloc(numel(views[0].shape), dtype);
    const buffers = views.map((v) => bufOf(v.storage));
    dispatchElementwise(this.#runner, name, constants, views, g, out.buf, buffers);
    return out;
  }

  // ---- reductions and row kernels ----------------------------------------------------------

  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    const out = this.#alloc(outer * inner, "f32");
    const constants = { SUM: String(op === "sum") };
    const params = { outer, size, inner };
    if (inner === 1 && size > 64) {
      const kernel = this.#kernel("reduce_rows", constants, rowWorkgroup(this.adapterKind, size));
      this.recorder.dispatch(kernel, [bufOf(x), out.buf], params, ...flatGrid(outer, 1));
    } else {
      const kernel = this.#kernel("reduce_cols", constants);
      const grid = flatGrid(outer * inner, kernel.workgroupSize);
      this.recorder.dispatch(kernel, [bufOf(x), out.buf], params, ...grid);
    }
    return out;
  }

  argmax(x: Storage, rows: number, cols: number): Storage {
    const out = this.#alloc(rows, "i32");
    dispatchRows(this.#runner, "argmax", [bufOf(x), out.buf], rows, cols);
    return out;
  }

  softmax(x: Storage, rows: number, cols: number): Storage {
    const out = this.#alloc(rows * cols, "f32");
    dispatchRows(this.#runner, "softmax", [bufOf(x), out.buf], rows, cols);
    return out;
  }

  crossEntropy(
    logits: Storage,
    targets: Storage,
    rows: number,
    cols: number,
  ): { nll: Storage; lse: Storage } {
    const nll = this.#alloc(rows, "f32");
    const lse = this.#alloc(rows, "f32");
    const faults = this.recorder.faults;
    dispatchRows(
      this.#runner,
      "cross_entropy",
      [bufOf(logits), bufOf(targets), nll.buf, lse.buf, faults],
      rows,
      cols,
    );
    return { nll, lse };
  }

  crossEntropyBackward(
    logits: Storage,
    lse: Storage,
    targets: Storage,
    dNll: Storage,
    rows: number,
    cols: number,
  ): Storage {
    const dx = this.#alloc(rows * cols, "f32");
    const buffers = [bufOf(logits), bufOf(lse), bufOf(targets), bufOf(dNll), dx.buf];
    dispatchRows(this.#runner, "cross_entropy_backward", buffers, rows, cols);
    return dx;
  }

  layerNorm(
    x: Storage,
    gamma: Storage,
    beta: Storage,
    rows: number,
    cols: number,
    eps: number,
  ): { y: Storage; mean: Storage; rstd: Storage } {
    const y = this.#alloc(rows * cols, "f32");
    const mean = this.#alloc(rows, "f32");
    const rstd = this.#alloc(rows, "f32");
    const buffers = [bufOf(x), bufOf(gamma), bufOf(beta), y.buf, mean.buf, rstd.buf];
    dispatchRows(this.#runner, "layer_norm", buffers, rows, cols, eps);
    return { y, mean, rstd };
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
    const dx = this.#alloc(rows * cols, "f32");
    const buffers = [bufOf(x), bufOf(gamma), bufOf(mean), bufOf(rstd), bufOf(dy), dx.buf];
    dispatchRows(this.#runner, "layer_norm_backward", buffers, rows, cols);
    return dx;
  }

  // ---- linear algebra ----------------------------------------------------------------------

  matmul(a: View, b: View): Storage {
    return matmul(this.#matmul, a, b);
  }

  // ---- indexing ----------------------------------------------------------------------------

  gatherRows(table: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const rows = ids.size;
    const out = this.#alloc(rows * cols, "f32");
    const kernel = this.#kernel("gather_rows", {}, rowWorkgroup(this.adapterKind, cols));
    const buffers = [bufOf(table), bufOf(ids), out.buf, this.recorder.faults];
    this.recorder.dispatch(kernel, buffers, { rows, cols, vocab, k: 0 }, ...flatGrid(rows, 1));
    return out;
  }

  scatterAddRows(src: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const out = this.#alloc(vocab * cols, "f32");
    const kernel = this.#kernel("scatter_add_rows");
    const params = { rows: ids.size, cols, vocab, k: 0 };
    const grid = flatGrid(cols, kernel.workgroupSize);
    this.recorder.dispatch(kernel, [bufOf(src), bufOf(ids), out.buf], params, ...grid);
    return out;
  }

  gatherLast(x: Storage, idx: Storage, rows: number, cols: number, k: number): Storage {
    const out = this.#alloc(rows * k, "f32");
    const buffers = [bufOf(x), bufOf(idx), out.buf, this.recorder.faults];
    const params = { rows, cols, vocab: 0, k };
    this.recorder.dispatch(this.#kernel("gather_last"), buffers, params, ...flatGrid(rows * k));
    return out;
  }

  scatterLast(src: Storage, idx: Storage, rows: number, cols: number, k: number): Storage {
    const out = this.#alloc(rows * cols, "f32");
    const kernel = this.#kernel("scatter_last");
    const params = { rows, cols, vocab: 0, k };
    const grid = flatGrid(rows, kernel.workgroupSize);
    this.recorder.dispatch(kernel, [bufOf(src), bufOf(idx), out.buf], params, ...grid);
    return out;
  }

  // ---- sampling and optimisation -----------------------------------------------------------

  multinomial(logits: Storage, rows: number, cols: number, params: SampleParams): Storage {
    const out = this.#alloc(rows, "i32");
    const kernel = this.#kernel("multinomial", {}, rowWorkgroup(this.adapterKind, cols));
    this.recorder.dispatch(kernel, [bufOf(logits), out.buf], {
      rows,
      cols,
      top_k: params.topK,
      seed: params.seed >>> 0,
      counter: params.counter >>> 0,
      inv_temperature: 1 / params.temperature,
    }, ...flatGrid(rows, 1));
    return out;
  }

  adamw(
    param: Storage,
    grad: Storage,
    m: Storage,
    v: Storage,
    p: AdamWParams,
    gradScale: Storage | null,
  ): void {
    const n = param.size;
    const scale = gradScale === null ? this.#one : bufOf(gradScale);
    const buffers = [bufOf(param), bufOf(grad), bufOf(m), bufOf(v), scale];
    this.recorder.dispatch(this.#kernel("adamw"), buffers, {
      n,
      lr: p.lr,
      beta1: p.beta1,
      beta2: p.beta2,
      eps: p.eps,
      weight_decay: p.weightDecay,
      bias_correction1: 1 - Math.pow(p.beta1, p.step),
      bias_correction2: 1 - Math.pow(p.beta2, p.step),
    }, ...flatGrid(n));
  }
}
