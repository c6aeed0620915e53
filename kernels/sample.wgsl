// sample.wgsl: one multinomial draw per row from softmax(logits / temperature), restricted to
// the top-k logits, with a counter-based RNG. One workgroup per row on an
// (x, y) grid: row = wid.x + wid.y · nwg.x.
//
//   keep_c = k = 0 or k ≥ C or key(x_c) ≥ T, where T is the k-th largest key (ties at T are kept)
//   w_c    = keep_c · exp((x_c − max) / temperature)
//   u      = (pcg(seed ^ pcg(counter ^ pcg(row))) >> 8) / 2^24   ∈ [0, 1)  (= lib/util/rng.ts)
//   out    = the first c with Σ_{c' ≤ c} w_c' > u · Σ w                         (i32)
//
// key() maps f32 to u32 preserving order; T is found bit by bit from the top (32 counting
// rounds, each a workgroup tree sum, from the prelude). Each invocation owns a contiguous chunk of columns so the
// prefix sums run in column order: invocation 0 scans the chunk sums and the owning invocation
// scans its chunk. Integer counts and a fixed summation order make the draw deterministic.
// pcg() is the PCG-RXS-M-XS 32-bit hash (Jarzynski & Olano, "Hash Functions for GPU
// Rendering", JCGT 2020).
// Bindings (generated): logits read, out i32 read_write, params.

struct Params {
  rows: u32,
  cols: u32,
  top_k: u32,
  seed: u32,
  counter: u32,
  inv_temperature: f32,
}

fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Order-preserving f32 → u32 map: a < b ⇔ key(a) < key(b) (for non-NaN values).
fn order_key(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

var<workgroup> pick_lane: u32;
var<workgroup> pick_rest: f32;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let chunk = (params.cols + WORKGROUP_SIZE - 1u) / WORKGROUP_SIZE;
  let begin = min(lid * chunk, params.cols);
  let end = min(begin + chunk, params.cols);
  let use_top_k = params.top_k > 0u && params.top_k < params.cols;
  let row = wid.x + wid.y * nwg.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  var m = neg_inf();
  for (var c = begin; c < end; c++) {
    m = max(m, logits[base + c]);
  }
  m = tree_max(lid, m);

  // Threshold key T of the k-th largest logit (0 keeps everything).
  var threshold = 0u;
  if (use_top_k) {
    for (var bit = 31i; bit >= 0i; bit--) {
      let candidate = threshold | (1u << u32(bit));
      var count = 0u;
      for (var c = begin; c < end; c++) {
        count += select(0u, 1u, order_key(logits[base + c]) >= candidate);
      }
      if (tree_count(lid, count) >= params.top_k) {
        threshold = candidate;
      }
    }
  }

  // Chunk sums of the kept weights, in column order (in the prelude's tree_a).
  var sum = 0.0;
  for (var c = begin; c < end; c++) {
    let x = logits[base + c];
    if (order_key(x) >= threshold) {
      sum += exp((x - m) * params.inv_temperature);
    }
  }
  tree_a[lid] = sum;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0.0;
    for (var t = 0u; t < WORKGROUP_SIZE; t++) {
      total += tree_a[t];
    }
    let h = pcg(params.seed ^ pcg(params.counter ^ pcg(row)));
    let target_mass = f32(h >> 8u) * (1.0 / 16777216.0) * total;
    // Fallback for rounding (target ≥ the running sum): the last non-empty chunk, whole.
    var lane = 0u;
    var rest = pos_inf();
    var found = false;
    var acc = 0.0;
    for (var t = 0u; t < WORKGROUP_SIZE; t++) {
      let w = tree_a[t];
      if (!found && w > 0.0) {
        lane = t;
        if (acc + w > target_mass) {
          rest = target_mass - acc;
          found = true;
        }
      }
      acc += w;
    }
    pick_lane = lane;
    pick_rest = rest;
  }
  workgroupBarrier();
  if (lid == pick_lane) {
    var acc = 0.0;
    var choice = begin;
    for (var c = begin; c < end; c++) {
      let x = logits[base + c];
      if (order_key(x) >= threshold) {
        choice = c;
        acc += exp((x - m) * params.inv_temperature);
        if (acc > pick_rest) {
          break;
        }
      }
    }
    out[row] = i32(choice);
  }
}
