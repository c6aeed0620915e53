// Batched matmul, register-tiled variant (chosen for CPU adapters: llvmpipe / lavapipe).
//
// Computes, for every batch index z < batch, row m < M and column n < N:
//   out[z, m, n] = Σ_{k < K} A_z[m, k] · B_z[k, n]
// where the operands are strided windows on the `a` and `b` buffers:
//   A_z[m, k] = a[a_off + z·a_bstride + (TRANS_A ? k·lda + m : m·lda + k)]
//   B_z[k, n] = b[b_off + z·b_bstride + (TRANS_B ? n·ldb + k : k·ldb + n)]
// `out` is contiguous (batch, M, N) and written fully (no accumulation into old contents).
//
// Dispatch geometry: @workgroup_size(WX, 1, 1); workgroups (ceil(N / TN), ceil(M / RM), batch)
// with TN = WX · CG · 4. Invocation l of workgroup (x, y, z) computes rows y·RM + [0, RM) and
// the CG groups of 4 columns starting at column group g0 = (x·WX + l)·CG: an RM × 4·CG block
// held in vec4 registers `acc_i_j`. The rows are the same for every invocation of a
// workgroup, so A's loads have workgroup-uniform addresses. (lavapipe does not exploit that:
// it treats a storage load as uniform only when its address is built from constants and push
// constants, so inside the K loop every load, A's too, is a loop over the SIMD lanes; see
// `matmul_window.wgsl` for the variant that reads A through a uniform buffer instead.)
// K is walked in chunks of KU (a multiple of 4) fully unrolled, then one k at a time.
//
// Edges: rows ≥ M and columns ≥ N are clamped to the last valid row/column for the loads
// (the values are computed and then not stored), so the inner loop has no branches; FITS_M /
// FITS_N (M % RM == 0, N % TN == 0) drop the clamps and store guards altogether.
//
// Bindings: @binding(0) a (read), @binding(1) b (read), @binding(2) out (read_write),
// @binding(3) params (uniform Params). `a`, `b` and `out` are declared array<f32> or, in the
// vec4 variants (16-byte aligned offsets, strides and widths), array<vec4<f32>>.
//
// Placeholders (names in double braces) filled by lib/engine/backend/webgpu/matmul.ts:
//   A_ARRAY, B_ARRAY, OUT_ARRAY  element types of the three storage arrays
//   CONSTS       WGSL consts: RM, CG, WX, KU, TRANS_A, TRANS_B, FITS_M, FITS_N (the layout
//                and edge flags are also in the pipeline key)
//   WX           workgroup width (also a const; @workgroup_size needs a literal here)
//   SETUP        per-invocation row bases of A and column bases of B (clamped at the edges)
//   ACC_DECL     `var acc_i_j = vec4<f32>();` for i < RM, j < CG
//   K_CHUNK      one unrolled chunk of KU steps of k: B loads, then per row A loads and FMAs
//   K_TAIL       one step of k (K % KU leftovers), scalar loads
//   STORE        guarded stores of the accumulators

struct Params {
  batch: u32,
  m: u32,
  n: u32,
  k: u32,
  a_off: u32, // element offset of A_0[0, 0]
  b_off: u32,
  a_bstride: u32, // elements between consecutive batch matrices; 0 broadcasts
  b_bstride: u32,
  lda: u32, // row stride of A as stored ((M, K), or (K, M) if TRANS_A)
  ldb: u32, // row stride of B as stored ((K, N), or (N, K) if TRANS_B)
  k_main: u32, // K rounded down to a multiple of KU: the unrolled loop's end
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: {{A_ARRAY}};
@group(0) @binding(1) var<storage, read> b: {{B_ARRAY}};
@group(0) @binding(2) var<storage, read_write> out: {{OUT_ARRAY}};
@group(0) @binding(3) var<uniform> params: Params;

{{CONSTS}}

@compute @workgroup_size({{WX}}, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let z = wg.z;
  let m0 = wg.y * RM;
  let g0 = (wg.x * WX + lid.x) * CG;
  let a_base = params.a_off + z * params.a_bstride;
  let b_base = params.b_off + z * params.b_bstride;
  let lda = params.lda;
  let ldb = params.ldb;
{{SETUP}}
{{ACC_DECL}}
  var k = 0u;
  for (; k < params.k_main; k += KU) {
{{K_CHUNK}}
  }
  for (; k < params.k; k += 1u) {
{{K_TAIL}}
  }
  let out_base = z * params.m * params.n;
{{STORE}}
}
