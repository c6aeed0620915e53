/**
 * Test helper: seeded random Unicode strings mixing ASCII, whitespace, digits of several
 * scripts, accented and CJK text, emoji (with ZWJ sequences, skin tones, flags), lone combining
 * marks, a BOM, the special-token strings, and arbitrary code points (never lone surrogates).
 *
 * @module
 */
import type { Rng } from "../../lib/util/rng.ts";

const PIECES = [
  "the",
  " cat",
  " apples",
  "Tom",
  " = ",
  ".\n",
  "\n\n",
  "  ",
  "\t",
  "\r\n",
  "12",
  "٣٤",
  "४२",
  "café",
  "naïve",
  "Ελλάδα",
  "привет",
  "日本語",
  "中文字",
  "한국어",
  "👋",
  "👩‍👩‍👧",
  "👍🏽",
  "🇫🇷",
  "🙂",
  "\u0301",
  " \u0301",
  "a\u0301",
  "\uFEFF",
  "<think>",
  "</think>",
  "<|endoftext|>",
  "<|pad|>",
  "<think",
  "|>",
  "\\boxed{",
  "}",
];

/** A random code point that is a valid Unicode scalar value (no surrogates). */
function randomScalar(rng: Rng): string {
  const planes = [0x80, 0x800, 0x10000, 0x110000];
  const hi = planes[Math.floor(rng() * planes.length)];
  for (;;) {
    const cp = Math.floor(rng() * hi);
    if (cp < 0xd800 || cp > 0xdfff) return String.fromCodePoint(cp);
  }
}

/** A random string of about `pieces` pieces. */
export function randomUnicode(rng: Rng, pieces: number): string {
  let s = "";
  for (let i = 0; i < pieces; i++) {
    s += rng() < 0.7 ? PIECES[Math.floor(rng() * PIECES.length)] : randomScalar(rng);
  }
  return s;
}
