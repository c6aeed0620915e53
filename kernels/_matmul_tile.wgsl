// _matmul_tile.wgsl: what the two register-tiled matmul kernels share (included by
// matmul_register.wgsl and matmul_window.wgsl where they say `// @include`): the tile's
// constants, the loads of B, and the stores. Each invocation owns the output rows m0 + [0, RM)
// and the column groups g0 + [0, CG), four columns each, held in `acc` (RM × CG vec4s).
//
//   B_z[k, n] = b[b_base + (TRANS_B ? n·ldb + k : k·ldb + n)]      b_base: B_z[0, 0]
//
// Edges: columns ≥ N are clamped to the last valid column for the loads (their values are
// computed and dropped at the store), so the K loop has no branches; FITS_M / FITS_N drop the
// clamps and guards. `b` is array<vec4<f32>> where VEC_B (offset, strides and, untransposed,
// N multiples of 4), else array<f32>; the `#if` blocks hold the code of each.

const RM: u32 = {{RM}}u; // rows per invocation
const CG: u32 = {{CG}}u; // column groups of 4 per invocation
const WX: u32 = {{WX}}u; // workgroup width
const KU: u32 = {{KU}}u; // K chunk, a multiple of 4 (unrolled)
const TN: u32 = WX * CG * 4u; // columns per workgroup
const TRANS_B: bool = {{TRANS_B}}; // B stored (N, K)
const FITS_M: bool = {{FITS_M}}; // M % RM == 0 (rows are never clamped)
const FITS_N: bool = {{FITS_N}}; // N % TN == 0 (columns are never clamped)

fn clamp_row(m: u32) -> u32 {
  return select(min(m, params.m - 1u), m, FITS_M);
}

fn clamp_cols(n: vec4<u32>) -> vec4<u32> {
  return select(min(n, vec4<u32>(params.n - 1u)), n, FITS_N);
}

// Where each column group's values start in `b`: with VEC_B and B untransposed, the group
// itself (a vec4 index along a row, in .x); otherwise one base per column, in floats, or with
// VEC_B in vec4s along k.
fn b_columns(b_base: u32, g0: u32) -> array<vec4<u32>, CG> {
  var cols: array<vec4<u32>, CG>;
  // unroll
  for (var j = 0u; j < CG; j++) {
    let n = clamp_cols(4u * (g0 + j) + vec4<u32>(0u, 1u, 2u, 3u));
#if VEC_B
    if (TRANS_B) {
      cols[j] = (b_base + n * params.ldb) / 4u;
    } else {
      cols[j] = n / 4u;
    }
#else
    cols[j] = select(b_base + n, b_base + n * params.ldb, TRANS_B);
#endif
  }
  return cols;
}

// B's rows k .. k + KU − 1 at the invocation's columns: chunk[kk][j] = B[k + kk, group j].
fn b_chunk(b_base: u32, cols: array<vec4<u32>, CG>, k: u32) -> array<array<vec4<f32>, CG>, KU> {
  var chunk: array<array<vec4<f32>, CG>, KU>;
#if VEC_B
  if (TRANS_B) {
    // Each column is contiguous along k: one vec4 holds four k of it.
    // unroll
    for (var j = 0u; j < CG; j++) {
      // unroll
      for (var c = 0u; c < 4u; c++) {
        // unroll
        for (var q = 0u; q < KU / 4u; q++) {
          let v = b[cols[j][c] + k / 4u + q];
          chunk[4u * q][j][c] = v.x;
          chunk[4u * q + 1u][j][c] = v.y;
          chunk[4u * q + 2u][j][c] = v.z;
          chunk[4u * q + 3u][j][c] = v.w;
        }
      }
    }
  } else {
    // unroll
    for (var kk = 0u; kk < KU; kk++) {
      let row = b_base / 4u + (k + kk) * (params.ldb / 4u);
      // unroll
      for (var j = 0u; j < CG; j++) {
        chunk[kk][j] = b[row + cols[j].x];
      }
    }
  }
#else
  let step = select(params.ldb, 1u, TRANS_B); // between B[k, n] and B[k + 1, n]
  // unroll
  for (var kk = 0u; kk < KU; kk++) {
    // unroll
    for (var j = 0u; j < CG; j++) {
      let at = cols[j] + (k + kk) * step;
      chunk[kk][j] = vec4<f32>(b[at.x], b[at.y], b[at.z], b[at.w]);
    }
  }
#endif
  return chunk;
}

// B's row k at the invocation's columns (the K % KU leftovers).
fn b_row(b_base: u32, cols: array<vec4<u32>, CG>, k: u32) -> array<vec4<f32>, CG> {
  var row: array<vec4<f32>, CG>;
  // unroll
  for (var j = 0u; j < CG; j++) {
#if VEC_B
    if (TRANS_B) {
      let at = cols[j] + k / 4u;
      let c = k % 4u;
      row[j] = vec4<f32>(b[at.x][c], b[at.y][c], b[at.z][c], b[at.w][c]);
    } else {
      row[j] = b[b_base / 4u + k * (params.ldb / 4u) + cols[j].x];
    }
#else
    let at = cols[j] + k * select(params.ldb, 1u, TRANS_B);
    row[j] = vec4<f32>(b[at.x], b[at.y], b[at.z], b[at.w]);
#endif
  }
  return row;
}

// Writes the block to out[out_base + m·N + n] for the rows and columns that exist; where
// `accumulate`, adds the output's old value (the K chunks of a split product after the first).
fn store_block(acc: array<array<vec4<f32>, CG>, RM>, m0: u32, g0: u32, out_base: u32, accumulate: bool) {
  let ng = (params.n + 3u) / 4u;
  // unroll
  for (var i = 0u; i < RM; i++) {
    let m = m0 + i;
    let row = out_base + m * params.n;
    // unroll
    for (var j = 0u; j < CG; j++) {
#if VEC_OUT
      if ((FITS_M || m < params.m) && (FITS_N || g0 + j < ng)) {
        let at = row / 4u + g0 + j;
        out[at] = acc[i][j] + select(vec4<f32>(), out[at], accumulate);
      }
#else
      // unroll
      for (var c = 0u; c < 4u; c++) {
        let n = 4u * (g0 + j) + c;
        if (m < params.m && n < params.n) {
          out[row + n] = acc[i][j][c] + select(0.0, out[row + n], accumulate);
        }
      }
#endif
    }
  }
}
