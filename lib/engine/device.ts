/**
 * Where tensors live: the default backend that creation functions use, and the choice of device
 * behind `--backend auto|cpu|webgpu`. WebGPU code is loaded only when WebGPU is asked for or
 * probed, so a CPU run never loads it.
 *
 * @module
 */
import type { Backend } from "./backend/backend.ts";
import { CpuBackend } from "./backend/cpu/cpu.ts";
import type { WebGpuProbe } from "./backend/webgpu/device.ts";
import { type Check, check, that } from "../util/config.ts";

let defaultBackend: Backend | null = null;

/** The backend new tensors go to (a {@linkcode CpuBackend} unless one was set). */
export function getBackend(): Backend {
  defaultBackend ??= new CpuBackend();
  return defaultBackend;
}

/** Makes `backend` the default for new tensors. */
export function setBackend(backend: Backend): void {
  defaultBackend = backend;
}

/**
 * Which backend to run on: `auto` takes WebGPU on a hardware GPU and the CPU otherwise; `cpu`
 * and `webgpu` take that backend whatever the machine has.
 */
export type BackendKind = "auto" | "cpu" | "webgpu";

/** The backend kinds a config or flag may name (see {@linkcode BackendKind}). */
const BACKEND_KINDS: readonly BackendKind[] = ["auto", "cpu", "webgpu"];

/** A backend kind, in the words of the `--backend` flag: `auto, cpu or webgpu`. */
export const backendKind: Check<BackendKind> = that(
  (v) => BACKEND_KINDS.includes(v),
  "auto, cpu or webgpu",
);

/**
 * Throws a one-line `ConfigError` unless `value` is a backend kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBackendKind } from "./device.ts";
 * checkBackendKind("cpu", "train.backend");
 * assert.throws(() => checkBackendKind("gpu", "train.backend"),
 *   /^ConfigError: train.backend: expected auto, cpu or webgpu, got "gpu"$/);
 * ```
 */
export function checkBackendKind(value: unknown, field: string): asserts value is BackendKind {
  check(BACKEND_KINDS.includes(value as BackendKind), field, "auto, cpu or webgpu", value);
}

/** The device a {@linkcode BackendKind} resolves to, and why, as one short phrase. */
export interface DeviceChoice {
  /** The backend to create. */
  kind: "cpu" | "webgpu";
  /** Why, e.g. `auto: hardware GPU NVIDIA H100 (Vulkan)` or `asked for cpu`. */
  reason: string;
}

async function probeWebGpu(): Promise<WebGpuProbe> {
  const { probeWebGpu } = await import("./backend/webgpu/device.ts");
  return await probeWebGpu();
}

/**
 * Resolves `kind` to a device. `auto` takes WebGPU only when its adapter is a hardware GPU: a
 * software adapter (lavapipe/llvmpipe, SwiftShader) runs the WGSL kernels on the CPU, slower
 * than the `cpu` backend, so `auto` leaves it to an explicit `webgpu`. `probe` says what
 * adapter there is (default: ask WebGPU; called for `auto` only).
 *
 * @example With a fake probe for a machine whose only adapter is a software one
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseDevice } from "./device.ts";
 * const lavapipe = { available: true, software: true, description: "llvmpipe" };
 * const choice = await chooseDevice("auto", () => Promise.resolve(lavapipe));
 * assert.deepEqual(choice, {
 *   kind: "cpu",
 *   reason: "auto: only a software adapter (llvmpipe); pass --backend webgpu to use it",
 * });
 * assert.equal((await chooseDevice("webgpu", () => Promise.resolve(lavapipe))).kind, "webgpu");
 * ```
 */
export async function chooseDevice(
  kind: BackendKind,
  probe: () => Promise<WebGpuProbe> = probeWebGpu,
): Promise<DeviceChoice> {
  if (kind !== "auto") return { kind, reason: `asked for ${kind}` };
  const found = await probe();
  if (!found.available) {
    const why = found.description === "no WebGPU adapter" ? "" : ` (${found.description})`;
    return { kind: "cpu", reason: `auto: no WebGPU adapter${why}` };
  }
  if (found.software) {
    return {
      kind: "cpu",
      reason: `auto: only a software adapter (${found.description}); ` +
        "pass --backend webgpu to use it",
    };
  }
  return { kind: "webgpu", reason: `auto: hardware GPU ${found.description}` };
}

/**
 * Creates the backend that {@linkcode chooseDevice} picks for `kind`, makes it the default and
 * returns it with the reason for the choice. Under `auto`, a GPU whose device cannot be created
 * falls back to the CPU (the reason says so); an explicit `webgpu` throws instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initDevice } from "./device.ts";
 * const { backend, reason } = await initDevice("cpu");
 * assert.equal(backend.name, "cpu");
 * assert.equal(reason, "asked for cpu");
 * ```
 */
export async function initDevice(kind: BackendKind): Promise<{ backend: Backend; reason: string }> {
  const choice = await chooseDevice(kind);
  let backend: Backend;
  let reason = choice.reason;
  if (choice.kind === "cpu") {
    backend = new CpuBackend();
  } else {
    const { WebGpuBackend } = await import("./backend/webgpu/backend.ts");
    try {
      backend = await WebGpuBackend.create();
    } catch (e) {
      if (kind === "webgpu") throw e;
      backend = new CpuBackend();
      reason = `${reason}, but its device failed (${e instanceof Error ? e.message : e})`;
    }
  }
  setBackend(backend);
  return { backend, reason };
}

/**
 * Creates the backend of the given kind (see {@linkcode chooseDevice}), makes it the default and
 * returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getBackend, initBackend } from "./device.ts";
 * const backend = await initBackend("cpu");
 * assert.equal(getBackend(), backend);
 * ```
 */
export async function initBackend(kind: BackendKind): Promise<Backend> {
  return (await initDevice(kind)).backend;
}
