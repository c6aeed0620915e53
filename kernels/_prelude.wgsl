// _prelude.wgsl: helpers shared by the kernels built from a KernelSpec. The assembler
// (lib/engine/backend/webgpu/wgsl.ts) places this file after the generated header, which
// declares `WORKGROUP_SIZE` and the kernel's bindings, and before the kernel's own file.
// Nothing here names a binding or a Params field, so every kernel compiles with it; helpers a
// kernel does not call are dead code (and unused workgroup arrays take no memory).
//
// Tree reductions: each invocation of the workgroup contributes one value; the values are
// summed (or maxed) pairwise in workgroup memory, halving the active invocations per level
// (WORKGROUP_SIZE must be a power of two). No atomics, so the result is deterministic; every
// invocation gets it. Call them from uniform control flow (they contain barriers), and only in
// kernels dispatched with one workgroup per row or reduction.

// -inf (naga cannot const-evaluate bitcast, and a const overflow is a shader-creation error).
fn neg_inf() -> f32 {
  return bitcast<f32>(0xff800000u);
}

// +inf (see neg_inf).
fn pos_inf() -> f32 {
  return bitcast<f32>(0x7f800000u);
}

var<workgroup> tree_a: array<f32, WORKGROUP_SIZE>;
var<workgroup> tree_b: array<f32, WORKGROUP_SIZE>;
var<workgroup> tree_u: array<u32, WORKGROUP_SIZE>;

// Σ over the workgroup of `value`.
fn tree_sum(lid: u32, value: f32) -> f32 {
  tree_a[lid] = value;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      tree_a[lid] += tree_a[lid + s];
    }
    workgroupBarrier();
  }
  let result = tree_a[0];
  workgroupBarrier(); // tree_a is reused by the next reduction
  return result;
}

// Σ over the workgroup of a pair of values, in one tree.
fn tree_sum2(lid: u32, value: vec2<f32>) -> vec2<f32> {
  tree_a[lid] = value.x;
  tree_b[lid] = value.y;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      tree_a[lid] += tree_a[lid + s];
      tree_b[lid] += tree_b[lid + s];
    }
    workgroupBarrier();
  }
  let result = vec2<f32>(tree_a[0], tree_b[0]);
  workgroupBarrier();
  return result;
}

// max over the workgroup of `value`.
fn tree_max(lid: u32, value: f32) -> f32 {
  tree_a[lid] = value;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      tree_a[lid] = max(tree_a[lid], tree_a[lid + s]);
    }
    workgroupBarrier();
  }
  let result = tree_a[0];
  workgroupBarrier();
  return result;
}

// Σ over the workgroup of an integer count.
fn tree_count(lid: u32, value: u32) -> u32 {
  tree_u[lid] = value;
  workgroupBarrier();
  for (var s = WORKGROUP_SIZE / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      tree_u[lid] += tree_u[lid + s];
    }
    workgroupBarrier();
  }
  let result = tree_u[0];
  workgroupBarrier();
  return result;
}
