/**
 * The elementwise kernels (`kernels/elementwise.wgsl`: unary, binary, where, cast, copy) over
 * strided views: the workgroup grid of a one-invocation-per-element kernel, the coalesced shape
 * and strides of same-shape views, the specialisation that walks them (`{{PEEL}}`, and the
 * four-elements-per-invocation loads), and the dispatch.
 *
 * @module
 */
import { numel, type View } from "../backend.ts";
import { FLAT_WORKGROUP, type KernelRunner } from "./kernels.ts";
import type { GpuBuffer } from "./pool.ts";
import type { Params } from "./wgsl.ts";

/** WebGPU's per-dimension dispatch limit; bigger grids spill into y. */
const MAX_WORKGROUPS = 65535;

/**
 * Workgroup grid (x, y) of a one-invocation-per-element kernel over n elements; the kernels
 * compute i = gid.x + gid.y · nwg.x · WORKGROUP_SIZE and return when i ≥ n.
 */
export function flatGrid(n: number, workgroupSize = FLAT_WORKGROUP): [number, number] {
  const groups = Math.ceil(n / workgroupSize);
  if (groups <= MAX_WORKGROUPS) return [groups, 1];
  const y = Math.ceil(groups / MAX_WORKGROUPS);
  return [Math.ceil(groups / y), y];
}

/**
 * Merges dimensions that every view walks contiguously, drops size-1 dimensions, and returns
 * the reduced shape and strides (outermost first). Rank 0 results mean a single element.
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (
      last >= 0 &&
      strides.every((s, v) => s[d] === outStrides[v][last] * outShape[last])
    ) {
      outShape[last] *= size;
      continue;
    }
    outShape.push(size);
    strides.forEach((s, v) => outStrides[v].push(s[d]));
  }
  outShape.reverse();
  for (const s of outStrides) s.reverse();
  return { shape: outShape, strides: outStrides };
}

/** Index geometry of a set of same-shape views for elementwise/copy kernels. */
export interface ViewGeometry {
  /** RANK constant: 0 = all views contiguous. */
  rank: number;
  shape: number[];
  strides: number[][];
}

/** The coalesced geometry of same-shape views (see {@linkcode coalesce}). */
export function viewGeometry(shape: readonly number[], views: readonly View[]): ViewGeometry {
  const c = coalesce(shape, views.map((v) => v.strides));
  if (c.shape.length > 8) throw new Error(`webgpu: views of rank > 8 after coalescing`);
  const contiguous = c.shape.length <= 1 && c.strides.every((s) => s.length === 0 || s[0] === 1);
  if (contiguous) return { rank: 0, shape: c.shape, strides: c.strides };
  return { rank: c.shape.length, shape: c.shape, strides: c.strides };
}

/**
 * Whether an elementwise kernel over `views` (same shape, geometry `g`) can take four
 * consecutive elements per invocation (the `*4` kernels of `kernels/elementwise.wgsl`): the
 * innermost dimension is a multiple of 4, and every view either walks it contiguously from a
 * 16-byte boundary (offset and outer strides multiples of 4) or broadcasts it (stride 0).
 * Returns each view's broadcast flag, or null for the one-element-per-invocation kernels.
 */
export function vec4Broadcasts(g: ViewGeometry, views: readonly View[]): boolean[] | null {
  const n = numel(views[0].shape);
  if (g.rank === 0) {
    return n % 4 === 0 && views.every((v) => v.offset % 4 === 0) ? views.map(() => false) : null;
  }
  if (g.shape[g.rank - 1] % 4 !== 0) return null;
  const flags: boolean[] = [];
  for (const [v, view] of views.entries()) {
    const strides = g.strides[v];
    const inner = strides[g.rank - 1];
    if (inner === 0) flags.push(true);
    else if (inner === 1 && [view.offset, ...strides.slice(0, -1)].every((x) => x % 4 === 0)) {
      flags.push(false);
    } else return null;
  }
  return flags;
}

/**
 * The `{{PEEL}}` lines of the elementwise and copy kernels' `view_offsets`: one `peel` call per
 * dimension d = rank − 1 … 1, innermost first, each with a constant d.
 */
export function peelCalls(rank: number): string {
  const calls: string[] = [];
  for (let d = rank - 1; d >= 1; d--) calls.push(`peel(${d}u, &rem, &o);`);
  return calls.join("\n  ");
}

/**
 * The `{{LOADv}}` expression of input v in a four-element kernel: a vec4 load at its view
 * offset, or (broadcast along the innermost dimension) one element splat.
 */
export function vec4Load(v: number, broadcast: boolean): string {
  const o = `o.${"xyz"[v]}`;
  return broadcast ? `vec4(in${v}[${o} >> 2u][${o} & 3u])` : `in${v}[${o} >> 2u]`;
}

/** The four-elements-per-invocation kernel of each elementwise kernel. */
const VEC4_KERNEL = {
  unary: "unary4",
  binary: "binary4",
  where: "where4",
  cast: "cast4",
} as const;

/** The elementwise kernels that take four elements per invocation where the views allow. */
export type ElementwiseKernel = keyof typeof VEC4_KERNEL;

/**
 * Records one elementwise kernel over views of the same shape (geometry `g`) into `out`,
 * choosing the four-elements-per-invocation variant where every view allows it.
 */
export function dispatchElementwise(
  runner: KernelRunner,
  name: ElementwiseKernel,
  constants: Record<string, string | number>,
  views: readonly View[],
  g: ViewGeometry,
  out: GpuBuffer,
  buffers: GpuBuffer[],
): void {
  const n = numel(views[0].shape);
  const specialised = { ...constants, PEEL: peelCalls(g.rank) };
  const params = viewParams(n, views, g);
  const bcast = vec4Broadcasts(g, views);
  if (bcast) {
    const loads = Object.fromEntries(bcast.map((b, v) => [`LOAD${v}`, vec4Load(v, b)]));
    const kernel = runner.kernel(VEC4_KERNEL[name], { ...specialised, ...loads });
    runner.recorder.dispatch(kernel, [...buffers, out], params, ...flatGrid(n / 4));
  } else {
    const kernel = runner.kernel(name, specialised);
    runner.recorder.dispatch(kernel, [...buffers, out], params, ...flatGrid(n));
  }
}

const NO_STRIDES: readonly number[] = [];

/** The `Params` of `kernels/elementwise.wgsl` for up to three same-shape views. */
export function viewParams(n: number, views: readonly View[], g: ViewGeometry): Params {
  return {
    n,
    offset0: views[0].offset,
    offset1: views[1]?.offset ?? 0,
    offset2: views[2]?.offset ?? 0,
    shape: g.shape,
    strides0: g.strides[0] ?? NO_STRIDES,
    strides1: g.strides[1] ?? NO_STRIDES,
    strides2: g.strides[2] ?? NO_STRIDES,
  };
}
