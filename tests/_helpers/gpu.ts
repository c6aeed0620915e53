/**
 * The WebGPU backend shared by the GPU tests, created once per test process. `ignore` is true
 * when no adapter is available, so `Deno.test({ ignore, ... })` skips instead of failing.
 *
 * @module
 */
import { WebGpuBackend } from "../../lib/engine/backend/webgpu/backend.ts";

let backend: WebGpuBackend | null = null;
try {
  backend = await WebGpuBackend.create();
} catch {
  backend = null;
}

/** True when there is no WebGPU adapter: GPU tests are skipped. */
export const ignore: boolean = backend === null;

/** The backend; only call from tests guarded by {@linkcode ignore}. */
export function gpu(): WebGpuBackend {
  if (!backend) throw new Error("no WebGPU adapter");
  return backend;
}
