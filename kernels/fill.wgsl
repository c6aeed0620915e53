// fill.wgsl: out[i] = value for i in [0, n).
//
// The value is passed as its 32-bit pattern (`value_bits`), so one pipeline fills f32 and i32.
// Dispatch: one invocation per element, 1-D workgroups on an (x, y) grid (x ≤ 65535):
// i = gid.x + gid.y · nwg.x · WORKGROUP_SIZE. (No grid-stride loop: on llvmpipe a loop with a
// dynamic trip count costs ~2× a single guarded element.)
// Bindings (generated): out read_write (u32 words), params.

struct Params {
  n: u32,
  value_bits: u32,
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  out[i] = params.value_bits;
}
