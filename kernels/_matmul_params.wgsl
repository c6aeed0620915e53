// _matmul_params.wgsl: the uniform of the batched matmul kernels (included by matmul_naive.wgsl,
// matmul_tiled.wgsl and matmul_register.wgsl where they say `// @include`); its TypeScript
// layout is parsed from here (`paramsLayoutOf` in lib/engine/backend/webgpu/wgsl.ts).

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
  k_main: u32, // K rounded down to a multiple of KU: matmul_register.wgsl's chunked-loop end
  _pad: u32,
}
