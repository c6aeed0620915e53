import assert from "node:assert/strict";
import { mulberry32 } from "../../lib/util/rng.ts";
import { DocBuilder } from "../../lib/data/math_doc.ts";
import { markStatement, NAMES, PROBLEM_KINDS, WRITERS } from "../../lib/data/math_problems.ts";
import { falseStatements } from "./_arith.ts";

Deno.test("WRITERS write correct arithmetic, worked and direct, at every grade", () => {
  const rng = mulberry32(1);
  for (const kind of PROBLEM_KINDS) {
    for (const difficulty of [1, 2, 3, 4]) {
      for (const worked of [false, true]) {
        const b = new DocBuilder();
        WRITERS[kind](b, rng, difficulty, worked);
        assert.deepEqual(falseStatements(b.text), [], b.text);
        assert.ok(b.facts.length > 0);
        assert.equal(b.facts.some((f) => f.worked), worked);
      }
    }
  }
});

Deno.test("markStatement() marks every given number and the first mention of each name", () => {
  const rng = mulberry32(2);
  const names = new Set(NAMES.map(([n]) => n));
  for (let i = 0; i < 400; i++) {
    const b = new DocBuilder();
    WRITERS[PROBLEM_KINDS[i % PROBLEM_KINDS.length]](b, rng, 1 + (i % 4), i % 3 === 0);
    markStatement(b);
    const drawn = b.drawn.map(([s, e]) => b.text.slice(s, e));
    const statement = b.text.slice(0, Math.min(b.text.indexOf("\n") >>> 0, b.facts[0].start));
    assert.deepEqual(drawn.filter((s) => /^\d+$/.test(s)), statement.match(/\d+/g) ?? []);
    const named = drawn.filter((s) => names.has(s));
    assert.equal(new Set(named).size, named.length, "a name is drawn once");
    for (const [, e] of b.drawn) assert.ok(e <= b.facts[0].start, "drawn before any fact");
  }
});

Deno.test("markStatement() on a hand-made problem", () => {
  const b = new DocBuilder().t("Ana has 12 apples and gives 5 of them to Ben. Ana has ");
  b.t("7 apples left.\n");
  markStatement(b);
  assert.deepEqual(b.drawn.map(([s, e]) => b.text.slice(s, e)), [
    "Ana",
    "12",
    "5",
    "Ben",
    "7", // no fact here: the whole first line is the statement
  ]);
});
