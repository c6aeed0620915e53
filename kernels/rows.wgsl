// rows.wgsl: row kernels over a contiguous (rows, cols) matrix, one workgroup per row.
//
// Kernels (each a `// @kernel` section below):
// - softmax:                out = exp(x − max) / Σ exp(x − max)
// - argmax:                 out[r] = first index of the row maximum (i32)
// - cross_entropy:          lse = log Σ exp(x), nll = lse − x[target] (0 when target < 0)
// - cross_entropy_backward: dx = (exp(x − lse) − onehot(target)) · dnll[r] (0 when target < 0)
// - layer_norm:             y = (x − μ)·rstd·γ + β, rstd = 1/√(σ² + eps); saves μ, rstd
// - layer_norm_backward:    dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ, x̂ = (x − μ)·rstd
//
// Log-sum-exp is two-pass (max, then Σ exp(x − max)): one exp per element, cheaper on SIMD
// CPUs than the online (rescaling) form and as stable.
//
// Row cache: when a row fits (cols ≤ WORKGROUP_SIZE · ROW_CACHE, host-chosen; CACHED = true),
// each invocation keeps its strided slice of the row (elements c = lid + j·WORKGROUP_SIZE,
// j < ROW_CACHE) in private memory, so the row is read from storage once instead of two or
// three times (storage loads dominate on llvmpipe: ~4 ns per scalar). Otherwise the kernels
// re-read storage; both paths compute the same values.
//
// Two layouts, chosen by the host through LANES (invocations per row):
// - LANES = WORKGROUP_SIZE: one workgroup per row on an (x, y) grid, row = wid.x + wid.y · nwg.x.
//   Invocations stride over the columns, then combine with a shared-memory tree (no atomics:
//   deterministic). WORKGROUP_SIZE is a power of two (8 = one SIMD group on llvmpipe).
// - LANES = 1: one row per invocation, WORKGROUP_SIZE rows per workgroup, no workgroup memory and
//   no barriers (the reductions return their argument). On CPU adapters, where a barrier is a
//   coroutine switch, this is 1.2–1.7× faster for rows of up to 1024 columns.
// Invocations past the last row recompute it and store nothing: no kernel returns early, so every
// barrier stays in uniform control flow.
// Bindings (generated from the KernelSpecs in lib/engine/backend/webgpu/kernels.ts): the
// storage arrays each `@kernel` line lists, in that order, then `params`; the kernels that index
// with targets also bind `faults` (FAULT_* codes as in indexing.wgsl).
// Placeholders: CACHED, ROW_CACHE, LANES.

// Fault code of an out-of-range target, named in lib/engine/backend/webgpu/backend.ts (FAULT_NAMES).
const FAULT_CROSS_ENTROPY: u32 = 3u;

struct Params {
  rows: u32,
  cols: u32,
  eps: f32,
}

const CACHED: bool = {{CACHED}};
const ROW_CACHE: u32 = {{ROW_CACHE}}u;
const LANES: u32 = {{LANES}}u;

var<private> cache_a: array<f32, ROW_CACHE>;
var<private> cache_b: array<f32, ROW_CACHE>;

// The tree reductions of the prelude, over one row's lanes: with one row per invocation
// (LANES = 1) they return their argument, and no barrier runs.
fn row_sum(lid: u32, value: f32) -> f32 {
  if (LANES == 1u) {
    return value;
  }
  return tree_sum(lid, value);
}

fn row_sum2(lid: u32, value: vec2<f32>) -> vec2<f32> {
  if (LANES == 1u) {
    return value;
  }
  return tree_sum2(lid, value);
}

fn row_max(lid: u32, value: f32) -> f32 {
  if (LANES == 1u) {
    return value;
  }
  return tree_max(lid, value);
}

// Where an invocation works: its row (clamped to the last one), its lane within the row (it
// handles columns lane, lane + LANES, …), and whether the row exists (else it stores nothing).
struct RowPos {
  row: u32,
  lane: u32,
  valid: bool,
}

fn row_pos(lid: u32, wid: vec3<u32>, nwg: vec3<u32>) -> RowPos {
  let raw = (wid.x + wid.y * nwg.x) * (WORKGROUP_SIZE / LANES) + lid / LANES;
  return RowPos(min(raw, params.rows - 1u), lid % LANES, raw < params.rows);
}

// Slot of column c in this invocation's cache (c = lane + j · LANES).
fn slot(c: u32, lane: u32) -> u32 {
  return (c - lane) / LANES;
}

// First read of x[base + c]: from storage, kept in cache_a when the row fits.
fn load_x(base: u32, c: u32, lane: u32) -> f32 {
  let v = x[base + c];
  if (CACHED) {
    cache_a[slot(c, lane)] = v;
  }
  return v;
}

// Later reads of x[base + c]: from cache_a when the row fits.
fn reload_x(base: u32, c: u32, lane: u32) -> f32 {
  if (CACHED) {
    return cache_a[slot(c, lane)];
  }
  return x[base + c];
}

// Row maximum of x[base .. base + cols) (fills the cache).
fn row_max_x(lid: u32, lane: u32, base: u32) -> f32 {
  var m = neg_inf();
  for (var c = lane; c < params.cols; c += LANES) {
    m = max(m, load_x(base, c, lane));
  }
  return row_max(lid, m);
}

// @kernel softmax: x (R, C) → out (R, C)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let pos = row_pos(lid, wid, nwg);
  let row = pos.row;
  let lane = pos.lane;
  let base = row * params.cols;
  let m = row_max_x(lid, lane, base);
  var s = 0.0;
  for (var c = lane; c < params.cols; c += LANES) {
    let e = exp(reload_x(base, c, lane) - m);
    if (CACHED) {
      cache_a[slot(c, lane)] = e; // keep exp(x − m) for the output pass
    }
    s += e;
  }
  let inv = 1.0 / row_sum(lid, s);
  for (var c = lane; c < params.cols; c += LANES) {
    var e: f32;
    if (CACHED) {
      e = cache_a[slot(c, lane)];
    } else {
      e = exp(x[base + c] - m);
    }
    if (pos.valid) {
      out[base + c] = e * inv;
    }
  }
}

// @kernel argmax: x (R, C) → out i32 (R); first index on ties
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let pos = row_pos(lid, wid, nwg);
  let row = pos.row;
  let lane = pos.lane;
  let none = 0xffffffffu;
  let base = row * params.cols;
  var best = neg_inf();
  var best_index = none;
  for (var c = lane; c < params.cols; c += LANES) {
    let v = x[base + c];
    if (v > best || best_index == none) {
      best = v;
      best_index = c;
    }
  }
  var result = best_index;
  if (LANES > 1u) {
    // A tree over (value, index) pairs in the prelude's arrays: the larger value wins, the
    // smaller index on ties.
    tree_a[lid] = best;
    tree_u[lid] = best_index;
    workgroupBarrier();
    for (var s = WORKGROUP_SIZE / 2u; s > 0u; s >>= 1u) {
      if (lid < s) {
        let v = tree_a[lid + s];
        let i = tree_u[lid + s];
        let take = i != none && (tree_u[lid] == none || v > tree_a[lid] ||
          (v == tree_a[lid] && i < tree_u[lid]));
        if (take) {
          tree_a[lid] = v;
          tree_u[lid] = i;
        }
      }
      workgroupBarrier();
    }
    result = tree_u[0];
  }
  if (lane == 0u && pos.valid) {
    out[row] = i32(select(result, 0u, result == none));
  }
}

// @kernel cross_entropy: x (R, C), targets i32 (R) → nll (R), lse (R)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let pos = row_pos(lid, wid, nwg);
  let row = pos.row;
  let lane = pos.lane;
  let base = row * params.cols;
  let m = row_max_x(lid, lane, base);
  var s = 0.0;
  for (var c = lane; c < params.cols; c += LANES) {
    s += exp(reload_x(base, c, lane) - m);
  }
  let lse = m + log(row_sum(lid, s));
  if (lane == 0u && pos.valid) {
    let t = targets[row];
    if (t >= 0 && u32(t) >= params.cols) {
      atomicMax(&faults[0], FAULT_CROSS_ENTROPY);
      atomicStore(&faults[1], bitcast<u32>(t));
      atomicStore(&faults[2], params.cols);
    }
    lse_out[row] = lse;
    nll[row] = select(0.0, lse - x[base + u32(t)], t >= 0 && u32(t) < params.cols);
  }
}

// @kernel cross_entropy_backward: x (R, C), lse (R), targets (R), dnll (R) → dx (R, C)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let pos = row_pos(lid, wid, nwg);
  let row = pos.row;
  let lane = pos.lane;
  let base = row * params.cols;
  let t = targets[row];
  let g = select(0.0, dnll[row], t >= 0);
  let l = lse[row];
  for (var c = lane; c < params.cols; c += LANES) {
    let onehot = select(0.0, 1.0, i32(c) == t);
    if (pos.valid) {
      dx[base + c] = (exp(x[base + c] - l) - onehot) * g;
    }
  }
}

// @kernel layer_norm: x (R, C), γ (C), β (C) → y (R, C), mean (R), rstd (R)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let pos = row_pos(lid, wid, nwg);
  let row = pos.row;
  let lane = pos.lane;
  let inv_cols = 1.0 / f32(params.cols);
  let base = row * params.cols;
  var s = 0.0;
  for (var c = lane; c < params.cols; c += LANES) {
    s += load_x(base, c, lane);
  }
  let mu = row_sum(lid, s) * inv_cols;
  var q = 0.0;
  for (var c = lane; c < params.cols; c += LANES) {
    let d = reload_x(base, c, lane) - mu;
    q += d * d;
  }
  let r = 1.0 / sqrt(row_sum(lid, q) * inv_cols + params.eps);
  for (var c = lane; c < params.cols; c += LANES) {
    if (pos.valid) {
      y[base + c] = (reload_x(base, c, lane) - mu) * r * gamma[c] + beta[c];
    }
  }
  if (lane == 0u && pos.valid) {
    mean[row] = mu;
    rstd[row] = r;
  }
}

// @kernel layer_norm_backward: x, dy (R, C), γ (C), mean, rstd (R) → dx (R, C)
@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let pos = row_pos(lid, wid, nwg);
  let row = pos.row;
  let lane = pos.lane;
  let inv_cols = 1.0 / f32(params.cols);
  let base = row * params.cols;
  let mu = mean[row];
  let r = rstd[row];
  var sums = vec2<f32>(0.0);
  for (var c = lane; c < params.cols; c += LANES) {
    let g = dy[base + c] * gamma[c];
    let xhat = (x[base + c] - mu) * r;
    if (CACHED) {
      cache_a[slot(c, lane)] = g;
      cache_b[slot(c, lane)] = xhat;
    }
    sums += vec2<f32>(g, g * xhat);
  }
  let means = row_sum2(lid, sums) * inv_cols; // (mean(g), mean(g·x̂))
  for (var c = lane; c < params.cols; c += LANES) {
    var g: f32;
    var xhat: f32;
    if (CACHED) {
      g = cache_a[slot(c, lane)];
      xhat = cache_b[slot(c, lane)];
    } else {
      g = dy[base + c] * gamma[c];
      xhat = (x[base + c] - mu) * r;
    }
    if (pos.valid) {
      dx[base + c] = r * (g - means.x - xhat * means.y);
    }
  }
}
