/**
 * The buffer pool: GPU buffers in size buckets, reused at once when freed (commands recorded
 * later run after the ones recorded earlier, so reuse is safe), plus the MAP_READ staging
 * buffers of readbacks.
 *
 * @module
 */

/** A pooled GPU buffer. `batch` is the id of the last command batch that bound it. */
export interface GpuBuffer {
  readonly buffer: GPUBuffer;
  /** Unique id (bind-group cache keys). */
  readonly id: number;
  /** Capacity in bytes (the bucket size). */
  readonly bytes: number;
  /** Id of the last command batch that referenced this buffer. */
  batch: number;
}

/** Bucket capacity for a request: 256 B minimum, powers of two up to 1 MiB, then eighth steps. */
export function bucketBytes(bytes: number): number {
  if (bytes <= 256) return 256;
  const pow = 2 ** Math.ceil(Math.log2(bytes));
  if (pow <= 1 << 20) return pow;
  const step = pow / 8; // ≤ 12.5 % waste for large buffers
  return Math.ceil(bytes / step) * step;
}

/**
 * Usage of every pooled and constant buffer: storage, copies, and uniform (a matmul may read A
 * through a uniform window, see `kernels/matmul_window.wgsl`).
 */
function bufferUsage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_SRC |
    GPUBufferUsage.COPY_DST;
}

/** Size-bucketed pool of storage buffers and of staging buffers, with live/pooled statistics. */
export class BufferPool {
  readonly device: GPUDevice;
  #nextId = 1;
  #free = new Map<number, GpuBuffer[]>();
  #staging = new Map<number, GPUBuffer[]>();
  #liveBytes = 0;
  #liveBuffers = 0;
  #pooledBytes = 0;

  /** @param device The device the buffers are created on. */
  constructor(device: GPUDevice) {
    this.device = device;
  }

  /** A pooled buffer of at least `bytes` bytes (STORAGE | UNIFORM | COPY_SRC | COPY_DST). */
  alloc(bytes: number): GpuBuffer {
    const size = bucketBytes(bytes);
    this.#liveBytes += size;
    this.#liveBuffers++;
    const pooled = this.#free.get(size)?.pop();
    if (pooled) {
      this.#pooledBytes -= size;
      return pooled;
    }
    const buffer = this.device.createBuffer({ size, usage: bufferUsage() });
    return { buffer, id: this.#nextId++, bytes: size, batch: 0 };
  }

  /** A dedicated buffer holding `data`, outside the pool and its statistics (constants). */
  constant(data: Float32Array | Int32Array | Uint32Array): GpuBuffer {
    const buffer = this.device.createBuffer({
      size: bucketBytes(data.byteLength),
      usage: bufferUsage(),
    });
    this.device.queue.writeBuffer(buffer, 0, data);
    return { buffer, id: this.#nextId++, bytes: buffer.size, batch: 0 };
  }

  /**
   * Returns a buffer to the pool. Safe while recorded work still uses it: later commands that
   * reuse it run after that work (queue order); only host writes check {@linkcode GpuBuffer.batch}.
   */
  release(buf: GpuBuffer): void {
    this.#liveBytes -= buf.bytes;
    this.#liveBuffers--;
    this.#pooledBytes += buf.bytes;
    let list = this.#free.get(buf.bytes);
    if (!list) this.#free.set(buf.bytes, list = []);
    list.push(buf);
  }

  /** A MAP_READ | COPY_DST staging buffer of `bucketBytes(bytes)` bytes (give it back after). */
  staging(bytes: number): GPUBuffer {
    const bucket = bucketBytes(bytes);
    return this.#staging.get(bucket)?.pop() ??
      this.device.createBuffer({
        size: bucket,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
  }

  /** Returns an unmapped staging buffer from {@linkcode staging}. */
  releaseStaging(buffer: GPUBuffer): void {
    let list = this.#staging.get(buffer.size);
    if (!list) this.#staging.set(buffer.size, list = []);
    list.push(buffer);
  }

  /** Pool statistics. */
  memory(): { liveBuffers: number; liveBytes: number; pooledBytes: number } {
    return {
      liveBuffers: this.#liveBuffers,
      liveBytes: this.#liveBytes,
      pooledBytes: this.#pooledBytes,
    };
  }
}
