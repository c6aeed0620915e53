/**
 * The BPE core (`lib/data/_bpe.ts`): pre-tokenization, and merges learnt and applied against
 * hand-computed cases and a naive reference (every pair recounted after each merge).
 */
import assert from "node:assert/strict";
import {
  applyMerges,
  isDigitChunk,
  mergePair,
  pairKey,
  pretokenize,
  trainMerges,
} from "../../lib/data/_bpe.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import { randomUnicode } from "./_unicode.ts";

/** The naive algorithm: recount every pair, merge the most frequent (ties: smallest ids). */
function referenceMerges(counts: Map<string, number>, maxMerges: number, minFrequency: number) {
  const words = [...counts].map(([s, n]) => ({ syms: Array.from(s, (c) => c.charCodeAt(0)), n }));
  const merges: [number, number][] = [];
  while (merges.length < maxMerges) {
    const pairs = new Map<string, number>();
    for (const { syms, n } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const k = `${syms[i]},${syms[i + 1]}`;
        pairs.set(k, (pairs.get(k) ?? 0) + n);
      }
    }
    let best: [number, number] | null = null, bestCount = 0;
    for (const [k, c] of pairs) {
      const [l, r] = k.split(",").map(Number) as [number, number];
      const better = c > bestCount ||
        (c === bestCount && best !== null && (l < best[0] || (l === best[0] && r < best[1])));
      if (better) [best, bestCount] = [[l, r], c];
    }
    if (best === null || bestCount < minFrequency) break;
    merges.push(best);
    for (const w of words) w.syms = mergePair(w.syms, best[0], best[1], 255 + merges.length);
  }
  return { merges, words: words.map((w) => w.syms) };
}

Deno.test("trainMerges() counts overlapping pairs, breaks ties by smaller ids and stops at minFrequency", () => {
  // "aaa" ×1 has (a, a) twice; "ab" ×2 has (a, b) twice: the tie goes to (97, 97). Then
  // "aaa" = [256, 97]: (a, b) 2 beats (256, a) 1, which only minFrequency 1 takes.
  const counts = new Map([["aaa", 1], ["ab", 2]]);
  assert.deepEqual(trainMerges(counts, 10, 2), [[97, 97], [97, 98]]);
  assert.deepEqual(trainMerges(counts, 10, 1), [[97, 97], [97, 98], [256, 97]]);
  assert.deepEqual(trainMerges(counts, 1, 1), [[97, 97]]);
});

Deno.test("trainMerges() equals the naive reference and applyMerges() reproduces its segmentation", () => {
  const rng = mulberry32(11);
  for (let trial = 0; trial < 20; trial++) {
    const counts = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      const len = 1 + Math.floor(rng() * 8);
      const chunk = Array.from({ length: len }, () => "abc"[Math.floor(rng() * 3)]).join("");
      counts.set(chunk, 1 + Math.floor(rng() * 5));
    }
    const want = referenceMerges(counts, 15, 2);
    const merges = trainMerges(counts, 15, 2);
    assert.deepEqual(merges, want.merges, `trial ${trial}`);
    const ranks = new Map(merges.map(([l, r], i) => [pairKey(l, r), i]));
    [...counts.keys()].forEach((chunk, w) => {
      const bytes = Array.from(chunk, (c) => c.charCodeAt(0));
      assert.deepEqual(applyMerges(bytes, ranks), want.words[w], chunk);
    });
  }
});

Deno.test("mergePair() merges non-overlapping occurrences left to right", () => {
  assert.deepEqual(mergePair([1, 1, 1, 1, 1], 1, 1, 9), [9, 9, 1]);
  assert.deepEqual(mergePair([1, 2, 3, 1, 2], 1, 2, 7), [7, 3, 7]);
  assert.deepEqual(mergePair([2, 1], 1, 2, 7), [2, 1]);
});

Deno.test("pairKey() orders pairs as (left, right) tuples; isDigitChunk() takes one decimal digit", () => {
  const pairs: [number, number][] = [[0, 5], [1, 0], [1, 300], [300, 2], [2000, 0]];
  const keys = pairs.map(([l, r]) => pairKey(l, r));
  assert.deepEqual([...keys].sort((a, b) => a - b), keys);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(["7", "٣", "77", "a", " 7", ""].map(isDigitChunk), [
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});

Deno.test("pretokenize() chunks concatenate back to the text", () => {
  const rng = mulberry32(3);
  for (let i = 0; i < 300; i++) {
    const s = randomUnicode(rng, 30);
    assert.equal(pretokenize(s).join(""), s);
  }
  assert.deepEqual(pretokenize("So 347 + 85 = 432.\nTom"), [
    "So",
    " ",
    "3",
    "4",
    "7",
    " + ",
    "8",
    "5",
    " = ",
    "4",
    "3",
    "2",
    ".\n",
    "Tom",
  ]);
});
