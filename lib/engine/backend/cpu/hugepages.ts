/**
 * Transparent huge pages for the `cpu` backend's large buffers on Linux: `madvise(MADV_HUGEPAGE)`
 * through Deno's FFI on the 2 MiB-aligned interior of a fresh buffer, so that its first touch
 * faults one 2 MiB page instead of 512 pages of 4 KiB. On a VM where a page fault is expensive
 * this halves the first-touch cost (docs/performance.md, "The CPU backend with BLAS"). It is
 * advice only: when libc, FFI permission or THP (`/sys/kernel/mm/transparent_hugepage/enabled`
 * = never) is missing, nothing happens. `RMT_HUGEPAGES=off` turns it off.
 *
 * @module
 */

const MADV_HUGEPAGE = 14;
const HUGE = 2n * 1024n * 1024n;

/** Buffers at least this large get the advice (a smaller one holds no aligned 2 MiB page). */
export const HUGEPAGE_MIN_BYTES = 2 * 1024 * 1024;

type Madvise = (addr: Deno.PointerValue, len: bigint, advice: number) => number;

let madvise: Madvise | null | undefined;

function load(): Madvise | null {
  try {
    if (Deno.build.os !== "linux" || Deno.env.get("RMT_HUGEPAGES") === "off") return null;
    const lib = Deno.dlopen("libc.so.6", {
      madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
    });
    return (addr, len, advice) => lib.symbols.madvise(addr, len, advice);
  } catch {
    return null; // not glibc, no --allow-ffi or --allow-env
  }
}

/**
 * Advises the kernel to back `buffer` with huge pages; call it before the buffer is first
 * written. Returns whether the advice was given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adviseHugePages } from "./hugepages.ts";
 * const buffer = new ArrayBuffer(8 * 1024 * 1024);
 * adviseHugePages(buffer); // true on Linux with glibc, false elsewhere: advice only
 * const a = new Float32Array(buffer);
 * a[a.length - 1] = 1;
 * assert.equal(a[a.length - 1], 1);
 * ```
 */
export function adviseHugePages(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength < HUGEPAGE_MIN_BYTES) return false;
  madvise ??= load();
  if (madvise === null) return false;
  const pointer = Deno.UnsafePointer.of(buffer);
  if (pointer === null) return false;
  const addr = BigInt(Deno.UnsafePointer.value(pointer));
  const start = (addr + HUGE - 1n) & ~(HUGE - 1n);
  const length = (addr + BigInt(buffer.byteLength) - start) & ~(HUGE - 1n);
  if (length <= 0n) return false;
  return madvise(Deno.UnsafePointer.create(start), length, MADV_HUGEPAGE) === 0;
}
