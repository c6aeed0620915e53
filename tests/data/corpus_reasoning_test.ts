import assert from "node:assert/strict";
import { evalExpr } from "../../lib/data/arith.ts";
import { generateReasoningDocuments, REASONING_KINDS } from "../../lib/data/corpus_reasoning.ts";
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { canDerive } from "../../lib/data/scratchpad.ts";
import { falseStatements } from "./_arith.ts";

const docs = generateReasoningDocuments(1000, 7);

Deno.test("generateReasoningDocuments() is deterministic per seed and differs across seeds", () => {
  assert.deepEqual(generateReasoningDocuments(1000, 7), docs);
  assert.deepEqual(generateReasoningDocuments(10, 7), docs.slice(0, 10));
  const texts = new Set(docs.map((d) => d.text));
  const shared = generateReasoningDocuments(300, 8).filter((d) => texts.has(d.text)).length;
  assert.ok(shared < 5, `${shared} shared documents`);
  const math = new Set(generateMathDocuments(300, 7).map((d) => d.text));
  assert.ok(docs.every((d) => !math.has(d.text)));
});

Deno.test("generateReasoningDocuments() states every result directly, and rightly", () => {
  for (const doc of docs) {
    assert.deepEqual(falseStatements(doc.text), [], doc.text);
    let prevEnd = 0;
    for (const f of doc.facts) {
      assert.ok(f.start >= prevEnd);
      prevEnd = f.end;
      assert.equal(doc.text.slice(f.start, f.end), String(f.value));
      assert.equal(evalExpr(f.expr), f.value);
      assert.ok(!/\d/.test(doc.text[f.start - 1] ?? "") && !/\d/.test(doc.text[f.end] ?? ""));
      assert.equal(f.worked, false);
      assert.ok(canDerive(f.expr), JSON.stringify(f.expr));
    }
    assert.ok(doc.facts.length >= doc.kinds.length);
    assert.ok(doc.text.length <= 200 || doc.kinds.length === 1, doc.text);
  }
});

Deno.test("generateReasoningDocuments() draws every given number and nothing computed", () => {
  for (const doc of docs) {
    const drawn = new Set<number>();
    for (const [s, e] of doc.drawn!) for (let i = s; i < e; i++) drawn.add(i);
    for (const f of doc.facts) for (let i = f.start; i < f.end; i++) assert.ok(!drawn.has(i));
    for (const m of doc.text.matchAll(/\d+/g)) {
      const computed = doc.facts.some((f) => f.start === m.index);
      assert.ok(computed || drawn.has(m.index), `${m[0]} in ${doc.text}`);
    }
  }
});

Deno.test("generateReasoningDocuments() has variety: families, lengths, operations, depth", () => {
  assert.deepEqual([...new Set(docs.flatMap((d) => d.kinds))].sort(), [...REASONING_KINDS].sort());
  assert.deepEqual([...new Set(docs.map((d) => d.difficulty))].sort(), [2, 3, 4, 5]);
  const facts = docs.flatMap((d) => d.facts);
  for (const op of ["add", "sub", "mul"]) assert.ok(facts.some((f) => f.op === op), op);
  const nested = facts.filter((f) =>
    typeof f.expr !== "number" && f.expr.args.some((a) => typeof a !== "number")
  );
  assert.ok(nested.length > facts.length * 0.05, `${nested.length} nested of ${facts.length}`);
  const long = facts.filter((f) => String(f.value).length >= 5).length;
  assert.ok(long > facts.length * 0.15, `${long} of ${facts.length} results of 5+ digits`);
});

Deno.test("generateReasoningDocuments() honours kinds and digits, and rejects bad options", () => {
  const short = generateReasoningDocuments(50, 1, { kinds: ["arithmetic"], digits: [2] });
  for (const d of short) {
    assert.deepEqual([...new Set(d.kinds)], ["arithmetic"]);
    for (const [s, e] of d.drawn!) assert.ok(e - s <= 2, d.text);
  }
  const stated = generateReasoningDocuments(50, 1, { kinds: ["story"], statedFraction: 1 });
  for (const d of stated) assert.ok(d.text.includes(" Now "), d.text);
  assert.throws(() => generateReasoningDocuments(-1, 0), /count must be a non-negative integer/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => generateReasoningDocuments(1, 0, { kinds: ["poems" as any] }), /kinds/);
  assert.throws(() => generateReasoningDocuments(1, 0, { digits: [0] }), /digits/);
  assert.throws(() => generateReasoningDocuments(1, 0, { statedFraction: 2 }), /statedFraction/);
  assert.throws(() => generateReasoningDocuments(1, 0, { minChars: 9, maxChars: 1 }), /minChars/);
});
