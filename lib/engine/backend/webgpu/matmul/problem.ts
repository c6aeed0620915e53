/**
 * The vocabulary of the matmul planner: a batched product of strided operands
 * ({@linkcode MatmulProblem}), the kernel configurations, and the plan a kernel variant makes of
 * a problem ({@linkcode MatmulPlan}: WGSL, uniform bytes and dispatch sizes).
 *
 * @module
 */

/** One batched matmul: `out[b] = op(A_b) · op(B_b)`, out contiguous (batch, M, N). */
export interface MatmulProblem {
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A stored (M, K) row-major, or (K, M) if transA; B stored (K, N), or (N, K) if transB. */
  transA: boolean;
  transB: boolean;
  /** Element offsets into the a/b buffers. */
  aOffset: number;
  bOffset: number;
  /** Elements between consecutive batch matrices; 0 = broadcast over batch. */
  aBatchStride: number;
  bBatchStride: number;
  /** Leading-dimension strides in elements (row stride of the stored matrix). */
  lda: number;
  ldb: number;
  /**
   * Size of A's buffer in bytes. Only the window variant needs it (its uniform windows must
   * stay inside the buffer); without it the planner does not pick that variant.
   */
  aBytes?: number;
  /**
   * Window variant only: `out` is one (M, N) matrix, the sum over the batch of A_z · B_z (a
   * product split along K into chunks, see {@linkcode windowChunk}).
   */
  sumBatch?: boolean;
}

/** A compiled-code choice plus its uniform contents and dispatch size. */
export interface MatmulPlan {
  /** Pipeline-cache key (same key ⇒ same code). */
  key: string;
  /**
   * Complete WGSL incl. bindings: @group(0) @binding(0) a (read storage), (1) b (read
   * storage), (2) out (read_write storage), (3) params (uniform `Params`).
   */
  code: string;
  /** The dispatches, in order: one, or for the window variant one per window of A. */
  dispatches: MatmulDispatch[];
  /**
   * Window variant only: binding 0 is not a storage buffer but a `windowBytes`-long uniform
   * window into A's buffer, bound at each dispatch's `windowOffset`.
   */
  windowBytes?: number;
}

/** One dispatch of a plan. */
export interface MatmulDispatch {
  /** Uniform contents matching `Params`. */
  params: ArrayBuffer;
  /** Workgroup counts for `dispatchWorkgroups`. */
  workgroups: [number, number, number];
  /** Window plans: byte offset of the window in A's buffer (minUniformBufferOffsetAlignment). */
  windowOffset?: number;
}

/** Register-tiled variant's knobs (see `kernels/matmul_register.wgsl`). */
export interface RegisterConfig {
  variant: "register";
  /** Rows per invocation (and per workgroup). */
  rm: number;
  /** vec4 column groups per invocation (4·cg columns). */
  cg: number;
  /** Workgroup width. */
  wx: number;
  /** K unroll (a multiple of 4). */
  ku: number;
  /** Allow vec4 loads of A / B (still subject to alignment). Default true. */
  vec4?: boolean;
}

/** Workgroup-memory tiled variant's knobs (see `kernels/matmul_tiled.wgsl`). */
export interface TiledConfig {
  variant: "tiled";
  /** Workgroup size (tx, ty); the tile is 4·ty × 4·tx. */
  tx: number;
  ty: number;
  /** K depth of a staged tile. */
  bk: number;
}

/**
 * Uniform-window variant's knobs (see `kernels/matmul_window.wgsl`): the register variant's
 * arithmetic, with A's rows read through a uniform-buffer window (one dispatch per window).
 */
export interface WindowConfig {
  variant: "window";
  /** Rows per dispatch (the window holds RM rows of A). */
  rm: number;
  /** vec4 column groups per invocation (4·cg columns). */
  cg: number;
  /** Workgroup width. */
  wx: number;
  /** K unroll (a multiple of 4). */
  ku: number;
}

/** A kernel configuration: what `planMatmul` picks, or what a bench/tuner forces. */
export type MatmulConfig = RegisterConfig | TiledConfig | WindowConfig;

/**
 * The register config on CPU adapters where the window variant does not apply: 16 × 8 outputs
 * per invocation compile in a few seconds, and larger blocks ran within noise of it per step
 * while compiling several times longer (docs/performance.md).
 */
export const CPU_CONFIG: RegisterConfig = { variant: "register", rm: 16, cg: 2, wx: 8, ku: 4 };
/** Skinny problems (M ≤ 16, e.g. decode GEMV) on a GPU: few registers, wide workgroups. */
export const GPU_SKINNY_CONFIG: RegisterConfig = {
  variant: "register",
  rm: 4,
  cg: 1,
  wx: 64,
  ku: 4,
};
/** The GPU default: 64 × 64 tile, 16 × 16 invocations, 4 × 4 each, K tile 16 (8 KiB). */
export const GPU_CONFIG: TiledConfig = { variant: "tiled", tx: 16, ty: 16, bk: 16 };

/** Checks a problem's sizes, offsets and strides; throws naming the first that is invalid. */
export function checkProblem(p: MatmulProblem): void {
  const ints = [p.batch, p.m, p.n, p.k, p.aOffset, p.bOffset, p.aBatchStride, p.bBatchStride];
  if (!ints.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new Error(`matmul: sizes, offsets and strides must be non-negative integers`);
  }
  const minLda = p.transA ? p.m : p.k;
  const minLdb = p.transB ? p.k : p.n;
  if (!(p.lda >= minLda && p.ldb >= minLdb)) {
    throw new Error(`matmul: lda ${p.lda} / ldb ${p.ldb} below the stored row width`);
  }
}

/** Whether every number is a multiple of 4 (a vec4 boundary, in floats). */
export const aligned4 = (...xs: number[]): boolean => xs.every((x) => x % 4 === 0);
