// copy.wgsl: strided copy of a view into a (strided) view of another storage, in place.
//
//   dst[o_dst(i)] = src[o_src(i)]                             for i in [0, n)
//
// `i` is the row-major index over `shape` (rank ≤ 8 after host-side coalescing); the offset of
// view v is o_v(i) = offset_v + Σ_d idx_d(i) · strides_v[d]. Elements are copied as raw 32-bit
// words, so one pipeline serves f32 and i32. RANK = 0 is the contiguous fast path.
//
// Dispatch: one invocation per element, 1-D workgroups on an (x, y) grid (x ≤ 65535):
// i = gid.x + gid.y · nwg.x · WORKGROUP_SIZE. (No grid-stride loop: on llvmpipe a loop with a
// dynamic trip count costs ~2× a single guarded element.)
// Bindings (generated): src read (u32 words), dst read_write (u32 words), params.
// Placeholders: RANK, PEEL (the peel calls of `view_offsets`).

const RANK: u32 = {{RANK}}u;

struct Params {
  n: u32,
  src_offset: u32,
  dst_offset: u32,
  shape: array<vec4<u32>, 2>,
  src_strides: array<vec4<u32>, 2>,
  dst_strides: array<vec4<u32>, 2>,
}

// Peels dimension d off the row-major index `rem` and adds its step to both offsets. Called with
// constant d only, so every Params read has a constant address (see elementwise.wgsl's `peel`).
fn peel(d: u32, rem: ptr<function, u32>, o: ptr<function, vec2<u32>>) {
  let size = params.shape[d >> 2u][d & 3u];
  let q = *rem / size;
  let idx = *rem - q * size;
  *o += idx * vec2<u32>(params.src_strides[d >> 2u][d & 3u], params.dst_strides[d >> 2u][d & 3u]);
  *rem = q;
}

// (source offset, destination offset) of element i.
fn view_offsets(i: u32) -> vec2<u32> {
  var o = vec2<u32>(params.src_offset, params.dst_offset);
  if (RANK == 0u) {
    return o + vec2<u32>(i);
  }
  var rem = i;
  // One `peel(d, &rem, &o);` per d = RANK − 1 … 1 (innermost first, filled in by the host with
  // constant d); the outermost dimension needs no division.
  {{PEEL}}
  return o + rem * vec2<u32>(params.src_strides[0].x, params.dst_strides[0].x);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let o = view_offsets(i);
  dst[o.y] = src[o.x];
}
