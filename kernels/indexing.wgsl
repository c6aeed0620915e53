// indexing.wgsl: row gathers and their deterministic scatter-add backwards.
//
// - gather_rows:      out[n, c] = table[ids[n], c]          table (V, C), ids i32 (N) → (N, C)
//                     One workgroup per output row n ((x, y) grid), invocations over c.
// - scatter_add_rows: out[v, c] = Σ_{n: ids[n] = v} src[n, c]       src (N, C) → (V, C)
//                     One invocation per column c ((x, y) grid): it zeroes its column,
//                     then adds the rows n = 0, 1, … in order: deterministic without float
//                     atomics, O(N·C + V·C).
// - gather_last:      out[r, j] = x[r, idx[r, j]]            x (R, C), idx i32 (R, K) → (R, K)
//                     One invocation per output element ((x, y) grid).
// - scatter_last:     out[r, c] = Σ_{j: idx[r, j] = c} src[r, j]      src (R, K) → (R, C)
//                     One invocation per row ((x, y) grid): zero the row, then add
//                     j = 0, 1, … in order, O(C + K) per row.
// Out-of-range ids/indices read 0 (gathers) or are skipped (scatters). The gathers also record
// the fault in `faults` ([code, id, bound], FAULT_* codes below); the recorder throws it at the
// next readback, with the message the CPU backend throws at once.
// Bindings (generated from the KernelSpecs in lib/engine/backend/webgpu/kernels.ts): the
// storage arrays each `@kernel` line lists, in that order (the gathers then bind `faults`),
// then `params`.

// Fault codes, named in lib/engine/backend/webgpu/backend.ts (FAULT_NAMES).
const FAULT_GATHER_ROWS: u32 = 1u;
const FAULT_GATHER_LAST: u32 = 2u;

struct Params {
  rows: u32,
  cols: u32,
  vocab: u32,
  k: u32,
}

// @kernel gather_rows: table (V, C), ids (N) → out (N, C); params.rows = N
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= params.rows) {
    return;
  }
  let id = ids[n];
  let valid = id >= 0 && u32(id) < params.vocab;
  if (!valid && lid == 0u) {
    atomicMax(&faults[0], FAULT_GATHER_ROWS);
    atomicStore(&faults[1], bitcast<u32>(id));
    atomicStore(&faults[2], params.vocab);
  }
  let src = u32(select(0, id, valid)) * params.cols;
  for (var c = lid; c < params.cols; c += WORKGROUP_SIZE) {
    out[n * params.cols + c] = select(0.0, table[src + c], valid);
  }
}

// @kernel scatter_add_rows: src (N, C), ids (N) → out (V, C); params.rows = N
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (c >= params.cols) {
    return;
  }
  for (var v = 0u; v < params.vocab; v++) {
    out[v * params.cols + c] = 0.0;
  }
  for (var n = 0u; n < params.rows; n++) {
    let id = ids[n];
    if (id >= 0 && u32(id) < params.vocab) {
      out[u32(id) * params.cols + c] += src[n * params.cols + c];
    }
  }
}

// @kernel gather_last: x (R, C), idx (R, K) → out (R, K)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.rows * params.k) {
    return;
  }
  let r = i / params.k;
  let j = idx[i];
  let valid = j >= 0 && u32(j) < params.cols;
  if (!valid) {
    atomicMax(&faults[0], FAULT_GATHER_LAST);
    atomicStore(&faults[1], bitcast<u32>(j));
    atomicStore(&faults[2], params.cols);
  }
  out[i] = select(0.0, x[r * params.cols + u32(select(0, j, valid))], valid);
}

// @kernel scatter_last: src (R, K), idx (R, K) → out (R, C)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (r >= params.rows) {
    return;
  }
  let base = r * params.cols;
  for (var c = 0u; c < params.cols; c++) {
    out[base + c] = 0.0;
  }
  for (var j = 0u; j < params.k; j++) {
    let c = idx[r * params.k + j];
    if (c >= 0 && u32(c) < params.cols) {
      out[base + u32(c)] += src[r * params.k + j];
    }
  }
}
