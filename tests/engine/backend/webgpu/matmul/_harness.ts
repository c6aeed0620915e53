/**
 * A tiny standalone WebGPU harness for the matmul plans: request a device, upload operands,
 * dispatch a `MatmulPlan`, read the output back, and time repeated dispatches. Independent of
 * the engine's WebGPU backend on purpose (the matmul tests and bench must not depend on it).
 *
 * @module
 */

import type { MatmulPlan } from "../../../../../lib/engine/backend/webgpu/matmul/problem.ts";
import {
  adapterKindOf,
  destroyAtExit,
  prepareAdapterRequest,
} from "../../../../../lib/engine/backend/webgpu/device.ts";

/** A device plus what the planner needs to know about it. */
export interface Gpu {
  device: GPUDevice;
  kind: "cpu" | "gpu";
  description: string;
}

let cached: Promise<Gpu | undefined> | undefined;

/** The adapter's device with its compute limits requested, or undefined without an adapter. */
export function getGpu(): Promise<Gpu | undefined> {
  cached ??= (async () => {
    if (!("gpu" in navigator)) return undefined;
    prepareAdapterRequest();
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return undefined;
    const l = adapter.limits;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
        maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        minUniformBufferOffsetAlignment: l.minUniformBufferOffsetAlignment,
      },
    });
    destroyAtExit(device);
    return { device, kind: adapterKindOf(adapter), description: adapter.info.description };
  })();
  return cached;
}

/** Whether a WebGPU adapter exists (for `Deno.test({ ignore })`). */
export async function hasGpu(): Promise<boolean> {
  return (await getGpu()) !== undefined;
}

const layouts = new WeakMap<GPUDevice, Map<string, GPUBindGroupLayout>>();
const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

/**
 * The bind group layout of a plan: (0) a, (1) b, (2) out, (3) params. Binding 0 is a read-only
 * storage buffer, or for a window plan a uniform window (bound at a static offset per dispatch).
 */
function layoutFor(device: GPUDevice, plan: MatmulPlan): GPUBindGroupLayout {
  let cache = layouts.get(device);
  if (!cache) layouts.set(device, cache = new Map());
  const key = plan.windowBytes === undefined ? "storage" : "window";
  let l = cache.get(key);
  if (!l) {
    const C = GPUShaderStage.COMPUTE;
    l = device.createBindGroupLayout({
      entries: [
        {
          binding: 0,
          visibility: C,
          buffer: { type: plan.windowBytes === undefined ? "read-only-storage" : "uniform" },
        },
        { binding: 1, visibility: C, buffer: { type: "read-only-storage" } },
        { binding: 2, visibility: C, buffer: { type: "storage" } },
        { binding: 3, visibility: C, buffer: { type: "uniform" } },
      ],
    });
    cache.set(key, l);
  }
  return l;
}

/** The compute pipeline for a plan, cached by `plan.key`; compilation errors throw. */
export async function pipelineFor(
  device: GPUDevice,
  plan: MatmulPlan,
): Promise<GPUComputePipeline> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, cache = new Map());
  const hit = cache.get(plan.key);
  if (hit) return hit;
  const module = device.createShaderModule({ code: plan.code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === "error");
  if (errors.length) {
    throw new Error(`${plan.key}: ${errors.map((m) => m.message).join("\n")}\n${plan.code}`);
  }
  const layout = device.createPipelineLayout({ bindGroupLayouts: [layoutFor(device, plan)] });
  const pipeline = device.createComputePipeline({
    layout,
    compute: { module, entryPoint: "main" },
  });
  cache.set(plan.key, pipeline);
  return pipeline;
}

/**
 * Bytes `upload` allocates for `n` floats: a multiple of 256, like the engine's pooled buffers
 * (the window variant's windows need a buffer size that is a multiple of the offset alignment).
 */
export function uploadBytes(n: number): number {
  return Math.max(256, Math.ceil(n * 4 / 256) * 256);
}

/** A storage (and uniform) buffer holding `data`, `uploadBytes(data.length)` long. */
export function upload(device: GPUDevice, data: Float32Array): GPUBuffer {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST |
    GPUBufferUsage.COPY_SRC;
  const buf = device.createBuffer({ size: uploadBytes(data.length), usage });
  device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/** A plan bound to its buffers: one bind group per dispatch (several for a window plan). */
export interface Bound {
  pipeline: GPUComputePipeline;
  bindGroups: GPUBindGroup[];
  plan: MatmulPlan;
  uniform: GPUBuffer;
}

/** Binds a plan to its operand and output buffers (the params uniform is created here). */
export async function bind(
  device: GPUDevice,
  plan: MatmulPlan,
  a: GPUBuffer,
  b: GPUBuffer,
  out: GPUBuffer,
): Promise<Bound> {
  const pipeline = await pipelineFor(device, plan);
  const layout = layoutFor(device, plan);
  // Every dispatch's Params in its own aligned slot.
  const align = device.limits.minUniformBufferOffsetAlignment;
  const slot = Math.ceil(plan.dispatches[0].params.byteLength / align) * align;
  const uniform = device.createBuffer({
    size: slot * plan.dispatches.length,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  plan.dispatches.forEach((d, i) => device.queue.writeBuffer(uniform, i * slot, d.params));
  const bindGroups = plan.dispatches.map(({ params, windowOffset }, i) =>
    device.createBindGroup({
      layout,
      entries: [
        {
          binding: 0,
          resource: plan.windowBytes === undefined
            ? { buffer: a }
            : { buffer: a, offset: windowOffset, size: plan.windowBytes },
        },
        { binding: 1, resource: { buffer: b } },
        { binding: 2, resource: { buffer: out } },
        { binding: 3, resource: { buffer: uniform, offset: i * slot, size: params.byteLength } },
      ],
    })
  );
  return { pipeline, bindGroups, plan, uniform };
}

/** Encodes `reps` runs of the plan in one compute pass, submits, and waits for the queue. */
export async function dispatch(device: GPUDevice, bound: Bound, reps = 1): Promise<void> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(bound.pipeline);
  for (let r = 0; r < reps; r++) {
    for (const [i, group] of bound.bindGroups.entries()) {
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...bound.plan.dispatches[i].workgroups);
    }
  }
  pass.end();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/** Reads `length` floats back from a buffer. */
export async function readback(
  device: GPUDevice,
  buf: GPUBuffer,
  length: number,
): Promise<Float32Array> {
  const bytes = Math.ceil(length * 4 / 4) * 4;
  const staging = device.createBuffer({
    size: Math.max(4, bytes),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, staging, 0, Math.max(4, bytes));
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0, length * 4));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Runs a plan once on host arrays and returns the (batch·M·N) output. */
export async function runPlan(
  device: GPUDevice,
  plan: MatmulPlan,
  a: Float32Array,
  b: Float32Array,
  outLength: number,
): Promise<Float32Array> {
  const ba = upload(device, a), bb = upload(device, b);
  // Pre-fill the output with NaN so an unwritten element cannot pass.
  const bo = upload(device, new Float32Array(Math.max(outLength, 1)).fill(NaN));
  const bound = await bind(device, plan, ba, bb, bo);
  await dispatch(device, bound);
  const out = await readback(device, bo, outLength);
  for (const x of [ba, bb, bo, bound.uniform]) x.destroy();
  return out;
}
