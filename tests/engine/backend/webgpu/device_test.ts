/**
 * The adapter and its environment (`lib/engine/backend/webgpu/device.ts`): what kind of adapter
 * it is, the probe the engine's `auto` backend choice uses, and the choice of wgpu's backends
 * (Vulkan alone where a Vulkan driver is installed, so that EGL is never loaded).
 */
import assert from "node:assert/strict";
import {
  adapterKindOf,
  probeWebGpu,
  vulkanDriverInstalled,
  vulkanManifestDirs,
  wgpuBackendChoice,
} from "../../../../lib/engine/backend/webgpu/device.ts";
import { gpu, ignore } from "../../../_helpers/gpu.ts";

Deno.test("adapterKindOf() recognises software adapters", () => {
  const fake = (description: string, isFallbackAdapter = false) =>
    ({
      info: { vendor: "", architecture: "", device: "", description, isFallbackAdapter },
    }) as unknown as GPUAdapter;
  assert.equal(adapterKindOf(fake("llvmpipe (LLVM 15.0.6, 256 bits)")), "cpu");
  assert.equal(adapterKindOf(fake("SwiftShader Device")), "cpu");
  assert.equal(adapterKindOf(fake("anything", true)), "cpu");
  assert.equal(adapterKindOf(fake("NVIDIA H100 80GB HBM3")), "gpu");
});

// ---- adapter request ----------------------------------------------------------------------

/** An environment lookup over a plain record. */
const envOf = (vars: Record<string, string>) => (name: string): string | undefined => vars[name];

Deno.test("vulkanManifestDirs() lists the Vulkan loader's directories in its order", () => {
  assert.deepEqual(vulkanManifestDirs(envOf({ HOME: "/home/u" })), [
    "/home/u/.config/vulkan/icd.d",
    "/etc/xdg/vulkan/icd.d",
    "/etc/vulkan/icd.d",
    "/home/u/.local/share/vulkan/icd.d",
    "/usr/local/share/vulkan/icd.d",
    "/usr/share/vulkan/icd.d",
  ]);
  const env = envOf({
    XDG_CONFIG_HOME: "/c",
    XDG_CONFIG_DIRS: "/c1:/c2",
    XDG_DATA_HOME: "/d",
    XDG_DATA_DIRS: "/d1",
  });
  assert.deepEqual(vulkanManifestDirs(env), [
    "/c/vulkan/icd.d",
    "/c1/vulkan/icd.d",
    "/c2/vulkan/icd.d",
    "/etc/vulkan/icd.d",
    "/d/vulkan/icd.d",
    "/d1/vulkan/icd.d",
  ]);
});

Deno.test("vulkanDriverInstalled() finds a manifest or explicit driver files, and nothing else", () => {
  const root = Deno.makeTempDirSync();
  try {
    // Only our temporary directories are searched: every XDG variable points into `root`.
    const env = (data: string) =>
      envOf({
        XDG_CONFIG_HOME: `${root}/none`,
        XDG_CONFIG_DIRS: `${root}/none`,
        XDG_DATA_HOME: `${root}/none`,
        XDG_DATA_DIRS: data,
      });
    Deno.mkdirSync(`${root}/empty/vulkan/icd.d`, { recursive: true });
    Deno.writeTextFileSync(`${root}/empty/vulkan/icd.d/README.txt`, "not a manifest");
    Deno.mkdirSync(`${root}/full/vulkan/icd.d`, { recursive: true });
    Deno.writeTextFileSync(`${root}/full/vulkan/icd.d/lvp_icd.x86_64.json`, "{}");
    // `/etc/vulkan/icd.d` is always searched; the negative case needs it free of manifests.
    let etcHasDrivers = false;
    try {
      etcHasDrivers = [...Deno.readDirSync("/etc/vulkan/icd.d")].some((e) =>
        e.name.endsWith(".json")
      );
    } catch {
      // no such directory
    }
    if (!etcHasDrivers) assert.equal(vulkanDriverInstalled(env(`${root}/empty`)), false);
    assert.equal(vulkanDriverInstalled(env(`${root}/empty:${root}/full`)), true);
    assert.equal(vulkanDriverInstalled(envOf({ VK_ICD_FILENAMES: "/x/icd.json" })), true);
    assert.equal(vulkanDriverInstalled(envOf({ VK_DRIVER_FILES: "/x/icd.json" })), true);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("wgpuBackendChoice() picks Vulkan alone on Linux with a driver, unless the user chose", () => {
  const yes = () => true, no = () => false;
  assert.equal(wgpuBackendChoice("linux", envOf({}), yes), "vulkan");
  assert.equal(wgpuBackendChoice("linux", envOf({}), no), null);
  assert.equal(wgpuBackendChoice("linux", envOf({ DENO_WEBGPU_BACKEND: "gl" }), yes), null);
  assert.equal(wgpuBackendChoice("darwin", envOf({}), yes), null);
  assert.equal(wgpuBackendChoice("windows", envOf({}), yes), null);
});

Deno.test({
  name: "WebGpuBackend.create() never loads EGL where a Vulkan driver is installed",
  ignore: ignore || Deno.build.os !== "linux" || !vulkanDriverInstalled(),
  async fn() {
    // A fresh process without DENO_WEBGPU_BACKEND (this one has it set by now).
    const env = Deno.env.toObject();
    delete env.DENO_WEBGPU_BACKEND;
    const backend =
      new URL("../../../../lib/engine/backend/webgpu/backend.ts", import.meta.url).href;
    const script = `
      import { WebGpuBackend } from ${JSON.stringify(backend)};
      await WebGpuBackend.create();
      const maps = Deno.readTextFileSync("/proc/self/maps");
      console.log(JSON.stringify({
        backend: Deno.env.get("DENO_WEBGPU_BACKEND"),
        egl: maps.includes("libEGL"),
      }));`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), { backend: "vulkan", egl: false });
  },
});

Deno.test("probeWebGpu() reports the backend's adapter, and whether it is software", async () => {
  const probe = await probeWebGpu();
  assert.equal(probe.available, !ignore);
  if (!probe.available) return;
  assert.equal(gpu().description, `WebGPU: ${probe.description}`);
  const software = /llvmpipe|lavapipe|swiftshader|softpipe|warp|fallback/i.test(probe.description);
  assert.equal(probe.software, software);
});
