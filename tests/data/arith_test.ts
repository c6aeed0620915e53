import assert from "node:assert/strict";
import {
  additionColumns,
  digitsLsb,
  evalExpr,
  exprToString,
  type MathExpr,
  multiplicationColumns,
  subtractionColumns,
} from "../../lib/data/arith.ts";
import { mulberry32, randDigits, randInt, type Rng } from "../../lib/util/rng.ts";
import { evaluate } from "./_arith.ts";

function randomTree(rng: Rng, depth: number): MathExpr {
  if (depth === 0 || rng() < 0.3) return randDigits(rng, randInt(rng, 1, 3));
  const op = (["add", "sub", "mul"] as const)[randInt(rng, 0, 2)];
  const n = op === "sub" ? 2 : randInt(rng, 2, 3);
  return { op, args: Array.from({ length: n }, () => randomTree(rng, depth - 1)) };
}

Deno.test("exprToString() renders what evalExpr() computes, with minimal parentheses", () => {
  const rng = mulberry32(1);
  for (let i = 0; i < 2000; i++) {
    const e = randomTree(rng, 3);
    if (!Number.isSafeInteger(evalExpr(e))) continue; // beyond 2^53 the two orders may round apart
    const s = exprToString(e);
    assert.equal(evaluate(s), evalExpr(e), s);
  }
  assert.equal(exprToString({ op: "sub", args: [9, { op: "add", args: [5, 2] }] }), "9 - (5 + 2)");
  assert.equal(exprToString({ op: "add", args: [9, { op: "sub", args: [5, 2] }] }), "9 + 5 - 2");
  assert.equal(
    exprToString({ op: "ones", args: [{ op: "add", args: [7, 5] }] }),
    "the ones digit of 7 + 5",
  );
  assert.equal(evalExpr({ op: "tens", args: [{ op: "add", args: [7, 5] }] }), 1);
});

Deno.test("column procedures rebuild the sum, difference and product digit by digit", () => {
  const rng = mulberry32(2);
  for (let i = 0; i < 3000; i++) {
    const a = randDigits(rng, randInt(rng, 1, 6)), b = randDigits(rng, randInt(rng, 1, 6));
    const add = additionColumns(a, b);
    const carry = Math.floor(add[add.length - 1].sum / 10);
    assert.equal(Number(`${carry || ""}${add.map((c) => c.sum % 10).reverse().join("")}`), a + b);
    add.forEach((c, k) => assert.equal(c.carryIn, k === 0 ? 0 : Math.floor(add[k - 1].sum / 10)));
    const [x, y] = a >= b ? [a, b] : [b, a];
    const sub = subtractionColumns(x, y);
    assert.equal(Number(sub.map((c) => c.result).reverse().join("")), x - y);
    assert.ok(
      sub.every((c) =>
        c.result >= 0 && c.result <= 9 && c.x - c.y - c.borrowIn + 10 * c.borrowOut === c.result
      ),
    );
    const d = randInt(rng, 0, 9);
    const mul = multiplicationColumns(a, d);
    const top = Math.floor(mul[mul.length - 1].value / 10);
    assert.equal(Number(`${top || ""}${mul.map((c) => c.value % 10).reverse().join("")}`), a * d);
  }
  assert.deepEqual(digitsLsb(305, 5), [5, 0, 3, 0, 0]);
});

Deno.test("column procedures apply a slip to one column and carry its consequences", () => {
  assert.deepEqual(additionColumns(347, 85, { column: 0, delta: -1 }).map((c) => c.sum), [
    11,
    13,
    4,
  ]);
  assert.deepEqual(additionColumns(45, 5, { column: 0, delta: -1 }).map((c) => c.sum), [9, 4]);
  assert.deepEqual(subtractionColumns(402, 85, { column: 1, delta: 1 }).map((c) => c.result), [
    7,
    2,
    3,
  ]);
  assert.deepEqual(multiplicationColumns(347, 6, { column: 2, delta: 10 }).map((c) => c.value), [
    42,
    28,
    30,
  ]);
});
