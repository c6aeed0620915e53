/**
 * Hugging Face tokenizers (`tokenizer.json`, `tokenizer_config.json`) as a {@linkcode Codec},
 * through `@huggingface/tokenizers` (the tokenizer pipeline: normalizer, pre-tokenizer, model,
 * decoder, added tokens) and `@huggingface/jinja` (the chat template).
 *
 * - `encode` adds no special tokens of its own (no BOS): the RMT prompt builds its sequence
 *   itself; special-token strings inside the text map to their ids.
 * - `decodeBytes` gives a token's exact bytes for byte-level BPE (GPT-2, Llama 3, Qwen2: every
 *   vocabulary string is bytes through the GPT-2 byte ↔ character table); for other tokenizers
 *   it is the UTF-8 of each token decoded alone.
 * - Special tokens of the prompt format (method §1.3): `eot` is the config's `eos_token`
 *   (else `<|endoftext|>`), `pad` its `pad_token` (else `eot`), `thinkOpen`/`thinkClose` the
 *   vocabulary's `<think>`/`</think>` (R1-Distill and Qwen3 have them; a model without them
 *   cannot take the next-token-reasoning prompt, and asking for them is a one-line error).
 *
 * @module
 */
import { Tokenizer as HfPipeline } from "@huggingface/tokenizers";
import { Template } from "@huggingface/jinja";
import { type Codec, SPECIAL_TOKENS, type SpecialName } from "./codec.ts";
import { Tokenizer } from "./tokenizer.ts";

const HF_FORMAT = "hf-tokenizer";

/** A Hugging Face tokenizer as this project's checkpoints store it. */
export interface HfTokenizerJSON {
  /** Always `"hf-tokenizer"`. */
  format: string;
  /** The content of `tokenizer.json`. */
  tokenizer: unknown;
  /** The content of `tokenizer_config.json` (`{}` when there was none). */
  config: unknown;
}

/** One message of a chat, as chat templates take it. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** The GPT-2 table from bytes to printable characters (byte-level BPE vocabulary strings). */
export function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  }
  return table;
}

const CHAR_TO_BYTE = new Map(bytesToUnicode().map((ch, b) => [ch, b]));
const encoder = new TextEncoder();

function tokenText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && "content" in value) {
    return String((value as { content: unknown }).content);
  }
  return null;
}

/** True when the tokenizer's decoder is (or contains) the byte-level decoder. */
function isByteLevel(json: Record<string, unknown>): boolean {
  const d = json.decoder as { type?: string; decoders?: { type?: string }[] } | null;
  return d?.type === "ByteLevel" || (d?.decoders ?? []).some((x) => x.type === "ByteLevel");
}

/**
 * A Hugging Face tokenizer implementing {@linkcode Codec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HfTokenizer } from "./hf_tokenizer.ts";
 * const tok = await HfTokenizer.load("tests/fixtures/hf/qwen2");
 * const ids = tok.encode("The quick brown fox");
 * assert.equal(tok.decode(ids), "The quick brown fox");
 * assert.equal(new TextDecoder().decode(tok.decodeBytes(ids)), "The quick brown fox");
 * assert.equal(tok.decode([tok.specialId("thinkClose")]), "</think>");
 * assert.match(tok.applyChatTemplate([{ role: "user", content: "hi" }]), /assistant\n$/);
 * ```
 */
export class HfTokenizer implements Codec {
  /** Vocabulary size including added tokens (the largest id + 1). */
  readonly vocabSize: number;
  /** The Jinja chat template of tokenizer_config.json, or null. */
  readonly chatTemplate: string | null;
  #pipeline: HfPipeline;
  #json: Record<string, unknown>;
  #config: Record<string, unknown>;
  #byteLevel: boolean;
  #idToToken: Map<number, string>;
  #special: Set<number>;

  private constructor(
    json: Record<string, unknown>,
    config: Record<string, unknown>,
    readonly source: string,
  ) {
    this.#pipeline = new HfPipeline(json, config);
    this.#json = json;
    this.#config = config;
    this.#byteLevel = isByteLevel(json);
    const vocab = this.#pipeline.get_vocab(true);
    this.#idToToken = new Map([...vocab].map(([t, id]) => [id, t]));
    this.vocabSize = Math.max(-1, ...vocab.values()) + 1;
    this.#special = new Set(this.#pipeline.get_added_tokens_decoder().keys());
    const template = config.chat_template;
    this.chatTemplate = typeof template === "string" ? template : null;
  }

  /**
   * A tokenizer from the parsed `tokenizer.json` and `tokenizer_config.json` (`{}` when absent);
   * `source` names them in errors.
   */
  static fromJSON(json: unknown, config: unknown = {}, source = "tokenizer.json"): HfTokenizer {
    if (typeof json !== "object" || json === null || !("model" in json)) {
      throw new Error(`${source}: expected a Hugging Face tokenizer.json (an object with "model")`);
    }
    try {
      return new HfTokenizer(
        json as Record<string, unknown>,
        (config ?? {}) as Record<string, unknown>,
        source,
      );
    } catch (e) {
      throw new Error(`${source}: cannot build the tokenizer (${(e as Error).message})`);
    }
  }

  /** Reads `dir/tokenizer.json` and, when present, `dir/tokenizer_config.json`. */
  static async load(dir: string): Promise<HfTokenizer> {
    const file = `${dir.replace(/\/+$/, "")}/tokenizer.json`;
    const json = await readJson(file, true);
    const config = await readJson(`${dir.replace(/\/+$/, "")}/tokenizer_config.json`, false);
    return HfTokenizer.fromJSON(json, config ?? {}, file);
  }

  /**
   * Both files in one value, for checkpoints (`tokenizer.json` of a training run):
   * {@linkcode codecFromJson} reads it back.
   */
  toJSON(): HfTokenizerJSON {
    return { format: HF_FORMAT, tokenizer: this.#json, config: this.#config };
  }

  /** Text to ids; no BOS or other tokens are added. */
  encode(text: string): number[] {
    return this.#pipeline.encode(text, { add_special_tokens: false }).ids;
  }

  /** Ids to text, special tokens included, no clean-up of spaces. */
  decode(ids: number[]): string {
    return this.#pipeline.decode(ids, {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: false,
    });
  }

  /** Ids to their bytes (exact for byte-level BPE; see the module doc). */
  decodeBytes(ids: number[]): Uint8Array {
    const parts: number[] = [];
    for (const id of ids) {
      const token = this.#idToToken.get(id);
      if (this.#byteLevel && token !== undefined && !this.#special.has(id)) {
        for (const ch of token) {
          const b = CHAR_TO_BYTE.get(ch);
          if (b === undefined) parts.push(...encoder.encode(ch));
          else parts.push(b);
        }
      } else parts.push(...encoder.encode(this.decode([id])));
    }
    return Uint8Array.from(parts);
  }

  /** The id of a prompt-format special token (see the module doc). */
  specialId(name: SpecialName): number {
    const id = (text: string | null) =>
      text === null ? undefined : this.#pipeline.token_to_id(text);
    const eot = id(tokenText(this.#config.eos_token)) ?? id(SPECIAL_TOKENS.eot);
    let found: number | undefined;
    if (name === "eot") found = eot;
    else if (name === "pad") found = id(tokenText(this.#config.pad_token)) ?? eot;
    else found = id(SPECIAL_TOKENS[name]);
    if (found === undefined) {
      const what = name === "eot" ? "an eos_token" : JSON.stringify(SPECIAL_TOKENS[name]);
      throw new Error(
        `${this.source}: no ${what} token in the vocabulary (needed by the prompt format, ${name})`,
      );
    }
    return found;
  }

  /**
   * The text the chat template puts before and after one user message, with the generation
   * prompt after it; a trailing `<think>` (R1-Distill and Qwen3 templates open the thinking
   * block themselves) is cut, since the next-token-reasoning prompt adds that token. Null
   * without a template, or when the template does not show the message verbatim.
   */
  chatFrame(): { before: string; after: string } | null {
    if (this.chatTemplate === null) return null;
    const mark = "\u0001RMT-MESSAGE\u0001";
    const text = this.applyChatTemplate([{ role: "user", content: mark }]);
    const at = text.indexOf(mark);
    if (at < 0 || text.indexOf(mark, at + 1) >= 0) return null;
    const after = text.slice(at + mark.length).replace(/<think>\n?$/, "");
    return { before: text.slice(0, at), after };
  }

  /**
   * Renders the chat template with `messages` (and `add_generation_prompt`, the config's
   * `bos_token`/`eos_token`), as transformers' `apply_chat_template(tokenize=False)`.
   */
  applyChatTemplate(messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    if (this.chatTemplate === null) {
      throw new Error(`${this.source}: tokenizer_config.json has no chat_template`);
    }
    return new Template(this.chatTemplate).render({
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      bos_token: tokenText(this.#config.bos_token) ?? "",
      eos_token: tokenText(this.#config.eos_token) ?? "",
    });
  }
}

/**
 * The tokenizer of a checkpoint's `tokenizer.json`, whichever kind: ours (`rmt-bpe`), a Hugging
 * Face one saved by a run ({@linkcode HfTokenizerJSON}), or a plain Hugging Face tokenizer.json.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codecFromJson, HfTokenizer } from "./hf_tokenizer.ts";
 * import { Tokenizer } from "./tokenizer.ts";
 * const ours = Tokenizer.train([], { vocabSize: 260 });
 * assert.equal(codecFromJson(ours.toJSON()).encode("hi").length, 2);
 * const hf = await HfTokenizer.load("tests/fixtures/hf/qwen2");
 * const back = codecFromJson(JSON.parse(JSON.stringify(hf)));
 * assert.deepEqual(back.encode("The quick brown"), hf.encode("The quick brown"));
 * ```
 */
export function codecFromJson(
  json: unknown,
  source = "tokenizer.json",
): Codec & { vocabSize: number } {
  const j = json as Record<string, unknown> | null;
  if (j !== null && typeof j === "object" && j.format === HF_FORMAT) {
    return HfTokenizer.fromJSON(j.tokenizer, j.config, source);
  }
  if (j !== null && typeof j === "object" && "model" in j) {
    return HfTokenizer.fromJSON(j, {}, source);
  }
  return Tokenizer.fromJSON(json, source);
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (!required && e instanceof Deno.errors.NotFound) return null;
    const why = e instanceof Deno.errors.NotFound ? "missing" : "cannot read";
    throw new Error(`${file}: ${why} (${(e as Error).message.split("\n")[0]})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: invalid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}
