/**
 * Neural-network building blocks on top of the tensor API: a {@linkcode Module} base that finds
 * its parameters by walking its fields (as PyTorch's `nn.Module`), and the layers a GPT needs:
 * {@linkcode Linear}, {@linkcode Embedding}, {@linkcode LayerNorm}.
 *
 * Legend: C in-features, F out-features, V vocabulary.
 *
 * @module
 */
import { keep, ones, randn, type Tensor, zeros } from "./tensor.ts";

/** A named parameter, as listed by {@linkcode Module.namedParameters}. */
export interface NamedParameter {
  /** Dotted path, e.g. `blocks.0.attn.qkv.weight`. */
  name: string;
  /** The parameter tensor (a leaf with `requiresGrad`). */
  tensor: Tensor;
}

/** Base class: parameters are the `Tensor` fields with `requiresGrad`, found recursively. */
export class Module {
  /** Every parameter with its dotted name, in field order (stable across runs). */
  namedParameters(prefix = ""): NamedParameter[] {
    const out: NamedParameter[] = [];
    for (const [key, value] of Object.entries(this)) {
      const name = prefix === "" ? key : `${prefix}.${key}`;
      if (value instanceof Module) out.push(...value.namedParameters(name));
      else if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item instanceof Module) out.push(...item.namedParameters(`${name}.${i}`));
        });
      } else if (isParameter(value)) out.push({ name, tensor: value });
    }
    return out;
  }

  /** The parameter tensors. */
  parameters(): Tensor[] {
    return this.namedParameters().map((p) => p.tensor);
  }

  /** Total number of parameter elements (shared tensors counted once). */
  parameterCount(): number {
    return [...new Set(this.parameters())].reduce((n, t) => n + t.size, 0);
  }
}

function isParameter(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && "requiresGrad" in value &&
    (value as Tensor).requiresGrad === true && "grad" in value;
}

/** Makes a persistent parameter (kept out of every `tidy`). */
export function parameter(t: Tensor): Tensor {
  return keep(t.requireGrad());
}

/**
 * `y = x·W + b` with W (C, F) and b (F); W ~ N(0, std²) (GPT-2 uses std 0.02).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Linear } from "./nn.ts";
 * import { randn } from "./tensor.ts";
 * const layer = new Linear(4, 3, { seed: 1 });
 * assert.deepEqual(layer.forward(randn([2, 4], 2)).shape, [2, 3]);
 * ```
 */
export class Linear extends Module {
  /** (C, F) */
  weight: Tensor;
  /** (F) or null */
  bias: Tensor | null;
  constructor(
    inFeatures: number,
    outFeatures: number,
    opts: { seed: number; std?: number; bias?: boolean },
  ) {
    super();
    this.weight = parameter(randn([inFeatures, outFeatures], opts.seed, { std: opts.std ?? 0.02 }));
    this.bias = opts.bias === false ? null : parameter(zeros([outFeatures]));
  }
  /** (…, C) → (…, F) */
  forward(x: Tensor): Tensor {
    // Flatten leading axes so dW = xᵀ·dy is one (C, N)·(N, F) product, not a broadcast batch.
    const [inFeatures, outFeatures] = this.weight.shape;
    const y = x.reshape([-1, inFeatures]).matmul(this.weight); // (N, F)
    const out = this.bias === null ? y : y.add(this.bias);
    return out.reshape([...x.shape.slice(0, -1), outFeatures]); // (…, F)
  }
}

/** A lookup table of V vectors of size C; row i is the embedding of token i. */
export class Embedding extends Module {
  /** (V, C) */
  weight: Tensor;
  constructor(vocab: number, dim: number, opts: { seed: number; std?: number }) {
    super();
    this.weight = parameter(randn([vocab, dim], opts.seed, { std: opts.std ?? 0.02 }));
  }
  /** i32 (…) → (…, C) */
  forward(ids: Tensor): Tensor {
    return this.weight.embedding(ids);
  }
}

/** Layer norm over the last axis with learned γ (ones) and β (zeros). */
export class LayerNorm extends Module {
  /** (C) */
  gamma: Tensor;
  /** (C) */
  beta: Tensor;
  constructor(dim: number, readonly eps = 1e-5) {
    super();
    this.gamma = parameter(ones([dim]));
    this.beta = parameter(zeros([dim]));
  }
  /** (…, C) → (…, C) */
  forward(x: Tensor): Tensor {
    return x.layerNorm(this.gamma, this.beta, this.eps);
  }
}
