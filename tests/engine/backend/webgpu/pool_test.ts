/**
 * The buffer pool (`lib/engine/backend/webgpu/pool.ts`) through the backend: freed buffers are
 * reused, so a steady loop keeps live + pooled bytes flat.
 *
 * Skipped when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import { fullView } from "../../../../lib/engine/backend/backend.ts";
import { random } from "./_oracle.ts";
import { gpu, ignore } from "../../../_helpers/gpu.ts";

Deno.test({
  name: "webgpu pool: 200 iterations of alloc/compute/free keep live + pooled bytes flat",
  ignore,
  fn: async () => {
    const g = gpu();
    const x = g.upload(random(5000, 1));
    const iteration = () => {
      const y = g.unary("exp", fullView(x, [5000]));
      const s = g.softmax(y, 50, 100);
      const r = g.reduce("sum", s, 50, 100, 1);
      for (const t of [y, s, r]) g.free(t);
    };
    for (let i = 0; i < 5; i++) iteration();
    await g.sync();
    const before = g.memory();
    for (let i = 0; i < 200; i++) iteration();
    await g.sync();
    const after = g.memory();
    assert.equal(after.liveStorages, before.liveStorages);
    assert.equal(after.liveBytes + after.pooledBytes, before.liveBytes + before.pooledBytes);
    g.free(x);
  },
});
