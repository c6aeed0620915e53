import assert from "node:assert/strict";
import { DocBuilder, E, factAt } from "../../lib/data/math_doc.ts";

Deno.test("DocBuilder.append() shifts facts and drawn spans by the offset", () => {
  const a = new DocBuilder().t("x = ").n(E.add(1, 2), false).t(".");
  const b = new DocBuilder().t("Add ").g(47).t(" and ").g(38).t(": ").n(E.add(47, 38), false);
  a.append(b, "\n");
  assert.equal(a.text, "x = 3.\nAdd 47 and 38: 85");
  assert.deepEqual(a.drawn.map(([s, e]) => a.text.slice(s, e)), ["47", "38"]);
  assert.deepEqual(a.facts.map((f) => a.text.slice(f.start, f.end)), ["3", "85"]);
  assert.deepEqual(a.facts[1].operands, [47, 38]);
  assert.equal(a.facts[1].op, "add");
});

Deno.test("DocBuilder.n() rejects a bare number", () => {
  assert.throws(() => new DocBuilder().n(5, false), /a fact needs an operation/);
});

Deno.test("factAt() finds the fact covering each character and nothing between", () => {
  const b = new DocBuilder().n(E.mul(7, 8), false).t(" and ").n(E.sub(100, 1), true);
  const doc = { text: b.text, facts: b.facts, difficulty: 1, kinds: [] };
  const values = [...doc.text].map((_, i) => factAt(doc, i)?.value ?? null);
  assert.deepEqual(values, [56, 56, null, null, null, null, null, 99, 99]);
});
