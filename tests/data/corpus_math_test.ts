import assert from "node:assert/strict";
import {
  evalExpr,
  factAt,
  generateMathDocuments,
  PROBLEM_KINDS,
} from "../../lib/data/corpus_math.ts";
import { falseStatements } from "./_arith.ts";

const docs = generateMathDocuments(1000, 7);

Deno.test("generateMathDocuments() is deterministic per seed", () => {
  assert.deepEqual(generateMathDocuments(1000, 7), docs);
  assert.deepEqual(generateMathDocuments(10, 7), docs.slice(0, 10));
});

Deno.test("generateMathDocuments() differs across seeds", () => {
  for (const seed of [0, 1, 8, 12345]) {
    const other = generateMathDocuments(200, seed);
    const texts = new Set(docs.map((d) => d.text));
    const shared = other.filter((d) => texts.has(d.text)).length;
    assert.ok(shared < 10, `seed ${seed} shares ${shared} of 200 documents with seed 7`);
  }
  assert.notDeepEqual(generateMathDocuments(5, 0), generateMathDocuments(5, 1));
});

Deno.test("generateMathDocuments() facts locate every computed number exactly", () => {
  for (const doc of docs) {
    let prevEnd = 0;
    for (const f of doc.facts) {
      assert.ok(f.start >= prevEnd && f.end > f.start, "facts ordered and disjoint");
      prevEnd = f.end;
      assert.equal(doc.text.slice(f.start, f.end), String(f.value));
      assert.ok(!/\d/.test(doc.text[f.start - 1] ?? "") && !/\d/.test(doc.text[f.end] ?? ""));
      assert.equal(evalExpr(f.expr), f.value);
      assert.ok(Number.isInteger(f.value) && f.value >= 0);
      if (typeof f.expr === "number") assert.fail("fact without an operation");
      assert.equal(f.op, f.expr.op);
      assert.deepEqual(f.operands, f.expr.args.map(evalExpr));
      assert.equal(factAt(doc, f.start), f);
      assert.equal(factAt(doc, f.end - 1), f);
    }
    assert.ok(doc.facts.length >= doc.kinds.length, "every problem computes something");
  }
});

Deno.test("generateMathDocuments() arithmetic in the text is correct", () => {
  for (const doc of docs) assert.deepEqual(falseStatements(doc.text), [], doc.text);
});

Deno.test("generateMathDocuments() documents are short and cover all kinds and grades", () => {
  const kinds = new Set(docs.flatMap((d) => d.kinds));
  assert.deepEqual([...kinds].sort(), [...PROBLEM_KINDS].sort());
  assert.deepEqual([...new Set(docs.map((d) => d.difficulty))].sort(), [1, 2, 3, 4]);
  for (const d of docs) {
    assert.ok(d.text.length >= 100, `too short: ${d.text.length}`);
    assert.ok(d.text.length <= 400 || d.kinds.length === 1, `too long: ${d.text.length}`);
  }
  const lengths = docs.map((d) => d.text.length).sort((a, b) => a - b);
  assert.ok(lengths[lengths.length - 1] <= 400);
  // Both worked and direct results occur, and hard (direct) facts are a good share.
  const facts = docs.flatMap((d) => d.facts);
  const direct = facts.filter((f) => !f.worked).length / facts.length;
  assert.ok(direct > 0.3 && direct < 0.9, `direct fraction ${direct}`);
});

Deno.test("generateMathDocuments() honours workedFraction, kinds and difficulties", () => {
  const direct = generateMathDocuments(100, 1, { workedFraction: 0, kinds: ["addition"] });
  for (const d of direct) {
    assert.ok(!d.text.includes("ones:"), d.text);
    assert.ok(d.facts.every((f) => !f.worked));
  }
  const worked = generateMathDocuments(100, 1, { workedFraction: 1, kinds: ["subtraction"] });
  for (const d of worked) assert.ok(d.text.includes("ones:") && d.text.includes("So "), d.text);
  const easy = generateMathDocuments(100, 1, {
    difficulties: [1],
    kinds: ["addition"],
    workedFraction: 0,
  });
  for (const d of easy) {
    for (const m of d.text.matchAll(/(\d+) \+ (\d+)/g)) {
      assert.ok(m[1].length <= 2 && m[2].length <= 2);
    }
  }
  const hard = generateMathDocuments(100, 1, {
    difficulties: [4],
    kinds: ["addition"],
    workedFraction: 0,
  });
  for (const d of hard) {
    for (const m of d.text.matchAll(/(\d+) \+ (\d+)/g)) {
      assert.ok(m[1].length >= 4 && m[2].length >= 4);
    }
  }
});

Deno.test("generateMathDocuments() rejects invalid options", () => {
  assert.throws(() => generateMathDocuments(-1, 0), /count must be a non-negative integer/);
  assert.throws(() => generateMathDocuments(1, 0, { workedFraction: 2 }), /workedFraction/);
  assert.throws(() => generateMathDocuments(1, 0, { kinds: [] }), /kinds/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => generateMathDocuments(1, 0, { kinds: ["poems" as any] }), /kinds/);
  assert.throws(() => generateMathDocuments(1, 0, { difficulties: [5] }), /difficulties/);
  assert.throws(() => generateMathDocuments(1, 0, { minChars: 500, maxChars: 400 }), /minChars/);
  assert.deepEqual(generateMathDocuments(0, 0), []);
});
