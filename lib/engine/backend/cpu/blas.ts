/**
 * A CBLAS `sgemm` reached through Deno's FFI (`Deno.dlopen`), so that the `cpu` backend's matrix
 * products run at the speed of an optimised BLAS instead of a TypeScript loop. Nothing here is
 * required: when no library loads, {@linkcode loadBlas} returns null and the backend keeps its
 * TypeScript loops (it says so once on stderr).
 *
 * Search order (the first library that opens and exports `cblas_sgemm` wins):
 * 1. `RMT_BLAS`: a library path (or file name for the system loader), or `off` for no BLAS.
 * 2. macOS: Accelerate (`/System/Library/Frameworks/Accelerate.framework/Accelerate`).
 * 3. Linux: `libopenblas.so.0`, `libopenblas.so`, `libcblas.so.3`, `libblas.so.3`
 *    (Debian/Ubuntu: `apt-get install libopenblas0-pthread`; Fedora: `openblas`).
 * 4. Windows: `libopenblas.dll`, `openblas.dll`.
 *
 * `RMT_BLAS_THREADS` sets the most OpenBLAS threads a product may use (`openblas_set_num_threads`)
 * when the library has that symbol; unset, the library's own count stands (it follows
 * `OPENBLAS_NUM_THREADS`, else the number of cores). `matmul.ts` runs small products on one.
 *
 * @module
 */

/** CBLAS enum values (cblas.h). */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
} as const;

/** A loaded CBLAS library. */
export interface Blas {
  /** The library name or path that loaded. */
  readonly library: string;
  /**
   * Row-major `C (M, N) = op(A) (M, K) · op(B) (K, N)` (`alpha` 1, `beta` 0), with `op(X)` the
   * transpose when `transX`. Each operand starts at element 0 of its array; `lda`, `ldb`, `ldc`
   * are the row strides of the arrays as stored (CBLAS leading dimensions).
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    c: Float32Array,
    ldc: number,
  ): void;
  /**
   * The most threads a product may use: OpenBLAS's count at load or `RMT_BLAS_THREADS` (1 if
   * unknown).
   */
  readonly maxThreads: number;
  /** OpenBLAS's thread count, or null when the library does not say. */
  threads(): number | null;
  /** Sets OpenBLAS's thread count (no call when it already is `n`); false without such a call. */
  setThreads(n: number): boolean;
}

/** Library names tried, in order, on this platform when `RMT_BLAS` is unset. */
export function blasCandidates(os: typeof Deno.build.os = Deno.build.os): string[] {
  switch (os) {
    case "darwin":
      return ["/System/Library/Frameworks/Accelerate.framework/Accelerate", "libopenblas.dylib"];
    case "windows":
      return ["libopenblas.dll", "openblas.dll"];
    default:
      return ["libopenblas.so.0", "libopenblas.so", "libcblas.so.3", "libblas.so.3"];
  }
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: behave as unset
  }
}

function open(library: string): Blas | null {
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen(library, SYMBOLS);
  } catch {
    return null; // missing file, missing symbol or no --allow-ffi
  }
  const s = lib.symbols;
  let current = s.openblas_get_num_threads?.() ?? 1;
  return {
    library,
    maxThreads: current,
    sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc) {
      s.cblas_sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        a,
        lda,
        b,
        ldb,
        0,
        c,
        ldc,
      );
    },
    threads: () => s.openblas_get_num_threads?.() ?? null,
    setThreads(count) {
      if (s.openblas_set_num_threads === null) return false;
      if (count !== current) s.openblas_set_num_threads(count);
      current = count;
      return true;
    },
  };
}

/** Why the last {@linkcode loadBlas} found nothing (for the one-line notice). */
let lastMiss = "";

/**
 * Opens the first CBLAS of the search order (module doc), or null: `RMT_BLAS=off`, nothing
 * found, or no FFI permission. An `RMT_BLAS` path that does not load is not silently replaced
 * by another library: the result is null and {@linkcode blasMissReason} says why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBlas } from "./blas.ts";
 * const blas = loadBlas();
 * if (blas !== null) {
 *   // (2, 3)·(3, 1)
 *   const c = new Float32Array(2);
 *   blas.sgemm(false, false, 2, 1, 3, new Float32Array([1, 2, 3, 4, 5, 6]), 3,
 *     new Float32Array([1, 0, -1]), 1, c, 1);
 *   assert.deepEqual([...c], [-2, -2]);
 * }
 * ```
 */
export function loadBlas(): Blas | null {
  const override = env("RMT_BLAS");
  lastMiss = "";
  let blas: Blas | null = null;
  if (override === "off") {
    lastMiss = "RMT_BLAS=off";
  } else if (override !== undefined && override !== "") {
    blas = open(override);
    if (blas === null) lastMiss = `RMT_BLAS=${override} did not load (or lacks cblas_sgemm)`;
  } else {
    for (const name of blasCandidates()) {
      blas = open(name);
      if (blas !== null) break;
    }
    if (blas === null) lastMiss = `no CBLAS library found (tried ${blasCandidates().join(", ")})`;
  }
  const threads = env("RMT_BLAS_THREADS");
  if (blas !== null && threads !== undefined && threads !== "") {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`RMT_BLAS_THREADS: expected a positive integer, got '${threads}'`);
    }
    blas.setThreads(n);
    blas = { ...blas, maxThreads: n };
  }
  return blas;
}

/** Why the last {@linkcode loadBlas} returned null ("" after a success). */
export function blasMissReason(): string {
  return lastMiss;
}
