// adamw.wgsl: one fused AdamW update, in place (Loshchilov & Hutter, arXiv 1711.05101, Alg. 2).
//
//   g  = grad · scale[0]                       (scale = global-norm clip factor, or 1)
//   m  = β1·m + (1 − β1)·g
//   v  = β2·v + (1 − β2)·g²
//   θ  = θ − lr · ((m / bc1) / (√(v / bc2) + ε) + λ·θ)        bc_i = 1 − β_i^t (host-computed)
//
// Dispatch: one invocation per parameter, (x, y) grid: i = gid.x + gid.y · nwg.x · WORKGROUP_SIZE.
// Bindings (generated): param rw, grad r, m rw, v rw, scale r (1 element), params.

struct Params {
  n: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  bias_correction1: f32,
  bias_correction2: f32,
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.n) {
    return;
  }
  let g = grad[i] * scale[0];
  let m_new = params.beta1 * m[i] + (1.0 - params.beta1) * g;
  let v_new = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
  m[i] = m_new;
  v[i] = v_new;
  let m_hat = m_new / params.bias_correction1;
  let v_hat = v_new / params.bias_correction2;
  let p = param[i];
  param[i] = p - params.lr * (m_hat / (sqrt(v_hat) + params.eps) + params.weight_decay * p);
}
