/**
 * Byte-pair-encoding internals shared by the tokenizer: pre-tokenization into chunks, BPE
 * training over chunk counts (with an incremental pair index and a lazy max-heap), and
 * merge application to one chunk.
 *
 * @module
 */

/**
 * Pre-tokenization pattern. Alternatives, tried in order at each position:
 * 1. a run of letters (with the combining marks that follow them), with an optional leading
 *    space: ` cat`, `Tom`, `é`;
 * 2. a single decimal digit (`\p{Nd}`): digits are never merged with anything;
 * 3. a run of anything else: punctuation, newlines, symbols, emoji, lone combining marks, and
 *    spaces that are not followed by a letter (`" = "`, `".\n"`).
 * Together they cover every code point, so the chunks concatenate back to the text.
 */
const CHUNK_RE = / ?\p{L}[\p{L}\p{M}]*|\p{Nd}|(?: (?!\p{L})|[^ \p{L}\p{Nd}])+/gu;
const DIGIT_RE = /^\p{Nd}$/u;

/**
 * Splits `text` into pre-tokenization chunks (merges never cross a chunk boundary).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pretokenize } from "./_bpe.ts";
 * assert.deepEqual(pretokenize("Tom has 12 apples."), ["Tom", " has", " ", "1", "2", " apples", "."]);
 * ```
 */
export function pretokenize(text: string): string[] {
  return text.match(CHUNK_RE) ?? [];
}

/**
 * True when a chunk is a single decimal digit (encoded as raw bytes, never merged).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDigitChunk } from "./_bpe.ts";
 * assert.equal(isDigitChunk("7"), true);
 * assert.equal(isDigitChunk("77"), false);
 * ```
 */
export function isDigitChunk(chunk: string): boolean {
  return DIGIT_RE.test(chunk);
}

/** Number of bits reserved for the right id inside a pair key (ids stay below 2^20). */
const PAIR_SHIFT = 1 << 20;

/**
 * Encodes a pair of token ids as one number; keys order like `(left, right)` tuples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairKey } from "./_bpe.ts";
 * assert.ok(pairKey(1, 900) < pairKey(2, 0));
 * ```
 */
export function pairKey(left: number, right: number): number {
  return left * PAIR_SHIFT + right;
}

/** A max-heap of (count, key) entries: larger count first, then smaller key (deterministic). */
class PairHeap {
  #counts: number[] = [];
  #keys: number[] = [];

  get size(): number {
    return this.#keys.length;
  }

  #before(i: number, j: number): boolean {
    const ci = this.#counts[i], cj = this.#counts[j];
    return ci > cj || (ci === cj && this.#keys[i] < this.#keys[j]);
  }

  #swap(i: number, j: number): void {
    [this.#counts[i], this.#counts[j]] = [this.#counts[j], this.#counts[i]];
    [this.#keys[i], this.#keys[j]] = [this.#keys[j], this.#keys[i]];
  }

  push(count: number, key: number): void {
    this.#counts.push(count);
    this.#keys.push(key);
    let i = this.#keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): [count: number, key: number] {
    const top: [number, number] = [this.#counts[0], this.#keys[0]];
    const last = this.#keys.length - 1;
    this.#swap(0, last);
    this.#counts.pop();
    this.#keys.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let best = i;
      if (l < last && this.#before(l, best)) best = l;
      if (r < last && this.#before(r, best)) best = r;
      if (best === i) break;
      this.#swap(i, best);
      i = best;
    }
    return top;
  }
}

/**
 * Learns BPE merges from chunk frequencies. Standard algorithm: repeatedly merge the most
 * frequent adjacent pair (frequency = sum over chunks of chunk count × occurrences of the pair
 * in the chunk, as in GPT-2); ties go to the pair with the smaller `(left, right)` ids.
 * Stops after `maxMerges` merges or when no pair occurs `minFrequency` times.
 *
 * @param chunkCounts Map from a chunk's bytes (as a latin1 string, one char per byte) to its count.
 * @returns The merges in order; merge `i` creates token id `256 + i`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainMerges } from "./_bpe.ts";
 * const merges = trainMerges(new Map([["abab", 3], ["ab", 1]]), 2, 2);
 * assert.deepEqual(merges, [[97, 98], [256, 256]]);
 * ```
 */
export function trainMerges(
  chunkCounts: Map<string, number>,
  maxMerges: number,
  minFrequency: number,
): [number, number][] {
  // Sort the chunks so that the result does not depend on the map's insertion order.
  const entries = [...chunkCounts.entries()].sort((
    a,
    b,
  ) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const words: number[][] = entries.map(([s]) => Array.from(s, (c) => c.charCodeAt(0)));
  const freq: number[] = entries.map(([, n]) => n);
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();

  const addPairs = (w: number, sign: 1 | -1, touched: Set<number>) => {
    const syms = words[w];
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = pairKey(syms[i], syms[i + 1]);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * freq[w]);
      touched.add(key);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, set = new Set());
        set.add(w);
      }
    }
  };

  const heap = new PairHeap();
  const initial = new Set<number>();
  for (let w = 0; w < words.length; w++) addPairs(w, 1, initial);
  for (const key of initial) heap.push(pairCounts.get(key)!, key);

  const merges: [number, number][] = [];
  while (merges.length < maxMerges && heap.size > 0) {
    const [count, key] = heap.pop();
    if (pairCounts.get(key) !== count) continue; // stale heap entry
    if (count < minFrequency || count <= 0) break;
    const left = Math.floor(key / PAIR_SHIFT), right = key % PAIR_SHIFT;
    const newId = 256 + merges.length;
    merges.push([left, right]);
    const touched = new Set<number>();
    for (const w of [...pairWords.get(key)!].sort((a, b) => a - b)) {
      if (!containsPair(words[w], left, right)) continue;
      addPairs(w, -1, touched);
      words[w] = mergePair(words[w], left, right, newId);
      addPairs(w, 1, touched);
    }
    pairCounts.delete(key);
    pairWords.delete(key);
    touched.delete(key);
    for (const k of touched) {
      const c = pairCounts.get(k)!;
      if (c > 0) heap.push(c, k);
      else pairCounts.delete(k);
    }
  }
  return merges;
}

function containsPair(syms: number[], left: number, right: number): boolean {
  for (let i = 0; i + 1 < syms.length; i++) {
    if (syms[i] === left && syms[i + 1] === right) return true;
  }
  return false;
}

/**
 * Replaces every non-overlapping occurrence (left to right) of `left right` by `merged`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergePair } from "./_bpe.ts";
 * assert.deepEqual(mergePair([1, 1, 1, 2], 1, 1, 9), [9, 1, 2]);
 * ```
 */
export function mergePair(syms: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < syms.length; i++) {
    if (i + 1 < syms.length && syms[i] === left && syms[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(syms[i]);
    }
  }
  return out;
}

/**
 * Applies merges to one chunk's bytes in rank order (the lowest-ranked pair present is merged
 * everywhere, then the next), which reproduces the segmentation training produced.
 *
 * @param ranks Map from {@linkcode pairKey} to merge index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyMerges, pairKey } from "./_bpe.ts";
 * const ranks = new Map([[pairKey(97, 98), 0], [pairKey(256, 256), 1]]);
 * assert.deepEqual(applyMerges([97, 98, 97, 98, 97], ranks), [257, 97]);
 * ```
 */
export function applyMerges(bytes: number[], ranks: Map<number, number>): number[] {
  let syms = bytes;
  while (syms.length > 1) {
    let bestRank = Infinity, bestLeft = -1, bestRight = -1;
    for (let i = 0; i + 1 < syms.length; i++) {
      const rank = ranks.get(pairKey(syms[i], syms[i + 1]));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        bestLeft = syms[i];
        bestRight = syms[i + 1];
      }
    }
    if (bestRank === Infinity) break;
    syms = mergePair(syms, bestLeft, bestRight, 256 + bestRank);
  }
  return syms;
}
