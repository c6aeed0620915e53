/**
 * Compiled kernels: a {@linkcode KernelSpec} specialised with constants (or complete WGSL, for
 * the matmul plans) becomes a compute pipeline with its bind-group layout, cached by name and
 * constants. Kernels with the same binding signature share one layout, so bind groups can be
 * cached per layout and buffers.
 *
 * @module
 */
import {
  type Access,
  assembleKernel,
  type KernelSpec,
  type ParamsLayout,
  paramsLayoutOf,
} from "./wgsl.ts";

/** A compiled kernel: pipeline, layout and the byte layout of its `Params`. */
export interface Kernel {
  /** Kernel name (the spec's, or the raw kernel's key). */
  readonly name: string;
  readonly pipeline: GPUComputePipeline;
  /** Id of the bind-group layout (kernels with the same binding signature share it). */
  readonly layoutId: number;
  readonly layout: GPUBindGroupLayout;
  /** Where each `Params` field goes; raw kernels take packed bytes and list no fields. */
  readonly params: ParamsLayout;
  readonly workgroupSize: number;
  /** Bytes of the uniform window bound at binding 0 (kernels whose first access is `window`). */
  readonly windowBytes?: number;
}

/** The pipeline cache of one device. */
export class Pipelines {
  readonly device: GPUDevice;
  #kernels = new Map<string, Kernel>();
  #layouts = new Map<string, { id: number; layout: GPUBindGroupLayout }>();

  /** @param device The device the pipelines are compiled for. */
  constructor(device: GPUDevice) {
    this.device = device;
  }

  /**
   * The compiled kernel for `spec` specialised with `constants` (cached by name, workgroup size
   * and constants; the key is built without JSON, as this runs at every dispatch). Its `Params`
   * layout is parsed from the spec's `.wgsl` file.
   */
  kernel(
    spec: KernelSpec,
    constants: Readonly<Record<string, string | number>> = {},
    workgroupSize = spec.workgroupSize,
  ): Kernel {
    let key = `${spec.name}|${workgroupSize}`;
    for (const name in constants) key += `|${name}=${constants[name]}`;
    let kernel = this.#kernels.get(key);
    if (kernel) return kernel;
    const code = assembleKernel(spec, constants, workgroupSize);
    const access = spec.bindings.map((b) => b.access);
    kernel = this.#build(spec.name, code, access, paramsLayoutOf(spec.file), workgroupSize);
    this.#kernels.set(key, kernel);
    return kernel;
  }

  /**
   * A kernel from complete WGSL (e.g. a matmul plan) whose buffer bindings are `access` in
   * order, followed by a uniform `Params` of `paramsBytes` bytes. Cached by `key`. A `window`
   * binding (only first) is a `windowBytes`-long uniform window, bound at each dispatch's
   * window offset.
   */
  rawKernel(
    key: string,
    code: string,
    access: readonly Access[],
    paramsBytes: number,
    windowBytes?: number,
  ): Kernel {
    let kernel = this.#kernels.get(`raw|${key}`);
    if (kernel) return kernel;
    if (access.indexOf("window") > 0 || (access[0] === "window") !== (windowBytes !== undefined)) {
      throw new Error(`kernel ${key}: a window binding must come first and have a size`);
    }
    const params = { fields: [], bytes: Math.ceil(paramsBytes / 16) * 16 };
    kernel = this.#build(key, code, access, params, 0, windowBytes);
    this.#kernels.set(`raw|${key}`, kernel);
    return kernel;
  }

  #build(
    name: string,
    code: string,
    access: readonly Access[],
    params: ParamsLayout,
    workgroupSize: number,
    windowBytes?: number,
  ): Kernel {
    // The window's size is part of the signature: bind groups are cached per layout.
    const signature = access.map((a) => a === "window" ? `window${windowBytes}` : a).join(",");
    let entry = this.#layouts.get(signature);
    if (!entry) {
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
      entry = { id: this.#layouts.size + 1, layout };
      this.#layouts.set(signature, entry);
    }
    const module = this.device.createShaderModule({ label: name, code });
    const pipeline = this.device.createComputePipeline({
      label: name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [entry.layout] }),
      compute: { module, entryPoint: "main" },
    });
    return {
      name,
      pipeline,
      layoutId: entry.id,
      layout: entry.layout,
      params,
      workgroupSize,
      windowBytes,
    };
  }
}
