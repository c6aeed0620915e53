/**
 * The WebGPU runtime under {@linkcode WebGpuBackend}: device acquisition, a size-bucketed buffer
 * pool, kernel specs turned into cached pipelines, and a command recorder that batches
 * dispatches into one open compute pass.
 *
 * Design (see docs in `/work/shared/reference/webgpu-engines.md`, "Runtime for minimal CPU-GPU
 * sync"):
 * - Kernel specs ({@linkcode KernelSpec}) name the storage bindings and the uniform `Params`
 *   fields; the runtime generates the `@group(0) @binding(i)` lines and `WORKGROUP_SIZE`, so
 *   binding indices are never written by hand, and checks the `.wgsl` file's `struct Params`
 *   against the spec when the pipeline is built.
 * - Uniforms: instead of one buffer per distinct parameter block, every dispatch of a batch
 *   appends its `Params` to a host-side arena; the flush uploads the arena with one
 *   `writeBuffer` right before its submit and each dispatch binds it at a dynamic offset. No
 *   per-dispatch GPU allocation, and bind groups depend on the storage buffers only (cached).
 * - Ordering rule: `queue.writeBuffer` lands before any not-yet-submitted command, so a write
 *   into a buffer that pending (recorded, unsubmitted) work touches flushes that work first.
 * - Readback: copy into a pooled MAP_READ staging buffer, submit, `mapAsync` (~11 ms floor in
 *   Deno: the only sync point).
 *
 * @module
 */

import { requestDevice } from "./device.ts";

/** Storage access of a binding. */
export type StorageAccess = "read" | "read_write";

/**
 * How a raw kernel binds a buffer: as storage, or (`window`) as a read-only uniform window into
 * the buffer at a per-dispatch dynamic offset.
 */
export type Access = StorageAccess | "window";

/** One storage-buffer binding of a kernel: `var<storage, access> name: array<type>`. */
export interface BindingSpec {
  /** WGSL variable name. */
  readonly name: string;
  /** `read` or `read_write`. */
  readonly access: StorageAccess;
  /** Element type (default `f32`); may be a `{{PLACEHOLDER}}` filled at specialisation. */
  readonly type?: string;
}

/** Types allowed in a `Params` struct. Arrays hold rank-8 shapes/strides as 2 × vec4. */
export type ParamType = "u32" | "i32" | "f32" | "array<vec4<u32>, 2>";

/** A `Params` field: name and WGSL type, in struct order. */
export type ParamField = readonly [name: string, type: ParamType];

/** Everything the runtime needs to build one kernel's pipeline. */
export interface KernelSpec {
  /** Unique kernel name; also the `// @kernel <name>` section of `file` that holds `main`. */
  readonly name: string;
  /** File under `kernels/`. */
  readonly file: string;
  /** Storage bindings in binding order; the uniform `params` binding is appended last. */
  readonly bindings: readonly BindingSpec[];
  /** Fields of the file's `struct Params`, in order. */
  readonly params: readonly ParamField[];
  /** Default workgroup size (1-D), emitted as `const WORKGROUP_SIZE: u32`. */
  readonly workgroupSize: number;
}

/** Value of one param: a number, or up to 8 numbers for `array<vec4<u32>, 2>`. */
export type ParamValue = number | readonly number[];

/**
 * Usage of every pooled and constant buffer: storage, copies, and uniform (a matmul may read A
 * through a uniform window, see `kernels/matmul_window.wgsl`).
 */
function bufferUsage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_SRC |
    GPUBufferUsage.COPY_DST;
}

/** Bytes of the uniform window bound per dispatch; every `Params` struct must fit in it. */
export const PARAMS_WINDOW = 256;

const KERNEL_DIR = new URL("../../../../kernels/", import.meta.url);

// ---- WGSL assembly --------------------------------------------------------------------------

/** Source text of a `kernels/` file (cached). */
const fileCache = new Map<string, string>();
function kernelFile(file: string): string {
  let text = fileCache.get(file);
  if (text === undefined) {
    text = Deno.readTextFileSync(new URL(file, KERNEL_DIR));
    fileCache.set(file, text);
  }
  return text;
}

/** Splits a kernel file into its shared prelude and its `// @kernel <name>` sections. */
export function splitSections(text: string): { prelude: string; sections: Map<string, string> } {
  const parts = text.split(/^\/\/ @kernel (\w+)[^\n]*$/m);
  const sections = new Map<string, string>();
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i], parts[i + 1]);
  return { prelude: parts[0], sections };
}

/** Parses `struct Params { a: u32, b: array<vec4<u32>, 2>, }` into `[name, type]` pairs. */
export function parseParamsStruct(text: string): [string, string][] | null {
  const match = /struct\s+Params\s*\{([^}]*)\}/.exec(text);
  if (!match) return null;
  const body = match[1].replace(/\/\/[^\n]*/g, "");
  const fields: [string, string][] = [];
  let depth = 0;
  let current = "";
  for (const ch of body + ",") {
    if (ch === "<") depth++;
    if (ch === ">") depth--;
    if (ch === "," && depth === 0) {
      const field = current.trim();
      if (field) {
        const colon = field.indexOf(":");
        fields.push([
          field.slice(0, colon).trim(),
          field.slice(colon + 1).replace(/\s+/g, " ").trim(),
        ]);
      }
      current = "";
    } else current += ch;
  }
  return fields;
}

/**
 * The complete WGSL of a kernel: generated header (workgroup size, bindings) + the file's
 * prelude + the kernel's section, with `{{NAME}}` placeholders replaced from `constants`.
 */
export function assembleKernel(
  spec: KernelSpec,
  constants: Readonly<Record<string, string | number>> = {},
  workgroupSize = spec.workgroupSize,
): string {
  const { prelude, sections } = splitSections(kernelFile(spec.file));
  const section = sections.size === 0 ? "" : sections.get(spec.name);
  if (section === undefined) throw new Error(`${spec.file}: no "// @kernel ${spec.name}" section`);
  const header = [
    `// Generated by _webgpu_runtime.ts from the KernelSpec "${spec.name}".`,
    `const WORKGROUP_SIZE: u32 = ${workgroupSize}u;`,
    ...spec.bindings.map((b, i) =>
      `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type ?? "f32"}>;`
    ),
    `@group(0) @binding(${spec.bindings.length}) var<uniform> params: Params;`,
  ];
  let code = `${header.join("\n")}\n${prelude}\n${section}`;
  code = code.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = constants[key];
    if (value === undefined) throw new Error(`kernel ${spec.name}: no value for ${whole}`);
    return String(value);
  });
  return code;
}

/** Byte layout of a `Params` struct (WGSL uniform layout rules). */
interface ParamsLayout {
  /** Per field: offset in 4-byte words and kind. */
  fields: { word: number; type: ParamType }[];
  /** Struct size in bytes. */
  bytes: number;
}

function paramsLayout(params: readonly ParamField[]): ParamsLayout {
  let offset = 0;
  const fields: ParamsLayout["fields"] = [];
  for (const [, type] of params) {
    const [align, size] = type === "array<vec4<u32>, 2>" ? [16, 32] : [4, 4];
    offset = Math.ceil(offset / align) * align;
    fields.push({ word: offset / 4, type });
    offset += size;
  }
  return { fields, bytes: Math.max(16, Math.ceil(offset / 16) * 16) };
}

// ---- buffers --------------------------------------------------------------------------------

/** The fault record: [code, id, bound, unused] as u32. */
const FAULT_WORDS = 4;
const FAULT_BYTES = FAULT_WORDS * 4;

/** A pooled GPU buffer. `batch` is the id of the last batch that bound it. */
export interface GpuBuffer {
  readonly buffer: GPUBuffer;
  /** Unique id (bind-group cache keys). */
  readonly id: number;
  /** Capacity in bytes (the bucket size). */
  readonly bytes: number;
  /** Id of the last command batch that referenced this buffer. */
  batch: number;
}

/** Bucket capacity for a request: 256 B minimum, powers of two up to 1 MiB, then quarter steps. */
export function bucketBytes(bytes: number): number {
  if (bytes <= 256) return 256;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  if (pow <= 1 << 20) return pow;
  const step = pow / 8; // ≤ 12.5 % waste for large buffers
  return Math.ceil(bytes / step) * step;
}

/** A compiled kernel: pipeline, layout and the parameter writer. */
export interface Kernel {
  readonly spec: KernelSpec;
  readonly key: string;
  readonly pipeline: GPUComputePipeline;
  /** Id of the bind-group layout (kernels with the same binding signature share it). */
  readonly layoutId: number;
  readonly layout: GPUBindGroupLayout;
  readonly params: ParamsLayout;
  readonly workgroupSize: number;
  /** Bytes of the uniform window bound at binding 0 (kernels whose first access is `window`). */
  readonly windowBytes?: number;
}

/** Options of {@linkcode Runtime.create}. */
export interface RuntimeOptions {
  /**
   * Dispatches recorded before the batch is submitted (default 64). Measured on lavapipe with
   * Deno 2.9: queue.submit costs ~42 / 29 / 24 µs per tiny dispatch at 16 / 48 / 200 per
   * submit (recording itself ~5 µs), so larger batches help a little; 64 keeps the arena small.
   */
  dispatchesPerSubmit?: number;
}

/** Device, pool, pipeline cache and command recorder. One per backend. */
export class Runtime {
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly dispatchesPerSubmit: number;

  // pool
  #nextBufferId = 1;
  #free = new Map<number, GpuBuffer[]>();
  #staging = new Map<number, GPUBuffer[]>();
  #liveBytes = 0;
  #liveBuffers = 0;
  #pooledBytes = 0;

  // caches
  #kernels = new Map<string, Kernel>();
  #layouts = new Map<string, { id: number; layout: GPUBindGroupLayout }>();
  #bindGroups = new Map<string, GPUBindGroup>();
  static readonly MAX_BIND_GROUPS = 8192;

  // recorder
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
  #error: Error | null = null;
  #offsets = new Uint32Array(2);

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

  private constructor(adapter: GPUAdapter, device: GPUDevice, options: RuntimeOptions) {
    this.adapter = adapter;
    this.device = device;
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
    this.faults = this.constant(new Uint32Array(FAULT_WORDS));
    device.addEventListener("uncapturederror", (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.#error ??= new Error(`WebGPU error: ${message}`);
    });
  }

  /**
   * Acquires an adapter and a device with the adapter's maximum buffer, workgroup-memory and
   * invocation limits. Throws when no adapter is available.
   */
  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const { adapter, device } = await requestDevice();
    return new Runtime(adapter, device, options);
  }

  /** Throws the first uncaptured WebGPU error seen, if any. */
  checkError(): void {
    if (this.#error) {
      const error = this.#error;
      this.#error = null;
      throw error;
    }
  }

  // ---- pool ---------------------------------------------------------------------------------

  /** A pooled buffer of at least `bytes` bytes (STORAGE | UNIFORM | COPY_SRC | COPY_DST). */
  alloc(bytes: number): GpuBuffer {
    const size = bucketBytes(bytes);
    this.#liveBytes += size;
    this.#liveBuffers++;
    const list = this.#free.get(size);
    const pooled = list?.pop();
    if (pooled) {
      this.#pooledBytes -= size;
      return pooled;
    }
    const buffer = this.device.createBuffer({
      size,
      usage: bufferUsage(),
    });
    return { buffer, id: this.#nextBufferId++, bytes: size, batch: 0 };
  }

  /** A dedicated buffer holding `data`, outside the pool and its statistics (constants). */
  constant(data: Float32Array | Int32Array | Uint32Array): GpuBuffer {
    const buffer = this.device.createBuffer({
      size: bucketBytes(data.byteLength),
      usage: bufferUsage(),
    });
    this.device.queue.writeBuffer(buffer, 0, data);
    return { buffer, id: this.#nextBufferId++, bytes: buffer.size, batch: 0 };
  }

  /**
   * Returns a buffer to the pool. Safe while recorded work still uses it: later commands that
   * reuse it run after that work (queue order); only host writes check {@linkcode GpuBuffer.batch}.
   */
  release(buf: GpuBuffer): void {
    this.#liveBytes -= buf.bytes;
    this.#liveBuffers--;
    this.#pooledBytes += buf.bytes;
    let list = this.#free.get(buf.bytes);
    if (!list) this.#free.set(buf.bytes, list = []);
    list.push(buf);
  }

  /** Destroys every pooled (free) buffer and drops cached bind groups. */
  trim(): void {
    this.flush();
    for (const list of this.#free.values()) for (const b of list) b.buffer.destroy();
    this.#free.clear();
    this.#pooledBytes = 0;
    this.#bindGroups.clear();
  }

  /** Pool statistics. */
  memory(): { liveBuffers: number; liveBytes: number; pooledBytes: number } {
    return {
      liveBuffers: this.#liveBuffers,
      liveBytes: this.#liveBytes,
      pooledBytes: this.#pooledBytes,
    };
  }

  // ---- kernels ------------------------------------------------------------------------------

  /**
   * The compiled kernel for `spec` specialised with `constants` (cached by name + constants).
   * Checks the `Params` struct of the assembled WGSL against `spec.params`.
   */
  kernel(
    spec: KernelSpec,
    constants: Readonly<Record<string, string | number>> = {},
    workgroupSize = spec.workgroupSize,
  ): Kernel {
    const key = `${spec.name}|${workgroupSize}|${JSON.stringify(constants)}`;
    let kernel = this.#kernels.get(key);
    if (kernel) return kernel;
    const code = assembleKernel(spec, constants, workgroupSize);
    const parsed = parseParamsStruct(code);
    const expected = spec.params.map(([n, t]) => `${n}: ${t}`).join(", ");
    const actual = parsed?.map(([n, t]) => `${n}: ${t}`).join(", ");
    if (actual !== expected) {
      throw new Error(`kernel ${spec.name}: struct Params is {${actual}}, spec says {${expected}}`);
    }
    const params = paramsLayout(spec.params);
    if (params.bytes > PARAMS_WINDOW) throw new Error(`kernel ${spec.name}: Params too large`);
    const access = spec.bindings.map((b) => b.access);
    kernel = this.#build(key, code, access, params, spec, workgroupSize);
    this.#kernels.set(key, kernel);
    return kernel;
  }

  /**
   * A kernel from complete WGSL (e.g. a matmul plan) whose buffer bindings are `access` in
   * order, followed by a uniform `Params` of `paramsBytes` bytes. Cached by `key`. A `window`
   * binding (only first) is a `windowBytes`-long uniform window; see {@linkcode dispatch}.
   */
  rawKernel(
    key: string,
    code: string,
    access: readonly Access[],
    paramsBytes: number,
    windowBytes?: number,
  ): Kernel {
    let kernel = this.#kernels.get(key);
    if (kernel) return kernel;
    const spec: KernelSpec = {
      name: key,
      file: "",
      // (A window is read-only: the spec records it as a read binding.)
      bindings: access.map((a, i) => ({ name: `b${i}`, access: a === "window" ? "read" : a })),
      params: [],
      workgroupSize: 0,
    };
    const params = { fields: [], bytes: Math.ceil(paramsBytes / 16) * 16 };
    if (access.indexOf("window") > 0 || (access[0] === "window") !== (windowBytes !== undefined)) {
      throw new Error(`kernel ${key}: a window binding must come first and have a size`);
    }
    kernel = this.#build(`raw|${key}`, code, access, params, spec, 0, windowBytes);
    this.#kernels.set(key, kernel);
    return kernel;
  }

  #build(
    key: string,
    code: string,
    access: readonly Access[],
    params: ParamsLayout,
    spec: KernelSpec,
    workgroupSize: number,
    windowBytes?: number,
  ): Kernel {
    // The window's size is part of the signature: bind groups are cached per layout.
    const signature = access.map((a) => a === "window" ? `window${windowBytes}` : a).join(",");
    let layoutEntry = this.#layouts.get(signature);
    if (!layoutEntry) {
      const entries: GPUBindGroupLayoutEntry[] = access.map((a, i) => ({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: a === "window"
          ? { type: "uniform", hasDynamicOffset: true }
          : { type: a === "read" ? "read-only-storage" : "storage" },
      }));
      entries.push({
        binding: access.length,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: "uniform", hasDynamicOffset: true },
      });
      const layout = this.device.createBindGroupLayout({ label: signature, entries });
      layoutEntry = { id: this.#layouts.size + 1, layout };
      this.#layouts.set(signature, layoutEntry);
    }
    const module = this.device.createShaderModule({ label: spec.name, code });
    const pipeline = this.device.createComputePipeline({
      label: spec.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layoutEntry.layout] }),
      compute: { module, entryPoint: "main" },
    });
    return {
      spec,
      key,
      pipeline,
      layoutId: layoutEntry.id,
      layout: layoutEntry.layout,
      params,
      workgroupSize,
      windowBytes,
    };
  }

  // ---- recording ----------------------------------------------------------------------------

  /**
   * Records one dispatch of `kernel` over `buffers` (binding order) with `params` (spec order;
   * or raw bytes for a raw kernel) and `workgroups` (x, y, z). Submits every
   * `dispatchesPerSubmit` dispatches. A kernel with a window binds `buffers[0]` from byte
   * `windowOffset` (a multiple of minUniformBufferOffsetAlignment).
   */
  dispatch(
    kernel: Kernel,
    buffers: readonly GpuBuffer[],
    params: readonly ParamValue[] | ArrayBuffer,
    x: number,
    y = 1,
    z = 1,
    windowOffset = 0,
  ): void {
    if (x === 0 || y === 0 || z === 0) return;
    if (this.#dispatches >= this.dispatchesPerSubmit) this.flush();
    // Params into the arena slot.
    const base = this.#arenaUsed;
    this.#writeParams(kernel.params, params, base);
    const slot = Math.ceil(kernel.params.bytes / this.#uniformAlign) * this.#uniformAlign;
    this.#arenaUsed += slot;
    // Bind group (cached by layout + buffers).
    let key = `${kernel.layoutId}`;
    for (const b of buffers) key += `,${b.id}`;
    let group = this.#bindGroups.get(key);
    if (!group) {
      if (this.#bindGroups.size >= Runtime.MAX_BIND_GROUPS) this.#bindGroups.clear();
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
    }
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

  #writeParams(layout: ParamsLayout, params: readonly ParamValue[] | ArrayBuffer, base: number) {
    const w = base / 4;
    if (params instanceof ArrayBuffer) {
      new Uint8Array(this.#arenaHost, base, params.byteLength).set(new Uint8Array(params));
      return;
    }
    const fields = layout.fields;
    for (let i = 0; i < fields.length; i++) {
      const { word, type } = fields[i];
      const value = params[i];
      if (typeof value === "number") {
        if (type === "f32") this.#arenaF32[w + word] = value;
        else if (type === "i32") this.#arenaI32[w + word] = value;
        else this.#arenaU32[w + word] = value;
      } else {
        for (let j = 0; j < 8; j++) this.#arenaU32[w + word + j] = value[j] ?? 0;
      }
    }
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
   * CPU adapter, several times faster there than a fill kernel; closes the open pass).
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
    const bucket = bucketBytes(size + FAULT_BYTES);
    const staging = this.#staging.get(bucket)?.pop() ??
      this.device.createBuffer({
        size: bucket,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
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
    let list = this.#staging.get(bucket);
    if (!list) this.#staging.set(bucket, list = []);
    list.push(staging);
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
