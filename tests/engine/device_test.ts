/**
 * The device choice (`lib/engine/device.ts`): `auto` takes WebGPU on a hardware GPU only and the
 * CPU otherwise; `cpu` and `webgpu` are taken as asked without probing. The adapter is faked by
 * injecting the probe, so every case runs on any machine.
 */
import assert from "node:assert/strict";
import { CpuBackend } from "../../lib/engine/backend/cpu/cpu.ts";
import { probeWebGpu, type WebGpuProbe } from "../../lib/engine/backend/webgpu/device.ts";
import { chooseDevice, getBackend, initDevice, setBackend } from "../../lib/engine/tensor.ts";

/** A probe that reports `found`, counting its calls. */
function fakeProbe(found: WebGpuProbe) {
  const probe = () => {
    probe.calls++;
    return Promise.resolve(found);
  };
  probe.calls = 0;
  return probe;
}

const none = { available: false, software: false, description: "no WebGPU adapter" };
const lavapipe = {
  available: true,
  software: true,
  description: "llvmpipe (LLVM 15.0.6, 256 bits) (fallback adapter)",
};
const h200 = { available: true, software: false, description: "NVIDIA H200 (Vulkan)" };

Deno.test("chooseDevice() picks the CPU under auto when there is no WebGPU adapter", async () => {
  assert.deepEqual(await chooseDevice("auto", fakeProbe(none)), {
    kind: "cpu",
    reason: "auto: no WebGPU adapter",
  });
});

Deno.test("chooseDevice() says why WebGPU failed under auto when the probe gives a reason", async () => {
  const failed = { available: false, software: false, description: "WebGPU: permission denied" };
  assert.deepEqual(await chooseDevice("auto", fakeProbe(failed)), {
    kind: "cpu",
    reason: "auto: no WebGPU adapter (WebGPU: permission denied)",
  });
});

Deno.test("chooseDevice() never picks a software adapter under auto", async () => {
  assert.deepEqual(await chooseDevice("auto", fakeProbe(lavapipe)), {
    kind: "cpu",
    reason:
      "auto: only a software adapter (llvmpipe (LLVM 15.0.6, 256 bits) (fallback adapter)); " +
      "pass --backend webgpu to use it",
  });
});

Deno.test("chooseDevice() picks WebGPU under auto on a hardware GPU", async () => {
  assert.deepEqual(await chooseDevice("auto", fakeProbe(h200)), {
    kind: "webgpu",
    reason: "auto: hardware GPU NVIDIA H200 (Vulkan)",
  });
});

Deno.test("chooseDevice() takes cpu and webgpu as asked without probing", async () => {
  for (const found of [none, lavapipe, h200]) {
    const probe = fakeProbe(found);
    assert.deepEqual(await chooseDevice("cpu", probe), { kind: "cpu", reason: "asked for cpu" });
    assert.deepEqual(await chooseDevice("webgpu", probe), {
      kind: "webgpu",
      reason: "asked for webgpu",
    });
    assert.equal(probe.calls, 0);
  }
});

Deno.test("initDevice() makes the chosen backend the default and returns the reason", async () => {
  const previous = getBackend();
  try {
    const { backend, reason } = await initDevice("cpu");
    assert.ok(backend instanceof CpuBackend);
    assert.equal(getBackend(), backend);
    assert.equal(reason, "asked for cpu");
  } finally {
    setBackend(previous);
  }
});

Deno.test({
  name: "initDevice() under auto creates WebGPU on this machine's adapter only if it is hardware",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const previous = getBackend();
    try {
      const found = await probeWebGpu();
      const { backend, reason } = await initDevice("auto");
      const hardware = found.available && !found.software;
      assert.equal(backend.name, hardware ? "webgpu" : "cpu", reason);
      assert.match(reason, /^auto: /);
    } finally {
      setBackend(previous);
    }
  },
});
