// matmul_naive.wgsl: batched matmul, one output per invocation, a plain loop over k with scalar
// loads. Not planned for the backend: the bench's baseline and a second test oracle.
//
//   out[z, m, n] = Σ_{k < K} A_z[m, k] · B_z[k, n]      (operands as in matmul_register.wgsl)
//
// Dispatch: @workgroup_size(8, 8); workgroups (ceil(N / 8), ceil(M / 8), batch); invocation
// (n, m) of layer z computes out[z, m, n].
// Bindings: (0) a read, (1) b read, (2) out read_write (all array<f32>), (3) params.
// Specialisation (lib/engine/backend/webgpu/matmul/variants.ts): TRANS_A, TRANS_B.

// @include _matmul_params.wgsl

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

const TRANS_A: bool = {{TRANS_A}};
const TRANS_B: bool = {{TRANS_B}};

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  let z = gid.z;
  if (m >= params.m || n >= params.n) {
    return;
  }
  // Steps along k in A's row m and B's column n.
  let a_step = select(1u, params.lda, TRANS_A);
  let b_step = select(params.ldb, 1u, TRANS_B);
  let a_row = params.a_off + z * params.a_bstride + m * select(params.lda, 1u, TRANS_A);
  let b_col = params.b_off + z * params.b_bstride + n * select(1u, params.ldb, TRANS_B);
  var acc = 0.0;
  for (var k = 0u; k < params.k; k += 1u) {
    acc = fma(a[a_row + k * a_step], b[b_col + k * b_step], acc);
  }
  out[(z * params.m + m) * params.n + n] = acc;
}
