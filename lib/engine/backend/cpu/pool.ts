/**
 * Recycled typed arrays for the `cpu` backend. A fresh multi-megabyte typed array costs more in
 * page faults and zeroing than most kernels that fill it, so freed buffers are kept and handed
 * out again, dirty: every kernel writes each element of its output.
 *
 * Buffers come in capacity classes, four per power of two (a request is rounded up by at most
 * 25 %), and a request takes a free buffer of its class or of one of the next
 * {@linkcode SPARE_CLASSES} (up to four times its size), so that shapes that change from call to
 * call (sequence lengths during generation and RL steps) still find a buffer: in a VM a page
 * fault on a fresh buffer costs far more than the kernel writing it. A storage is a typed array
 * over the first `n` elements of its buffer. Only buffers this pool made are taken back, each once.
 *
 * @module
 */
import { adviseHugePages } from "./hugepages.ts";

/** Requests below this many bytes get a fresh array (cheap, and not worth a map lookup). */
export const POOL_MIN_BYTES = 64 * 1024;

/** Larger classes a request may take a free buffer from (eight: up to four times its size). */
export const SPARE_CLASSES = 8;

/**
 * The capacity class of a request of `bytes` bytes: rounded up to a multiple of a quarter of
 * the largest power of two not above it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityClass } from "./pool.ts";
 * assert.equal(capacityClass(65536), 65536);
 * assert.equal(capacityClass(65537), 81920); // 64 KiB + 16 KiB
 * assert.equal(capacityClass(100000), 114688); // 64 KiB + 3 · 16 KiB
 * ```
 */
export function capacityClass(bytes: number): number {
  const quarter = 2 ** Math.floor(Math.log2(bytes)) / 4;
  return Math.ceil(bytes / quarter) * quarter;
}

/** Free buffers by capacity class, with the accounting the backend reports. */
export class ArrayPool {
  #free = new Map<number, ArrayBuffer[]>();
  /** Buffers this pool allocated (only these are taken back). */
  #ours = new WeakSet<ArrayBuffer>();
  /** Buffers now in `#free` (a second free of the same storage is ignored). */
  #idle = new WeakSet<ArrayBuffer>();
  #bytes = 0;
  /** Buffers in the order they were given back (oldest first, from `#head`; some since taken). */
  #order: ArrayBuffer[] = [];
  #head = 0;
  /** Number of free buffers. */
  #count = 0;

  /** Bytes held in free buffers. */
  get bytes(): number {
    return this.#bytes;
  }

  /** An array of `n` elements, from a free buffer when one fits (then its contents are stale). */
  take(dtype: "f32" | "i32", n: number): Float32Array | Int32Array {
    if (4 * n < POOL_MIN_BYTES) return dtype === "i32" ? new Int32Array(n) : new Float32Array(n);
    const cap = capacityClass(4 * n);
    let buffer: ArrayBuffer | undefined;
    for (let c = cap, i = 0; i <= SPARE_CLASSES && buffer === undefined; i++) {
      buffer = this.#free.get(c)?.pop();
      c = capacityClass(c + 1);
    }
    if (buffer === undefined) {
      buffer = new ArrayBuffer(cap);
      adviseHugePages(buffer); // before the first touch: fewer, larger page faults
      this.#ours.add(buffer);
    } else {
      this.#idle.delete(buffer);
      this.#bytes -= buffer.byteLength;
      this.#count--;
    }
    return dtype === "i32" ? new Int32Array(buffer, 0, n) : new Float32Array(buffer, 0, n);
  }

  /**
   * Takes back the buffer of `data` if this pool made it, dropping the longest-idle buffers
   * while the pool would hold more than `limit` bytes (recently freed shapes are the likeliest
   * to be asked for again).
   */
  give(data: Float32Array | Int32Array, limit: number): void {
    const buffer = data.buffer as ArrayBuffer;
    if (!this.#ours.has(buffer) || this.#idle.has(buffer)) return;
    if (buffer.byteLength > limit) return;
    while (this.#bytes + buffer.byteLength > limit) this.#dropOldest();
    this.#idle.add(buffer);
    this.#bytes += buffer.byteLength;
    this.#count++;
    this.#order.push(buffer);
    if (this.#order.length - this.#head > 2 * this.#count + 1024) {
      // Mostly entries of buffers taken since: keep the free ones (and let the others go).
      this.#order = this.#order.slice(this.#head).filter((b) => this.#idle.has(b));
      this.#head = 0;
    }
    const list = this.#free.get(buffer.byteLength);
    if (list === undefined) this.#free.set(buffer.byteLength, [buffer]);
    else list.push(buffer);
  }

  /** Forgets the longest-idle free buffer (the garbage collector takes it). */
  #dropOldest(): void {
    for (;;) {
      const buffer = this.#order[this.#head++];
      if (this.#idle.has(buffer)) {
        const list = this.#free.get(buffer.byteLength)!;
        list.splice(list.indexOf(buffer), 1);
        this.#idle.delete(buffer);
        this.#bytes -= buffer.byteLength;
        this.#count--;
        break;
      }
    }
    if (this.#head > 1024 && 2 * this.#head > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}
