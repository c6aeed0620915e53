// Batched matmul, uniform-window variant (chosen for CPU adapters: llvmpipe / lavapipe).
//
// The arithmetic of the register variant (`matmul.wgsl`: an RM × 4·CG block of outputs per
// invocation, K unrolled by KU), with one difference: A's rows come through a uniform buffer
// instead of a storage buffer. On lavapipe every storage load inside a loop is a loop over the
// 8 SIMD lanes, each with an execution-mask test and a bounds-check branch; a uniform-buffer
// load at a per-lane address is a branch-free gather, about half the cost
// (bench/load_cost_bench.ts). A uniform binding holds at most 64 KiB, so the plan is one
// dispatch per window: as many RM-row blocks of one batch matrix as fit, each dispatch binding
// its own window of A's buffer (a dynamic offset) and its own Params.
//
// Computes, for the window's rows m (from params.m0, fewer than M) and every column n < N:
//   out[z, m, n] = Σ_{k < K} A_z[m, k] · B_z[k, n]
//   A_z[m, k] = a[a_first + (m − params.m0)·lda4 + k / 4][k % 4]   (row-major A)
//   A_z[m, k] = a[a_first + k·lda4 + m / 4][m % 4]                 (TRANS_A: stored (K, M))
//   B_z[k, n] = b[b_off + (TRANS_B ? n·ldb + k : k·ldb + n)]
// A transposed A is read in place when one whole stored matrix fits a window (m0 = 0, every
// row block in one dispatch): vec4s over m, four rows per load, M a multiple of 4.
// Rows ≥ M (the last block) are clamped to M − 1 for the loads and not stored. With the
// accumulate flag (a product split along K into chunks, summed into one output, see
// `windowChunkForTransposedA`), the store adds the output's old value.
//
// Dispatch geometry: @workgroup_size(WX, 1, 1); workgroups (ceil(N / TN), row blocks in the
// window, 1) with TN = WX · CG · 4, once per window. Invocation l of workgroup (x, y) computes
// rows m0 = params.m0 + y·RM + [0, RM) and the CG groups of 4 columns starting at column group
// (x·WX + l)·CG.
//
// Bindings: @binding(0) a (uniform window of WINDOW vec4s, dynamic offset), @binding(1) b
// (read storage), @binding(2) out (read_write storage), @binding(3) params (uniform Params,
// dynamic offset). `b` and `out` are array<f32> or, where aligned, array<vec4<f32>>.
//
// Placeholders (names in double braces) filled by lib/engine/backend/webgpu/matmul.ts: WINDOW,
// B_ARRAY, OUT_ARRAY, and the register variant's CONSTS, WX, SETUP, ACC_DECL, K_CHUNK,
// K_TAIL, STORE (see matmul.wgsl).

struct Params {
  m: u32,
  n: u32,
  k: u32,
  k_main: u32, // K rounded down to a multiple of KU: the unrolled loop's end
  m0: u32, // the window's first row
  a_first: u32, // vec4 index of A_z[params.m0, 0] inside the window
  lda4: u32, // A's row stride in vec4s
  b_off: u32, // element offset of B_z[0, 0]
  ldb: u32, // row stride of B as stored ((K, N), or (N, K) if TRANS_B)
  out_off: u32, // element offset of out[z, 0, 0]
  accumulate: u32, // 1: add to out's old contents (the K chunks of a split product after the first)
  _pad: u32,
}

@group(0) @binding(0) var<uniform> a: array<vec4<f32>, {{WINDOW}}>;
@group(0) @binding(1) var<storage, read> b: {{B_ARRAY}};
@group(0) @binding(2) var<storage, read_write> out: {{OUT_ARRAY}};
@group(0) @binding(3) var<uniform> params: Params;

{{CONSTS}}

@compute @workgroup_size({{WX}}, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m0 = params.m0 + wg.y * RM;
  let g0 = (wg.x * WX + lid.x) * CG;
  let b_base = params.b_off;
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
  let out_base = params.out_off;
{{STORE}}
}
