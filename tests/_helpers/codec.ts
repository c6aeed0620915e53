/**
 * A tiny byte-level fake of the project tokenizer for the RMT tests and doc examples: ids
 * 0..255 are bytes, 256..259 are the specials (pad, eot, thinkOpen, thinkClose), and optional
 * multi-byte "merged" tokens get ids 260.. (greedy longest match), so tests can exercise token
 * boundaries that differ from byte boundaries.
 *
 * @module
 */
import type { Codec, SpecialName } from "../../lib/data/codec.ts";
import { SPECIAL_TOKENS } from "../../lib/data/codec.ts";

const SPECIAL_IDS: Record<SpecialName, number> = {
  pad: 256,
  eot: 257,
  thinkOpen: 258,
  thinkClose: 259,
};

/** Builds the fake codec; `merges` are extra multi-byte tokens with ids 260, 261, …. */
export function makeCodec(merges: string[] = []): Codec {
  const encoder = new TextEncoder();
  const vocab: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) vocab.push(new Uint8Array([b]));
  for (const name of Object.keys(SPECIAL_IDS) as SpecialName[]) {
    vocab[SPECIAL_IDS[name]] = encoder.encode(SPECIAL_TOKENS[name]);
  }
  const mergeIds = merges.map((m, i) => ({ bytes: encoder.encode(m), id: 260 + i }));
  for (const { bytes, id } of mergeIds) vocab[id] = bytes;
  mergeIds.sort((a, b) => b.bytes.length - a.bytes.length);
  const specials = (Object.keys(SPECIAL_IDS) as SpecialName[]).map((name) => ({
    text: SPECIAL_TOKENS[name],
    id: SPECIAL_IDS[name],
  }));

  function encodePlain(text: string): number[] {
    const bytes = encoder.encode(text);
    const out: number[] = [];
    let i = 0;
    outer: while (i < bytes.length) {
      for (const { bytes: m, id } of mergeIds) {
        if (m.length <= bytes.length - i && m.every((b, j) => bytes[i + j] === b)) {
          out.push(id);
          i += m.length;
          continue outer;
        }
      }
      out.push(bytes[i]!);
      i++;
    }
    return out;
  }

  function decodeBytes(ids: number[]): Uint8Array {
    const parts = ids.map((id) => {
      const bytes = vocab[id];
      if (bytes === undefined) throw new RangeError(`Unknown token id ${id}`);
      return bytes;
    });
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  return {
    encode(text: string): number[] {
      const out: number[] = [];
      let rest = text;
      while (rest.length > 0) {
        let best: { at: number; text: string; id: number } | null = null;
        for (const s of specials) {
          const at = rest.indexOf(s.text);
          if (at >= 0 && (best === null || at < best.at)) best = { at, ...s };
        }
        if (best === null) {
          out.push(...encodePlain(rest));
          break;
        }
        out.push(...encodePlain(rest.slice(0, best.at)), best.id);
        rest = rest.slice(best.at + best.text.length);
      }
      return out;
    },
    decode: (ids) => new TextDecoder().decode(decodeBytes(ids)),
    decodeBytes,
    specialId: (name) => SPECIAL_IDS[name],
  };
}
