/**
 * User-supplied corpora (method §11.1): read documents from a plain-text or JSONL file, so that
 * any text can replace the embedded math corpus.
 *
 * - `.txt`: if the file contains a line consisting only of `---` (surrounding spaces allowed),
 *   documents are separated by such lines (they may then contain blank lines); otherwise
 *   documents are separated by one or more blank lines (paragraphs). Each document is trimmed of
 *   leading and trailing blank lines; empty documents are dropped. Line endings `\r\n` become
 *   `\n`.
 * - `.jsonl`: one JSON object per line with a string field `text` (other fields are ignored);
 *   blank lines are skipped. The text is taken verbatim.
 *
 * Errors are one line and name the file (and the line for JSONL), e.g.
 * `corpus.jsonl:17: expected an object with a string field "text"`. A file that is not valid
 * UTF-8 text (or holds a NUL byte, as binary files do) is refused with the byte offset.
 *
 * @module
 */

/**
 * Reads the documents of a `.txt` or `.jsonl` corpus file.
 *
 * @param path The file; its extension selects the format.
 * @returns The documents, in file order (at least one).
 * @throws {Error} If the file cannot be read, has another extension, holds no document, or a
 *   JSONL line is not an object with a string `text`.
 *
 * @example Plain text and JSONL
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCorpusFile } from "./corpus_files.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a.txt`, "first doc\nline two\n\n\nsecond doc\n");
 * assert.deepEqual(readCorpusFile(`${dir}/a.txt`), ["first doc\nline two", "second doc"]);
 * Deno.writeTextFileSync(`${dir}/b.jsonl`, '{"text": "one"}\n{"text": "two", "id": 2}\n');
 * assert.deepEqual(readCorpusFile(`${dir}/b.jsonl`), ["one", "two"]);
 * Deno.writeTextFileSync(`${dir}/c.jsonl`, '{"text": "one"}\n{"txt": "two"}\n');
 * assert.throws(() => readCorpusFile(`${dir}/c.jsonl`), /c\.jsonl:2: expected an object with a string field "text"/);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function readCorpusFile(path: string): string[] {
  const lower = path.toLowerCase();
  const format = lower.endsWith(".jsonl") ? "jsonl" : lower.endsWith(".txt") ? "txt" : null;
  if (format === null) {
    throw new Error(`${path}: unsupported corpus file extension (expected .txt or .jsonl)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new Error(`${path}: cannot read corpus file (${msg})`);
  }
  const content = decodeText(bytes, path);
  const docs = format === "jsonl" ? parseJsonl(content, path) : parseTxt(content);
  if (docs.length === 0) {
    throw new Error(`${path}: empty corpus file (no documents found)`);
  }
  return docs;
}

/**
 * Decodes a corpus file's bytes as UTF-8 text. Invalid UTF-8 or a NUL byte (a binary file) is
 * refused with the file and the byte offset, instead of being replaced by U+FFFD and trained on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeText } from "./corpus_files.ts";
 * assert.equal(decodeText(new TextEncoder().encode("héllo"), "a.txt"), "héllo");
 * assert.throws(() => decodeText(Uint8Array.from([0x61, 0x62, 0xc3, 0x28]), "a.txt"),
 *   /^Error: a\.txt: not valid UTF-8 text \(invalid byte 0xc3 at byte offset 2\)$/);
 * assert.throws(() => decodeText(Uint8Array.from([0x61, 0x00]), "b.txt"),
 *   /b\.txt: not a text file \(NUL byte at byte offset 1\)/);
 * ```
 */
export function decodeText(bytes: Uint8Array, path: string): string {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new Error(`${path}: not a text file (NUL byte at byte offset ${nul})`);
    return text;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
  }
  const at = firstInvalidUtf8(bytes);
  throw new Error(
    `${path}: not valid UTF-8 text (invalid byte 0x${
      bytes[at]?.toString(16).padStart(2, "0") ?? "??"
    } at byte offset ${at})`,
  );
}

/** Offset of the first byte that starts no valid UTF-8 sequence (RFC 3629), or the length. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    // continuation bytes after the lead byte c (-1: c cannot start a sequence)
    const n = c < 0x80 ? 0 : c < 0xc2 ? -1 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf5 ? 3 : -1;
    if (n < 0 || i + n >= b.length) return i;
    // the second byte's range excludes overlong forms, surrogates and code points > U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/**
 * Splits plain text into documents (rules in the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTxt } from "./corpus_files.ts";
 * assert.deepEqual(parseTxt("a\n\nb"), ["a", "b"]);
 * assert.deepEqual(parseTxt("a\n\nstill a\n---\nb\n"), ["a\n\nstill a", "b"]);
 * ```
 */
export function parseTxt(content: string): string[] {
  const text = content.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const separator = /^[ \t]*---[ \t]*$/m;
  const parts = separator.test(text) ? text.split(/^[ \t]*---[ \t]*$/m) : text.split(/\n[ \t]*\n/);
  return parts
    .map((p) => p.replace(/^(?:[ \t]*\n)+/, "").replace(/(?:\n[ \t]*)+$/, ""))
    .filter((p) => p.trim().length > 0);
}

/**
 * Parses JSONL documents; `source` prefixes error messages (`source:line: ...`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonl } from "./corpus_files.ts";
 * assert.deepEqual(parseJsonl('{"text":"x"}\n\n{"text":"y"}', "c.jsonl"), ["x", "y"]);
 * assert.throws(() => parseJsonl('{"text":"x"}\n\n[1]', "c.jsonl"), /^Error: c.jsonl:3: /);
 * assert.throws(() => parseJsonl("{oops", "c.jsonl"), /^Error: c.jsonl:1: invalid JSON/);
 * ```
 */
export function parseJsonl(content: string, source: string): string[] {
  const docs: string[] = [];
  const lines = content.replace(/^\uFEFF/, "").split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0];
      throw new Error(`${source}:${i + 1}: invalid JSON (${msg})`);
    }
    const text = typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>).text
      : undefined;
    if (typeof text !== "string") {
      throw new Error(`${source}:${i + 1}: expected an object with a string field "text"`);
    }
    docs.push(text);
  });
  return docs;
}
