import assert from "node:assert/strict";
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { Tokenizer } from "../../lib/data/tokenizer.ts";
import { parseTokenizerJSON, readTokenizerFile } from "../../lib/data/tokenizer_json.ts";

const trained = Tokenizer.train(generateMathDocuments(300, 11).map((d) => d.text), {
  vocabSize: 420,
});

Deno.test("Tokenizer.fromJSON() rejects malformed input with a one-line error", () => {
  const good = trained.toJSON();
  const cases: [unknown, RegExp][] = [
    [null, /\(root\): expected an object/],
    [[1, 2], /\(root\): expected an object/],
    ["tok", /\(root\): expected an object/],
    [{ ...good, format: "gpt2" }, /format: expected "rmt-bpe"/],
    [{ ...good, version: 2 }, /version: expected 1/],
    [{ ...good, merges: "x" }, /merges: expected an array/],
    [{ ...good, merges: [[97]] }, /merges\[0\]: expected a pair/],
    [
      { ...good, merges: [[97, 98], [97, 300]] },
      /merges\[1\]: expected a pair of token ids below 257/,
    ],
    [{ ...good, merges: [[97, 1.5]] }, /merges\[0\]/],
    [{ ...good, merges: [[97, 98], [97, 98]] }, /merges\[1\]: expected a pair not merged before/],
    [{ ...good, merges: [[49, 50]] }, /merges\[0\]: expected a merge without ASCII digits/],
    [{ ...good, specialTokens: ["<|pad|>"] }, /specialTokens: expected/],
    [{ ...good, extra: 1 }, /extra: expected no such field/],
    [
      { format: "rmt-bpe", version: 1, specialTokens: good.specialTokens },
      /merges: expected an array/,
    ],
  ];
  for (const [json, pattern] of cases) {
    assert.throws(() => Tokenizer.fromJSON(json, "my/tok.json"), (err: Error) => {
      assert.match(err.message, /^my\/tok\.json: invalid tokenizer: /);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes("\n"), `multi-line error: ${err.message}`);
      return true;
    });
  }
});

Deno.test("parseTokenizerJSON() returns the merges of a valid file", () => {
  const json = JSON.parse(JSON.stringify(trained.toJSON()));
  assert.deepEqual(parseTokenizerJSON(json, "t.json", json.specialTokens), json.merges);
  assert.throws(
    () => parseTokenizerJSON(json, "t.json", ["<x>"]),
    /^Error: t\.json: invalid tokenizer: specialTokens: expected \["<x>"\]/,
  );
});

Deno.test("readTokenizerFile() names the file when it is missing or not JSON", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.throws(() => readTokenizerFile(`${dir}/none.json`), /none\.json: cannot read/);
    Deno.writeTextFileSync(`${dir}/bad.json`, "{");
    assert.throws(
      () => readTokenizerFile(`${dir}/bad.json`),
      /bad\.json: malformed tokenizer JSON/,
    );
    Deno.writeTextFileSync(`${dir}/ok.json`, '{"a": 1}');
    assert.deepEqual(readTokenizerFile(`${dir}/ok.json`), { a: 1 });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
