/**
 * A private CPU backend per test, so that counting its live storages is not disturbed by other
 * tests' tensors.
 *
 * @module
 */
import { CpuBackend } from "../../lib/engine/backend/cpu/cpu.ts";
import { tensor } from "../../lib/engine/tensor.ts";

/** A fresh CPU backend, a `tensor` bound to it and its count of live storages. */
export function privateBackend() {
  const backend = new CpuBackend();
  const t = (data: number[] | number[][], dtype: "f32" | "i32" = "f32") =>
    tensor(data, undefined, { backend, dtype });
  return { backend, t, live: () => backend.memory().liveStorages };
}
