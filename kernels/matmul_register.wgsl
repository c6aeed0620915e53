// matmul_register.wgsl: batched matmul, register-tiled. The variant for CPU adapters
// (llvmpipe/lavapipe, SwiftShader, WARP) where the window variant does not apply, and for
// skinny products (M ≤ 16) on GPUs: no workgroup memory, no barriers.
//
//   out[z, m, n] = Σ_{k < K} A_z[m, k] · B_z[k, n]                z < batch, m < M, n < N
//   A_z[m, k] = a[a_off + z·a_bstride + (TRANS_A ? k·lda + m : m·lda + k)]
//   B_z[k, n] = b[b_off + z·b_bstride + (TRANS_B ? n·ldb + k : k·ldb + n)]
// `out` is contiguous (batch, M, N) and written fully (no accumulation into old contents).
//
// Dispatch: @workgroup_size(WX); workgroups (ceil(N / TN), ceil(M / RM), batch), TN = WX·CG·4.
// Invocation l of workgroup (x, y, z) computes rows y·RM + [0, RM) and the CG groups of four
// columns from group g0 = (x·WX + l)·CG: an RM × 4·CG block of outputs held in `acc`. K is
// walked in chunks of KU (A's and B's values of a chunk loaded first), then one k at a time.
// The rows are the same for every invocation of a workgroup, so A's addresses are
// workgroup-uniform (lavapipe does not exploit that; matmul_window.wgsl reads A through a
// uniform buffer instead). Rows ≥ M are clamped to the last row for the loads and not stored.
//
// Bindings: (0) a read, (1) b read, (2) out read_write, (3) params (uniform Params). `a`, `b`
// and `out` are array<f32>, or array<vec4<f32>> where VEC_A / VEC_B / VEC_OUT (16-byte aligned
// offsets, strides and widths; VEC_A only for an untransposed A).
//
// Specialisation (lib/engine/backend/webgpu/matmul/variants.ts): the {{…}} constants, one side
// of each `#if` (code for a vec4 array and for a scalar array cannot share a shader), and the
// loops marked `// unroll` written out by the host, so that every index into `acc` and the
// chunk arrays is a constant and they stay in registers.

// @include _matmul_params.wgsl

@group(0) @binding(0) var<storage, read> a: array<{{A_T}}>;
@group(0) @binding(1) var<storage, read> b: array<{{B_T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{OUT_T}}>;
@group(0) @binding(3) var<uniform> params: Params;

// @include _matmul_tile.wgsl

const TRANS_A: bool = {{TRANS_A}}; // A stored (K, M)

// Where row m of A starts in `a`: in vec4s where VEC_A, else in floats.
fn a_row(a_base: u32, m: u32) -> u32 {
#if VEC_A
  return (a_base + m * params.lda) / 4u;
#else
  return select(a_base + m * params.lda, a_base + m, TRANS_A);
#endif
}

// Row `row` of A at k .. k + KU − 1.
fn a_chunk(row: u32, k: u32) -> array<f32, KU> {
  var chunk: array<f32, KU>;
#if VEC_A
  // unroll
  for (var q = 0u; q < KU / 4u; q++) {
    let v = a[row + k / 4u + q];
    chunk[4u * q] = v.x;
    chunk[4u * q + 1u] = v.y;
    chunk[4u * q + 2u] = v.z;
    chunk[4u * q + 3u] = v.w;
  }
#else
  let step = select(1u, params.lda, TRANS_A); // between A[m, k] and A[m, k + 1]
  // unroll
  for (var kk = 0u; kk < KU; kk++) {
    chunk[kk] = a[row + (k + kk) * step];
  }
#endif
  return chunk;
}

// Row `row` of A at k.
fn a_at(row: u32, k: u32) -> f32 {
#if VEC_A
  return a[row + k / 4u][k % 4u];
#else
  return a[row + k * select(1u, params.lda, TRANS_A)];
#endif
}

@compute @workgroup_size(WX, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let z = wg.z;
  let m0 = wg.y * RM;
  let g0 = (wg.x * WX + lid.x) * CG;
  let a_base = params.a_off + z * params.a_bstride;
  let b_base = params.b_off + z * params.b_bstride;
  var rows: array<u32, RM>;
  // unroll
  for (var i = 0u; i < RM; i++) {
    rows[i] = a_row(a_base, clamp_row(m0 + i));
  }
  let cols = b_columns(b_base, g0);
  var acc: array<array<vec4<f32>, CG>, RM>;
  var k = 0u;
  for (; k < params.k_main; k += KU) {
    let b_k = b_chunk(b_base, cols, k);
    // unroll
    for (var i = 0u; i < RM; i++) {
      let a_k = a_chunk(rows[i], k);
      // unroll
      for (var kk = 0u; kk < KU; kk++) {
        // unroll
        for (var j = 0u; j < CG; j++) {
          acc[i][j] = fma(vec4<f32>(a_k[kk]), b_k[kk][j], acc[i][j]);
        }
      }
    }
  }
  for (; k < params.k; k += 1u) {
    let b_1 = b_row(b_base, cols, k);
    // unroll
    for (var i = 0u; i < RM; i++) {
      let a_1 = vec4<f32>(a_at(rows[i], k));
      // unroll
      for (var j = 0u; j < CG; j++) {
        acc[i][j] = fma(a_1, b_1[j], acc[i][j]);
      }
    }
  }
  store_block(acc, m0, g0, z * params.m * params.n, false);
}
