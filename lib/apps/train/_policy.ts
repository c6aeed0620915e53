/**
 * The policy π_θ as the trainer sees it (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, method §4): anything with a causal `forward` from token ids to next-token
 * logits. `lib/model/gpt.ts` `GPT` satisfies it; tests may pass any such module.
 *
 * Dimension legend: B batch, T time, V vocab.
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */
import type { KvPrefix } from "../../model/gpt.ts";
import type { Tensor } from "../../engine/tensor.ts";

/** A causal language model: logits row t predicts the token after input t. */
export interface Policy {
  /**
   * i32 ids (B, T) → logits (B, T, V). `keyMask` (B, T), 1 for real tokens and 0 for left
   * padding, keeps padding out of attention.
   */
  forward(ids: Tensor, opts?: { keyMask?: Tensor }): Tensor;
}

/**
 * A policy that can run a prompt once for several completions: `kvOut` collects a pass's keys
 * and values per layer, `prefix` attends to them (`GPT` does both; see `KvPrefix`).
 */
export interface PrefixPolicy extends Policy {
  forward(
    ids: Tensor,
    opts?: { keyMask?: Tensor; lastOnly?: boolean; prefix?: KvPrefix; kvOut?: KvPrefix },
  ): Tensor;
}
