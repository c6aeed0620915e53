/**
 * The storage of the `webgpu` backend: an element count and type over a pooled GPU buffer.
 *
 * @module
 */
import type { DType, Storage } from "../backend.ts";
import type { GpuBuffer } from "./pool.ts";

/** A storage living in a pooled GPU buffer. */
export class GpuStorage implements Storage {
  #buf: GpuBuffer | null;
  /**
   * @param buf The pooled buffer (at least `size · 4` bytes).
   * @param size Number of elements.
   * @param dtype Element type.
   */
  constructor(buf: GpuBuffer, readonly size: number, readonly dtype: DType) {
    this.#buf = buf;
  }
  /** The buffer; throws after the backend's `free()`. */
  get buf(): GpuBuffer {
    if (!this.#buf) throw new Error("webgpu: storage used after free()");
    return this.#buf;
  }
  /** Detaches the buffer (for free()). */
  take(): GpuBuffer {
    const buf = this.buf;
    this.#buf = null;
    return buf;
  }
}

/** The buffer of a storage; throws when the storage belongs to another backend. */
export function bufOf(s: Storage): GpuBuffer {
  if (!(s instanceof GpuStorage)) {
    throw new TypeError("webgpu backend: storage belongs to another backend");
  }
  return s.buf;
}
