import assert from "node:assert/strict";
import { pretokenize, SPECIAL_TOKENS, Tokenizer } from "../../lib/data/tokenizer.ts";
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import { randomUnicode } from "./_unicode.ts";

const mathTexts = generateMathDocuments(300, 11).map((d) => d.text);
const trained = Tokenizer.train(mathTexts, { vocabSize: 420 });
const byteLevel = Tokenizer.train(mathTexts, { vocabSize: 260 });
const decoder = new TextDecoder("utf-8", { fatal: true });

Deno.test("Tokenizer.decode() round-trips random Unicode text at byte level", () => {
  const rng = mulberry32(1);
  assert.equal(byteLevel.vocabSize, 260);
  for (let i = 0; i < 300; i++) {
    const s = randomUnicode(rng, 1 + Math.floor(rng() * 40));
    assert.equal(byteLevel.decode(byteLevel.encode(s)), s);
  }
});

Deno.test("Tokenizer.decode() round-trips random Unicode text with trained BPE", () => {
  const rng = mulberry32(2);
  // Train on Unicode-rich text too, so merges inside multi-byte characters exist.
  const texts = Array.from({ length: 200 }, () => randomUnicode(rng, 30));
  const tok = Tokenizer.train([...texts, ...mathTexts], { vocabSize: 600 });
  assert.ok(tok.vocabSize > 400);
  for (const t of [tok, trained]) {
    for (let i = 0; i < 300; i++) {
      const s = randomUnicode(rng, 1 + Math.floor(rng() * 40));
      assert.equal(t.decode(t.encode(s)), s);
    }
  }
  assert.equal(tok.decode(tok.encode("")), "");
  assert.equal(tok.decode(tok.encode("\uFEFFleading BOM")), "\uFEFFleading BOM");
});

Deno.test("Tokenizer.decode() maps invalid UTF-8 byte sequences to U+FFFD", () => {
  assert.equal(byteLevel.decode([0xff]), "\uFFFD");
  assert.equal(byteLevel.decode([0x61, 0xe6, 0x97]), "a\uFFFD"); // truncated 日
  assert.equal(byteLevel.decode([0x80, 0x62]), "\uFFFDb");
  assert.throws(() => byteLevel.decode([260]), /token id 260 out of range 0\.\.259/);
  assert.throws(() => byteLevel.decode([-1]), RangeError);
});

Deno.test("Tokenizer.train() is deterministic and independent of document order", () => {
  const a = Tokenizer.train(mathTexts, { vocabSize: 420 });
  const b = Tokenizer.train([...mathTexts].reverse(), { vocabSize: 420 });
  assert.deepEqual(a.toJSON(), trained.toJSON());
  assert.deepEqual(b.toJSON(), trained.toJSON());
  assert.equal(trained.vocabSize, 420);
});

Deno.test("Tokenizer.train() learns frequent words and stops at minFrequency", () => {
  const tok = Tokenizer.train(["apples apples apples"], { vocabSize: 1000 });
  assert.ok(tok.vocabSize < 1000); // ran out of pairs occurring twice
  assert.deepEqual(tok.encode(" apples").length, 1);
  assert.equal(tok.decode(tok.encode(" apples")), " apples");
  assert.throws(
    () => Tokenizer.train([], { vocabSize: 259 }),
    /vocabSize must be an integer >= 260/,
  );
  assert.throws(() => Tokenizer.train([], { vocabSize: 300.5 }), RangeError);
});

Deno.test("Tokenizer merges never cross pre-tokenization chunk boundaries", () => {
  for (let id = 256; id < trained.vocabSize - 4; id++) {
    let s: string;
    try {
      s = decoder.decode(trained.tokenBytes(id));
    } catch {
      continue; // a token holding part of a multi-byte character
    }
    assert.equal(pretokenize(s).length, 1, `token ${id} ${JSON.stringify(s)} spans chunks`);
  }
});

Deno.test("Tokenizer never merges digits", () => {
  const digitHeavy = ["12 12 12 1212 2020 99 99 x1 1x a1b2", ...mathTexts];
  const tok = Tokenizer.train(digitHeavy, { vocabSize: 500 });
  for (let id = 0; id < tok.vocabSize - 4; id++) {
    const bytes = tok.tokenBytes(id);
    const hasDigit = bytes.some((b) => b >= 0x30 && b <= 0x39);
    if (hasDigit) assert.equal(bytes.length, 1, `token ${id} merges a digit`);
  }
  assert.deepEqual(tok.encode("1212"), [49, 50, 49, 50]);
  const ids = tok.encode(" 347 apples");
  assert.deepEqual(ids.slice(1, 4), [51, 52, 55]);
  // Non-ASCII digits are single chunks, kept as raw bytes.
  assert.deepEqual(tok.encode("٣"), [0xd9, 0xa3]);
});

Deno.test("Tokenizer special tokens encode to single ids and decode back", () => {
  for (const tok of [byteLevel, trained]) {
    const base = tok.vocabSize - 4;
    assert.equal(tok.specialId("pad"), base);
    assert.equal(tok.specialId("eot"), base + 1);
    assert.equal(tok.specialId("thinkOpen"), base + 2);
    assert.equal(tok.specialId("thinkClose"), base + 3);
    const text = `x<think>a</think>\\boxed{ b}<|endoftext|><|pad|>`;
    const ids = tok.encode(text);
    assert.ok(ids.includes(tok.specialId("thinkOpen")));
    assert.ok(ids.includes(tok.specialId("thinkClose")));
    assert.equal(ids.at(-2), tok.specialId("eot"));
    assert.equal(ids.at(-1), tok.specialId("pad"));
    assert.equal(tok.decode(ids), text);
    for (const [name, s] of Object.entries(SPECIAL_TOKENS)) {
      const id = tok.specialId(name as keyof typeof SPECIAL_TOKENS);
      assert.deepEqual(tok.encode(s), [id]);
      assert.equal(decoder.decode(tok.tokenBytes(id)), s);
    }
    // A near-miss is ordinary text.
    assert.ok(!tok.encode("<think").includes(tok.specialId("thinkOpen")));
  }
});

Deno.test("Tokenizer specials inside training text are not learnt as merges", () => {
  const tok = Tokenizer.train(Array(50).fill("<think>hi</think><|endoftext|>"), { vocabSize: 300 });
  for (let id = 256; id < tok.vocabSize - 4; id++) {
    const s = new TextDecoder().decode(tok.tokenBytes(id));
    assert.ok(!s.includes("<") && !s.includes(">"), `merge ${JSON.stringify(s)} from a special`);
  }
});

Deno.test("Tokenizer.fromJSON() round-trips toJSON()", () => {
  const json = JSON.parse(JSON.stringify(trained.toJSON()));
  const back = Tokenizer.fromJSON(json);
  assert.equal(back.vocabSize, trained.vocabSize);
  const s = mathTexts.slice(0, 20).join("\n");
  assert.deepEqual(back.encode(s), trained.encode(s));
});

Deno.test("Tokenizer.save() and load() round-trip; load() errors name the file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/tok.json`;
    trained.save(path);
    const back = Tokenizer.load(path);
    assert.deepEqual(back.toJSON(), trained.toJSON());
    assert.throws(
      () => Tokenizer.load(`${dir}/missing.json`),
      /missing\.json: cannot read tokenizer file/,
    );
    Deno.writeTextFileSync(`${dir}/bad.json`, "{not json");
    assert.throws(() => Tokenizer.load(`${dir}/bad.json`), /bad\.json: malformed tokenizer JSON/);
    Deno.writeTextFileSync(
      `${dir}/wrong.json`,
      JSON.stringify({ ...trained.toJSON(), version: 9 }),
    );
    assert.throws(
      () => Tokenizer.load(`${dir}/wrong.json`),
      /wrong\.json: invalid tokenizer: version/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("Tokenizer.encode() round-trips ~5 MB of math text through a cold cache", () => {
  const docs = generateMathDocuments(30000, 5).map((d) => d.text);
  const text = docs.join("\n\n");
  const tok = Tokenizer.fromJSON(trained.toJSON()); // cold cache
  const ids = tok.encode(text);
  assert.ok(ids.length < text.length, `${ids.length} tokens for ${text.length} characters`);
  assert.equal(tok.decode(ids), text);
});
