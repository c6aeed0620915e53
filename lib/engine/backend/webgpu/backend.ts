/**
 * The `webgpu` backend: every kernel of {@linkcode Backend} as a WGSL compute shader from
 * `kernels/`, run through Deno's WebGPU (`navigator.gpu`). The CPU backend (`cpu.ts`) is the
 * specification; `tests/engine/backend/webgpu/backend_test.ts` compares every kernel against it.
 *
 * Work is recorded into one open compute pass and submitted in batches (see
 * `_webgpu_runtime.ts`); nothing waits for the GPU except {@linkcode WebGpuBackend.read} and
 * {@linkcode WebGpuBackend.sync}. Freed storages go back to a size-bucketed pool at once:
 * commands recorded later run after the ones recorded earlier, so reuse is safe.
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
import { type GpuBuffer, type Kernel, type ParamValue, Runtime } from "./runtime.ts";
import { BINARY_EXPR, FLAT_WORKGROUP, KERNELS, UNARY_EXPR } from "./kernels.ts";
import { adapterDescription, adapterKindOf } from "./device.ts";
import {
  chunkedProblem,
  type MatmulProblem,
  planMatmul,
  swapForNarrowOutput,
  windowChunk,
} from "./matmul.ts";

/** A storage living in a pooled GPU buffer. */
export class GpuStorage implements Storage {
  #buf: GpuBuffer | null;
  /**
   * @param buf The pooled buffer (at least `size · 4` bytes).
   * @param size Number of elements.
   * @param dtype Element type.
   */
  constructor(buf: GpuBuffer, readonly size: number, readonly dtype: DType) {
    this.#buf = buf;
  }
  /** The buffer; throws after {@linkcode WebGpuBackend.free}. */
  get buf(): GpuBuffer {
    if (!this.#buf) throw new Error("webgpu: storage used after free()");
    return this.#buf;
  }
  /** Detaches the buffer (for free()). */
  take(): GpuBuffer {
    const buf = this.buf;
    this.#buf = null;
    return buf;
  }
}

function bufOf(s: Storage): GpuBuffer {
  if (!(s instanceof GpuStorage)) {
    throw new TypeError("webgpu backend: storage belongs to another backend");
  }
  return s.buf;
}

/**
 * Most elements of a row each invocation of a row kernel keeps in private memory, so that rows
 * of up to `ROW_CACHE · workgroup size` columns are read from storage once (`kernels/rows.wgsl`).
 * CPU adapters: 128 × 8 lanes covers 1024 columns (private arrays are plain stack memory;
 * measured on llvmpipe: softmax 2048×512 41 → 22 ms, layerNorm 4096×256 65 → 40 ms with 2 cores
 * busy). GPUs: 16 (registers), × 64 or 256 invocations.
 */
const ROW_CACHE_CPU = 128;
/**
 * On CPU adapters, rows of up to this many columns run one row per invocation, without the
 * barrier trees (`kernels/rows.wgsl`). Through this backend on lavapipe, two runs alternating
 * with the one-workgroup-per-row kernels (ms): layer norm 4096×256 11.5 / 11.7 → 7.4 / 7.5, its
 * backward 10.4 / 10.0 → 8.4 / 8.6, softmax 8192×128 12.2 / 12.4 → 7.2 / 7.5, 2048×512 rows
 * 1.1–1.3× faster, 8 rows of 256 the same (dispatch-bound). Longer rows keep one workgroup per
 * row, which reads a row from storage once (the row cache) and spreads it over the lanes.
 */
const LANE_ROWS_MAX_COLS = 1024;
const ROW_CACHE_GPU = 16;

/** WebGPU's per-dimension dispatch limit; bigger grids spill into y. */
const MAX_WORKGROUPS = 65535;

/**
 * Workgroup grid (x, y) of a one-invocation-per-element kernel over n elements; the kernels
 * compute i = gid.x + gid.y · nwg.x · WORKGROUP_SIZE and return when i ≥ n.
 */
function flatGrid(n: number, workgroupSize = FLAT_WORKGROUP): [number, number] {
  const groups = Math.ceil(n / workgroupSize);
  if (groups <= MAX_WORKGROUPS) return [groups, 1];
  const y = Math.ceil(groups / MAX_WORKGROUPS);
  return [Math.ceil(groups / y), y];
}

/**
 * Merges dimensions that every view walks contiguously, drops size-1 dimensions, and returns
 * the reduced shape and strides (outermost first). Rank 0 results mean a single element.
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (
      last >= 0 &&
      strides.every((s, v) => s[d] === outStrides[v][last] * outShape[last])
    ) {
      outShape[last] *= size;
      continue;
    }
    outShape.push(size);
    strides.forEach((s, v) => outStrides[v].push(s[d]));
  }
  outShape.reverse();
  for (const s of outStrides) s.reverse();
  return { shape: outShape, strides: outStrides };
}

/** Index geometry of a set of same-shape views for elementwise/copy kernels. */
export interface ViewGeometry {
  /** RANK constant: 0 = all views contiguous. */
  rank: number;
  shape: number[];
  strides: number[][];
}

/** The coalesced geometry of same-shape views (see {@linkcode coalesce}). */
export function viewGeometry(shape: readonly number[], views: readonly View[]): ViewGeometry {
  const c = coalesce(shape, views.map((v) => v.strides));
  if (c.shape.length > 8) throw new Error(`webgpu: views of rank > 8 after coalescing`);
  const contiguous = c.shape.length <= 1 && c.strides.every((s) => s.length === 0 || s[0] === 1);
  if (contiguous) return { rank: 0, shape: c.shape, strides: c.strides };
  return { rank: c.shape.length, shape: c.shape, strides: c.strides };
}

const NO_STRIDES: readonly number[] = [];

/**
 * Whether an elementwise kernel over `views` (same shape, geometry `g`) can take four
 * consecutive elements per invocation (the `*4` kernels of `kernels/elementwise.wgsl`): the
 * innermost dimension is a multiple of 4, and every view either walks it contiguously from a
 * 16-byte boundary (offset and outer strides multiples of 4) or broadcasts it (stride 0).
 * Returns each view's broadcast flag, or null for the one-element-per-invocation kernels.
 */
export function vec4Broadcasts(g: ViewGeometry, views: readonly View[]): boolean[] | null {
  const n = numel(views[0].shape);
  if (g.rank === 0) {
    return n % 4 === 0 && views.every((v) => v.offset % 4 === 0) ? views.map(() => false) : null;
  }
  if (g.shape[g.rank - 1] % 4 !== 0) return null;
  const flags: boolean[] = [];
  for (const [v, view] of views.entries()) {
    const strides = g.strides[v];
    const inner = strides[g.rank - 1];
    if (inner === 0) flags.push(true);
    else if (inner === 1 && [view.offset, ...strides.slice(0, -1)].every((x) => x % 4 === 0)) {
      flags.push(false);
    } else return null;
  }
  return flags;
}

/**
 * The `{{PEEL}}` lines of the elementwise and copy kernels' `view_offsets`: one `peel` call per
 * dimension d = rank − 1 … 1, innermost first, each with a constant d.
 */
export function peelCalls(rank: number): string {
  const calls: string[] = [];
  for (let d = rank - 1; d >= 1; d--) calls.push(`peel(${d}u, &rem, &o);`);
  return calls.join("\n  ");
}

/**
 * The `{{LOADv}}` expression of input v in a four-element kernel: a vec4 load at its view
 * offset, or (broadcast along the innermost dimension) one element splat.
 */
export function vec4Load(v: number, broadcast: boolean): string {
  const o = `o.${"xyz"[v]}`;
  return broadcast ? `vec4(in${v}[${o} >> 2u][${o} & 3u])` : `in${v}[${o} >> 2u]`;
}

/** The four-elements-per-invocation kernel of each elementwise kernel. */
const VEC4_KERNEL = {
  unary: "unary4",
  binary: "binary4",
  where: "where4",
  cast: "cast4",
} as const;

/**
 * The kernels that record out-of-range indices in `Runtime.faults`, by fault code (the FAULT_*
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
  /** The runtime (device, pool, recorder); exposed for benches and tests. */
  readonly runtime: Runtime;
  #kernels = new Map<string, Kernel>();
  #one: GpuBuffer;
  #adapterKind: "cpu" | "gpu";
  #live = 0;

  private constructor(runtime: Runtime) {
    this.runtime = runtime;
    this.description = `WebGPU: ${adapterDescription(runtime.adapter)}`;
    this.#one = runtime.constant(new Float32Array([1]));
    this.#adapterKind = adapterKindOf(runtime.adapter);
    runtime.describeFault = (code, id, bound) =>
      `${FAULT_NAMES[code] ?? `kernel fault ${code}:`} ${id} out of range [0, ${bound})`;
  }

  /** Creates the backend on the default adapter; throws a clear error when there is none. */
  static async create(): Promise<WebGpuBackend> {
    return new WebGpuBackend(await Runtime.create());
  }

  /**
   * Workgroup size of the row kernels (one workgroup per row). On CPU adapters one SIMD group
   * (8 lanes on llvmpipe AVX2): barriers are costly there and 8 lanes keep tree reductions at
   * 3 levels (measured: softmax 8192×128 takes 24 ms at 8, 46 ms at 32, 78 ms at 64). On GPUs,
   * 64 for short rows and 256 for long ones.
   */
  #rowWorkgroup(cols: number): number {
    if (this.#adapterKind === "cpu") return 8;
    return cols <= 1024 ? 64 : 256;
  }

  #kernel(
    name: keyof typeof KERNELS,
    constants: Record<string, string | number> = {},
    workgroupSize?: number,
  ): Kernel {
    const key = `${name}|${workgroupSize}|${Object.values(constants).join("|")}`;
    let kernel = this.#kernels.get(key);
    if (!kernel) {
      kernel = this.runtime.kernel(KERNELS[name], constants, workgroupSize);
      this.#kernels.set(key, kernel);
    }
    return kernel;
  }

  #alloc(size: number, dtype: DType): GpuStorage {
    this.#live++;
    return new GpuStorage(this.runtime.alloc(Math.max(size, 1) * 4), size, dtype);
  }

  // ---- memory ------------------------------------------------------------------------------

  full(size: number, value: number, dtype: DType): Storage {
    const out = this.#alloc(size, dtype);
    const bits = dtype === "f32"
      ? new Uint32Array(new Float32Array([value]).buffer)[0]
      : (value | 0) >>> 0;
    // All-zero bits (0, −0 is not: its sign bit is set) need no kernel: a buffer clear.
    if (bits === 0) this.runtime.clear(out.buf, size * 4);
    else this.runtime.dispatch(this.#kernel("fill"), [out.buf], [size, bits], ...flatGrid(size));
    return out;
  }

  upload(data: Float32Array | Int32Array): Storage {
    const out = this.#alloc(data.length, data instanceof Int32Array ? "i32" : "f32");
    if (data.length > 0) this.runtime.write(out.buf, data);
    return out;
  }

  write(storage: Storage, data: Float32Array | Int32Array): void {
    if (storage.size !== data.length) {
      throw new RangeError(`write: expected ${storage.size} elements, got ${data.length}`);
    }
    if (data.length > 0) this.runtime.write(bufOf(storage), data);
  }

  async read(storage: Storage): Promise<Float32Array | Int32Array> {
    const bytes = await this.runtime.read(bufOf(storage), storage.size * 4);
    return storage.dtype === "i32" ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  free(storage: Storage): void {
    if (!(storage instanceof GpuStorage)) {
      throw new TypeError("webgpu backend: storage belongs to another backend");
    }
    this.runtime.release(storage.take());
    this.#live--;
  }

  sync(): Promise<void> {
    return this.runtime.sync();
  }

  memory(): { liveStorages: number; liveBytes: number; pooledBytes: number } {
    const m = this.runtime.memory();
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
    this.runtime.dispatch(
      this.#kernel("copy", { RANK: g.rank, PEEL: peelCalls(g.rank) }),
      [bufOf(src.storage), bufOf(dst.storage)],
      [n, src.offset, dst.offset, g.shape, g.strides[0], g.strides[1]],
      ...flatGrid(n),
    );
  }

  cast(x: View, dtype: DType): Storage {
    const g = viewGeometry(x.shape, [x]);
    return this.#elementwise(
      "cast",
      { RANK: g.rank, SRC_T: x.storage.dtype, DST_T: dtype },
      [
        x,
      ],
      g,
      dtype,
    );
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

  /** Dispatches one elementwise kernel over views of the same shape → new contiguous storage. */
  #elementwise(
    name: "unary" | "binary" | "where" | "cast",
    constants: Record<string, string | number>,
    views: readonly View[],
    g: ViewGeometry,
    dtype: DType,
  ): Storage {
    const n = numel(views[0].shape);
    const out = this.#alloc(n, dtype);
    const specialised = { ...constants, PEEL: peelCalls(g.rank) };
    const params: ParamValue[] = [
      n,
      views[0].offset,
      views[1]?.offset ?? 0,
      views[2]?.offset ?? 0,
      g.shape,
      g.strides[0] ?? NO_STRIDES,
      g.strides[1] ?? NO_STRIDES,
      g.strides[2] ?? NO_STRIDES,
    ];
    const buffers = views.map((v) => bufOf(v.storage));
    buffers.push(out.buf);
    const bcast = vec4Broadcasts(g, views);
    if (bcast) {
      const loads = Object.fromEntries(bcast.map((b, v) => [`LOAD${v}`, vec4Load(v, b)]));
      const kernel = this.#kernel(VEC4_KERNEL[name], { ...specialised, ...loads });
      this.runtime.dispatch(kernel, buffers, params, ...flatGrid(n / 4));
    } else {
      this.runtime.dispatch(this.#kernel(name, specialised), buffers, params, ...flatGrid(n));
    }
    return out;
  }

  // ---- reductions and row kernels ----------------------------------------------------------

  reduce(op: ReduceOp, x: Storage, outer: number, size: number, inner: number): Storage {
    const out = this.#alloc(outer * inner, "f32");
    const constants = op === "sum"
      ? { COMBINE: "a + b", IDENTITY: "0.0" }
      : { COMBINE: "max(a, b)", IDENTITY: "bitcast<f32>(0xff800000u)" };
    const params = [outer, size, inner];
    if (inner === 1 && size > 64) {
      const kernel = this.#kernel("reduce_rows", constants, this.#rowWorkgroup(size));
      this.runtime.dispatch(kernel, [bufOf(x), out.buf], params, ...flatGrid(outer, 1));
    } else {
      const kernel = this.#kernel("reduce_cols", constants);
      const grid = flatGrid(outer * inner, kernel.workgroupSize);
      this.runtime.dispatch(kernel, [bufOf(x), out.buf], params, ...grid);
    }
    return out;
  }

  /** Dispatches a row kernel (one workgroup per row) over `buffers`. */
  #rows(
    name: keyof typeof KERNELS,
    buffers: GpuBuffer[],
    rows: number,
    cols: number,
    eps = 0,
  ): void {
    const wg = this.#rowWorkgroup(cols);
    if (this.#adapterKind === "cpu" && cols <= LANE_ROWS_MAX_COLS) {
      // One row per invocation: no barriers (see kernels/rows.wgsl).
      const kernel = this.#kernel(name, { CACHED: "false", ROW_CACHE: 1, LANES: 1 }, wg);
      this.runtime.dispatch(kernel, buffers, [rows, cols, eps], ...flatGrid(rows, wg));
      return;
    }
    // Private cache slots per invocation: the next power of two ≥ cols / wg (few pipelines).
    const slots = 2 ** Math.ceil(Math.log2(Math.max(4, Math.ceil(cols / wg))));
    const cached = slots <= (this.#adapterKind === "cpu" ? ROW_CACHE_CPU : ROW_CACHE_GPU);
    const constants = { CACHED: String(cached), ROW_CACHE: cached ? slots : 1, LANES: wg };
    const kernel = this.#kernel(name, constants, wg);
    this.runtime.dispatch(kernel, buffers, [rows, cols, eps], ...flatGrid(rows, 1));
  }

  argmax(x: Storage, rows: number, cols: number): Storage {
    const out = this.#alloc(rows, "i32");
    this.#rows("argmax", [bufOf(x), out.buf], rows, cols);
    return out;
  }

  softmax(x: Storage, rows: number, cols: number): Storage {
    const out = this.#alloc(rows * cols, "f32");
    this.#rows("softmax", [bufOf(x), out.buf], rows, cols);
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
    this.#rows(
      "cross_entropy",
      [bufOf(logits), bufOf(targets), nll.buf, lse.buf, this.runtime.faults],
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
    this.#rows("cross_entropy_backward", buffers, rows, cols);
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
    this.#rows("layer_norm", buffers, rows, cols, eps);
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
    this.#rows("layer_norm_backward", buffers, rows, cols);
    return dx;
  }

  // ---- linear algebra ----------------------------------------------------------------------

  matmul(a: View, bm: View): Storage {
    const [batch, m, k] = a.shape;
    const n = bm.shape[2];
    if (batch * m * n === 0 || k === 0) {
      // No output, or an empty sum over K = 0: zeros.
      const out = this.#alloc(batch * m * n, "f32");
      this.runtime.clear(out.buf, batch * m * n * 4);
      return out;
    }
    // Operands whose inner strides are neither row-major nor transposed become contiguous.
    const temps: Storage[] = [];
    const layout = (v: View) => {
      let l = matrixLayout(v);
      if (!l) {
        const c = this.cast(v, "f32");
        temps.push(c);
        v = fullView(c, v.shape);
        l = matrixLayout(v)!;
      }
      return { view: v, ...l };
    };
    let A = layout(a);
    const B = layout(bm);
    let problem: MatmulProblem = {
      batch,
      m,
      n,
      k,
      transA: A.trans,
      transB: B.trans,
      aOffset: A.view.offset,
      bOffset: B.view.offset,
      aBatchStride: batch === 1 ? 0 : A.view.strides[0],
      bBatchStride: batch === 1 ? 0 : B.view.strides[0],
      lda: A.ld,
      ldb: B.ld,
      aBytes: bufOf(A.view.storage).bytes,
    };
    const limits = this.runtime.device.limits;
    if (swapForNarrowOutput(problem, limits, this.#adapterKind)) {
      for (const t of temps) this.free(t);
      return this.#swappedProduct(a, bm);
    }
    const out = this.#alloc(batch * m * n, "f32");
    const kc = windowChunk(problem, limits, this.#adapterKind);
    if (kc > 0) {
      // CPU adapter: repack A (transposed, or with long rows) as (K / kc, M, kc) chunks of
      // its columns so that the window variant applies with full row blocks, and sum the
      // chunks' products (see windowChunk).
      const v = A.view;
      const packed = this.cast({
        storage: v.storage,
        shape: [k / kc, m, kc],
        strides: A.trans ? [kc * A.ld, 1, A.ld] : [kc, A.ld, 1],
        offset: v.offset,
      }, "f32");
      temps.push(packed);
      A = { view: fullView(packed, [k / kc, m, kc]), trans: false, ld: kc };
      problem = chunkedProblem(problem, kc, bufOf(packed).bytes);
    }
    const plan = planMatmul(problem, limits, this.#adapterKind);
    const kernel = this.runtime.rawKernel(
      plan.key,
      plan.code,
      [plan.windowBytes === undefined ? "read" : "window", "read", "read_write"],
      plan.dispatches[0].params.byteLength,
      plan.windowBytes,
    );
    const buffers = [bufOf(A.view.storage), bufOf(B.view.storage), out.buf];
    for (const d of plan.dispatches) {
      this.runtime.dispatch(kernel, buffers, d.params, ...d.workgroups, d.windowOffset);
    }
    for (const t of temps) this.free(t);
    return out;
  }

  /** A·B as (Bᵀ·Aᵀ)ᵀ: the swapped product, then one copy of M·N floats (see swapForNarrowOutput). */
  #swappedProduct(a: View, bm: View): Storage {
    const transpose = (v: View): View => ({
      ...v,
      shape: [v.shape[0], v.shape[2], v.shape[1]],
      strides: [v.strides[0], v.strides[2], v.strides[1]],
    });
    const m = a.shape[1], n = bm.shape[2];
    const outT = this.matmul(transpose(bm), transpose(a)); // (1, N, M)
    const out = this.cast(
      { storage: outT, shape: [1, m, n], strides: [m * n, 1, m], offset: 0 },
      "f32",
    );
    this.free(outT);
    return out;
  }

  // ---- indexing ----------------------------------------------------------------------------

  gatherRows(table: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const rows = ids.size;
    const out = this.#alloc(rows * cols, "f32");
    const kernel = this.#kernel("gather_rows", {}, this.#rowWorkgroup(cols));
    this.runtime.dispatch(kernel, [bufOf(table), bufOf(ids), out.buf, this.runtime.faults], [
      rows,
      cols,
      vocab,
      0,
    ], ...flatGrid(rows, 1));
    return out;
  }

  scatterAddRows(src: Storage, ids: Storage, vocab: number, cols: number): Storage {
    const out = this.#alloc(vocab * cols, "f32");
    const kernel = this.#kernel("scatter_add_rows");
    const grid = flatGrid(cols, kernel.workgroupSize);
    this.runtime.dispatch(kernel, [bufOf(src), bufOf(ids), out.buf], [
      ids.size,
      cols,
      vocab,
      0,
    ], ...grid);
    return out;
  }

  gatherLast(x: Storage, idx: Storage, rows: number, cols: number, k: number): Storage {
    const out = this.#alloc(rows * k, "f32");
    const kernel = this.#kernel("gather_last");
    this.runtime.dispatch(
      kernel,
      [bufOf(x), bufOf(idx), out.buf, this.runtime.faults],
      [rows, cols, 0, k],
      ...flatGrid(rows * k),
    );
    return out;
  }

  scatterLast(src: Storage, idx: Storage, rows: number, cols: number, k: number): Storage {
    const out = this.#alloc(rows * cols, "f32");
    const kernel = this.#kernel("scatter_last");
    const grid = flatGrid(rows, kernel.workgroupSize);
    this.runtime.dispatch(kernel, [bufOf(src), bufOf(idx), out.buf], [rows, cols, 0, k], ...grid);
    return out;
  }

  // ---- sampling and optimisation -----------------------------------------------------------

  multinomial(logits: Storage, rows: number, cols: number, params: SampleParams): Storage {
    const out = this.#alloc(rows, "i32");
    const kernel = this.#kernel("multinomial", {}, this.#rowWorkgroup(cols));
    this.runtime.dispatch(kernel, [bufOf(logits), out.buf], [
      rows,
      cols,
      params.topK,
      params.seed >>> 0,
      params.counter >>> 0,
      1 / params.temperature,
    ], ...flatGrid(rows, 1));
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
    this.runtime.dispatch(this.#kernel("adamw"), [
      bufOf(param),
      bufOf(grad),
      bufOf(m),
      bufOf(v),
      scale,
    ], [
      n,
      p.lr,
      p.beta1,
      p.beta2,
      p.eps,
      p.weightDecay,
      1 - Math.pow(p.beta1, p.step),
      1 - Math.pow(p.beta2, p.step),
    ], ...flatGrid(n));
  }
}

/**
 * How a 3-D view (B, R, C) stores each matrix: row-major (`trans` false, row stride `ld`) or
 * transposed (column-major, column stride `ld`); null when neither (then it is copied).
 */
function matrixLayout(v: View): { trans: boolean; ld: number } | null {
  const [, r, c] = v.shape;
  const [, s1, s2] = v.strides;
  if ((c === 1 || s2 === 1) && (r === 1 || s1 >= c)) return { trans: false, ld: r === 1 ? c : s1 };
  if ((r === 1 || s1 === 1) && (c === 1 || s2 >= r)) return { trans: true, ld: c === 1 ? r : s2 };
  return null;
}
