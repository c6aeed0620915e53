import assert from "node:assert/strict";
import {
  barChart,
  CHART_COLORS,
  LEGEND_ROW_HEIGHT,
  lineChart,
  PLOT_MARGIN,
} from "../../../lib/apps/report/plots.ts";
import { findAll, parseXml, type XmlElement } from "./_xml.ts";

function byClass(root: XmlElement, tag: string, cls: string): XmlElement[] {
  return findAll(root, tag).filter((e) => e.attrs.class === cls);
}

function texts(root: XmlElement): string[] {
  return findAll(root, "text").map((e) => e.text);
}

Deno.test("the XML checker rejects malformed documents", () => {
  parseXml(`<a x="1"><b/>t &amp; &#60;<c y='2'></c></a>`);
  for (
    const bad of [
      "<a><b></a></b>",
      "<a>",
      "<a></a><b/>",
      "<a x=1/>",
      '<a x="<"/>',
      "<a>&nbsp;</a>",
      "<a>&</a>",
      '<a x="1" x="2"/>',
      "text<a/>",
      "",
    ]
  ) assert.throws(() => parseXml(bad), Error, bad);
});

Deno.test("lineChart() is well-formed with one path per series and the legend names", () => {
  const names = ["RMT", "RPT <prefix>", "NTP & co", `"quoted"`];
  const svg = lineChart({
    title: "Length <tokens> & steps",
    xLabel: "step",
    yLabel: "tokens",
    series: names.map((name, k) => ({
      name,
      points: [[0, 10 * k], [1, 10 * k + 5], [2, 10 * k + 3]],
      band: k === 0 ? [[0, 8, 12], [1, 4, 6], [2, 2, 4]] : undefined,
    })),
  });
  const root = parseXml(svg);
  assert.equal(root.name, "svg");
  assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg");
  assert.equal(root.attrs.width, "640");
  assert.equal(findAll(root, "title")[0].text, "Length <tokens> & steps");
  const lines = byClass(root, "path", "line");
  assert.equal(lines.length, names.length);
  assert.deepEqual(lines.map((l) => l.attrs["data-series"]), names);
  assert.deepEqual(lines.map((l) => l.attrs.stroke), CHART_COLORS.slice(0, names.length));
  assert.equal(byClass(root, "path", "band").length, 1);
  const legendTexts = findAll(byClass(root, "g", "legend")[0], "text").map((t) => t.text);
  assert.deepEqual(legendTexts, names);
  assert.ok(texts(root).includes("step") && texts(root).includes("tokens"));
});

Deno.test("lineChart() maps values to the documented pixel coordinates", () => {
  // width 400, height 300, one legend row: plot x ∈ [72, 376], y ∈ [68, 248]
  // x ticks 0..10 step 2, y ticks 0..100 step 20
  const svg = lineChart({
    title: "t",
    xLabel: "x",
    yLabel: "y",
    width: 400,
    height: 300,
    series: [{
      name: "a",
      points: [[0, 0], [5, 50], [10, 100]],
      band: [[10, 80, 100], [0, 0, 20]],
    }],
  });
  const root = parseXml(svg);
  const top = 40 + LEGEND_ROW_HEIGHT + PLOT_MARGIN.top, bottom = 300 - PLOT_MARGIN.bottom;
  assert.deepEqual([PLOT_MARGIN.left, 400 - PLOT_MARGIN.right, top, bottom], [72, 376, 68, 248]);
  assert.equal(byClass(root, "path", "line")[0].attrs.d, "M72,248L224,158L376,68");
  // band: lower edge left to right, upper edge back (sorted by x)
  assert.equal(byClass(root, "path", "band")[0].attrs.d, "M72,248L376,104L376,68L72,212Z");
  const circles = findAll(root, "circle").map((c) => [c.attrs.cx, c.attrs.cy]);
  assert.deepEqual(circles, [["72", "248"], ["224", "158"], ["376", "68"]]);
  const t = texts(root);
  for (const label of ["0", "2", "4", "6", "8", "10", "20", "40", "60", "80", "100"]) {
    assert.ok(t.includes(label), `tick ${label}`);
  }
  // the y tick 40 is drawn at sy(40) = 248 - 0.4 * 180 = 176
  const tick40 = findAll(byClass(root, "g", "y-axis")[0], "text").find((e) => e.text === "40")!;
  assert.equal(tick40.attrs.y, "176");
});

Deno.test("lineChart() breaks lines at non-finite points and survives empty input", () => {
  const svg = lineChart({
    title: "gaps",
    xLabel: "x",
    yLabel: "y",
    width: 400,
    height: 300,
    series: [{ name: "a", points: [[0, 0], [2, NaN], [5, 50], [10, 100]] }, {
      name: "b",
      points: [],
    }],
  });
  const root = parseXml(svg);
  const [a, b] = byClass(root, "path", "line");
  assert.equal(a.attrs.d, "M72,248M224,158L376,68");
  assert.equal(b.attrs.d, "");
  parseXml(lineChart({ title: "empty", xLabel: "x", yLabel: "y", series: [] }));
  assert.throws(
    () => lineChart({ title: "t", xLabel: "x", yLabel: "y", series: [], width: 10 }),
    RangeError,
  );
});

Deno.test("lineChart() wraps a long legend and dashes series beyond the palette", () => {
  const series = Array.from({ length: 12 }, (_, k) => ({
    name: `series number ${k}`,
    points: [[0, k], [1, k + 1]] as [number, number][],
  }));
  const root = parseXml(
    lineChart({ title: "many", xLabel: "x", yLabel: "y", series, width: 400, height: 400 }),
  );
  const ys = new Set(
    findAll(byClass(root, "g", "legend")[0], "text").map((t) => t.attrs.y),
  );
  assert.ok(ys.size > 1, "legend on several rows");
  const lines = byClass(root, "path", "line");
  assert.equal(lines.length, 12);
  assert.equal(lines[10].attrs.stroke, lines[0].attrs.stroke);
  assert.equal(lines[0].attrs["stroke-dasharray"], undefined);
  assert.equal(lines[10].attrs["stroke-dasharray"], "6 3");
  // the plot starts below the legend: the top y tick sits at 40 + 20 · rows + 8
  const yTicks = findAll(byClass(root, "g", "y-axis")[0], "line").map((l) => Number(l.attrs.y1));
  assert.equal(Math.min(...yTicks), 40 + LEGEND_ROW_HEIGHT * ys.size + PLOT_MARGIN.top);
});

Deno.test("barChart() maps values and errors to the documented pixel coordinates", () => {
  // width 400, height 300: plot x ∈ [72, 376], y ∈ [68, 248]; values 0..20 step 5
  // two groups of 152 px; one bar of 0.8 · 152 = 121.6 px, starting 15.2 px into its slot
  const svg = barChart({
    title: "bars",
    yLabel: "acc",
    groups: ["a", "b"],
    series: [{ name: "s", values: [10, 20], errors: [2, 0] }],
    width: 400,
    height: 300,
  });
  const root = parseXml(svg);
  const bars = byClass(root, "rect", "bar").map((
    r,
  ) => [r.attrs.x, r.attrs.y, r.attrs.width, r.attrs.height]);
  assert.deepEqual(bars, [["87.2", "158", "121.6", "90"], ["239.2", "68", "121.6", "180"]]);
  const errors = byClass(root, "path", "error").map((p) => p.attrs.d);
  assert.deepEqual(errors, [
    "M148,176L148,140M143,176L153,176M143,140L153,140",
    "M300,68L300,68M295,68L305,68M295,68L305,68",
  ]);
  assert.equal(findAll(byClass(root, "rect", "bar")[0], "title")[0].text, "s, a: 10 ± 2");
  assert.deepEqual(
    findAll(byClass(root, "g", "x-axis")[0], "text").map((t) => [t.text, t.attrs.x]),
    [["a", "148"], ["b", "300"]],
  );
});

Deno.test("barChart() groups series side by side, handles negatives, NaN and long labels", () => {
  const groups = ["easy", "medium", "hard"];
  const svg = barChart({
    title: "A & B",
    yLabel: "Δ accuracy",
    groups,
    series: [
      { name: "RMT", values: [5, -3, NaN], errors: [1, 1, 1] },
      { name: "RPT", values: [2, 1, 4] },
    ],
  });
  const root = parseXml(svg);
  const bars = byClass(root, "rect", "bar");
  assert.equal(bars.length, 5);
  assert.equal(byClass(root, "path", "error").length, 2);
  assert.deepEqual(findAll(byClass(root, "g", "legend")[0], "text").map((t) => t.text), [
    "RMT",
    "RPT",
  ]);
  assert.deepEqual(bars.map((b) => b.attrs.fill), [
    ...Array(2).fill(CHART_COLORS[0]),
    ...Array(3).fill(CHART_COLORS[1]),
  ]);
  // the negative bar hangs from the zero line; the positive ones stand on it
  const zero = findAll(byClass(root, "g", "x-axis")[0], "line")[0].attrs.y1;
  assert.equal(bars[1].attrs.y, zero);
  assert.equal(Number(bars[0].attrs.y) + Number(bars[0].attrs.height), Number(zero));
  // within a group, series are side by side in order
  assert.ok(Number(bars[0].attrs.x) < Number(bars[2].attrs.x));
  assert.ok(texts(root).includes("-4") || texts(root).includes("-5"));
  // labels too long for their slot are rotated
  const long = parseXml(barChart({
    title: "t",
    yLabel: "y",
    groups: ["RMT w/o DTB", "RMT w/o CAS", "RMT w/o NTP", "RPT (baseline)"],
    series: [{ name: "s", values: [1, 2, 3, 4] }],
    width: 300,
    height: 300,
  }));
  const labels = findAll(byClass(long, "g", "x-axis")[0], "text");
  assert.ok(labels.every((l) => l.attrs.transform?.startsWith("rotate(-30")));
  assert.throws(
    () => barChart({ title: "t", yLabel: "y", groups, series: [{ name: "s", values: [1] }] }),
    /series "s" needs 3 values/,
  );
});
