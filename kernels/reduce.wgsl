// reduce.wgsl: sum or max over the middle axis of a contiguous (outer, size, inner) array.
//
//   out[o, j] = COMBINE_{s < size} x[(o·size + s)·inner + j]            → (outer, inner)
//
// Two kernels:
// - reduce_rows (inner = 1, large size): one workgroup per row `o` ((x, y) grid);
//   each invocation folds a strided slice, then a shared-memory tree reduction. No atomics, so
//   the result is deterministic.
// - reduce_cols (any inner, or short rows): one invocation per output (o, j) on an (x, y) grid,
//   folding `size` elements in order; neighbouring invocations read neighbouring columns.
// Bindings (generated): x read, out read_write, params.
// Placeholders: COMBINE (an expression of a and b), IDENTITY (its neutral element).

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
}

fn combine(a: f32, b: f32) -> f32 {
  return {{COMBINE}};
}

// Neutral element of combine (a function: naga cannot const-evaluate bitcast, used for -inf).
fn identity() -> f32 {
  return {{IDENTITY}};
}

var<workgroup> scratch: array<f32, WORKGROUP_SIZE>;

// Tree reduction of one value per invocation; every invocation gets the result.
fn workgroup_reduce(lid: u32, value: f32) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      scratch[lid] = combine(scratch[lid], scratch[lid + s]);
    }
    workgroupBarrier();
  }
  let result = scratch[0];
  workgroupBarrier(); // scratch is reused by the next row
  return result;
}

// @kernel reduce_rows: one workgroup per row (inner = 1)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.outer) {
    return;
  }
  let base = row * params.size;
  var acc = identity();
  for (var s = lid; s < params.size; s += WORKGROUP_SIZE) {
    acc = combine(acc, x[base + s]);
  }
  acc = workgroup_reduce(lid, acc);
  if (lid == 0u) {
    out[row] = acc;
  }
}

// @kernel reduce_cols: one invocation per output element
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.outer * params.inner) {
    return;
  }
  let o = i / params.inner;
  let j = i - o * params.inner;
  var p = o * params.size * params.inner + j;
  var acc = identity();
  for (var s = 0u; s < params.size; s++) {
    acc = combine(acc, x[p]);
    p += params.inner;
  }
  out[i] = acc;
}
