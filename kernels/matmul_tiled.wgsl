// Batched matmul, workgroup-memory tiled variant (chosen for real GPUs).
//
// Computes out[z, m, n] = Σ_k A_z[m, k] · B_z[k, n], with the same operand addressing, Params
// and bindings as kernels/matmul.wgsl (see there):
//   A_z[m, k] = a[a_off + z·a_bstride + (TRANS_A ? k·lda + m : m·lda + k)]
//   B_z[k, n] = b[b_off + z·b_bstride + (TRANS_B ? n·ldb + k : k·ldb + n)]
// `out` is contiguous (batch, M, N) and written fully.
//
// Dispatch geometry: @workgroup_size(TX, TY, 1) = (16, 16) by default; workgroups
// (ceil(N / TN), ceil(M / TM), batch) with TM = TY·4 and TN = TX·4: each invocation owns a
// 4 × 4 block (rows ty·4 + [0, 4), columns tx·4 + [0, 4)) of the workgroup's TM × TN tile.
// K is walked in tiles of BK: the workgroup stages A's TM × BK tile k-major in `tile_a`
// (tile_a[kk·TM/4 + r/4][r % 4] = A[m0 + r, k0 + kk], so an invocation reads its 4 rows as one
// vec4) and B's BK × TN tile in `tile_b` (tile_b[kk·TN/4 + c/4][c % 4] = B[k0 + kk, n0 + c]),
// with loads laid out so that consecutive invocations read consecutive addresses of the
// stored matrix (along k if A is (M, K), along m if A is stored transposed, likewise for B).
// Out-of-range elements are staged as 0, so the inner BK-step FMA block (unrolled) has no
// branches; FITS_M / FITS_N / FITS_K (M % TM, N % TN, K % BK == 0) delete those checks.
//
// Placeholders (names in double braces) filled by lib/engine/backend/webgpu/matmul.ts:
//   OUT_ARRAY    array<f32> or array<vec4<f32>> (vec4 stores when N % 4 == 0)
//   CONSTS       WGSL consts: TX, TY, TM, TN, BK, TRANS_A, TRANS_B, FITS_M, FITS_N, FITS_K
//   TX, TY       workgroup size (literals)
//   LOAD_A       stages A's tile into tile_a (LA = TM·BK / (TX·TY) elements per invocation)
//   LOAD_B       stages B's tile into tile_b
//   INNER        the unrolled BK-step FMA block
//   STORE        guarded stores of the 4 × 4 block

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  k: u32,
  a_off: u32,
  b_off: u32,
  a_bstride: u32,
  b_bstride: u32,
  lda: u32,
  ldb: u32,
  k_main: u32, // unused here (the register-tiled variant's unrolled-loop bound)
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: {{OUT_ARRAY}};
@group(0) @binding(3) var<uniform> params: Params;

{{CONSTS}}

var<workgroup> tile_a: array<vec4<f32>, BK * TM / 4u>;
var<workgroup> tile_b: array<vec4<f32>, BK * TN / 4u>;

@compute @workgroup_size({{TX}}, {{TY}}, 1)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let z = wg.z;
  let m0 = wg.y * TM;
  let n0 = wg.x * TN;
  let a_base = params.a_off + z * params.a_bstride;
  let b_base = params.b_off + z * params.b_bstride;
  let lda = params.lda;
  let ldb = params.ldb;
  let tx = lid.x;
  let ty = lid.y;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k0 = 0u; k0 < params.k; k0 += BK) {
{{LOAD_A}}
{{LOAD_B}}
    workgroupBarrier();
{{INNER}}
    workgroupBarrier();
  }
  let out_base = z * params.m * params.n;
{{STORE}}
}
