/**
 * Our BPE as a Hugging Face `tokenizer.json` (`lib/apps/export/bpe_json.ts`): the exported file,
 * read by our transformers-compatible reader, encodes every text to our ids; the chunk pattern is
 * the one our pre-tokenizer uses; the GPT-2 byte spelling and the special tokens' flags.
 */
import assert from "node:assert/strict";
import { bpeToHf, CHUNK_PATTERN } from "../../../lib/apps/export/bpe_json.ts";
import { pretokenize, SPECIAL_TOKENS, Tokenizer } from "../../../lib/data/tokenizer.ts";
import { HfTokenizer } from "../../../lib/data/hf_tokenizer.ts";
import { generateMathDocuments } from "../../../lib/data/corpus_math.ts";
import { mulberry32 } from "../../../lib/util/rng.ts";
import { randomUnicode } from "../../data/_unicode.ts";

const docs = generateMathDocuments(60, 5).map((d) => d.text);
const ours = Tokenizer.train(docs, { vocabSize: 400 });

Deno.test("bpeToHf() gives a tokenizer.json that encodes and decodes every text as ours does", () => {
  const { tokenizer, config } = bpeToHf(ours);
  const theirs = HfTokenizer.fromJSON(tokenizer, config);
  const rng = mulberry32(5);
  const texts = [
    ...docs.slice(0, 10),
    `${SPECIAL_TOKENS.thinkOpen} 12 + 30 ${SPECIAL_TOKENS.thinkClose}${SPECIAL_TOKENS.eot}`,
    ...Array.from({ length: 50 }, () => randomUnicode(rng, 40)),
  ];
  for (const text of texts) {
    const ids = ours.encode(text);
    assert.deepEqual(theirs.encode(text), ids, JSON.stringify(text));
    assert.deepEqual(theirs.decodeBytes(ids), ours.decodeBytes(ids));
  }
});

Deno.test("CHUNK_PATTERN splits text into the chunks of pretokenize()", () => {
  const re = new RegExp(CHUNK_PATTERN, "gu");
  const rng = mulberry32(9);
  for (let i = 0; i < 200; i++) {
    const s = randomUnicode(rng, 30);
    assert.deepEqual(s.match(re) ?? [], pretokenize(s));
  }
});

Deno.test("bpeToHf() spells tokens with GPT-2's byte table and marks only pad and eot special", () => {
  const { tokenizer } = bpeToHf(ours) as {
    tokenizer: {
      model: { vocab: Record<string, number>; merges: [string, string][] };
      added_tokens: { id: number; content: string; special: boolean }[];
    };
  };
  const { vocab, merges } = tokenizer.model;
  assert.equal(vocab["Ġ"], 32, "space is byte 32, spelled Ġ (U+0120)");
  assert.equal(vocab["a"], 97);
  assert.equal(vocab["Ċ"], 10, "newline");
  assert.equal(merges.length, ours.toJSON().merges.length);
  merges.forEach(([a, b], i) => assert.equal(vocab[a + b], 256 + i, `merge ${i}: ${a} ${b}`));
  const base = 256 + merges.length;
  assert.deepEqual(
    tokenizer.added_tokens.map((t) => [t.id - base, t.content, t.special]),
    ours.toJSON().specialTokens.map((c, i) => [
      i,
      c,
      c === SPECIAL_TOKENS.pad || c === SPECIAL_TOKENS.eot,
    ]),
  );
  assert.ok(tokenizer.added_tokens.some((t) => t.content === "<think>" && !t.special));
});
