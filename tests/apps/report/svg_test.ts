/**
 * The SVG building blocks of the charts (`lib/apps/report/svg.ts`): nice ticks and their labels,
 * escaping, clamping, the legend's rows and the palette. (The charts: plots_test.ts.)
 */
import assert from "node:assert/strict";
import {
  CHAR_WIDTH,
  CHART_COLORS,
  checkSize,
  clamp,
  clampTicks,
  colorOf,
  DASHES,
  dashOf,
  escapeXml,
  integerTicks,
  legend,
  maxOf,
  minOf,
  niceTicks,
  PLOT_MARGIN,
  px,
  svgOpen,
  tickLabel,
} from "../../../lib/apps/report/svg.ts";
import { findAll, parseXml } from "./_xml.ts";

Deno.test("niceTicks() picks 1/2/5 steps that cover the data", () => {
  assert.deepEqual(niceTicks(0, 100), {
    lo: 0,
    hi: 100,
    step: 20,
    ticks: [0, 20, 40, 60, 80, 100],
  });
  assert.deepEqual(niceTicks(0, 20).ticks, [0, 5, 10, 15, 20]);
  assert.deepEqual(niceTicks(3, 97), { lo: 0, hi: 100, step: 20, ticks: [0, 20, 40, 60, 80, 100] });
  assert.deepEqual(niceTicks(-0.3, 0.3).ticks, [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(5, 5).ticks, [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]); // 4.5..5.5
  assert.deepEqual(niceTicks(0, 0).ticks, [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(NaN, Infinity).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(10, 0).ticks, niceTicks(0, 10).ticks);
  for (const [a, b] of [[0.013, 0.92], [-123, 4567], [1e-5, 3e-5], [188, 872]]) {
    const t = niceTicks(a, b);
    assert.ok(t.lo <= a && t.hi >= b, `${a}..${b} → ${t.lo}..${t.hi}`);
    assert.ok(t.ticks.length >= 3 && t.ticks.length <= 12, `${t.ticks}`);
    const m = t.step / 10 ** Math.floor(Math.log10(t.step));
    assert.ok([1, 2, 5].some((k) => Math.abs(m - k) < 1e-9), `step ${t.step}`);
  }
});

Deno.test("escapeXml() escapes markup and drops forbidden control characters", () => {
  assert.equal(
    escapeXml(`<a href='x'>"&"</a>\u0001`),
    "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;",
  );
});

Deno.test("tickLabel() shows the decimals the step needs and exponents for extreme values", () => {
  assert.equal(tickLabel(20, 20), "20");
  assert.equal(tickLabel(0.30000000000000004, 0.1), "0.3");
  assert.equal(tickLabel(0.25, 0.05), "0.25");
  assert.equal(tickLabel(1, 0.5), "1.0");
  assert.equal(tickLabel(2.5e6, 5e5), "2.5e+6");
  assert.equal(tickLabel(3e-5, 1e-5), "3.0e-5");
  assert.equal(tickLabel(0, 1e-5), "0.00000");
});

Deno.test("clamp() and clampTicks() cut to the optional bounds; integerTicks() keeps whole steps", () => {
  assert.equal(clamp(-3, 0, undefined), 0);
  assert.equal(clamp(130, 0, 100), 100);
  assert.equal(clamp(7, undefined, undefined), 7);
  const t = niceTicks(-0.3, 0.3);
  assert.deepEqual(clampTicks(t, 0, undefined), { ...t, lo: 0, ticks: [0, 0.1, 0.2, 0.3] });
  assert.equal(clampTicks(t, -1, 1), t, "bounds outside the range: the ticks as they are");
  assert.deepEqual(integerTicks(niceTicks(0, 3), [0, 1, 2, 3]).ticks, [0, 1, 2, 3]);
  assert.deepEqual(integerTicks(niceTicks(2, 4), [2, 3, 4]), {
    lo: 2,
    hi: 4,
    step: 1,
    ticks: [2, 3, 4],
  });
  const frac = niceTicks(0, 3);
  assert.equal(integerTicks(frac, [0, 1.5, 3]), frac, "values not whole: unchanged");
});

Deno.test("minOf(), maxOf() and px() handle empty input, long series and rounding", () => {
  assert.equal(minOf([]), Infinity);
  assert.equal(maxOf([]), -Infinity);
  const long = Array.from({ length: 300_000 }, (_, i) => i % 1000 - 500);
  assert.equal(minOf(long), -500);
  assert.equal(maxOf(long), 499);
  assert.equal(px(12.3456), "12.35");
  assert.equal(px(-0.001), "0", "no -0");
  assert.equal(px(40), "40");
});

Deno.test("legend() wraps items into rows that fit between the margins", () => {
  const item = (name: string) => ({ name, swatch: () => "<rect/>" });
  assert.deepEqual(legend([], 400), { svg: "", rows: 0 });
  const inner = 400 - PLOT_MARGIN.left - PLOT_MARGIN.right;
  const name = "x".repeat(Math.floor((inner / 2 - 40) / CHAR_WIDTH)); // two fit in a row
  const { svg, rows } = legend([item(name), item(name), item(name), item("a<b")], 400);
  assert.equal(rows, 2);
  parseXml(svg);
  const texts = findAll(parseXml(svg), "text");
  assert.equal(texts.length, 4);
  assert.equal(texts[0].attrs.y, texts[1].attrs.y);
  assert.notEqual(texts[1].attrs.y, texts[2].attrs.y);
  assert.ok(svg.includes("a&lt;b"));
});

Deno.test("colorOf() and dashOf() repeat the palette with the next dash pattern", () => {
  const n = CHART_COLORS.length;
  assert.equal(colorOf(0), CHART_COLORS[0]);
  assert.equal(colorOf(n + 1), CHART_COLORS[1]);
  assert.equal(dashOf(n - 1), "");
  assert.equal(dashOf(n), DASHES[1]);
  assert.equal(dashOf(n * DASHES.length), "", "the dashes repeat too");
});

Deno.test("svgOpen() escapes the title and checkSize() refuses charts below 160 × 120", () => {
  const open = svgOpen(200, 150, "a & b");
  parseXml(open + "</svg>");
  assert.ok(open.includes('aria-label="a &amp; b"><title>a &amp; b</title>'));
  checkSize(160, 120, "lineChart");
  assert.throws(
    () => checkSize(159, 120, "lineChart"),
    /^RangeError: lineChart: need width ≥ 160 and height ≥ 120, got 159 × 120$/,
  );
  assert.throws(() => checkSize(NaN, 500, "barChart"), RangeError);
});
