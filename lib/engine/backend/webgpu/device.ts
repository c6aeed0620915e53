/**
 * The WebGPU adapter and device: the process environment set up before the first adapter
 * request (Mesa's runtime directory, wgpu's backend list), the device with the adapter's
 * compute limits, and what kind of adapter it is (a hardware GPU, or a software rasteriser such
 * as lavapipe/llvmpipe, SwiftShader or WARP).
 *
 * @module
 */

/** What {@linkcode probeWebGpu} found. */
export interface WebGpuProbe {
  /** Whether `navigator.gpu` returned an adapter. */
  available: boolean;
  /** Whether that adapter is a software (CPU) implementation; false when none. */
  software: boolean;
  /** The adapter's description, or why there is none. */
  description: string;
}

/**
 * Asks for the default adapter and says what it is, without creating a device and without
 * throwing: `available` is false when there is no adapter (no WebGPU, no driver, or no
 * permission). The engine uses it to pick a backend (`auto`: a hardware GPU, or the CPU).
 *
 * @example Probe the adapter
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeWebGpu } from "./device.ts";
 *
 * const probe = await probeWebGpu();
 * assert.equal(typeof probe.description, "string");
 * if (!probe.available) assert.equal(probe.software, false);
 * ```
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  try {
    const adapter = await requestAdapter();
    if (!adapter) {
      return { available: false, software: false, description: "no WebGPU adapter" };
    }
    return {
      available: true,
      software: adapterKindOf(adapter) === "cpu",
      description: adapterDescription(adapter),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { available: false, software: false, description: `WebGPU: ${message}` };
  }
}

/**
 * Whether an adapter is a CPU (software) implementation: `isFallbackAdapter`, or a known
 * software rasteriser in its description (llvmpipe/lavapipe, SwiftShader, softpipe, WARP).
 */
export function adapterKindOf(adapter: GPUAdapter): "cpu" | "gpu" {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  if (info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|softpipe|warp/i.test(text)) {
    return "cpu";
  }
  return "gpu";
}

/** A one-line name of the adapter, e.g. `llvmpipe (LLVM 15.0.6, 256 bits) (fallback adapter)`. */
export function adapterDescription(adapter: GPUAdapter): string {
  const info = adapter.info;
  return `${info.description || info.device || info.vendor}` +
    (info.isFallbackAdapter ? " (fallback adapter)" : "");
}

/** The default adapter (high-performance preference), or null when there is none. */
export async function requestAdapter(): Promise<GPUAdapter | null> {
  prepareAdapterRequest();
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  return gpu ? await gpu.requestAdapter({ powerPreference: "high-performance" }) : null;
}

/**
 * The default adapter and a device with the adapter's maximum buffer, workgroup-memory and
 * invocation limits (destroyed when the program unloads). Throws when there is no adapter,
 * naming the fix.
 */
export async function requestDevice(): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
  const adapter = await requestAdapter();
  if (!adapter) {
    let backends = "";
    try {
      const chosen = Deno.env.get("DENO_WEBGPU_BACKEND");
      if (chosen) backends = ` with DENO_WEBGPU_BACKEND=${chosen} (set it to gl to try OpenGL)`;
    } catch {
      // no --allow-env: nothing to add
    }
    throw new Error(
      `WebGPU: no adapter (navigator.gpu.requestAdapter() returned null${backends}); ` +
        "install a Vulkan driver such as mesa-vulkan-drivers (lavapipe) or use the cpu backend",
    );
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupSizeZ: l.maxComputeWorkgroupSizeZ,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      minUniformBufferOffsetAlignment: l.minUniformBufferOffsetAlignment,
      minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
    },
  });
  destroyAtExit(device);
  return { adapter, device };
}

/**
 * Destroys `device` when the program (or test worker) unloads, so that lavapipe's threads and
 * buffers are released while the backend is still whole rather than during process teardown.
 */
export function destroyAtExit(device: GPUDevice): void {
  globalThis.addEventListener("unload", () => device.destroy());
}

// ---- the process environment ----------------------------------------------------------------

/**
 * Sets up the process environment before the first adapter request: Mesa's runtime directory
 * (`quietMesa`) and wgpu's backend list ({@linkcode wgpuBackendChoice}). Both only fill in
 * variables the user has not set.
 */
export function prepareAdapterRequest(): void {
  quietMesa();
  try {
    const env = (name: string) => Deno.env.get(name);
    const backend = wgpuBackendChoice(Deno.build.os, env, () => vulkanDriverInstalled(env));
    if (backend !== null) Deno.env.set("DENO_WEBGPU_BACKEND", backend);
  } catch {
    // without --allow-env or --allow-read: wgpu's default backends
  }
}

/**
 * Mesa's software drivers print "error: XDG_RUNTIME_DIR is invalid or not set" on every start
 * when the variable is unset (headless boxes, CI). Before the first adapter request, point it at
 * a private directory of ours; a variable that is already set is left alone.
 */
function quietMesa(): void {
  if (Deno.build.os !== "linux") return;
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR")) return;
    const dir = `/tmp/rmt-runtime-${Deno.uid() ?? "user"}`;
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch {
    // without --allow-env or a writable /tmp, Mesa just keeps printing its line
  }
}

/**
 * The directories the Vulkan loader searches for driver manifests (`*.json` ICD files) on
 * Linux, in its order: `$XDG_CONFIG_HOME`, `$XDG_CONFIG_DIRS`, `/etc`, `$XDG_DATA_HOME`,
 * `$XDG_DATA_DIRS` (each with `vulkan/icd.d` appended).
 */
export function vulkanManifestDirs(env: (name: string) => string | undefined): string[] {
  const home = env("HOME");
  const configHome = env("XDG_CONFIG_HOME") || (home ? `${home}/.config` : "");
  const configDirs = (env("XDG_CONFIG_DIRS") || "/etc/xdg").split(":");
  const dataHome = env("XDG_DATA_HOME") || (home ? `${home}/.local/share` : "");
  const dataDirs = (env("XDG_DATA_DIRS") || "/usr/local/share:/usr/share").split(":");
  return [configHome, ...configDirs, "/etc", dataHome, ...dataDirs]
    .filter((dir) => dir !== "")
    .map((dir) => `${dir}/vulkan/icd.d`);
}

/**
 * Whether a Vulkan driver is installed: the loader is pointed at driver files explicitly
 * (`VK_DRIVER_FILES`, `VK_ICD_FILENAMES`, `VK_ADD_DRIVER_FILES`), or one of
 * {@linkcode vulkanManifestDirs} holds a manifest.
 */
export function vulkanDriverInstalled(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): boolean {
  if (["VK_DRIVER_FILES", "VK_ICD_FILENAMES", "VK_ADD_DRIVER_FILES"].some((v) => env(v))) {
    return true;
  }
  for (const dir of vulkanManifestDirs(env)) {
    try {
      for (const entry of Deno.readDirSync(dir)) if (entry.name.endsWith(".json")) return true;
    } catch {
      // missing or unreadable: the loader skips it too
    }
  }
  return false;
}

/**
 * The wgpu backend list to request, or null to leave wgpu's default: on Linux, Vulkan alone when
 * a Vulkan driver is installed and the user has not chosen (`DENO_WEBGPU_BACKEND`).
 *
 * Why: by default wgpu also brings up its OpenGL backend through EGL (libglvnd), which keeps a
 * per-thread state freed by a thread-exit destructor and again by libEGL's own destructor at
 * process exit. Deno's test and bench runners run each module on a pool thread that exits just
 * as the process does, so both frees can land on the same block: such processes aborted now and
 * then after all their work had succeeded ("corrupted size vs. prev_size in fastbins",
 * "free(): invalid pointer"; core dumps showed the main thread in libEGL's destructor and a pool
 * thread freeing its EGL state). With the Vulkan backend alone, EGL is never loaded.
 */
export function wgpuBackendChoice(
  os: string,
  env: (name: string) => string | undefined,
  vulkanInstalled: () => boolean,
): string | null {
  if (os !== "linux" || env("DENO_WEBGPU_BACKEND") !== undefined) return null;
  return vulkanInstalled() ? "vulkan" : null;
}
