import assert from "node:assert/strict";
import {
  above,
  atLeast,
  ConfigError,
  defineConfig,
  integer,
  nonEmpty,
  oneOf,
  resolveConfig,
  sectionOf,
  that,
  within,
} from "../../lib/util/config.ts";

const INNER = defineConfig("outer.inner", {
  lo: { default: 1, check: integer(0) },
  hi: {
    default: 2,
    check: that(
      (hi: number, cfg: { lo: number }) => hi > cfg.lo,
      (cfg) => `a number > lo (${cfg.lo})`,
    ),
  },
  mode: { default: "a" as "a" | "b", check: oneOf(["a", "b"]) },
});
const OUTER = defineConfig("outer", {
  name: { default: "x", check: nonEmpty("a name") },
  rate: { default: 0.5, check: within(0, 1, "()") },
  list: { default: [1, 2] },
  inner: INNER,
});

const oneLine = (pattern: RegExp) => (e: Error) =>
  e instanceof ConfigError && !e.message.includes("\n") && pattern.test(e.message);

Deno.test("defineConfig() defaults collect each field's default, nested sections included", () => {
  assert.deepEqual(OUTER.defaults, {
    name: "x",
    rate: 0.5,
    list: [1, 2],
    inner: { lo: 1, hi: 2, mode: "a" },
  });
  assert.equal(OUTER.defaults.inner, INNER.defaults);
});

Deno.test("resolve() applies partial overrides at every depth and copies the defaults", () => {
  const cfg = OUTER.resolve({ rate: 0.25, inner: { hi: 5 } });
  assert.deepEqual(cfg, {
    name: "x",
    rate: 0.25,
    list: [1, 2],
    inner: { lo: 1, hi: 5, mode: "a" },
  });
  cfg.list[0] = 9;
  cfg.inner.lo = 7;
  assert.deepEqual([OUTER.defaults.list[0], INNER.defaults.lo], [1, 1]);
  assert.deepEqual(OUTER.resolve(undefined), OUTER.defaults);
});

Deno.test("resolve() rejects unknown keys with one line listing the valid ones", () => {
  assert.throws(
    () => OUTER.resolve({ rat: 1 }),
    oneLine(/^outer\.rat: unknown key \(expected one of: name, rate, list, inner\)$/),
  );
  assert.throws(
    () => OUTER.resolve({ inner: { low: 1 } }),
    oneLine(/^outer\.inner\.low: unknown key \(expected one of: lo, hi, mode\)$/),
  );
  assert.throws(() => OUTER.resolve(3), oneLine(/^outer: expected a mapping/));
});

Deno.test("resolve() rejects wrong types and out-of-range values, naming field, expectation and value", () => {
  assert.throws(
    () => OUTER.resolve({ rate: "0.5" }),
    oneLine(/^outer\.rate: expected a number, got string "0\.5"$/),
  );
  assert.throws(
    () => OUTER.resolve({ rate: 1 }),
    oneLine(/^outer\.rate: expected a number in \(0, 1\), got 1$/),
  );
  assert.throws(
    () => OUTER.resolve({ name: "" }),
    oneLine(/^outer\.name: expected a name, got ""$/),
  );
  assert.throws(
    () => OUTER.resolve({ list: ["a"] }),
    oneLine(/^outer\.list: expected an array of numbers/),
  );
  assert.throws(
    () => OUTER.resolve({ inner: { mode: "c" } }),
    oneLine(/^outer\.inner\.mode: expected "a" or "b", got "c"$/),
  );
  assert.throws(
    () => OUTER.resolve({ inner: { lo: 3 } }),
    oneLine(/^outer\.inner\.hi: expected a number > lo \(3\), got 2$/),
  );
});

Deno.test("resolve() and validate() take another section path", () => {
  assert.throws(
    () => INNER.resolve({ lo: -1 }, "x.y"),
    oneLine(/^x\.y\.lo: expected an integer ≥ 0, got -1$/),
  );
  assert.throws(
    () => OUTER.validate({ ...OUTER.defaults, inner: { ...INNER.defaults, lo: 0.5 } }, "p"),
    oneLine(/^p\.inner\.lo:/),
  );
  const cfg = OUTER.resolve({});
  assert.equal(OUTER.validate(cfg), cfg);
});

Deno.test("check helpers state what they expect", () => {
  assert.equal(integer()(1.5, {}), "an integer");
  assert.equal(integer(1)(0, {}), "an integer ≥ 1");
  assert.equal(atLeast(0)(-1, {}), "a number ≥ 0");
  assert.equal(above(0)(0, {}), "a number > 0");
  assert.equal(within(0, 1, "[]")(1, {}), true);
  assert.equal(within(0, 1, "(]")(0, {}), "a number in (0, 1]");
  assert.equal(oneOf<string>(["only"])("x", {}), '"only"');
});

Deno.test("resolveConfig() accepts any value where the default is null", () => {
  assert.deepEqual(resolveConfig({ a: null as unknown }, { a: { b: 1 } }, "s"), { a: { b: 1 } });
});

Deno.test("withDefaults() replaces defaults at any depth and keeps every check", () => {
  const small = OUTER.withDefaults({ rate: 0.1, inner: { lo: 0, hi: 1, mode: "b" } });
  assert.deepEqual(small.defaults, {
    name: "x",
    rate: 0.1,
    list: [1, 2],
    inner: { lo: 0, hi: 1, mode: "b" },
  });
  assert.equal(OUTER.defaults.rate, 0.5);
  assert.throws(
    () => small.resolve({ inner: { hi: 0 } }),
    oneLine(/^outer\.inner\.hi: expected a number > lo \(0\), got 0$/),
  );
});

Deno.test("defineConfig() runs the checks across sections last, under the section's path", () => {
  const BOTH = defineConfig("both", { a: INNER, b: { default: 5 } }, (cfg, path) => {
    if (cfg.b <= cfg.a.hi) {
      throw new ConfigError(`${path}.b: expected more than a.hi (${cfg.a.hi}), got ${cfg.b}`);
    }
  });
  assert.equal(BOTH.resolve({}).b, 5);
  assert.throws(
    () => BOTH.resolve({ b: 1 }, "p"),
    oneLine(/^p\.b: expected more than a\.hi \(2\), got 1$/),
  );
  assert.throws(() => BOTH.resolve({ a: { lo: -1 }, b: 1 }), oneLine(/^both\.a\.lo:/));
});

Deno.test("sectionOf() nests a section checked by its own validate function", () => {
  const LEGACY = sectionOf("s", { n: 1 }, (cfg, path) => {
    if (cfg.n < 1) throw new ConfigError(`${path}.n: expected ≥ 1, got ${cfg.n}`);
  });
  const WRAP = defineConfig("w", { s: LEGACY.withDefaults({ n: 3 }) });
  assert.deepEqual(WRAP.resolve({}), { s: { n: 3 } });
  assert.throws(() => WRAP.resolve({ s: { n: 0 } }), oneLine(/^w\.s\.n: expected ≥ 1, got 0$/));
  assert.throws(() => WRAP.resolve({ s: { m: 0 } }), oneLine(/^w\.s\.m: unknown key/));
});
