/**
 * The pipeline cache (`lib/engine/backend/webgpu/pipelines.ts`): raw kernels' binding rules.
 *
 * Skipped when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import { gpu, ignore } from "../../../_helpers/gpu.ts";

Deno.test({
  name: "webgpu rawKernel() rejects a window binding that is not first or has no size",
  ignore,
  fn: () => {
    const pipelines = gpu().pipelines;
    const code = "@compute @workgroup_size(1) fn main() {}";
    assert.throws(
      () => pipelines.rawKernel("t1", code, ["read", "window"], 16, 256),
      /window binding must come first and have a size/,
    );
    assert.throws(
      () => pipelines.rawKernel("t2", code, ["window", "read"], 16),
      /window binding must come first and have a size/,
    );
    assert.throws(
      () => pipelines.rawKernel("t3", code, ["read", "read"], 16, 256),
      /window binding must come first and have a size/,
    );
  },
});
