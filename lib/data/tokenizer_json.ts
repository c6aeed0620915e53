/**
 * The file format of the BPE tokenizer (`tokenizer.ts`): `{"format":"rmt-bpe","version":1,
 * "merges":[[l,r],...],"specialTokens":[...]}`, validated field by field so that a bad file fails
 * with one line naming the file and the field.
 *
 * @module
 */
import { pairKey } from "./_bpe.ts";

/** The value of the `format` field. */
export const JSON_FORMAT = "rmt-bpe";
/** The current format version. */
export const JSON_VERSION = 1;

/** The serialized form of a {@linkcode Tokenizer} (what `Tokenizer.save` writes). */
export interface TokenizerJSON {
  /** Always `"rmt-bpe"`. */
  format: string;
  /** Format version, currently 1. */
  version: number;
  /** The merges in order: merge `i` joins tokens `left, right` into token `256 + i`. */
  merges: [number, number][];
  /** The special token strings in id order (must equal those of `SPECIAL_TOKENS`). */
  specialTokens: string[];
}

/** A short rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  const s = JSON.stringify(value);
  return s === undefined ? typeof value : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Validates a parsed tokenizer JSON value and returns its merges.
 *
 * @param json The parsed JSON value.
 * @param source Where it came from (a file name), used as the prefix of error messages.
 * @param specials The special-token strings the file must list, in id order.
 * @throws {Error} A one-line message `<source>: invalid tokenizer: <field>: expected ..., got ...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTokenizerJSON } from "./tokenizer_json.ts";
 * const json = { format: "rmt-bpe", version: 1, merges: [[97, 98], [256, 99]], specialTokens: ["<s>"] };
 * assert.deepEqual(parseTokenizerJSON(json, "t.json", ["<s>"]), [[97, 98], [256, 99]]);
 * assert.throws(() => parseTokenizerJSON({ ...json, merges: [[97, 257]] }, "t.json", ["<s>"]),
 *   /^Error: t.json: invalid tokenizer: merges\[0\]: expected a pair of token ids below 256/);
 * ```
 */
export function parseTokenizerJSON(
  json: unknown,
  source: string,
  specials: readonly string[],
): [number, number][] {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new Error(
      `${source}: invalid tokenizer: ${field}: expected ${expected}, got ${describe(got)}`,
    );
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail("(root)", "an object", json);
  }
  const obj = json as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!["format", "version", "merges", "specialTokens"].includes(key)) {
      fail(key, "no such field (known: format, version, merges, specialTokens)", obj[key]);
    }
  }
  if (obj.format !== JSON_FORMAT) fail("format", `"${JSON_FORMAT}"`, obj.format);
  if (obj.version !== JSON_VERSION) fail("version", String(JSON_VERSION), obj.version);
  if (!Array.isArray(obj.merges)) {
    fail("merges", "an array of [left, right] id pairs", obj.merges);
  }
  const merges = obj.merges as unknown[];
  const seen = new Set<number>();
  const bytes: number[][] = [];
  for (let i = 0; i < 256; i++) bytes.push([i]);
  merges.forEach((m, i) => {
    const limit = 256 + i;
    const ok = Array.isArray(m) && m.length === 2 &&
      m.every((x) => Number.isInteger(x) && x >= 0 && x < limit);
    if (!ok) fail(`merges[${i}]`, `a pair of token ids below ${limit}`, m);
    const [a, b] = m as [number, number];
    const key = pairKey(a, b);
    if (seen.has(key)) fail(`merges[${i}]`, "a pair not merged before", m);
    seen.add(key);
    const joined = [...bytes[a], ...bytes[b]];
    if (joined.some((x) => x >= 0x30 && x <= 0x39)) {
      fail(`merges[${i}]`, "a merge without ASCII digits (digits are never merged)", m);
    }
    bytes.push(joined);
  });
  const listed = obj.specialTokens;
  if (
    !Array.isArray(listed) || listed.length !== specials.length ||
    listed.some((s, i) => s !== specials[i])
  ) {
    fail("specialTokens", describe(specials), listed);
  }
  return merges as [number, number][];
}

/**
 * Reads and parses a tokenizer file (validation is {@linkcode parseTokenizerJSON}'s).
 *
 * @throws {Error} A one-line message naming the file when it is missing or not JSON.
 */
export function readTokenizerFile(path: string): unknown {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read tokenizer file (${firstLine(err)})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: malformed tokenizer JSON (${firstLine(err)})`);
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n")[0];
}
