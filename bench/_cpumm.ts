import { fullView } from "../lib/engine/backend/backend.ts";
import { CpuBackend } from "../lib/engine/backend/cpu/cpu.ts";
const b = new CpuBackend();
for (
  const [m, k, n] of [[256, 256, 256], [512, 512, 512], [2048, 64, 64], [2048, 64, 256], [
    2048,
    256,
    64,
  ]]
) {
  const a = b.upload(new Float32Array(m * k).map(() => Math.random()));
  const w = b.upload(new Float32Array(k * n).map(() => Math.random()));
  b.free(b.matmul(fullView(a, [1, m, k]), fullView(w, [1, k, n])));
  const t0 = performance.now();
  let reps = 0;
  while (performance.now() - t0 < 1000) {
    b.free(b.matmul(fullView(a, [1, m, k]), fullView(w, [1, k, n])));
    reps++;
  }
  const s = (performance.now() - t0) / 1000 / reps;
  console.log(`${m}x${k}x${n}: ${(2 * m * n * k / s / 1e9).toFixed(2)} GFLOP/s`);
}
