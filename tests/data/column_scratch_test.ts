import assert from "node:assert/strict";
import { columnScratch } from "../../lib/data/column_scratch.ts";
import { evalExpr, type MathExpr } from "../../lib/data/arith.ts";
import { mulberry32, randDigits, randInt } from "../../lib/util/rng.ts";
import { falseStatements } from "./_arith.ts";

function randomExpr(rng: () => number): MathExpr {
  const n = () => randDigits(rng, randInt(rng, 1, 4));
  const a = n(), b = n();
  switch (randInt(rng, 0, 3)) {
    case 0:
      return { op: "add", args: [a, b] };
    case 1:
      return { op: "sub", args: [Math.max(a, b), Math.min(a, b)] };
    case 2:
      return { op: "mul", args: [a, randInt(rng, 2, 9)] };
    default:
      return { op: "mul", args: [{ op: "add", args: [a, b] }, randInt(rng, 2, 9)] };
  }
}

Deno.test("columnScratch() derives the value with true statements", () => {
  const rng = mulberry32(1);
  for (let i = 0; i < 2000; i++) {
    const e = randomExpr(rng);
    const r = columnScratch(e, undefined);
    assert.equal(r.value, evalExpr(e));
    assert.deepEqual(falseStatements(r.lines.join("\n")), [], r.lines.join("\n"));
  }
});

Deno.test("columnScratch() with a slip changes exactly the chosen digit, visibly", () => {
  const rng = mulberry32(2);
  for (let i = 0; i < 2000; i++) {
    const e = randomExpr(rng);
    const right = String(evalExpr(e));
    const index = randInt(rng, 0, right.length - 1);
    const r = columnScratch(e, { index });
    const wrong = String(r.value);
    assert.equal(wrong.length, right.length, `${right} -> ${wrong}`);
    for (let k = 0; k < right.length; k++) {
      assert.equal(wrong[k] !== right[k], k === index, `${right} -> ${wrong} at ${index}`);
    }
    assert.ok(falseStatements(r.lines.join("\n")).length > 0);
  }
});
