// reduce.wgsl: sum or max over the middle axis of a contiguous (outer, size, inner) array.
//
//   out[o, j] = COMBINE_{s < size} x[(o·size + s)·inner + j]            → (outer, inner)
//
// Two kernels:
// - reduce_rows (inner = 1, large size): one workgroup per row `o` ((x, y) grid);
//   each invocation folds a strided slice, then a shared-memory tree reduction. No atomics, so
//   the result is deterministic (the prelude's trees).
// - reduce_cols (any inner, or short rows): one invocation per output (o, j) on an (x, y) grid,
//   folding `size` elements in order; neighbouring invocations read neighbouring columns.
// Bindings (generated): x read, out read_write, params.
// Placeholder: SUM (true: sum; false: max).

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
}

const SUM: bool = {{SUM}};

fn combine(a: f32, b: f32) -> f32 {
  if (SUM) {
    return a + b;
  }
  return max(a, b);
}

// Neutral element of combine.
fn identity() -> f32 {
  return select(neg_inf(), 0.0, SUM);
}

// combine() over the workgroup (the prelude's trees).
fn workgroup_reduce(lid: u32, value: f32) -> f32 {
  if (SUM) {
    return tree_sum(lid, value);
  }
  return tree_max(lid, value);
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
