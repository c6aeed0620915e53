// matmul_window.wgsl: batched matmul, uniform-window variant. The CPU-adapter default where A
// allows it: the register variant's arithmetic (matmul_register.wgsl: an RM × 4·CG block of
// outputs per invocation, K in chunks of KU), but A's rows come through a uniform buffer instead
// of a storage buffer. On lavapipe every storage load inside a loop is a loop over the 8 SIMD
// lanes with a mask test and a bounds check per lane; a uniform load at a per-lane address is a
// branch-free gather, about half the cost. A uniform binding holds at most 64 KiB, so the plan
// is one dispatch per window: as many RM-row blocks of one batch matrix as fit, each dispatch
// binding its own window of A's buffer (a dynamic offset) and its own Params.
//
// For the window's rows m (from params.m0) and every column n < N:
//   out[out_off + m·N + n] (+)= Σ_{k < K} A[m, k] · B[k, n]
//   A[m, k] = a[a_first + (m − m0)·lda4 + k / 4][k % 4]      (row-major A)
//   A[m, k] = a[a_first + k·lda4 + m / 4][m % 4]             (TRANS_A: stored (K, M))
//   B[k, n] = b[b_off + (TRANS_B ? n·ldb + k : k·ldb + n)]
// A transposed A is read in place when one whole stored matrix fits a window (m0 = 0, every
// row block in one dispatch): vec4s over m, four rows per load, M a multiple of 4. Rows ≥ M
// (the last block) are clamped for the loads and not stored. With ACCUMULATE (a product split
// along K into chunks, see `windowChunk` in matmul/plan.ts), dispatches with
// params.accumulate = 1 add the output's old value.
//
// Dispatch: @workgroup_size(WX); workgroups (ceil(N / TN), row blocks in the window, 1), once
// per window. Invocation l of workgroup (x, y) computes rows params.m0 + y·RM + [0, RM) and the
// CG groups of four columns from group g0 = (x·WX + l)·CG.
//
// Bindings: (0) a, a uniform window of WINDOW vec4s (dynamic offset), (1) b read, (2) out
// read_write, (3) params (uniform Params, dynamic offset). `b` and `out` are array<f32>, or
// array<vec4<f32>> where VEC_B / VEC_OUT.
//
// Specialisation (lib/engine/backend/webgpu/matmul/variants.ts): as in matmul_register.wgsl.

struct Params {
  m: u32,
  n: u32,
  k: u32,
  k_main: u32, // K rounded down to a multiple of KU: the chunked loop's end
  m0: u32, // the window's first row
  a_first: u32, // vec4 index of A[m0, 0] inside the window
  lda4: u32, // A's row stride in vec4s
  b_off: u32, // element offset of B[0, 0]
  ldb: u32, // row stride of B as stored ((K, N), or (N, K) if TRANS_B)
  out_off: u32, // element offset of out[z, 0, 0]
  accumulate: u32, // 1: add to out's old contents (the K chunks after the first)
  _pad: u32,
}

@group(0) @binding(0) var<uniform> a: array<vec4<f32>, {{WINDOW}}>;
@group(0) @binding(1) var<storage, read> b: array<{{B_T}}>;
@group(0) @binding(2) var<storage, read_write> out: array<{{OUT_T}}>;
@group(0) @binding(3) var<uniform> params: Params;

// @include _matmul_tile.wgsl

const TRANS_A: bool = {{TRANS_A}}; // A stored (K, M): read as vec4s over m
const ACCUMULATE: bool = {{ACCUMULATE}}; // the plan sums K chunks into one output

// Where row m0 + i of A starts in the window (vec4s); transposed, the vec4 that holds rows
// m0 + i − i % 4 … at k = 0 (m0 is a multiple of 4 there, and the four rows of a vec4 get the
// same address; a group past M reads the last four rows instead, and is not stored).
fn a_row(m0: u32, i: u32) -> u32 {
  if (TRANS_A) {
    let quad = m0 + (i - i % 4u);
    return params.a_first + select(min(quad, params.m - 4u), quad, FITS_M) / 4u;
  }
  return params.a_first + (clamp_row(m0 + i) - params.m0) * params.lda4;
}

// Row i of the block (its start `row` from a_row) at k .. k + KU − 1. Transposed, the four
// rows of a vec4 load the same vec4s (one load each after common-subexpression elimination).
fn a_chunk(row: u32, i: u32, k: u32) -> array<f32, KU> {
  var chunk: array<f32, KU>;
  if (TRANS_A) {
    // unroll
    for (var kk = 0u; kk < KU; kk++) {
      let v = a[row + (k + kk) * params.lda4]; // rows i − i % 4 … at k + kk
      chunk[kk] = v[i % 4u];
    }
  } else {
    // unroll
    for (var q = 0u; q < KU / 4u; q++) {
      let v = a[row + k / 4u + q];
      chunk[4u * q] = v.x;
      chunk[4u * q + 1u] = v.y;
      chunk[4u * q + 2u] = v.z;
      chunk[4u * q + 3u] = v.w;
    }
  }
  return chunk;
}

// Row i of the block at k.
fn a_at(row: u32, i: u32, k: u32) -> f32 {
  if (TRANS_A) {
    let v = a[row + k * params.lda4];
    return v[i % 4u];
  }
  return a[row + k / 4u][k % 4u];
}

@compute @workgroup_size(WX, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m0 = params.m0 + wg.y * RM;
  let g0 = (wg.x * WX + lid.x) * CG;
  var rows: array<u32, RM>;
  // unroll
  for (var i = 0u; i < RM; i++) {
    rows[i] = a_row(m0, i);
  }
  let cols = b_columns(params.b_off, g0);
  var acc: array<array<vec4<f32>, CG>, RM>;
  var k = 0u;
  for (; k < params.k_main; k += KU) {
    let b_k = b_chunk(params.b_off, cols, k);
    // unroll
    for (var i = 0u; i < RM; i++) {
      let a_k = a_chunk(rows[i], i, k);
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
    let b_1 = b_row(params.b_off, cols, k);
    // unroll
    for (var i = 0u; i < RM; i++) {
      let a_1 = vec4<f32>(a_at(rows[i], i, k));
      // unroll
      for (var j = 0u; j < CG; j++) {
        acc[i][j] = fma(a_1, b_1[j], acc[i][j]);
      }
    }
  }
  store_block(acc, m0, g0, params.out_off, ACCUMULATE && params.accumulate != 0u);
}
