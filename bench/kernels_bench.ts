/**
 * WebGPU kernel benchmarks (`deno bench -A bench/kernels_bench.ts`): memory-bound kernels on
 * 1M elements, AdamW over 1M parameters, the per-dispatch floor and the readback round trip.
 *
 * Each measured iteration records `REPS` dispatches of the kernel and then waits for them
 * (`await backend.sync()`), so the ~11 ms Deno readback floor is amortised; time per kernel =
 * reported time / REPS. Bytes moved per kernel are in the bench names: GB/s = bytes · REPS /
 * time. Outputs are freed right away (pooled), so allocation is part of what is measured, as
 * in training. Skipped when no WebGPU adapter is available.
 *
 * @module
 */
import { fullView } from "../lib/engine/backend/backend.ts";
import { WebGpuBackend } from "../lib/engine/backend/webgpu/backend.ts";

const backend = await WebGpuBackend.create().catch(() => null);
const ignore = backend === null;
const REPS = 20;
const N = 1 << 20;

function random(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 12.9898) * 2;
  return out;
}

const b = backend!;
const x = ignore ? null! : b.upload(random(N));
const y = ignore ? null! : b.upload(random(N));
const gamma = ignore ? null! : b.upload(new Float32Array(1024).fill(1));
const beta = ignore ? null! : b.upload(new Float32Array(1024));
const params = ignore ? null! : [0, 1, 2, 3].map(() => b.upload(random(N)));
const tiny = ignore ? null! : b.upload(new Float32Array(4));

/** Runs `fn` REPS times, then waits for the device. */
function bench(name: string, fn: () => void): void {
  Deno.bench({
    name,
    ignore,
    async fn(t) {
      t.start();
      for (let i = 0; i < REPS; i++) fn();
      await b.sync();
      t.end();
    },
  });
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

bench(`add 1M f32, ×${REPS} (${MB(3 * 4 * N)} per kernel)`, () => {
  b.free(b.binary("add", fullView(x, [N]), fullView(y, [N])));
});
bench(`add 1M f32 + row bias (1024, 1024), ×${REPS} (${MB(2 * 4 * N)} per kernel)`, () => {
  b.free(
    b.binary("add", fullView(x, [1024, 1024]), {
      ...fullView(y, [1024]),
      shape: [1024, 1024],
      strides: [0, 1],
    }),
  );
});
bench(`gelu 1M f32, ×${REPS} (${MB(2 * 4 * N)} per kernel)`, () => {
  b.free(b.unary("gelu", fullView(x, [N])));
});
bench(`softmax (8192, 128), ×${REPS} (${MB(2 * 4 * N)} per kernel)`, () => {
  b.free(b.softmax(x, 8192, 128));
});
bench(`softmax (2048, 512), ×${REPS} (${MB(2 * 4 * N)} per kernel)`, () => {
  b.free(b.softmax(x, 2048, 512));
});
bench(`layerNorm (4096, 256), ×${REPS} (${MB(2 * 4 * N)} per kernel)`, () => {
  const { y: out, mean, rstd } = b.layerNorm(x, gamma, beta, 4096, 256, 1e-5);
  for (const s of [out, mean, rstd]) b.free(s);
});
bench(`layerNorm (1024, 1024), ×${REPS} (${MB(2 * 4 * N)} per kernel)`, () => {
  const { y: out, mean, rstd } = b.layerNorm(x, gamma, beta, 1024, 1024, 1e-5);
  for (const s of [out, mean, rstd]) b.free(s);
});
bench(`reduce sum (1024, 1024, 1) rows, ×${REPS} (${MB(4 * N)} per kernel)`, () => {
  b.free(b.reduce("sum", x, 1024, 1024, 1));
});
bench(`reduce sum (1, 4096, 256) columns, ×${REPS} (${MB(4 * N)} per kernel)`, () => {
  b.free(b.reduce("sum", x, 1, 4096, 256));
});
bench(`adamw 1M params, ×${REPS} (${MB(7 * 4 * N)} per kernel)`, () => {
  const [p, g, m, v] = params;
  b.adamw(
    p,
    g,
    m,
    v,
    { lr: 1e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 3 },
    null,
  );
});
bench(`empty dispatch (4 elements), ×${REPS}`, () => {
  b.free(b.unary("neg", fullView(tiny, [4])));
});
Deno.bench({
  name: "readback round trip (4 bytes)",
  ignore,
  async fn() {
    await b.read(tiny);
  },
});
