/**
 * The geometry of the window variant (`kernels/matmul_window.wgsl`): which rows of A each
 * uniform window holds, where in A's buffer it is bound, and one dispatch per window.
 *
 * @module
 */
import { aligned4, type MatmulProblem, type WindowConfig } from "./problem.ts";

/** One window's dispatch: its binding offset, first row, batch matrix, A's first vec4 in it. */
export interface WindowDispatch {
  /** Byte offset of the window in A's buffer (a multiple of the uniform offset alignment). */
  offset: number;
  /** First row of A in the window. */
  m0: number;
  /** Batch index. */
  z: number;
  /** vec4 index of A_z[m0, 0] inside the window. */
  aFirst: number;
  /** RM-row blocks the dispatch covers. */
  blocks: number;
}

/** A window plan's geometry: window size, rows per window, and the dispatches. */
export interface WindowLayout {
  bytes: number;
  rows: number;
  dispatches: WindowDispatch[];
}

/** Workgroup width of the window variant (lavapipe's SIMD width on AVX2). */
export const WINDOW_WX = 8;

/**
 * The window variant's geometry for a problem, or why it does not apply: the window's size,
 * the rows it holds (a multiple of RM: as many row blocks as fit, at most M rounded up), and
 * one dispatch per window (its offset, first row, batch index, A's first vec4 in it, and the
 * row blocks it covers).
 */
export function windowLayout(
  p: MatmulProblem,
  cfg: WindowConfig,
  limits: GPUSupportedLimits,
): WindowLayout | string {
  if (!aligned4(p.lda, p.aOffset, p.aBatchStride)) return "A is not vec4-aligned";
  const align = limits.minUniformBufferOffsetAlignment;
  if (p.aBytes === undefined) return "A's buffer size is unknown";
  if (p.aBytes % align !== 0) return "A's buffer size is not a multiple of the offset alignment";
  if (p.transA) return transposedWindowLayout(p, cfg, limits);
  // R rows span (R − 1)·lda + K elements from the first (16-byte aligned).
  const rowBytes = 4 * 4 * Math.ceil(p.k / 4);
  const span = (rows: number) => 4 * (rows - 1) * p.lda + rowBytes;
  const windowBytes = (rows: number) =>
    windowBytesFor(span(rows), [p.aOffset, p.aBatchStride, rows * p.lda], align);
  // As many row blocks as fit (checked before the cap by the buffer size, so a larger buffer
  // never turns a fit down), but no more than M needs.
  const max = limits.maxUniformBufferBindingSize;
  const rows = cfg.rm * Math.ceil(p.m / cfg.rm);
  let R = cfg.rm;
  while (R + cfg.rm <= rows && windowBytes(R + cfg.rm) <= max) R += cfg.rm;
  if (windowBytes(R) > max) return "the row block exceeds a window";
  const bytes = Math.min(windowBytes(R), p.aBytes);
  const dispatches = [];
  for (let z = 0; z < p.batch; z++) {
    for (let m0 = 0; m0 < p.m; m0 += R) {
      const start = 4 * (p.aOffset + z * p.aBatchStride + m0 * p.lda);
      const here = Math.min(R, p.m - m0);
      const offset = windowOffsetFor(start, span(here), bytes, p.aBytes, align);
      if (offset === null) return "a row block misses its window";
      const blocks = Math.ceil(here / cfg.rm);
      dispatches.push({ offset, m0, z, aFirst: (start - offset) / 16, blocks });
    }
  }
  return { bytes, rows: R, dispatches };
}

/**
 * Bytes of a window that holds `span` bytes of A from a 16-byte aligned start. Unless every
 * start is aligned (all `startElements`, in floats, are multiples of the alignment), the window
 * adds room to start at an aligned offset before it. It is a multiple of the alignment, so a
 * window ending at the end of the buffer starts aligned too.
 */
function windowBytesFor(span: number, startElements: number[], align: number): number {
  const startsAligned = startElements.every((x) => (4 * x) % align === 0);
  return Math.ceil((span + (startsAligned ? 0 : align - 16)) / align) * align;
}

/**
 * The binding offset of a `bytes`-byte window holding `span` bytes from byte `start` of a buffer
 * of `aBytes`: `start` aligned down, or near the end of the buffer the window that ends there;
 * null when that window misses part of the span.
 */
function windowOffsetFor(
  start: number,
  span: number,
  bytes: number,
  aBytes: number,
  align: number,
): number | null {
  const offset = Math.min(Math.floor(start / align) * align, aBytes - bytes);
  return start < offset || start - offset + span > bytes ? null : offset;
}

/**
 * `windowLayout` for a transposed A (stored (K, M), e.g. Pᵀ in attention's backward): a window
 * holds one whole stored matrix, all K rows of M (read as vec4s over m), so there is one
 * dispatch per batch matrix, covering every row block; or why that does not fit.
 */
function transposedWindowLayout(
  p: MatmulProblem,
  cfg: WindowConfig,
  limits: GPUSupportedLimits,
): WindowLayout | string {
  if (p.m % 4 !== 0 || cfg.rm % 4 !== 0) return "a transposed A needs M and RM multiples of 4";
  const align = limits.minUniformBufferOffsetAlignment;
  const span = 4 * (p.k - 1) * p.lda + 4 * p.m;
  const bytes = Math.min(windowBytesFor(span, [p.aOffset, p.aBatchStride], align), p.aBytes!);
  if (bytes > limits.maxUniformBufferBindingSize) return "the transposed matrix exceeds a window";
  const dispatches = [];
  for (let z = 0; z < p.batch; z++) {
    const start = 4 * (p.aOffset + z * p.aBatchStride);
    const offset = windowOffsetFor(start, span, bytes, p.aBytes!, align);
    if (offset === null) return "a matrix misses its window";
    dispatches.push({
      offset,
      m0: 0,
      z,
      aFirst: (start - offset) / 16,
      blocks: Math.ceil(p.m / cfg.rm),
    });
  }
  return { bytes, rows: cfg.rm * Math.ceil(p.m / cfg.rm), dispatches };
}
