/**
 * Shared types of the RMT components (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375): the structural tokenizer interface every component codes against, so that
 * `lib/rmt/` never imports the real tokenizer (`lib/data/tokenizer.ts`).
 *
 * Index convention used by every file in `lib/rmt/` (method §1.2, §4.2): a document is a token id
 * array `S = ids[0..N)`; **position p** names the target token τ_p = ids[p], predicted from its
 * context τ_<p = ids[0..p). Position 0 has no context and is never predicted, sampled or
 * NTP-trained. Under teacher forcing, logits row r (input token r) predicts position r + 1.
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */

/**
 * The special tokens of the prompt format (method §1.3, §9), in id order: our BPE tokenizer gives
 * them the last four ids of its vocabulary, and `Codec.encode` maps these strings inside text to
 * their ids.
 */
export const SPECIAL_TOKENS = {
  pad: "<|pad|>",
  eot: "<|endoftext|>",
  thinkOpen: "<think>",
  thinkClose: "</think>",
} as const;

/** Name of a special token: `"pad" | "eot" | "thinkOpen" | "thinkClose"`. */
export type SpecialName = keyof typeof SPECIAL_TOKENS;

/**
 * The tokenizer as seen by the RMT components (implemented by `lib/data/tokenizer.ts`; tests use
 * the byte-level fake in `tests/_helpers/codec.ts`).
 *
 * @example The BPE tokenizer is a codec
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Codec } from "./codec.ts";
 * import { Tokenizer } from "./tokenizer.ts";
 * const codec: Codec = Tokenizer.train(["12 + 30 = 42"], { vocabSize: 270 });
 * const ids = codec.encode("<think>1 + 2</think>");
 * assert.equal(ids[0], codec.specialId("thinkOpen"));
 * assert.equal(codec.decode(ids), "<think>1 + 2</think>");
 * ```
 */
export interface Codec {
  /** Text to token ids; the special-token strings map to their ids. */
  encode(text: string): number[];
  /** Token ids to text (invalid UTF-8 becomes U+FFFD). */
  decode(ids: number[]): string;
  /** Token ids to their exact bytes (a token may hold part of a UTF-8 character). */
  decodeBytes(ids: number[]): Uint8Array;
  /** The id of a special token. */
  specialId(name: SpecialName): number;
  /**
   * The text a chat template puts around one user message with the generation prompt after it
   * (`lib/data/hf_tokenizer.ts`), or null: tokenizers without a template leave it out.
   */
  chatFrame?(): { before: string; after: string } | null;
}
