/**
 * `lib/data/hf_tokenizer.ts`: the tokenizer against transformers' encodings and chat template
 * (tests/fixtures/hf/qwen2/expected.json), and one-line errors for what a tokenizer lacks.
 */
import assert from "node:assert/strict";
import { bytesToUnicode, codecFromJson, HfTokenizer } from "../../lib/data/hf_tokenizer.ts";
import { Tokenizer } from "../../lib/data/tokenizer.ts";

const FIXTURES = new URL("../fixtures/hf/", import.meta.url).pathname;

interface TokenizerExpected {
  chat: { messages: { role: string; content: string }[]; rendered: string };
  encodings: { text: string; ids: number[] }[];
}

Deno.test("HfTokenizer encodes, decodes and renders chats as transformers does", async () => {
  const want: TokenizerExpected = JSON.parse(
    await Deno.readTextFile(`${FIXTURES}qwen2/expected.json`),
  );
  const tok = await HfTokenizer.load(`${FIXTURES}qwen2`);
  for (const { text, ids } of want.encodings) {
    assert.deepEqual(tok.encode(text), ids, text);
    assert.equal(tok.decode(ids), text);
    assert.equal(new TextDecoder().decode(tok.decodeBytes(ids)), text);
  }
  assert.equal(tok.applyChatTemplate(want.chat.messages), want.chat.rendered);
  assert.deepEqual(
    ["eot", "pad", "thinkOpen", "thinkClose"].map((n) => tok.specialId(n as "eot")),
    [0, 1, 2, 3],
  );
  // A character cut in two: the bytes are exact, the text shows U+FFFD.
  const emoji = tok.encode("🙂");
  const first = tok.decodeBytes([emoji[0]]);
  assert.ok(first.length < 4 && first[0] === 0xf0);
});

Deno.test("HfTokenizer without a chat template or <think> says so in one line", async () => {
  const tok = await HfTokenizer.load(`${FIXTURES}llama`);
  assert.throws(() => tok.applyChatTemplate([]), /tokenizer_config.json has no chat_template/);
  const json = JSON.parse(await Deno.readTextFile(`${FIXTURES}llama/tokenizer.json`));
  json.added_tokens = json.added_tokens.filter((t: { content: string }) => t.content !== "<think>");
  delete json.model.vocab["<think>"];
  const bare = HfTokenizer.fromJSON(json, {}, "x/tokenizer.json");
  assert.throws(() => bare.specialId("thinkOpen"), /x\/tokenizer.json: no "<think>" token/);
});

Deno.test("bytesToUnicode() is GPT-2's table: printable bytes as themselves, the others from U+0100 on", () => {
  const table = bytesToUnicode();
  assert.equal(table.length, 256);
  assert.equal(new Set(table).size, 256);
  assert.equal(table[65], "A");
  assert.equal(table[0], "\u0100");
  assert.equal(table[32], "\u0120", "space is Ġ");
  assert.equal(table[10], "\u010a", "newline is Ċ");
  assert.equal(table[173], "\u0143", "the soft hyphen is the last remapped byte (68 in all)");
  assert.equal(table[255], "ÿ");
});

Deno.test("codecFromJson() reads ours, a transformers tokenizer.json or the HF form we store", async () => {
  const ours = Tokenizer.train(["the theme of these three"], { vocabSize: 270 });
  const a = codecFromJson(ours.toJSON());
  assert.ok(a instanceof Tokenizer);
  assert.deepEqual(a.encode("these themes"), ours.encode("these themes"));
  const hf = await HfTokenizer.load(`${FIXTURES}qwen2`);
  const stored = codecFromJson(JSON.parse(JSON.stringify(hf)));
  assert.ok(stored instanceof HfTokenizer);
  assert.deepEqual(stored.encode("The quick brown"), hf.encode("The quick brown"));
  const raw = JSON.parse(await Deno.readTextFile(`${FIXTURES}qwen2/tokenizer.json`));
  const plain = codecFromJson(raw);
  assert.deepEqual(plain.encode("The quick brown"), hf.encode("The quick brown"));
  assert.throws(() => codecFromJson({ kind: "nope" }, "x/tokenizer.json"), /x\/tokenizer\.json/);
});
