/**
 * AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", arXiv 1711.05101) with
 * clipping by global gradient norm, run as one fused kernel per parameter. The clip scale is
 * computed on the device and read by the AdamW kernel, so a step needs no readback.
 *
 * @module
 */
import type { Storage } from "../backend/backend.ts";
import { keep, noGrad, type Tensor, tidy, zeros } from "../tensor.ts";

/** AdamW settings (PyTorch's defaults except the weight decay, which nanoGPT sets to 0.1). */
export interface AdamWConfig {
  /** Peak learning rate α (a schedule may scale it per step). */
  lr: number;
  /** First-moment decay β1. */
  beta1: number;
  /** Second-moment decay β2 (nanoGPT uses 0.95 for small models). */
  beta2: number;
  /** ε in the denominator. */
  eps: number;
  /** Decoupled weight decay λ (applied to matrices only when `decayMatricesOnly`). */
  weightDecay: number;
  /** Clip the global gradient norm to this value (0 disables clipping). */
  gradClip: number;
}

/** Defaults: lr 1e-3, β (0.9, 0.95), ε 1e-8, λ 0.1, clip 1.0. */
export const ADAMW_DEFAULTS: AdamWConfig = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1.0,
};

/**
 * The AdamW fields of a larger run config (the trainers' configs declare them at top level).
 */
export function adamwConfigOf(cfg: Omit<AdamWConfig, "eps">): Omit<AdamWConfig, "eps"> {
  const { lr, beta1, beta2, weightDecay, gradClip } = cfg;
  return { lr, beta1, beta2, weightDecay, gradClip };
}

/**
 * Global L2 norm of the gradients `‖g‖ = √Σ g²` and the clip scale `min(1, maxNorm/(‖g‖+1e-6))`,
 * both as one-element tensors on the device.
 */
export function gradNorm(
  params: readonly Tensor[],
  maxNorm: number,
): { norm: Tensor; scale: Tensor } {
  return noGrad(() =>
    tidy(() => {
      const squares = params.filter((p) => p.grad !== null).map((p) => p.grad!.square().sum());
      let total = squares[0] ?? zeros([]);
      for (let i = 1; i < squares.length; i++) total = total.add(squares[i]);
      const norm = total.sqrt();
      const scale = maxNorm > 0
        ? norm.add(1e-6).recip().mul(maxNorm).minimum(1)
        : norm.mul(0).add(1);
      return { norm, scale };
    })
  );
}

/**
 * AdamW over a list of parameters. Weight decay applies to tensors of rank ≥ 2 only (matrices and
 * embeddings; not biases or norm gains), as in nanoGPT.
 *
 * @example One step on f(w) = Σ w² moves w toward 0
 * ```ts
 * import assert from "node:assert/strict";
 * import { AdamW } from "./adamw.ts";
 * import { tensor } from "../tensor.ts";
 * const w = tensor([1, -1]).requireGrad();
 * const opt = new AdamW([w], { lr: 0.1 });
 * w.square().sum().backward();
 * opt.step();
 * const [a, b] = await w.toArray();
 * assert.ok(a < 1 && b > -1);
 * ```
 */
export class AdamW {
  readonly config: AdamWConfig;
  /** Number of updates taken (the t of the bias corrections). */
  stepCount = 0;
  /** First moments, one per parameter. */
  readonly m: Tensor[];
  /** Second moments, one per parameter. */
  readonly v: Tensor[];

  constructor(readonly params: readonly Tensor[], config: Partial<AdamWConfig> = {}) {
    this.config = { ...ADAMW_DEFAULTS, ...config };
    this.m = params.map((p) => keep(zeros(p.shape, { backend: p.backend })));
    this.v = params.map((p) => keep(zeros(p.shape, { backend: p.backend })));
  }

  /**
   * One update with learning rate `lr` (default: the configured one). Returns the global
   * gradient norm before clipping as a device tensor (read it only when you log).
   */
  step(lr = this.config.lr): Tensor {
    this.stepCount++;
    const { norm, scale } = gradNorm(this.params, this.config.gradClip);
    const backend = this.params[0].backend;
    this.params.forEach((p, i) => {
      if (p.grad === null) return;
      const decay = p.rank >= 2 ? this.config.weightDecay : 0;
      backend.adamw(
        storageOf(p),
        storageOf(p.grad),
        storageOf(this.m[i]),
        storageOf(this.v[i]),
        { ...this.config, lr, weightDecay: decay, step: this.stepCount },
        this.config.gradClip > 0 ? storageOf(scale) : null,
      );
    });
    scale.dispose();
    return norm;
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Disposes the moment buffers. */
  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

function storageOf(t: Tensor): Storage {
  const v = t.view;
  if (v.offset !== 0 || v.storage.size !== t.size) {
    throw new Error("adamw: expected a whole, contiguous tensor");
  }
  return v.storage;
}
