/**
 * The scatter chart (`lib/apps/report/scatter.ts`): circles at the pixel positions of the axis
 * mapping (computed by hand from the layout of `svg.ts`), error bars only where given, axes from
 * 0, non-finite values and empty series skipped.
 *
 * Layout of the charts below (width 424, height 300, one legend row): plot x ∈ [72, 400]
 * (328 px), y ∈ [40 + 20 + 8, 300 − 52] = [68, 248] (180 px); with a caption the bottom is 230.
 */
import assert from "node:assert/strict";
import { scatterChart, type ScatterSeries } from "../../../lib/apps/report/scatter.ts";
import { CHART_COLORS } from "../../../lib/apps/report/svg.ts";
import { findAll, parseXml, type XmlElement } from "./_xml.ts";

const byClass = (root: XmlElement, tag: string, cls: string) =>
  findAll(root, tag).filter((e) => e.attrs.class === cls);
const at = (e: XmlElement) => [Number(e.attrs.cx), Number(e.attrs.cy)];

function chart(series: ScatterSeries[], extra: { caption?: string; yMax?: number } = {}) {
  const svg = scatterChart({
    title: "Accuracy <vs> length",
    xLabel: "ℓ̄ (tokens)",
    yLabel: "accuracy (%)",
    series,
    width: 424,
    height: 300,
    ...extra,
  });
  return { svg, root: parseXml(svg) };
}

Deno.test("scatterChart() puts one circle per point at the axis mapping when given two series", () => {
  // x: 0..40 (step 10) → 8.2 px per unit; y: 0..60 (step 10) → 3 px per unit
  const { root } = chart([
    { name: "RPT", points: [{ x: 40, y: 60 }] },
    { name: "RMT", points: [{ x: 10, y: 20 }, { x: 20, y: 30 }] },
  ]);
  const points = byClass(root, "circle", "point");
  assert.deepEqual(points.map(at), [[400, 68], [154, 188], [236, 158]]);
  assert.deepEqual(points.map((p) => p.attrs.fill), [
    CHART_COLORS[0],
    CHART_COLORS[1],
    CHART_COLORS[1],
  ]);
  assert.deepEqual(findAll(byClass(root, "g", "legend")[0]!, "text").map((t) => t.text), [
    "RPT",
    "RMT",
  ]);
  assert.equal(findAll(root, "title")[0]!.text, "Accuracy <vs> length");
  assert.equal(byClass(root, "path", "error-bar").length, 0, "no intervals given, no bars");
});

Deno.test("scatterChart() draws error bars only for the intervals given when some points have them", () => {
  const { root } = chart([
    { name: "a", points: [{ x: 10, y: 20, xErr: [5, 15] }, { x: 20, y: 30 }], color: "#123456" },
    { name: "b", points: [{ x: 40, y: 60, yErr: [50, 60], xErr: [NaN, 41] }] },
  ]);
  const bars = byClass(root, "path", "error-bar");
  assert.deepEqual(
    bars.map((b) => b.attrs["data-axis"]),
    ["x", "y"],
    "the NaN interval is skipped",
  );
  // x: 5 → 72 + 41 = 113, 15 → 72 + 123 = 195, at y 20 → 188; y: 50 → 98, 60 → 68 at x 400
  assert.equal(bars[0]!.attrs.d, "M113,188H195M113,184V192M195,184V192");
  assert.equal(bars[0]!.attrs.stroke, "#123456");
  assert.equal(bars[1]!.attrs.d, "M400,98V68M396,98H404M396,68H404");
});

Deno.test("scatterChart() starts both axes at 0 when the data are far from it", () => {
  const { root } = chart([{ name: "a", points: [{ x: 200, y: 50 }, { x: 300, y: 80 }] }], {
    caption: "Up-left is better.",
  });
  const xTicks = findAll(byClass(root, "g", "x-axis")[0]!, "text").filter((t) => !t.attrs.class);
  assert.deepEqual(xTicks.map((t) => [t.text, t.attrs.x]), [
    ["0", "72"],
    ["50", "126.67"],
    ["100", "181.33"],
    ["150", "236"],
    ["200", "290.67"],
    ["250", "345.33"],
    ["300", "400"],
  ]);
  const yTicks = findAll(byClass(root, "g", "y-axis")[0]!, "text").filter((t) => !t.attrs.class);
  // y: 0..80 (step 20); with the caption the plot's bottom is 230 (162 px tall)
  assert.deepEqual(yTicks.map((t) => [t.text, t.attrs.y]), [
    ["0", "230"],
    ["20", "189.5"],
    ["40", "149"],
    ["60", "108.5"],
    ["80", "68"],
  ]);
  assert.deepEqual(byClass(root, "circle", "point").map(at), [[290.67, 128.75], [400, 68]]);
  assert.equal(byClass(root, "text", "caption")[0]!.text, "Up-left is better.");
  // a negative interval end does not pull the axis below 0: the bar ends at the axis (x 72)
  const neg = chart([{ name: "a", points: [{ x: 20, y: 30, xErr: [-10, 50] }] }]).root;
  const xs = findAll(byClass(neg, "g", "x-axis")[0]!, "text").filter((t) => !t.attrs.class);
  assert.equal(xs[0]!.text, "0");
  assert.match(byClass(neg, "path", "error-bar")[0]!.attrs.d!, /^M72,/);
});

Deno.test("scatterChart() skips non-finite points and empty series when values are missing", () => {
  const { svg, root } = chart([
    { name: "empty", points: [] },
    { name: "nan", points: [{ x: NaN, y: 3 }, { x: 1, y: Infinity }], faint: [[NaN, 1]] },
    { name: "ok", points: [{ x: 10, y: 20, yErr: [NaN, NaN] }], faint: [[5, 10], [15, NaN]] },
  ]);
  assert.ok(!svg.includes("NaN") && !svg.includes("Infinity"), svg);
  assert.equal(byClass(root, "circle", "point").length, 1);
  assert.deepEqual(byClass(root, "circle", "faint").map((c) => c.attrs["fill-opacity"]), ["0.35"]);
  assert.equal(byClass(root, "path", "error-bar").length, 0);
  assert.deepEqual(findAll(byClass(root, "g", "legend")[0]!, "text").map((t) => t.text), ["ok"]);
  const none = chart([{ name: "empty", points: [] }]);
  assert.ok(!none.svg.includes("NaN"));
  assert.equal(byClass(none.root, "circle", "point").length, 0);
});

Deno.test("scatterChart() caps the y axis at yMax and throws when the chart is too small", () => {
  const { root } = chart([{ name: "a", points: [{ x: 1, y: 90, yErr: [80, 130] }] }], {
    yMax: 100,
  });
  const yTicks = findAll(byClass(root, "g", "y-axis")[0]!, "text").filter((t) => !t.attrs.class);
  assert.equal(yTicks.at(-1)!.text, "100");
  // the bar's upper end (130) is clipped to the top of the plot (68)
  assert.match(byClass(root, "path", "error-bar")[0]!.attrs.d!, /^M\d+(\.\d+)?,104V68/);
  assert.throws(
    () => scatterChart({ title: "t", xLabel: "x", yLabel: "y", series: [], width: 100 }),
    /scatterChart: need width ≥ 160/,
  );
});
