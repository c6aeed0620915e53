import assert from "node:assert/strict";
import { buildPretrainCorpus, PRETRAIN_DATA_DEFAULTS } from "../../../lib/apps/pretrain/data.ts";
import { loadDocuments, textPieces } from "../../../lib/apps/pretrain/documents.ts";
import { PROMPT_DEFAULTS } from "../../../lib/rmt/prompt.ts";

const DATA = { ...PRETRAIN_DATA_DEFAULTS, trainDocs: 40, heldOutDocs: 8, vocabSize: 320 };
const PROMPT = { ...PROMPT_DEFAULTS, maxContextTokens: 48 };

Deno.test("loadDocuments() splits a .jsonl source into training and held-out documents", () => {
  const file = Deno.makeTempFileSync({ suffix: ".jsonl" });
  const lines = Array.from(
    { length: 30 },
    (_, i) => JSON.stringify({ text: `Document ${i}: the cat sat on mat number ${i}.` }),
  );
  Deno.writeTextFileSync(file, lines.join("\n"));
  const cfg = { ...DATA, source: file, trainDocs: 0, heldOutDocs: 5 };
  const docs = loadDocuments(cfg);
  assert.equal(docs.heldOut.length, 5);
  assert.equal(docs.train.length, 25);
  const corpus = buildPretrainCorpus(cfg, PROMPT);
  assert.equal(corpus.train.demos, 25);
  Deno.removeSync(file);
});

Deno.test("loadDocuments() splits a file document longer than maxDocChars into pieces, none cut short", () => {
  const file = Deno.makeTempFileSync({ suffix: ".jsonl" });
  const long = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" "); // 409 characters
  const lines = [long, ...Array.from({ length: 12 }, (_, i) => `Short document ${i}.`)];
  Deno.writeTextFileSync(file, lines.map((text) => JSON.stringify({ text })).join("\n"));
  const cfg = { ...DATA, source: file, trainDocs: 0, heldOutDocs: 2, maxDocChars: 100 };
  const docs = loadDocuments(cfg);
  assert.equal(docs.split, 1);
  const texts = [...docs.train, ...docs.heldOut].map((d) => d.text);
  assert.ok(texts.every((t) => t.length <= 100));
  const pieces = textPieces(long, 100);
  assert.ok(pieces.length >= 5, `${pieces.length} pieces`);
  assert.equal(pieces.join(""), long);
  assert.ok(pieces.every((p) => texts.includes(p)));
  Deno.removeSync(file);
});

Deno.test("loadDocuments() draws reasoning documents that fit maxDocChars, apart per seed", () => {
  const cfg = { ...DATA, source: "reasoning", maxDocChars: 120 };
  const docs = loadDocuments(cfg);
  assert.equal(docs.train.length, 40);
  assert.equal(docs.heldOut.length, 8);
  for (const d of [...docs.train, ...docs.heldOut]) {
    assert.ok(d.text.length <= 120, d.text);
    assert.ok(d.facts.length > 0 && d.drawn!.length > 0);
  }
  const train = new Set(docs.train.map((d) => d.text));
  assert.ok(docs.heldOut.every((d) => !train.has(d.text)));
  assert.deepEqual(loadDocuments(cfg), docs);
});

Deno.test("loadDocuments() draws reasoning documents of the chosen families and operand lengths only, and the defaults when a record has neither field", () => {
  const { reasoningKinds: _k, operandDigits: _d, ...data } = DATA;
  const base = { ...data, source: "reasoning", maxDocChars: 160, trainDocs: 60, heldOutDocs: 20 };
  const chosen = loadDocuments({
    ...base,
    reasoningKinds: ["arithmetic", "story"],
    operandDigits: [6],
  });
  for (const d of [...chosen.train, ...chosen.heldOut]) {
    assert.ok(d.kinds.every((k) => k === "arithmetic" || k === "story"), d.kinds.join());
    assert.equal(d.difficulty, 6);
  }
  const old = loadDocuments(base); // a record written before the two fields existed
  const defaults = loadDocuments({
    ...base,
    reasoningKinds: ["arithmetic", "chain", "sequence", "story"],
    operandDigits: [2, 3, 4, 5],
  });
  assert.deepEqual(old, defaults);
  assert.ok(old.train.some((d) => d.kinds.includes("sequence")));
});
