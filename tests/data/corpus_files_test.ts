import assert from "node:assert/strict";
import { parseTxt, readCorpusFile } from "../../lib/data/corpus_files.ts";

function withDir(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync();
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("readCorpusFile() splits .txt documents at blank lines", () => {
  withDir((dir) => {
    Deno.writeTextFileSync(`${dir}/c.txt`, "\n\nDoc one,\nsecond line.\n\n  \n\nDoc two.\n\n\n");
    assert.deepEqual(readCorpusFile(`${dir}/c.txt`), ["Doc one,\nsecond line.", "Doc two."]);
  });
});

Deno.test("readCorpusFile() splits .txt documents at --- lines when present", () => {
  withDir((dir) => {
    const text =
      "Title\n\nParagraph one.\n\nParagraph two.\n---\nSecond doc.\n  ---  \n\n---\nThird.";
    Deno.writeTextFileSync(`${dir}/c.txt`, text);
    assert.deepEqual(readCorpusFile(`${dir}/c.txt`), [
      "Title\n\nParagraph one.\n\nParagraph two.",
      "Second doc.",
      "Third.",
    ]);
  });
});

Deno.test("parseTxt() normalizes CRLF and a BOM, keeps inner spacing", () => {
  assert.deepEqual(parseTxt("\uFEFFa  b\r\n\r\nc\r\n"), ["a  b", "c"]);
  assert.deepEqual(parseTxt("x --- y"), ["x --- y"]); // not a separator line
});

Deno.test("readCorpusFile() reads .jsonl documents verbatim", () => {
  withDir((dir) => {
    const lines = [
      JSON.stringify({ text: "one\n\ntwo", source: "a" }),
      "",
      JSON.stringify({ text: "  spaced  " }),
      JSON.stringify({ text: "héllo 👋" }) + "\r",
    ];
    Deno.writeTextFileSync(`${dir}/c.jsonl`, lines.join("\n") + "\n");
    assert.deepEqual(readCorpusFile(`${dir}/c.jsonl`), ["one\n\ntwo", "  spaced  ", "héllo 👋"]);
  });
});

Deno.test("readCorpusFile() JSONL errors name the file and the line", () => {
  withDir((dir) => {
    const good = JSON.stringify({ text: "ok" });
    const path = `${dir}/corpus.jsonl`;
    const cases: [string, RegExp][] = [
      [
        [...Array(16).fill(good), JSON.stringify({ txt: "x" })].join("\n"),
        /corpus\.jsonl:17: expected an object with a string field "text"$/,
      ],
      [
        [good, JSON.stringify({ text: 5 })].join("\n"),
        /corpus\.jsonl:2: expected an object with a string field "text"/,
      ],
      [[good, "", '"just a string"'].join("\n"), /corpus\.jsonl:3: expected an object/],
      [[good, "[1, 2]"].join("\n"), /corpus\.jsonl:2: expected an object/],
      [[good, "null"].join("\n"), /corpus\.jsonl:2: expected an object/],
      [[good, '{"text": "unterminated'].join("\n"), /corpus\.jsonl:2: invalid JSON \(/],
    ];
    for (const [content, pattern] of cases) {
      Deno.writeTextFileSync(path, content);
      assert.throws(() => readCorpusFile(path), (err: Error) => {
        assert.match(err.message, pattern);
        assert.ok(err.message.startsWith(path));
        assert.ok(!err.message.includes("\n"));
        return true;
      });
    }
  });
});

Deno.test("readCorpusFile() rejects empty, missing and unsupported files clearly", () => {
  withDir((dir) => {
    for (
      const [name, content] of [["e.txt", ""], ["w.txt", "\n \n\t\n"], ["e.jsonl", ""], [
        "b.jsonl",
        "\n\n",
      ], ["s.txt", "---\n---\n"]]
    ) {
      Deno.writeTextFileSync(`${dir}/${name}`, content);
      assert.throws(
        () => readCorpusFile(`${dir}/${name}`),
        new RegExp(`${name}: empty corpus file`),
      );
    }
    assert.throws(
      () => readCorpusFile(`${dir}/missing.txt`),
      /missing\.txt: cannot read corpus file/,
    );
    Deno.writeTextFileSync(`${dir}/c.csv`, "a,b");
    assert.throws(
      () => readCorpusFile(`${dir}/c.csv`),
      /c\.csv: unsupported corpus file extension/,
    );
  });
});
