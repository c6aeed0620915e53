/**
 * Byte-level BPE tokenizer (GPT-2 style, simplified) with the special tokens of the
 * next-token-reasoning prompt format (method §11.2).
 *
 * - **Ids**: `0..255` are the raw bytes, `256..256+M-1` the M learned merges in order, and the
 *   last four ids are the special tokens in the order of {@linkcode SPECIAL_TOKENS}: `pad`,
 *   `eot`, `thinkOpen`, `thinkClose`. With 0 merges (`vocabSize = 260`) it is a byte-level
 *   tokenizer.
 * - **Pre-tokenization**: text is split into chunks and merges never cross a chunk boundary:
 *   every decimal digit is its own chunk and is never merged (arithmetic is learnt digit by
 *   digit, as in LLaMA); runs of letters take an optional leading space (`" apples"`); runs of
 *   anything else (punctuation, spaces not followed by a letter, newlines, emoji) form the
 *   remaining chunks.
 * - **Specials**: the strings of {@linkcode SPECIAL_TOKENS} occurring in the text passed to
 *   {@linkcode Tokenizer.encode} map to their ids; they decode back to the same strings.
 * - **Decoding** concatenates token bytes and decodes UTF-8; invalid byte sequences (a token
 *   sequence cut inside a multi-byte character) become U+FFFD. `decode(encode(s)) === s` for
 *   every well-formed string `s`.
 *
 * @module
 */
import { applyMerges, isDigitChunk, pairKey, pretokenize, trainMerges } from "./_bpe.ts";
import {
  describe,
  JSON_FORMAT,
  JSON_VERSION,
  parseTokenizerJSON,
  readTokenizerFile,
  type TokenizerJSON,
} from "./tokenizer_json.ts";

export { pretokenize } from "./_bpe.ts";
export type { TokenizerJSON } from "./tokenizer_json.ts";

import { SPECIAL_TOKENS, type SpecialName } from "./codec.ts";

export { SPECIAL_TOKENS, type SpecialName } from "./codec.ts";

const SPECIAL_NAMES = Object.keys(SPECIAL_TOKENS) as SpecialName[];
const SPECIAL_STRINGS: string[] = SPECIAL_NAMES.map((n) => SPECIAL_TOKENS[n]);
const SPECIAL_SPLIT = new RegExp(
  `(${SPECIAL_STRINGS.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`,
);
const CACHE_LIMIT = 200_000;

/** Options of {@linkcode Tokenizer.train}. */
export interface TrainOptions {
  /** Target vocabulary size: 256 bytes + merges + 4 specials (260 = byte level). */
  vocabSize: number;
  /**
   * Stop merging when the most frequent pair occurs fewer times than this (default 2), so
   * the trained vocabulary can be smaller than `vocabSize` on a small corpus.
   */
  minFrequency?: number;
}

const encoder = new TextEncoder();
// ignoreBOM: true keeps a leading U+FEFF instead of silently dropping it (exact round trip).
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * A byte-level BPE tokenizer with digit-level numbers and prompt-format special tokens.
 *
 * @example Train, encode, decode
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tokenizer } from "./tokenizer.ts";
 * const tok = Tokenizer.train(["the cat sat on the mat", "the cat ate 12 apples"], { vocabSize: 270 });
 * const ids = tok.encode("the cat ate<|endoftext|>");
 * assert.equal(tok.decode(ids), "the cat ate<|endoftext|>");
 * assert.equal(ids.at(-1), tok.specialId("eot"));
 * ```
 */
export class Tokenizer {
  /** Number of ids: 256 bytes + merges + 4 specials. */
  readonly vocabSize: number;
  readonly #merges: [number, number][];
  readonly #ranks = new Map<number, number>();
  readonly #bytes: Uint8Array[] = [];
  readonly #specialBase: number;
  readonly #specialIds = new Map<string, number>();
  readonly #cache = new Map<string, number[]>();

  private constructor(merges: [number, number][]) {
    this.#merges = merges.map(([a, b]) => [a, b]);
    for (let i = 0; i < 256; i++) this.#bytes.push(Uint8Array.of(i));
    merges.forEach(([a, b], i) => {
      this.#ranks.set(pairKey(a, b), i);
      const left = this.#bytes[a], right = this.#bytes[b];
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.#bytes.push(joined);
    });
    this.#specialBase = 256 + merges.length;
    SPECIAL_STRINGS.forEach((s, i) => {
      this.#specialIds.set(s, this.#specialBase + i);
      this.#bytes.push(encoder.encode(s));
    });
    this.vocabSize = this.#bytes.length;
  }

  /**
   * Learns merges from `texts` (special-token strings inside them are ignored; digits never
   * take part in merges). Deterministic: ties between equally frequent pairs go to the pair
   * with the smaller ids. `vocabSize: 260` gives the byte-level tokenizer.
   *
   * @param texts The training documents.
   * @param opts `vocabSize` (at least 260) and optional `minFrequency` (default 2).
   * @returns The trained tokenizer; its `vocabSize` is at most `opts.vocabSize`.
   * @throws {RangeError} If `vocabSize < 260` or is not an integer.
   *
   * @example Byte level and a few merges
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * assert.equal(Tokenizer.train([], { vocabSize: 260 }).vocabSize, 260);
   * const tok = Tokenizer.train(["aaaa bbbb aaaa"], { vocabSize: 263 });
   * assert.equal(tok.vocabSize, 263); // merges: "aa", "bb", "aaaa"
   * assert.equal(tok.encode("aaaa").length, 1);
   * ```
   */
  static train(texts: string[], opts: TrainOptions): Tokenizer {
    const { vocabSize, minFrequency = 2 } = opts;
    const minVocab = 256 + SPECIAL_STRINGS.length;
    if (!Number.isInteger(vocabSize) || vocabSize < minVocab) {
      throw new RangeError(
        `Tokenizer.train: vocabSize must be an integer >= ${minVocab}, got ${vocabSize}`,
      );
    }
    const maxMerges = vocabSize - minVocab;
    if (maxMerges === 0) return new Tokenizer([]);
    const chunkCounts = new Map<string, number>();
    for (const text of texts) {
      for (const part of text.split(SPECIAL_SPLIT)) {
        if (SPECIAL_STRINGS.includes(part)) continue;
        for (const chunk of pretokenize(part)) {
          if (isDigitChunk(chunk)) continue;
          chunkCounts.set(chunk, (chunkCounts.get(chunk) ?? 0) + 1);
        }
      }
    }
    const byteCounts = new Map<string, number>();
    for (const [chunk, n] of chunkCounts) {
      byteCounts.set(String.fromCharCode(...encoder.encode(chunk)), n);
    }
    return new Tokenizer(trainMerges(byteCounts, maxMerges, minFrequency));
  }

  /**
   * Encodes text to ids. Occurrences of the special-token strings become special ids.
   *
   * @example Digits are single tokens
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train(["12 + 34 = 46"], { vocabSize: 300 });
   * assert.deepEqual(tok.encode("46"), [52, 54]);
   * ```
   */
  encode(text: string): number[] {
    const out: number[] = [];
    const parts = text.split(SPECIAL_SPLIT);
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 1) out.push(this.#specialIds.get(parts[i])!);
      else if (parts[i].length > 0) this.#encodeOrdinary(parts[i], out);
    }
    return out;
  }

  #encodeOrdinary(text: string, out: number[]): void {
    const chunks = pretokenize(text);
    for (const chunk of chunks) {
      let ids = this.#cache.get(chunk);
      if (ids === undefined) {
        const bytes = Array.from(encoder.encode(chunk));
        ids = isDigitChunk(chunk) ? bytes : applyMerges(bytes, this.#ranks);
        if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
        this.#cache.set(chunk, ids);
      }
      for (let j = 0; j < ids.length; j++) out.push(ids[j]);
    }
  }

  /**
   * Decodes ids to text; byte sequences that are not valid UTF-8 become U+FFFD.
   *
   * @throws {RangeError} On an id outside `0..vocabSize-1`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train([], { vocabSize: 260 });
   * assert.equal(tok.decode(tok.encode("héllo 👋")), "héllo 👋");
   * assert.equal(tok.decode([0xe2, 0x82]), "\uFFFD"); // a truncated 3-byte character
   * ```
   */
  decode(ids: number[]): string {
    return decoder.decode(this.decodeBytes(ids));
  }

  /**
   * Concatenates the bytes of `ids` (special tokens contribute their UTF-8 strings).
   *
   * @throws {RangeError} On an id outside `0..vocabSize-1`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train([], { vocabSize: 260 });
   * assert.deepEqual(tok.decodeBytes([104, 105]), new Uint8Array([104, 105]));
   * ```
   */
  decodeBytes(ids: number[]): Uint8Array {
    let n = 0;
    for (const id of ids) n += this.tokenBytes(id).length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const id of ids) {
      const b = this.#bytes[id];
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  /**
   * The bytes of one token (do not mutate the returned array).
   *
   * @throws {RangeError} On an id outside `0..vocabSize-1`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train([], { vocabSize: 260 });
   * assert.equal(new TextDecoder().decode(tok.tokenBytes(tok.specialId("thinkOpen"))), "<think>");
   * ```
   */
  tokenBytes(id: number): Uint8Array {
    const b = this.#bytes[id];
    if (b === undefined || !Number.isInteger(id)) {
      throw new RangeError(`token id ${id} out of range 0..${this.vocabSize - 1}`);
    }
    return b;
  }

  /**
   * The id of a special token.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train([], { vocabSize: 260 });
   * assert.equal(tok.specialId("pad"), 256);
   * assert.equal(tok.specialId("thinkClose"), 259);
   * ```
   */
  specialId(name: SpecialName): number {
    const id = this.#specialIds.get(SPECIAL_TOKENS[name]);
    if (id === undefined) throw new RangeError(`unknown special token name ${describe(name)}`);
    return id;
  }

  /**
   * The serializable form (merges and special tokens).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train(["abab abab"], { vocabSize: 262 });
   * assert.deepEqual(Tokenizer.fromJSON(tok.toJSON()).toJSON(), tok.toJSON());
   * ```
   */
  toJSON(): TokenizerJSON {
    return {
      format: JSON_FORMAT,
      version: JSON_VERSION,
      merges: this.#merges.map(([a, b]) => [a, b]),
      specialTokens: [...SPECIAL_STRINGS],
    };
  }

  /**
   * Rebuilds a tokenizer from {@linkcode TokenizerJSON}, validating every field.
   *
   * @param json The parsed JSON value.
   * @param source Where it came from (a file name), used as the prefix of error messages.
   * @throws {Error} A one-line message `<source>: invalid tokenizer: <field>: expected ..., got ...`.
   *
   * @example Errors name the source and the field
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const good = { format: "rmt-bpe", version: 1, merges: [[97, 98]],
   *   specialTokens: ["<|pad|>", "<|endoftext|>", "<think>", "</think>"] };
   * assert.equal(Tokenizer.fromJSON(good).vocabSize, 261);
   * assert.throws(() => Tokenizer.fromJSON({ ...good, merges: [[97, 999]] }, "tok.json"),
   *   /^Error: tok.json: invalid tokenizer: merges\[0\]: expected/);
   * ```
   */
  static fromJSON(json: unknown, source = "tokenizer JSON"): Tokenizer {
    return new Tokenizer(parseTokenizerJSON(json, source, SPECIAL_STRINGS));
  }

  /**
   * Writes the tokenizer as JSON to `path`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * const tok = Tokenizer.train(["hello hello"], { vocabSize: 264 });
   * const path = Deno.makeTempFileSync({ suffix: ".json" });
   * tok.save(path);
   * assert.deepEqual(Tokenizer.load(path).encode("hello"), tok.encode("hello"));
   * Deno.removeSync(path);
   * ```
   */
  save(path: string): void {
    Deno.writeTextFileSync(path, JSON.stringify(this.toJSON()) + "\n");
  }

  /**
   * Reads a tokenizer written by {@linkcode Tokenizer.save}.
   *
   * @throws {Error} A one-line message naming the file when it is missing, not JSON, or invalid.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Tokenizer } from "./tokenizer.ts";
   * assert.throws(() => Tokenizer.load("/nonexistent/tok.json"), /^Error: \/nonexistent\/tok.json: cannot read/);
   * ```
   */
  static load(path: string): Tokenizer {
    return Tokenizer.fromJSON(readTokenizerFile(path), path);
  }
}
