// elementwise.wgsl: unary, binary, where, cast and copy over strided views (up to rank 8).
//
//   out[i] = EXPR(in0[o0(i)], in1[o1(i)], in2[o2(i)])        for i in [0, n)
//   copy:    dst[o1(i)] = src[o0(i)]                         (a strided destination)
//
// `i` is the row-major index over `shape`; the storage offset of view v is
// o_v(i) = offset_v + Σ_d idx_d(i) · strides_v[d]. Strides may be 0 (broadcast) or permuted.
// The host coalesces dimensions first, so RANK is usually 1-3. RANK = 0 is the contiguous fast
// path: o_v(i) = offset_v + i (no index arithmetic).
//
// Dispatch: one invocation per element, 1-D workgroups on an (x, y) grid (x ≤ 65535):
// i = gid.x + gid.y · nwg.x · WORKGROUP_SIZE. (No grid-stride loop: on llvmpipe a loop with a
// dynamic trip count costs more than a single guarded element.)
// Bindings (generated from the KernelSpecs in lib/engine/backend/webgpu/kernels.ts): in0
// [, in1 [, in2]] read, out read_write (copy: src read, dst read_write, as u32 words, so one
// pipeline copies f32 and i32), then params.
// Placeholders: RANK, PEEL (the peel calls of `view_offsets`), EXPR (in terms of x = in0,
// y = in1, z = in2), and the element types of the cast/where kernels (SRC_T, DST_T, COND_T, T).
//
// The `*4` kernels (unary4, binary4, where4, cast4) take four consecutive elements per
// invocation, i = 4 · (gid.x + gid.y · nwg.x · WORKGROUP_SIZE), with vec4 bindings. The host
// picks them when the innermost dimension is a multiple of 4 and every input either walks it
// contiguously from a 16-byte boundary (load in_v[o_v(i) / 4]) or broadcasts it (stride 0:
// splat in_v[o_v(i)]); placeholders LOAD0..2 hold those loads. The index arithmetic is then
// done once per four elements, and on llvmpipe a vec4 load or store costs about what a scalar
// one does.

const RANK: u32 = {{RANK}}u;

struct Params {
  n: u32,
  offset0: u32,
  offset1: u32,
  offset2: u32,
  shape: array<vec4<u32>, 2>,
  strides0: array<vec4<u32>, 2>,
  strides1: array<vec4<u32>, 2>,
  strides2: array<vec4<u32>, 2>,
}

// Peels dimension d off the row-major index `rem` and adds its step to the three offsets. Called
// with constant d only: once inlined, every Params read has a constant address, which llvmpipe
// loads once and broadcasts (a loop over d made them per-lane gathers, and cost ~2× the add).
fn peel(d: u32, rem: ptr<function, u32>, o: ptr<function, vec3<u32>>) {
  let size = params.shape[d >> 2u][d & 3u];
  let q = *rem / size;
  let idx = *rem - q * size;
  *o += idx * vec3<u32>(
    params.strides0[d >> 2u][d & 3u],
    params.strides1[d >> 2u][d & 3u],
    params.strides2[d >> 2u][d & 3u],
  );
  *rem = q;
}

// Storage offsets of output element i in the three input views (unused ones are dead code).
fn view_offsets(i: u32) -> vec3<u32> {
  var o = vec3<u32>(params.offset0, params.offset1, params.offset2);
  if (RANK == 0u) {
    return o + vec3<u32>(i);
  }
  var rem = i;
  // One `peel(d, &rem, &o);` per d = RANK − 1 … 1 (innermost first, filled in by the host with
  // constant d); the outermost dimension needs no division.
  {{PEEL}}
  return o + rem * vec3<u32>(params.strides0[0].x, params.strides1[0].x, params.strides2[0].x);
}

// tanh that cannot overflow inside the driver's exp-based implementation (tanh(±15) = ±1 in f32).
fn safe_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
const GELU_K: f32 = 0.7978845608028654; // √(2/π)
fn gelu(x: f32) -> f32 {
  return 0.5 * x * (1.0 + safe_tanh(GELU_K * (x + 0.044715 * x * x * x)));
}

// dy · d/dx gelu(x) for the tanh approximation.
fn gelu_grad(x: f32, dy: f32) -> f32 {
  let t = safe_tanh(GELU_K * (x + 0.044715 * x * x * x));
  let du = GELU_K * (1.0 + 3.0 * 0.044715 * x * x);
  return dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du);
}

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// dy · d/dx (x·σ(x)) = dy · σ(x)·(1 + x·(1 − σ(x))).
fn silu_grad(x: f32, dy: f32) -> f32 {
  let s = sigmoid(x);
  return dy * s * (1.0 + x * (1.0 - s));
}

// Math.pow semantics for the cases WGSL's pow leaves undefined: x < 0 with an integer
// exponent, and y = 0.
fn pow_js(x: f32, y: f32) -> f32 {
  if (y == 0.0) {
    return 1.0;
  }
  if (x >= 0.0) {
    return pow(x, y);
  }
  if (y != floor(y)) {
    return bitcast<f32>(0x7fc00000u); // NaN
  }
  let r = pow(-x, y);
  return select(r, -r, fract(y * 0.5) != 0.0);
}

fn sign_js(x: f32) -> f32 {
  return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);
}

// @kernel unary: out = EXPR(x)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let x = in0[view_offsets(i).x];
  out[i] = {{EXPR}};
}

// @kernel binary: out = EXPR(x, y)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  let x = in0[o.x];
  let y = in1[o.y];
  out[i] = {{EXPR}};
}

// @kernel where: out = cond != 0 ? y : z (in0 = cond of type COND_T, in1/in2 of type T)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  out[i] = select(in2[o.z], in1[o.y], in0[o.x] != {{COND_T}}(0));
}

// @kernel cast: out = DST_T(x) (f32 → i32 truncates toward zero and saturates)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  out[i] = {{DST_T}}(in0[view_offsets(i).x]);
}

// @kernel copy: dst[o.y] = src[o.x] (view 0 is the source, view 1 the destination)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  dst[o.y] = src[o.x];
}

// ---- four elements per invocation ------------------------------------------------------------
// LOADv is input v's load at its view offset o_v = o.x / o.y / o.z, written by the host:
// `in_v[o_v >> 2u]` (contiguous from a 16-byte boundary) or `vec4(in_v[o_v >> 2u][o_v & 3u])`
// (broadcast along the innermost dimension: one element, splat).

// @kernel unary4: out = EXPR(x), four elements per invocation
fn op(x: f32) -> f32 {
  return {{EXPR}};
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (gid.x + gid.y * nwg.x * WORKGROUP_SIZE) * 4u;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  let x: vec4<f32> = {{LOAD0}};
  out[i >> 2u] = vec4<f32>(op(x.x), op(x.y), op(x.z), op(x.w));
}

// @kernel binary4: out = EXPR(x, y), four elements per invocation
fn op(x: f32, y: f32) -> f32 {
  return {{EXPR}};
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (gid.x + gid.y * nwg.x * WORKGROUP_SIZE) * 4u;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  let x: vec4<f32> = {{LOAD0}};
  let y: vec4<f32> = {{LOAD1}};
  out[i >> 2u] = vec4<f32>(op(x.x, y.x), op(x.y, y.y), op(x.z, y.z), op(x.w, y.w));
}

// @kernel where4: out = cond != 0 ? y : z, four elements per invocation
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (gid.x + gid.y * nwg.x * WORKGROUP_SIZE) * 4u;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  let cond: vec4<{{COND_T}}> = {{LOAD0}};
  let y: vec4<{{T}}> = {{LOAD1}};
  let z: vec4<{{T}}> = {{LOAD2}};
  out[i >> 2u] = select(z, y, cond != vec4<{{COND_T}}>(0));
}

// @kernel cast4: out = DST_T(x), four elements per invocation
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (gid.x + gid.y * nwg.x * WORKGROUP_SIZE) * 4u;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  let x: vec4<{{SRC_T}}> = {{LOAD0}};
  out[i >> 2u] = vec4<{{DST_T}}>(x);
}
