/**
 * Kernel specs of the WebGPU backend: for each WGSL kernel, its file, storage bindings (in
 * binding order) and default workgroup size. `wgsl.ts` generates the WGSL binding
 * declarations from these, so binding indices live here only; the `Params` fields live in the
 * file's `struct Params` only (`paramsLayoutOf` in `wgsl.ts` reads them from there).
 *
 * Specialisation placeholders (`{{NAME}}` in the WGSL) are listed per kernel; the expressions
 * of the unary/binary ops live in {@linkcode UNARY_EXPR} / {@linkcode BINARY_EXPR}.
 *
 * @module
 */
import type { BinaryOp, UnaryOp } from "../backend.ts";
import type { Kernel } from "./pipelines.ts";
import type { Recorder } from "./recorder.ts";
import type { KernelSpec } from "./wgsl.ts";

/** Workgroup size of the 1-D kernels (elementwise, copy, fill, adamw, …). */
export const FLAT_WORKGROUP = 256;

/** The recorder's fault record (`Recorder.faults`), bound last by the kernels that index. */
const FAULTS_BINDING = { name: "faults", access: "read_write", type: "atomic<u32>" } as const;

// elementwise.wgsl — RANK, PEEL, EXPR (unary, binary); RANK, PEEL, COND_T, T (where);
// RANK, PEEL, SRC_T, DST_T (cast)
const UNARY = {
  name: "unary",
  file: "elementwise.wgsl",
  bindings: [{ name: "in0", access: "read" }, { name: "out", access: "read_write" }],
  workgroupSize: FLAT_WORKGROUP,
} as const satisfies KernelSpec;
const BINARY = {
  name: "binary",
  file: "elementwise.wgsl",
  bindings: [
    { name: "in0", access: "read" },
    { name: "in1", access: "read" },
    { name: "out", access: "read_write" },
  ],
  workgroupSize: FLAT_WORKGROUP,
} as const satisfies KernelSpec;
const WHERE = {
  name: "where",
  file: "elementwise.wgsl",
  bindings: [
    { name: "in0", access: "read", type: "{{COND_T}}" },
    { name: "in1", access: "read", type: "{{T}}" },
    { name: "in2", access: "read", type: "{{T}}" },
    { name: "out", access: "read_write", type: "{{T}}" },
  ],
  workgroupSize: FLAT_WORKGROUP,
} as const satisfies KernelSpec;
const CAST = {
  name: "cast",
  file: "elementwise.wgsl",
  bindings: [
    { name: "in0", access: "read", type: "{{SRC_T}}" },
    { name: "out", access: "read_write", type: "{{DST_T}}" },
  ],
  workgroupSize: FLAT_WORKGROUP,
} as const satisfies KernelSpec;

/**
 * The four-elements-per-invocation twin of an elementwise kernel (`<name>4` in the same file):
 * the same bindings as vec4s, plus the placeholders LOAD0..2 (each input's load expression, see
 * `kernels/elementwise.wgsl`).
 */
function fourPerInvocation<const N extends string>(spec: KernelSpec & { name: N }) {
  return {
    ...spec,
    name: `${spec.name}4` as `${N}4`,
    bindings: spec.bindings.map((b) => ({ ...b, type: `vec4<${b.type ?? "f32"}>` })),
  } satisfies KernelSpec;
}

/** All kernel specs, by name. Placeholders in comments. */
export const KERNELS = {
  unary: UNARY,
  binary: BINARY,
  where: WHERE,
  cast: CAST,
  unary4: fourPerInvocation(UNARY),
  binary4: fourPerInvocation(BINARY),
  where4: fourPerInvocation(WHERE),
  cast4: fourPerInvocation(CAST),
  // elementwise.wgsl — RANK, PEEL
  copy: {
    name: "copy",
    file: "elementwise.wgsl",
    bindings: [
      { name: "src", access: "read", type: "u32" },
      { name: "dst", access: "read_write", type: "u32" },
    ],
    workgroupSize: FLAT_WORKGROUP,
  },
  fill: {
    name: "fill",
    file: "fill.wgsl",
    bindings: [{ name: "out", access: "read_write", type: "u32" }],
    workgroupSize: FLAT_WORKGROUP,
  },
  // reduce.wgsl — SUM
  reduce_rows: {
    name: "reduce_rows",
    file: "reduce.wgsl",
    bindings: [{ name: "x", access: "read" }, { name: "out", access: "read_write" }],
    workgroupSize: 256,
  },
  reduce_cols: {
    name: "reduce_cols",
    file: "reduce.wgsl",
    bindings: [{ name: "x", access: "read" }, { name: "out", access: "read_write" }],
    workgroupSize: 64,
  },
  // rows.wgsl — CACHED, ROW_CACHE, LANES (workgroup size chosen from cols by the backend)
  softmax: {
    name: "softmax",
    file: "rows.wgsl",
    bindings: [{ name: "x", access: "read" }, { name: "out", access: "read_write" }],
    workgroupSize: 64,
  },
  argmax: {
    name: "argmax",
    file: "rows.wgsl",
    bindings: [{ name: "x", access: "read" }, { name: "out", access: "read_write", type: "i32" }],
    workgroupSize: 64,
  },
  cross_entropy: {
    name: "cross_entropy",
    file: "rows.wgsl",
    bindings: [
      { name: "x", access: "read" },
      { name: "targets", access: "read", type: "i32" },
      { name: "nll", access: "read_write" },
      { name: "lse_out", access: "read_write" },
      FAULTS_BINDING,
    ],
    workgroupSize: 64,
  },
  cross_entropy_backward: {
    name: "cross_entropy_backward",
    file: "rows.wgsl",
    bindings: [
      { name: "x", access: "read" },
      { name: "lse", access: "read" },
      { name: "targets", access: "read", type: "i32" },
      { name: "dnll", access: "read" },
      { name: "dx", access: "read_write" },
    ],
    workgroupSize: 64,
  },
  layer_norm: {
    name: "layer_norm",
    file: "rows.wgsl",
    bindings: [
      { name: "x", access: "read" },
      { name: "gamma", access: "read" },
      { name: "beta", access: "read" },
      { name: "y", access: "read_write" },
      { name: "mean", access: "read_write" },
      { name: "rstd", access: "read_write" },
    ],
    workgroupSize: 64,
  },
  layer_norm_backward: {
    name: "layer_norm_backward",
    file: "rows.wgsl",
    bindings: [
      { name: "x", access: "read" },
      { name: "gamma", access: "read" },
      { name: "mean", access: "read" },
      { name: "rstd", access: "read" },
      { name: "dy", access: "read" },
      { name: "dx", access: "read_write" },
    ],
    workgroupSize: 64,
  },
  // indexing.wgsl
  gather_rows: {
    name: "gather_rows",
    file: "indexing.wgsl",
    bindings: [
      { name: "table", access: "read" },
      { name: "ids", access: "read", type: "i32" },
      { name: "out", access: "read_write" },
      FAULTS_BINDING,
    ],
    workgroupSize: 64,
  },
  scatter_add_rows: {
    name: "scatter_add_rows",
    file: "indexing.wgsl",
    bindings: [
      { name: "src", access: "read" },
      { name: "ids", access: "read", type: "i32" },
      { name: "out", access: "read_write" },
    ],
    workgroupSize: 32,
  },
  gather_last: {
    name: "gather_last",
    file: "indexing.wgsl",
    bindings: [
      { name: "x", access: "read" },
      { name: "idx", access: "read", type: "i32" },
      { name: "out", access: "read_write" },
      FAULTS_BINDING,
    ],
    workgroupSize: FLAT_WORKGROUP,
  },
  scatter_last: {
    name: "scatter_last",
    file: "indexing.wgsl",
    bindings: [
      { name: "src", access: "read" },
      { name: "idx", access: "read", type: "i32" },
      { name: "out", access: "read_write" },
    ],
    workgroupSize: 32,
  },
  multinomial: {
    name: "multinomial",
    file: "sample.wgsl",
    bindings: [
      { name: "logits", access: "read" },
      { name: "out", access: "read_write", type: "i32" },
    ],
    workgroupSize: 64,
  },
  adamw: {
    name: "adamw",
    file: "adamw.wgsl",
    bindings: [
      { name: "param", access: "read_write" },
      { name: "grad", access: "read" },
      { name: "m", access: "read_write" },
      { name: "v", access: "read_write" },
      { name: "scale", access: "read" },
    ],
    workgroupSize: FLAT_WORKGROUP,
  },
} as const satisfies Record<string, KernelSpec>;

const ROW_EXAMPLE = { CACHED: "true", ROW_CACHE: 64, LANES: 64 };

/** Example specialisation constants per kernel, so tests can assemble every kernel. */
export const EXAMPLE_CONSTANTS: Record<keyof typeof KERNELS, Record<string, string | number>> = {
  unary: { RANK: 1, PEEL: "", EXPR: "-x" },
  binary: { RANK: 3, PEEL: "peel(2u, &rem, &o);\n  peel(1u, &rem, &o);", EXPR: "x + y" },
  where: { RANK: 1, PEEL: "", COND_T: "f32", T: "f32" },
  cast: { RANK: 1, PEEL: "", SRC_T: "f32", DST_T: "i32" },
  unary4: { RANK: 1, PEEL: "", EXPR: "-x", LOAD0: "in0[o.x >> 2u]" },
  binary4: {
    RANK: 2,
    PEEL: "peel(1u, &rem, &o);",
    EXPR: "x + y",
    LOAD0: "in0[o.x >> 2u]",
    LOAD1: "vec4(in1[o.y >> 2u][o.y & 3u])",
  },
  where4: {
    RANK: 1,
    PEEL: "",
    COND_T: "u32",
    T: "f32",
    LOAD0: "in0[o.x >> 2u]",
    LOAD1: "vec4(in1[o.y >> 2u][o.y & 3u])",
    LOAD2: "in2[o.z >> 2u]",
  },
  cast4: { RANK: 0, PEEL: "", SRC_T: "f32", DST_T: "i32", LOAD0: "in0[o.x >> 2u]" },
  copy: { RANK: 2, PEEL: "peel(1u, &rem, &o);" },
  fill: {},
  reduce_rows: { SUM: "true" },
  reduce_cols: { SUM: "false" },
  softmax: ROW_EXAMPLE,
  argmax: ROW_EXAMPLE,
  cross_entropy: ROW_EXAMPLE,
  cross_entropy_backward: ROW_EXAMPLE,
  layer_norm: ROW_EXAMPLE,
  layer_norm_backward: ROW_EXAMPLE,
  gather_rows: {},
  scatter_add_rows: {},
  gather_last: {},
  scatter_last: {},
  multinomial: {},
  adamw: {},
};

/** WGSL expression of each unary op in terms of `x` (helpers live in elementwise.wgsl). */
export const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: "-x",
  exp: "exp(x)",
  log: "log(x)",
  sqrt: "sqrt(x)",
  rsqrt: "1.0 / sqrt(x)",
  abs: "abs(x)",
  sign: "sign_js(x)",
  recip: "1.0 / x",
  tanh: "safe_tanh(x)",
  sigmoid: "sigmoid(x)",
  relu: "max(x, 0.0)",
  gelu: "gelu(x)",
  silu: "x * sigmoid(x)",
};

/** WGSL expression of each binary op in terms of `x` and `y`. */
export const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "x + y",
  sub: "x - y",
  mul: "x * y",
  div: "x / y",
  pow: "pow_js(x, y)",
  maximum: "max(x, y)",
  minimum: "min(x, y)",
  lt: "select(0.0, 1.0, x < y)",
  le: "select(0.0, 1.0, x <= y)",
  gt: "select(0.0, 1.0, x > y)",
  ge: "select(0.0, 1.0, x >= y)",
  eq: "select(0.0, 1.0, x == y)",
  ne: "select(0.0, 1.0, x != y)",
  gelu_grad: "gelu_grad(x, y)",
  silu_grad: "silu_grad(x, y)",
};

/** What the kernel-family helpers (`elementwise.ts`, `rows.ts`) need of the backend. */
export interface KernelRunner {
  /** `cpu` for a software adapter, which changes kernel choices. */
  readonly adapterKind: "cpu" | "gpu";
  readonly recorder: Recorder;
  /** The compiled kernel `name` specialised with `constants` (cached). */
  kernel(
    name: keyof typeof KERNELS,
    constants?: Record<string, string | number>,
    workgroupSize?: number,
  ): Kernel;
}
