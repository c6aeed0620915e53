import assert from "node:assert/strict";
import { BUDGET, finalBudget, tokenBudget } from "../../lib/rmt/budget.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const PAPER = { b0: 800, bMin: 1, gamma: 0.2, k: 1 };

Deno.test("tokenBudget() matches the schedule table of §2.1", () => {
  const table: [number, number][] = [
    [0, 800],
    [0.1, 681],
    [0.25, 534],
    [0.3, 493],
    [0.5, 357],
    [0.7, 259],
    [0.75, 239],
    [1, 160],
  ];
  for (const [progress, expected] of table) {
    assert.equal(tokenBudget(progress * 100, 100, PAPER), expected, `t/T = ${progress}`);
    assert.equal(tokenBudget(progress * 320, 320, PAPER), expected, `t/T = ${progress}, T = 320`);
  }
});

Deno.test("tokenBudget() applies the shape exponent k to progress, not to T", () => {
  // ⌊800·0.2^(0.5²)⌋ = ⌊534.99⌋ and ⌊800·0.2^(0.5^0.5)⌋ = ⌊256.36⌋
  assert.equal(tokenBudget(50, 100, { ...PAPER, k: 2 }), 534);
  assert.equal(tokenBudget(50, 100, { ...PAPER, k: 0.5 }), 256);
  // all k agree at both ends
  for (const k of [0.5, 1, 2, 3]) {
    assert.equal(tokenBudget(0, 1000, { ...PAPER, k }), 800);
    assert.equal(tokenBudget(1000, 1000, { ...PAPER, k }), 160);
  }
});

Deno.test("tokenBudget() never goes below B_min", () => {
  const cfg = { b0: 10, bMin: 5, gamma: 0.2, k: 1 };
  assert.equal(tokenBudget(0, 10, cfg), 10);
  assert.equal(tokenBudget(10, 10, cfg), 5); // ⌊10·0.2⌋ = 2 < 5
  assert.equal(tokenBudget(10, 10, { b0: 1, bMin: 1, gamma: 0.01, k: 1 }), 1);
});

Deno.test("tokenBudget() is non-increasing in t and stays in [max(B_min, ⌊B_0·γ⌋), B_0]", () => {
  const rng = mulberry32(7);
  for (let trial = 0; trial < 200; trial++) {
    const bMin = 1 + Math.floor(rng() * 5);
    const cfg = {
      b0: bMin + Math.floor(rng() * 1000),
      bMin,
      gamma: 0.01 + 0.98 * rng(),
      k: 0.25 + 3 * rng(),
    };
    const T = 1 + Math.floor(rng() * 500);
    let previous = Infinity;
    for (let t = 0; t <= T; t++) {
      const budget = tokenBudget(t, T, cfg);
      assert.ok(Number.isInteger(budget));
      assert.ok(budget <= previous, `budget rose at t = ${t}`);
      assert.ok(budget <= cfg.b0 && budget >= cfg.bMin);
      previous = budget;
    }
    assert.equal(previous, Math.max(cfg.bMin, Math.floor(cfg.b0 * cfg.gamma + 1e-9)));
  }
});

Deno.test("tokenBudget() rejects a step outside [0, T] and T ≤ 0", () => {
  assert.throws(() => tokenBudget(-1, 10, PAPER), /t must be in \[0, T = 10\], got -1/);
  assert.throws(() => tokenBudget(11, 10, PAPER), /got 11/);
  assert.throws(() => tokenBudget(0, 0, PAPER), /T must be > 0/);
});

Deno.test("BUDGET.resolve() keeps scaled defaults and rejects out-of-range values by name", () => {
  assert.deepEqual(BUDGET.resolve(undefined), BUDGET.defaults);
  assert.deepEqual(BUDGET.resolve({ b0: 800 }), { ...BUDGET.defaults, b0: 800 });
  assert.throws(
    () => BUDGET.resolve({ gamma: 0 }),
    /^ConfigError: rmt.budget.gamma: expected a number in \(0, 1\), got 0$/,
  );
  assert.throws(() => BUDGET.resolve({ gamma: 1 }), /rmt.budget.gamma/);
  assert.throws(() => BUDGET.resolve({ bMin: 0 }), /rmt.budget.bMin: expected an integer ≥ 1/);
  assert.throws(() => BUDGET.resolve({ b0: 12.5 }), /rmt.budget.b0/);
  assert.throws(
    () => BUDGET.resolve({ b0: 4, bMin: 5 }),
    /rmt.budget.b0: expected an integer ≥ bMin \(5\)/,
  );
  assert.throws(() => BUDGET.resolve({ k: 0 }), /rmt.budget.k/);
  assert.throws(() => BUDGET.resolve({ gamma: "0.2" }), /rmt.budget.gamma: expected a number/);
  assert.throws(() => BUDGET.resolve({ decay: 0.2 }), /rmt.budget.decay: unknown key/);
});

Deno.test("finalBudget() is the schedule at t = T: max(B_min, ⌊B_0·γ⌋) for every k", () => {
  assert.equal(finalBudget(PAPER), 160);
  for (const k of [0.5, 1, 2]) assert.equal(finalBudget({ ...PAPER, k }), 160);
  assert.equal(finalBudget({ ...PAPER, b0: 113 }), 22); // ⌊22.6⌋
  assert.equal(finalBudget({ b0: 3, bMin: 2, gamma: 0.2, k: 1 }), 2); // ⌊0.6⌋ floored up to B_min
  assert.equal(finalBudget(PAPER), tokenBudget(320, 320, PAPER));
});
