/**
 * The command recorder: dispatches go into one open compute pass and are submitted in batches;
 * nothing waits for the GPU except {@linkcode Recorder.read} and {@linkcode Recorder.sync}.
 *
 * - Uniforms: every dispatch of a batch appends its `Params` to a host-side arena; the flush
 *   uploads the arena with one `writeBuffer` right before its submit and each dispatch binds it
 *   at a dynamic offset. No per-dispatch GPU allocation, and bind groups depend on the storage
 *   buffers only (cached).
 * - Ordering rule: `queue.writeBuffer` lands before any not-yet-submitted command, so a write
 *   into a buffer that pending (recorded, unsubmitted) work touches flushes that work first.
 * - Readback: copy into a pooled MAP_READ staging buffer, submit, `mapAsync` (the only sync
 *   point, with a floor of about 11 ms in Deno).
 *
 * @module
 */
import type { BufferPool, GpuBuffer } from "./pool.ts";
import type { Kernel } from "./pipelines.ts";
import { type Params, PARAMS_WINDOW, writeParams } from "./wgsl.ts";

/** The fault record: [code, id, bound, unused] as u32. */
const FAULT_WORDS = 4;
const FAULT_BYTES = FAULT_WORDS * 4;

/** Options of {@linkcode Recorder}. */
export interface RecorderOptions {
  /**
   * Dispatches recorded before the batch is submitted (default 64): submits cost per dispatch
   * less in larger batches, and 64 keeps the params arena small (docs/performance.md).
   */
  dispatchesPerSubmit?: number;
}

/** Records dispatches, copies and host writes in queue order, and reads buffers back. */
export class Recorder {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly dispatchesPerSubmit: number;

  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #dispatches = 0;
  /** Id of the batch being recorded; bumps at every submit. */
  #batch = 1;
  #arena: GPUBuffer;
  #arenaHost: ArrayBuffer;
  #arenaU32: Uint32Array;
  #arenaI32: Int32Array;
  #arenaF32: Float32Array;
  #arenaUsed = 0;
  #uniformAlign: number;
  #bindGroups = new Map<string, GPUBindGroup>();
  #error: Error | null = null;
  #offsets = new Uint32Array(2);
  static readonly MAX_BIND_GROUPS = 8192;

  /**
   * Device-side index faults. Kernels that index with ids bind this buffer (`faults`, four
   * u32) and record an out-of-range id as `[code, id, bound, 0]` (code via `atomicMax`).
   * {@linkcode read} copies it back with the data and throws; `describeFault(code, id, bound)`
   * names the op (set by the backend).
   */
  readonly faults: GpuBuffer;
  describeFault: (code: number, id: number, bound: number) => string = (code, id, bound) =>
    `kernel fault ${code}: id ${id} out of range [0, ${bound})`;

  /** Counters for profiling: dispatches, submits, writes, readbacks since creation. */
  readonly counters = { dispatches: 0, submits: 0, writes: 0, readbacks: 0, bindGroups: 0 };

  /**
   * @param pool The pool of the buffers recorded here (also holds the staging buffers).
   * @param options Batch size.
   */
  constructor(pool: BufferPool, options: RecorderOptions = {}) {
    const device = pool.device;
    this.device = device;
    this.pool = pool;
    this.dispatchesPerSubmit = options.dispatchesPerSubmit ?? 64;
    this.#uniformAlign = device.limits.minUniformBufferOffsetAlignment;
    const slot = Math.ceil(PARAMS_WINDOW / this.#uniformAlign) * this.#uniformAlign;
    const arenaBytes = slot * this.dispatchesPerSubmit + PARAMS_WINDOW;
    this.#arena = device.createBuffer({
      label: "params-arena",
      size: arenaBytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.#arenaHost = new ArrayBuffer(arenaBytes);
    this.#arenaU32 = new Uint32Array(this.#arenaHost);
    this.#arenaI32 = new Int32Array(this.#arenaHost);
    this.#arenaF32 = new Float32Array(this.#arenaHost);
    this.faults = pool.constant(new Uint32Array(FAULT_WORDS));
    device.addEventListener("uncapturederror", (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.#error ??= new Error(`WebGPU error: ${message}`);
    });
  }

  /** Throws the first uncaptured WebGPU error seen, if any. */
  checkError(): void {
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      throw error;
    }
  }

  /**
   * Records one dispatch of `kernel` over `buffers` (binding order) with `params` (by `Params`
   * field name; packed bytes for a raw kernel) and `workgroups` (x, y, z). Submits every
   * `dispatchesPerSubmit` dispatches. A kernel with a window binds `buffers[0]` from byte
   * `windowOffset` (a multiple of minUniformBufferOffsetAlignment).
   */
  dispatch(
    kernel: Kernel,
    buffers: readonly GpuBuffer[],
    params: Params | ArrayBuffer,
    x: number,
    y = 1,
    z = 1,
    windowOffset = 0,
  ): void {
    if (x === 0 || y === 0 || z === 0) return;
    if (this.#dispatches >= this.dispatchesPerSubmit) this.flush();
    const base = this.#arenaUsed;
    if (params instanceof ArrayBuffer) {
      new Uint8Array(this.#arenaHost, base, params.byteLength).set(new Uint8Array(params));
    } else {
      writeParams(kernel.params, params, this.#arenaU32, this.#arenaI32, this.#arenaF32, base / 4);
    }
    this.#arenaUsed += Math.ceil(kernel.params.bytes / this.#uniformAlign) * this.#uniformAlign;
    const group = this.#bindGroup(kernel, buffers);
    for (const b of buffers) b.batch = this.#batch;
    const pass = this.#openPass();
    pass.setPipeline(kernel.pipeline);
    // Dynamic offsets in binding order: the window (if any), then the params slot.
    if (kernel.windowBytes !== undefined) {
      this.#offsets[0] = windowOffset;
      this.#offsets[1] = base;
      pass.setBindGroup(0, group, this.#offsets, 0, 2);
    } else {
      this.#offsets[0] = base;
      pass.setBindGroup(0, group, this.#offsets, 0, 1);
    }
    pass.dispatchWorkgroups(x, y, z);
    this.#dispatches++;
    this.counters.dispatches++;
  }

  /** The bind group of `buffers` plus the params arena (cached by layout and buffers). */
  #bindGroup(kernel: Kernel, buffers: readonly GpuBuffer[]): GPUBindGroup {
    let key = `${kernel.layoutId}`;
    for (const b of buffers) key += `,${b.id}`;
    let group = this.#bindGroups.get(key);
    if (group) return group;
    if (this.#bindGroups.size >= Recorder.MAX_BIND_GROUPS) this.#bindGroups.clear();
    const entries: GPUBindGroupEntry[] = buffers.map((b, i) => ({
      binding: i,
      resource: i === 0 && kernel.windowBytes !== undefined
        ? { buffer: b.buffer, offset: 0, size: kernel.windowBytes }
        : { buffer: b.buffer },
    }));
    entries.push({
      binding: buffers.length,
      resource: { buffer: this.#arena, offset: 0, size: PARAMS_WINDOW },
    });
    group = this.device.createBindGroup({ layout: kernel.layout, entries });
    this.#bindGroups.set(key, group);
    this.counters.bindGroups++;
    return group;
  }

  #openPass(): GPUComputePassEncoder {
    if (!this.#pass) {
      this.#encoder ??= this.device.createCommandEncoder();
      this.#pass = this.#encoder.beginComputePass();
    }
    return this.#pass;
  }

  #closePass(): GPUCommandEncoder {
    this.#pass?.end();
    this.#pass = null;
    return this.#encoder ??= this.device.createCommandEncoder();
  }

  /** Submits all recorded work (uploading the batch's params first). */
  flush(): void {
    if (!this.#encoder) return;
    const encoder = this.#closePass();
    if (this.#arenaUsed > 0) {
      this.device.queue.writeBuffer(this.#arena, 0, this.#arenaHost, 0, this.#arenaUsed);
    }
    this.device.queue.submit([encoder.finish()]);
    this.#encoder = null;
    this.#dispatches = 0;
    this.#arenaUsed = 0;
    this.#batch++;
    this.counters.submits++;
  }

  /** Records a buffer-to-buffer copy (closes the open pass; stays in the batch). */
  copyBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, bytes: number) {
    if (bytes === 0) return;
    src.batch = dst.batch = this.#batch;
    this.#closePass().copyBufferToBuffer(src.buffer, srcOffset, dst.buffer, dstOffset, bytes);
    this.#dispatches++;
  }

  /**
   * Records a zero fill of `bytes` bytes from the start of `buf` (`clearBuffer`: a memset on a
   * CPU adapter, faster there than a fill kernel; closes the open pass).
   */
  clear(buf: GpuBuffer, bytes: number): void {
    if (bytes === 0) return;
    buf.batch = this.#batch;
    this.#closePass().clearBuffer(buf.buffer, 0, bytes);
    this.#dispatches++;
  }

  /** Host → device write, flushing first when recorded work touches `buf` (ordering rule). */
  write(buf: GpuBuffer, data: ArrayBufferView, byteOffset = 0): void {
    if (buf.batch === this.#batch && this.#encoder) this.flush();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // writeBuffer needs a multiple of 4 bytes; our element types are all 4 bytes wide.
    this.device.queue.writeBuffer(buf.buffer, byteOffset, bytes);
    this.counters.writes++;
  }

  /**
   * Reads `bytes` bytes of `buf` back to the host (submits pending work). The fault record
   * travels in the same staging buffer; a recorded fault is cleared and thrown as a RangeError.
   */
  async read(buf: GpuBuffer, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const staging = this.pool.staging(size + FAULT_BYTES);
    if (bytes > 0) {
      buf.batch = this.#batch;
      this.#closePass().copyBufferToBuffer(buf.buffer, 0, staging, 0, size);
    }
    this.faults.batch = this.#batch;
    this.#closePass().copyBufferToBuffer(this.faults.buffer, 0, staging, size, FAULT_BYTES);
    this.flush();
    this.counters.readbacks++;
    await staging.mapAsync(GPUMapMode.READ, 0, size + FAULT_BYTES);
    const mapped = staging.getMappedRange(0, size + FAULT_BYTES);
    const out = mapped.slice(0, bytes);
    const [code, id, bound] = new Uint32Array(mapped.slice(size, size + FAULT_BYTES));
    staging.unmap();
    this.pool.releaseStaging(staging);
    this.checkError();
    if (code !== 0) {
      this.write(this.faults, new Uint32Array(FAULT_WORDS));
      throw new RangeError(
        `${this.describeFault(code, id | 0, bound)} (found on the GPU, reported at this readback)`,
      );
    }
    return out;
  }

  /** Submits pending work and waits for the queue to drain. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.checkError();
  }
}
