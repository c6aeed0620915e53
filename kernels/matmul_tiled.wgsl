// matmul_tiled.wgsl: batched matmul, workgroup-memory tiled. The variant for hardware GPUs
// (on lavapipe barriers are coroutine switches, and the register variants win there).
//
//   out[z, m, n] = Σ_{k < K} A_z[m, k] · B_z[k, n]                z < batch, m < M, n < N
//   A_z[m, k] = a[a_off + z·a_bstride + (TRANS_A ? k·lda + m : m·lda + k)]
//   B_z[k, n] = b[b_off + z·b_bstride + (TRANS_B ? n·ldb + k : k·ldb + n)]
// `out` is contiguous (batch, M, N) and written fully.
//
// Dispatch: @workgroup_size(TX, TY) = (16, 16) by default; workgroups (ceil(N / TN),
// ceil(M / TM), batch) with TM = 4·TY and TN = 4·TX: each invocation owns a 4 × 4 block (rows
// ty·4 + [0, 4), columns tx·4 + [0, 4)) of the workgroup's TM × TN tile. K is walked in tiles
// of BK: the workgroup stages A's TM × BK tile k-major in `tile_a` and B's BK × TN tile in
// `tile_b`, with loads laid out so that consecutive invocations read consecutive addresses of
// the stored matrix (along k if A is (M, K), along m if A is stored transposed; likewise B).
// Out-of-range elements are staged as 0, so the BK-step FMA block has no branches; FITS_M /
// FITS_N / FITS_K (M % TM, N % TN, K % BK == 0) delete those checks.
//
// Bindings: (0) a read, (1) b read, (2) out read_write (array<vec4<f32>> where VEC_OUT, i.e.
// N % 4 == 0, else array<f32>), (3) params (uniform Params).
//
// Specialisation (lib/engine/backend/webgpu/matmul/variants.ts): the {{…}} constants, one side
// of `#if VEC_OUT`, and the loops marked `// unroll` written out by the host.

// @include _matmul_params.wgsl

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<{{OUT_T}}>;
@group(0) @binding(3) var<uniform> params: Params;

const TX: u32 = {{TX}}u;
const TY: u32 = {{TY}}u;
const BK: u32 = {{BK}}u; // K depth of a staged tile
const TM: u32 = 4u * TY; // rows per tile
const TN: u32 = 4u * TX; // columns per tile
const THREADS: u32 = TX * TY;
const TRANS_A: bool = {{TRANS_A}};
const TRANS_B: bool = {{TRANS_B}};
const FITS_M: bool = {{FITS_M}};
const FITS_N: bool = {{FITS_N}};
const FITS_K: bool = {{FITS_K}};

// tile_a[kk·TM/4 + r/4][r % 4] = A[m0 + r, k0 + kk]: an invocation reads its 4 rows as one vec4.
var<workgroup> tile_a: array<vec4<f32>, BK * TM / 4u>;
// tile_b[kk·TN/4 + c/4][c % 4] = B[k0 + kk, n0 + c].
var<workgroup> tile_b: array<vec4<f32>, BK * TN / 4u>;

// Stages A's TM × BK tile from (m0, k0), TM·BK / THREADS elements per invocation.
fn stage_a(t: u32, a_base: u32, m0: u32, k0: u32) {
  // unroll
  for (var q = 0u; q < TM * BK / THREADS; q++) {
    let e = t + q * THREADS;
    let r = select(e / BK, e % TM, TRANS_A);
    let kk = select(e % BK, e / TM, TRANS_A);
    let m = m0 + r;
    let k = k0 + kk;
    let mc = select(min(m, params.m - 1u), m, FITS_M);
    let kc = select(min(k, params.k - 1u), k, FITS_K);
    let v = a[a_base + select(mc * params.lda + kc, kc * params.lda + mc, TRANS_A)];
    let inside = (FITS_M || m < params.m) && (FITS_K || k < params.k);
    tile_a[kk * (TM / 4u) + r / 4u][r % 4u] = select(0.0, v, inside);
  }
}

// Stages B's BK × TN tile from (k0, n0), TN·BK / THREADS elements per invocation.
fn stage_b(t: u32, b_base: u32, k0: u32, n0: u32) {
  // unroll
  for (var q = 0u; q < TN * BK / THREADS; q++) {
    let e = t + q * THREADS;
    let c = select(e % TN, e / BK, TRANS_B);
    let kk = select(e / TN, e % BK, TRANS_B);
    let n = n0 + c;
    let k = k0 + kk;
    let nc = select(min(n, params.n - 1u), n, FITS_N);
    let kc = select(min(k, params.k - 1u), k, FITS_K);
    let v = b[b_base + select(kc * params.ldb + nc, nc * params.ldb + kc, TRANS_B)];
    let inside = (FITS_N || n < params.n) && (FITS_K || k < params.k);
    tile_b[kk * (TN / 4u) + c / 4u][c % 4u] = select(0.0, v, inside);
  }
}

@compute @workgroup_size(TX, TY, 1)
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
  let tx = lid.x;
  let ty = lid.y;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < params.k; k0 += BK) {
    stage_a(t, a_base, m0, k0);
    stage_b(t, b_base, k0, n0);
    workgroupBarrier();
    // unroll
    for (var kk = 0u; kk < BK; kk++) {
      let av = tile_a[kk * (TM / 4u) + ty];
      let bv = tile_b[kk * (TN / 4u) + tx];
      // unroll
      for (var i = 0u; i < 4u; i++) {
        acc[i] = fma(vec4<f32>(av[i]), bv, acc[i]);
      }
    }
    workgroupBarrier();
  }
  let out_base = z * params.m * params.n;
  let n = n0 + tx * 4u;
  // unroll
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + ty * 4u + i;
    let row = out_base + m * params.n;
#if VEC_OUT
    if ((FITS_M || m < params.m) && (FITS_N || n < params.n)) {
      out[(row + n) / 4u] = acc[i];
    }
#else
    // unroll
    for (var c = 0u; c < 4u; c++) {
      if (m < params.m && n + c < params.n) {
        out[row + n + c] = acc[i][c];
      }
    }
#endif
  }
}
