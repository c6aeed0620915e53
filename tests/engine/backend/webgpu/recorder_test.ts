/**
 * The command recorder (`lib/engine/backend/webgpu/recorder.ts`) through the backend: uploads,
 * fills and readbacks round-trip, host writes keep queue order, long chains span many submits,
 * and index faults recorded on the GPU are thrown at the next readback.
 *
 * Skipped when no WebGPU adapter is available.
 */
import assert from "node:assert/strict";
import { fullView, type Storage } from "../../../../lib/engine/backend/backend.ts";
import { assertClose, cpu, random, randomInts } from "./_oracle.ts";
import { gpu, ignore } from "../../../_helpers/gpu.ts";

Deno.test({
  name: "webgpu full/upload/write/read round-trip f32 and i32, sizes 0, 1 and odd",
  ignore,
  fn: async () => {
    const g = gpu();
    for (const n of [0, 1, 7, 1025]) {
      const f = random(n, n + 1, -100, 100);
      const i = randomInts(n, n + 2, -1000, 1000);
      const sf = g.upload(f);
      const si = g.upload(i);
      assert.deepEqual(await g.read(sf), f);
      assert.deepEqual(await g.read(si), i);
      const f2 = random(n, n + 3);
      g.write(sf, f2);
      assert.deepEqual(await g.read(sf), f2);
      const full = g.full(n, -2.5, "f32");
      assert.deepEqual(await g.read(full), new Float32Array(n).fill(-2.5));
      const fullI = g.full(n, -7, "i32");
      assert.deepEqual(await g.read(fullI), new Int32Array(n).fill(-7));
      for (const s of [sf, si, full, fullI]) g.free(s);
    }
    assert.throws(() => g.write(g.full(3, 0, "f32"), new Float32Array(2)), RangeError);
  },
});

Deno.test({
  name: "webgpu full() with zero clears a reused pool buffer in queue order, and keeps −0",
  ignore,
  fn: async () => {
    const g = gpu();
    for (const n of [1, 7, 1025]) {
      // A recorded dispatch writes a buffer; freed, it goes back to the pool, and the zero fill
      // that reuses it (a buffer clear, not a kernel) must land after that dispatch.
      const x = g.upload(random(n, n + 5, 1, 2));
      const y = g.unary("neg", fullView(x, [n]));
      const before = await g.read(y);
      const z = g.unary("exp", fullView(y, [n]));
      g.free(y);
      const zeros = g.full(n, 0, "f32");
      const zerosI = g.full(n, 0, "i32");
      assert.deepEqual(await g.read(zeros), new Float32Array(n));
      assert.deepEqual(await g.read(zerosI), new Int32Array(n));
      assertClose(
        await g.read(z),
        before.map(Math.exp),
        { rtol: 1e-6, atol: 0 },
        "exp, freed buffer",
      );
      const negZero = await g.read(g.full(n, -0, "f32"));
      assert.ok(negZero.every((v) => Object.is(v, -0)), "−0 has its sign bit: a fill, not a clear");
      for (const s of [x, z, zeros, zerosI]) g.free(s);
    }
  },
});

Deno.test({
  name: "webgpu write() after recorded work that reads the buffer keeps queue order",
  ignore,
  fn: async () => {
    const g = gpu();
    const x = g.upload(new Float32Array([1, 2, 3]));
    const y = g.unary("neg", fullView(x, [3])); // recorded, not yet submitted
    g.write(x, new Float32Array([10, 20, 30])); // must not overtake the dispatch above
    const z = g.unary("neg", fullView(x, [3]));
    assert.deepEqual(await g.read(y), new Float32Array([-1, -2, -3]));
    assert.deepEqual(await g.read(z), new Float32Array([-10, -20, -30]));
    for (const s of [x, y, z]) g.free(s);
  },
});

Deno.test({
  name: "webgpu long dependent chains span many submits correctly",
  ignore,
  fn: async () => {
    const g = gpu();
    let x = g.upload(new Float32Array([0, 1, 2, 3, 4]));
    const one = g.full(5, 1, "f32");
    const steps = g.recorder.dispatchesPerSubmit * 3 + 5;
    for (let i = 0; i < steps; i++) {
      const next = g.binary("add", fullView(x, [5]), fullView(one, [5]));
      g.free(x);
      x = next;
    }
    assert.deepEqual(await g.read(x), new Float32Array([0, 1, 2, 3, 4].map((v) => v + steps)));
    g.free(x);
    g.free(one);
  },
});

Deno.test({
  name: "webgpu gathers and cross-entropy report an out-of-range index at the next readback",
  ignore,
  fn: async () => {
    const g = gpu();
    const table = g.upload(random(4 * 3, 5)); // (V = 4, C = 3)
    const cases: [() => Storage, RegExp][] = [
      [
        () => g.gatherRows(table, g.upload(new Int32Array([1, 7, 0])), 4, 3),
        /^gatherRows: id 7 out of range \[0, 4\) \(found on the GPU/,
      ],
      [
        () => g.gatherLast(table, g.upload(new Int32Array([0, -2, 1, 2])), 4, 3, 1),
        /^gatherLast: index -2 out of range \[0, 3\)/,
      ],
      [
        () => g.crossEntropy(table, g.upload(new Int32Array([0, -1, 3, 1])), 4, 3).nll,
        /^crossEntropy: target 3 out of range \[0, 3\)/,
      ],
    ];
    for (const [run, message] of cases) {
      const out = run();
      await assert.rejects(() => g.read(out), (e: Error) => {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(e.message, message);
        return true;
      });
      // the fault is cleared: the next readback succeeds
      assert.equal((await g.read(table)).length, 12);
    }
    // ignored targets (−1) and valid ids are not faults
    const ok = g.gatherRows(table, g.upload(new Int32Array([3, 0])), 4, 3);
    assert.deepEqual(
      await g.read(ok),
      await cpu.read(
        cpu.gatherRows(cpu.upload(await g.read(table)), cpu.upload(new Int32Array([3, 0])), 4, 3),
      ),
    );
  },
});
