/**
 * A tiny standalone WebGPU harness for the matmul plans: request a device, upload operands,
 * dispatch a `MatmulPlan`, read the output back, and time repeated dispatches. Independent of
 * the engine's WebGPU backend on purpose (the matmul tests and bench must not depend on it).
 *
 * @module
 */

import type { MatmulPlan } from "../../lib/backend/_webgpu_matmul.ts";
import { adapterKindOf } from "../../lib/backend/_webgpu_matmul.ts";
import { quietMesa } from "../../lib/backend/_webgpu_runtime.ts";

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
    quietMesa();
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
      },
    });
    return { device, kind: adapterKindOf(adapter), description: adapter.info.description };
  })();
  return cached;
}

/** Whether a WebGPU adapter exists (for `Deno.test({ ignore })`). */
export async function hasGpu(): Promise<boolean> {
  return (await getGpu()) !== undefined;
}

const layouts = new WeakMap<GPUDevice, GPUBindGroupLayout>();
const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function layoutFor(device: GPUDevice): GPUBindGroupLayout {
  let l = layouts.get(device);
  if (!l) {
    const C = GPUShaderStage.COMPUTE;
    l = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: C, buffer: { type: "read-only-storage" } },
        { binding: 1, visibility: C, buffer: { type: "read-only-storage" } },
        { binding: 2, visibility: C, buffer: { type: "storage" } },
        { binding: 3, visibility: C, buffer: { type: "uniform" } },
      ],
    });
    layouts.set(device, l);
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
  const layout = device.createPipelineLayout({ bindGroupLayouts: [layoutFor(device)] });
  const pipeline = device.createComputePipeline({
    layout,
    compute: { module, entryPoint: "main" },
  });
  cache.set(plan.key, pipeline);
  return pipeline;
}

/** A storage buffer holding `data` (at least 16 bytes, a multiple of 16). */
export function upload(device: GPUDevice, data: Float32Array): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const buf = device.createBuffer({ size, usage });
  device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/** One bound dispatch of a plan over given buffers. */
export interface Bound {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  plan: MatmulPlan;
  uniform: GPUBuffer;
}

/** Binds a plan to its operand and output buffers (the uniform is created here). */
export async function bind(
  device: GPUDevice,
  plan: MatmulPlan,
  a: GPUBuffer,
  b: GPUBuffer,
  out: GPUBuffer,
): Promise<Bound> {
  const pipeline = await pipelineFor(device, plan);
  const uniform = device.createBuffer({
    size: Math.ceil(plan.params.byteLength / 16) * 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(uniform, 0, plan.params);
  const bindGroup = device.createBindGroup({
    layout: layoutFor(device),
    entries: [a, b, out, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { pipeline, bindGroup, plan, uniform };
}

/** Encodes `reps` dispatches in one compute pass, submits, and waits for the queue. */
export async function dispatch(device: GPUDevice, bound: Bound, reps = 1): Promise<void> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(bound.pipeline);
  pass.setBindGroup(0, bound.bindGroup);
  for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...bound.plan.workgroups);
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
