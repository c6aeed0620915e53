/**
 * Our byte-level BPE (`lib/data/tokenizer.ts`) as a Hugging Face `tokenizer.json` that encodes
 * every text to the same ids:
 *
 * - model `BPE` over the GPT-2 byte ↔ character table: id b < 256 is byte b, id 256 + i is merge
 *   i, spelled as the characters of its bytes; merges in rank order. Both sides apply the
 *   lowest-rank pair first, leftmost occurrence first, and a merge's pairs always rank after it,
 *   so the results agree.
 * - pre-tokenizer: our chunk pattern as a `Split` (isolated) — letter runs with an optional
 *   leading space, single digits, runs of anything else — then `ByteLevel` without its own regex.
 * - the four special tokens as added tokens with our ids (`<think>`, `</think>` not marked
 *   special, so they survive `skip_special_tokens`); decoder `ByteLevel`.
 *
 * One thing does not carry over: our encoder never merges inside a digit chunk, the HF BPE
 * would (a multi-byte digit such as "٣" whose bytes form a merge). Our trainer never creates
 * such a merge, since a digit's bytes only meet inside digit chunks.
 *
 * @module
 */
import { bytesToUnicode } from "../../data/hf_tokenizer.ts";
import { SPECIAL_TOKENS, type Tokenizer } from "../../data/tokenizer.ts";

/** The chunk pattern of `lib/data/_bpe.ts` (CHUNK_RE) in Oniguruma syntax (the same text). */
export const CHUNK_PATTERN = String
  .raw` ?\p{L}[\p{L}\p{M}]*|\p{Nd}|(?: (?!\p{L})|[^ \p{L}\p{Nd}])+`;

/**
 * `tokenizer.json` and `tokenizer_config.json` for `tok`.
 *
 * @throws {Error} when two merges spell the same bytes (a BPE vocabulary maps a string to one id).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * import { HfTokenizer } from "../../data/hf_tokenizer.ts";
 * import { bpeToHf } from "./bpe_json.ts";
 * const ours = Tokenizer.train(["the theme of these three"], { vocabSize: 270 });
 * const { tokenizer, config } = bpeToHf(ours);
 * const theirs = HfTokenizer.fromJSON(tokenizer, config);
 * const text = "then the 12 themes<|endoftext|>";
 * assert.deepEqual(theirs.encode(text), ours.encode(text));
 * ```
 */
export function bpeToHf(tok: Tokenizer): { tokenizer: object; config: object } {
  const table = bytesToUnicode();
  const spell = (id: number) => Array.from(tok.tokenBytes(id), (b) => table[b]).join("");
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[table[b]] = b;
  const { merges, specialTokens } = tok.toJSON();
  const hfMerges = merges.map(([a, b], i) => {
    const word = spell(256 + i);
    if (word in vocab) {
      throw new Error(
        `export: merges ${vocab[word]} and ${
          256 + i
        } spell the same bytes; a tokenizer.json vocabulary cannot hold both`,
      );
    }
    vocab[word] = 256 + i;
    return [spell(a), spell(b)];
  });
  const base = 256 + merges.length;
  const added = specialTokens.map((content, i) => ({
    id: base + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    // As Qwen3 and R1-Distill: <think> and </think> are not "special", so decoders that skip
    // special tokens (verl's reward managers, TRL) keep them in the completion text.
    special: content === SPECIAL_TOKENS.pad || content === SPECIAL_TOKENS.eot,
  }));
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: CHUNK_PATTERN }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: hfMerges,
    },
  };
  const config = {
    tokenizer_class: "PreTrainedTokenizerFast",
    eos_token: SPECIAL_TOKENS.eot,
    pad_token: SPECIAL_TOKENS.pad,
    bos_token: null,
    unk_token: null,
    model_max_length: 1_000_000,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...t }) => [String(id), t])),
  };
  return { tokenizer, config };
}
