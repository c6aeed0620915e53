/**
 * The contract every decoder of this folder meets ({@linkcode GPT}, {@linkcode Llama}), so that
 * `generate()`, the trainers, evaluation and sampling take either: ids in, logits out, with a
 * KV cache for decoding and a differentiable key/value prefix for GRPO.
 *
 * @module
 */
import type { Backend } from "../engine/backend/backend.ts";
import type { NamedParameter } from "../engine/nn.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { ForwardOptions, KvCache } from "./attention.ts";
import type { GPT } from "./gpt.ts";
import type { Llama } from "./llama.ts";

/**
 * A causal language model over a vocabulary of `config.vocabSize` tokens and a window of
 * `config.contextLength` positions.
 *
 * @example Both decoders satisfy it
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CausalLM } from "./causal_lm.ts";
 * import { GPT, resolveGptConfig } from "./gpt.ts";
 * import { tensor } from "../engine/tensor.ts";
 * const model: CausalLM = new GPT(resolveGptConfig({ vocabSize: 7, contextLength: 4, nLayer: 1, nHead: 1, nEmbd: 8 }));
 * const logits = model.forward(tensor([[1, 2]], undefined, { dtype: "i32" }), { lastOnly: true });
 * assert.deepEqual(logits.shape, [1, 1, model.config.vocabSize]);
 * model.dispose();
 * ```
 */
export interface CausalLM {
  /** At least the vocabulary size and the window. */
  readonly config: { readonly vocabSize: number; readonly contextLength: number };
  /** i32 ids (B, T) → logits (B, T, V), or (B, 1, V) with `lastOnly`. */
  forward(ids: Tensor, opts?: ForwardOptions): Tensor;
  /** A KV cache for `batch` rows of up to `maxLength` positions. */
  newCache(batch: number, maxLength: number): KvCache;
  /** The backend holding the parameters. */
  readonly backend: Backend;
  /** Every parameter with its dotted name. */
  namedParameters(): NamedParameter[];
  /** The parameter tensors. */
  parameters(): Tensor[];
  /** Total number of parameter elements. */
  parameterCount(): number;
  /** Frees parameters and tables. */
  dispose(): void;
}

/** The decoders that implement {@linkcode CausalLM}. */
export type AnyDecoder = GPT | Llama;
