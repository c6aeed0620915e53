/**
 * Dependency-free SVG charts, returned as strings (method §11.4: "writes a results table and
 * plots", every figure with its spread across seeds): a line chart with optional shaded bands
 * and a grouped bar chart with error bars. The output is well-formed XML that can be written to
 * a `.svg` file or inlined into HTML (see `html.ts`).
 *
 * Layout (pixels, origin top left; stable, so tests can compute coordinates by hand):
 * - title centred at y = 24; legend rows below it, each {@linkcode LEGEND_ROW_HEIGHT} high,
 *   starting at y = 40 and wrapped to the plot width;
 * - plot area x ∈ [{@linkcode PLOT_MARGIN}.left, width − PLOT_MARGIN.right],
 *   y ∈ [40 + LEGEND_ROW_HEIGHT · legendRows + PLOT_MARGIN.top, height − PLOT_MARGIN.bottom]
 *   (a bar chart whose group labels are too wide for their slot rotates them and takes more
 *   room at the bottom);
 * - both axes of a line chart and the value axis of a bar chart span "nice" ticks
 *   ({@linkcode niceTicks}) that cover the data (the bar chart's always include 0), within
 *   `yMin`/`yMax` when given: a rate's axis never goes below 0, however wide its band.
 *
 * A series may carry its own `color`, so that a method keeps one colour across figures;
 * otherwise series take {@linkcode CHART_COLORS} in order. Non-finite values are skipped (a
 * line breaks at them). Text is XML-escaped.
 *
 * @module
 */
import {
  CHAR_WIDTH,
  checkSize,
  clamp,
  clampTicks,
  colorOf,
  dashOf,
  escapeXml,
  integerTicks,
  legend,
  LEGEND_ROW_HEIGHT,
  LEGEND_TOP,
  maxOf,
  minOf,
  niceTicks,
  PLOT_MARGIN,
  px,
  svgOpen,
  xAxis,
  yAxis,
} from "./svg.ts";

export { CHART_COLORS, escapeXml, LEGEND_ROW_HEIGHT, niceTicks, PLOT_MARGIN } from "./svg.ts";
export type { NiceTicks } from "./svg.ts";

/**
 * A series of a {@linkcode lineChart}.
 */
export interface LineSeries {
  /** Legend name. */
  name: string;
  /** The line's points `[x, y]`, drawn in the given order. */
  points: [number, number][];
  /** Optional shaded band `[x, lo, hi]` (e.g. min–max or mean ± std across seeds). */
  band?: [number, number, number][];
  /** Its colour (default: {@linkcode CHART_COLORS} in series order). */
  color?: string;
}

/**
 * Options of {@linkcode lineChart}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart, type LineChartOptions } from "./plots.ts";
 * const opts: LineChartOptions = { title: "t", xLabel: "x", yLabel: "y", series: [], width: 320 };
 * assert.ok(lineChart(opts).includes('width="320"'));
 * ```
 */
export interface LineChartOptions {
  /** Chart title. */
  title: string;
  /** Label of the horizontal axis. */
  xLabel: string;
  /** Label of the vertical axis. */
  yLabel: string;
  /** The series, one line each, coloured in order of {@linkcode CHART_COLORS}. */
  series: LineSeries[];
  /** Lowest value the axis shows (e.g. 0 for a rate): data and bands below are clipped. */
  yMin?: number;
  /** Highest value the axis shows (e.g. 100 for a percentage). */
  yMax?: number;
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 400). */
  height?: number;
}

/**
 * A line chart as an SVG string: one `<path class="line">` per series (markers at the points
 * when a series has at most 60), an optional `<path class="band">` per series shaded in the
 * series colour, nice ticks on both axes, a legend under the title.
 *
 * @example One series with a band across seeds
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "./plots.ts";
 * const svg = lineChart({
 *   title: "Reasoning length",
 *   xLabel: "step",
 *   yLabel: "tokens",
 *   series: [{
 *     name: "RMT",
 *     points: [[0, 80], [100, 40], [200, 20]],
 *     band: [[0, 75, 85], [100, 35, 46], [200, 18, 23]],
 *   }],
 * });
 * assert.ok(svg.startsWith("<svg"));
 * assert.equal(svg.match(/<path class="line"/g)!.length, 1);
 * assert.equal(svg.match(/<path class="band"/g)!.length, 1);
 * ```
 */
export function lineChart(opts: LineChartOptions): string {
  const { title, xLabel, yLabel, width = 640, height = 400, yMin, yMax } = opts;
  checkSize(width, height, "lineChart");
  const y = (v: number) => clamp(v, yMin, yMax);
  const series = opts.series.map((s) => ({
    ...s,
    points: s.points.map(([a, b]) => [a, y(b)] as [number, number]),
    band: s.band?.map(([a, lo, hi]) => [a, y(lo), y(hi)] as [number, number, number]),
  }));
  const xs: number[] = [], ys: number[] = [];
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y)) xs.push(x), ys.push(y);
    }
    for (const [x, lo, hi] of s.band ?? []) {
      if (Number.isFinite(x) && Number.isFinite(lo) && Number.isFinite(hi)) {
        xs.push(x), ys.push(lo, hi);
      }
    }
  }
  if (yMin !== undefined && ys.length > 0) ys.push(yMin);
  const tx = integerTicks(niceTicks(minOf(xs), maxOf(xs)), xs);
  const ty = clampTicks(niceTicks(minOf(ys), maxOf(ys)), yMin, yMax);
  const leg = legend(
    series.map((s, i) => ({
      name: s.name,
      swatch: (x, y) =>
        `<line x1="${px(x)}" x2="${px(x + 18)}" y1="${px(y)}" y2="${px(y)}" ` +
        `stroke="${s.color ?? colorOf(i)}" stroke-width="2.5"${dashAttr(i)}/>`,
    })),
    width,
  );
  const left = PLOT_MARGIN.left, right = width - PLOT_MARGIN.right;
  const top = LEGEND_TOP + LEGEND_ROW_HEIGHT * leg.rows + PLOT_MARGIN.top;
  const bottom = height - PLOT_MARGIN.bottom;
  if (bottom - top < 20) throw new RangeError("lineChart: too little height for the legend");
  const sx = (v: number) => left + (v - tx.lo) / (tx.hi - tx.lo) * (right - left);
  const sy = (v: number) => bottom - (v - ty.lo) / (ty.hi - ty.lo) * (bottom - top);

  const parts = [svgOpen(width, height, title), leg.svg];
  parts.push(yAxis(ty, sy, left, right, top, bottom, yLabel));
  parts.push(xAxis(tx, sx, left, right, bottom, height - 12, xLabel));

  series.forEach((s, i) => {
    const band = (s.band ?? [])
      .filter(([x, lo, hi]) => [x, lo, hi].every(Number.isFinite))
      .sort((a, b) => a[0] - b[0]);
    if (band.length > 0) {
      const lower = band.map(([x, lo]) => `${px(sx(x))},${px(sy(lo))}`);
      const upper = band.map(([x, , hi]) => `${px(sx(x))},${px(sy(hi))}`).reverse();
      parts.push(
        `<path class="band" d="M${[...lower, ...upper].join("L")}Z" fill="${
          s.color ?? colorOf(i)
        }" ` +
          `fill-opacity="0.18" stroke="none"/>`,
      );
    }
  });
  series.forEach((s, i) => {
    let d = "", pen = false;
    for (const [x, y] of s.points) {
      if (!(Number.isFinite(x) && Number.isFinite(y))) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(sx(x))},${px(sy(y))}`;
      pen = true;
    }
    parts.push(
      `<path class="line" data-series="${escapeXml(s.name)}" d="${d}" fill="none" ` +
        `stroke="${s.color ?? colorOf(i)}" stroke-width="2" stroke-linejoin="round"${
          dashAttr(i)
        }/>`,
    );
    if (s.points.length <= 60) {
      for (const [x, y] of s.points) {
        if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
        parts.push(
          `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="3" fill="${s.color ?? colorOf(i)}">` +
            `<title>${escapeXml(`${s.name}: (${x}, ${y})`)}</title></circle>`,
        );
      }
    }
  });
  parts.push("</svg>");
  return parts.join("");
}

function dashAttr(i: number): string {
  const dash = dashOf(i);
  return dash ? ` stroke-dasharray="${dash}"` : "";
}

/**
 * A series of a {@linkcode barChart}: one bar per group.
 */
export interface BarSeries {
  /** Legend name. */
  name: string;
  /** One value per group (`NaN` leaves the slot empty). */
  values: number[];
  /** Optional error half-widths, one per group (e.g. std across seeds); drawn as ±error. */
  errors?: number[];
  /** Its colour (default: {@linkcode CHART_COLORS} in series order). */
  color?: string;
}

/**
 * Options of {@linkcode barChart}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { barChart, type BarChartOptions } from "./plots.ts";
 * const opts: BarChartOptions = {
 *   title: "t",
 *   yLabel: "%",
 *   groups: ["easy", "hard"],
 *   series: [{ name: "RMT", values: [60, 30] }],
 * };
 * assert.equal(barChart(opts).match(/<rect class="bar"/g)!.length, 2);
 * ```
 */
export interface BarChartOptions {
  /** Chart title. */
  title: string;
  /** Label of the value axis. */
  yLabel: string;
  /** Group labels along the horizontal axis (e.g. difficulty tiers). */
  groups: string[];
  /** The series, one bar per group each, coloured in order of {@linkcode CHART_COLORS}. */
  series: BarSeries[];
  /** Lowest value the axis shows (e.g. 0 for a rate): data and bands below are clipped. */
  yMin?: number;
  /** Highest value the axis shows (e.g. 100 for a percentage). */
  yMax?: number;
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 400). */
  height?: number;
}

/**
 * A grouped bar chart as an SVG string: per group, one `<rect class="bar">` per series (side by
 * side, filling 80 % of the group's slot), an error bar `<path class="error">` (value ± error,
 * with caps) where `errors` are given, a value axis that includes 0, a legend under the title.
 * Throws a `RangeError` when a series' `values` or `errors` length differs from `groups`.
 *
 * @example Accuracy per tier, mean ± std over seeds
 * ```ts
 * import assert from "node:assert/strict";
 * import { barChart } from "./plots.ts";
 * const svg = barChart({
 *   title: "Next-token accuracy",
 *   yLabel: "accuracy (%)",
 *   groups: ["easy", "medium", "hard"],
 *   series: [
 *     { name: "RPT", values: [48, 35, 23], errors: [1.5, 2, 1] },
 *     { name: "RMT", values: [62, 44, 34], errors: [1, 1.2, 2.1] },
 *   ],
 * });
 * assert.equal(svg.match(/<rect class="bar"/g)!.length, 6);
 * assert.equal(svg.match(/<path class="error"/g)!.length, 6);
 * ```
 */
export function barChart(opts: BarChartOptions): string {
  const { title, yLabel, groups, series, width = 640, height = 400, yMin, yMax } = opts;
  checkSize(width, height, "barChart");
  for (const s of series) {
    if (s.values.length !== groups.length || (s.errors && s.errors.length !== groups.length)) {
      throw new RangeError(
        `barChart: series "${s.name}" needs ${groups.length} values (and errors, if given), ` +
          `got ${s.values.length} values, ${s.errors?.length ?? "no"} errors`,
      );
    }
  }
  const ys = [0];
  for (const s of series) {
    s.values.forEach((v, g) => {
      if (!Number.isFinite(v)) return;
      const e = s.errors?.[g];
      ys.push(v);
      if (e !== undefined && Number.isFinite(e)) {
        ys.push(clamp(v - Math.abs(e), yMin, yMax), clamp(v + Math.abs(e), yMin, yMax));
      }
    });
  }
  const ty = clampTicks(niceTicks(minOf(ys), maxOf(ys)), yMin, yMax);
  const leg = legend(
    series.map((s, i) => ({
      name: s.name,
      swatch: (x, y) =>
        `<rect x="${px(x + 3)}" y="${px(y - 6)}" width="12" height="12" ` +
        `fill="${s.color ?? colorOf(i)}"/>`,
    })),
    width,
  );
  const left = PLOT_MARGIN.left, right = width - PLOT_MARGIN.right;
  const slot = (right - left) / Math.max(1, groups.length);
  const maxLabel = maxOf([0, ...groups.map((g) => g.length)]) * CHAR_WIDTH;
  const rotate = maxLabel > slot - 4;
  const bottom = height - PLOT_MARGIN.bottom - (rotate ? Math.min(120, maxLabel * 0.5) : 0);
  const top = LEGEND_TOP + LEGEND_ROW_HEIGHT * leg.rows + PLOT_MARGIN.top;
  if (bottom - top < 20) throw new RangeError("barChart: too little height for the chart");
  const sy = (v: number) => bottom - (v - ty.lo) / (ty.hi - ty.lo) * (bottom - top);

  const parts = [svgOpen(width, height, title), leg.svg];
  parts.push(yAxis(ty, sy, left, right, top, bottom, yLabel));
  const barW = (slot * 0.8) / Math.max(1, series.length);
  series.forEach((s, i) => {
    s.values.forEach((v, g) => {
      if (!Number.isFinite(v)) return;
      const x = left + g * slot + slot * 0.1 + i * barW;
      const y0 = sy(clamp(0, yMin, yMax)), y1 = sy(clamp(v, yMin, yMax));
      const e = s.errors?.[g];
      const tip = `${s.name}, ${groups[g]}: ${v}` +
        (e !== undefined && Number.isFinite(e) ? ` ± ${Math.abs(e)}` : "");
      parts.push(
        `<rect class="bar" x="${px(x)}" y="${px(Math.min(y0, y1))}" width="${px(barW)}" ` +
          `height="${px(Math.abs(y0 - y1))}" fill="${s.color ?? colorOf(i)}">` +
          `<title>${escapeXml(tip)}</title></rect>`,
      );
      if (e !== undefined && Number.isFinite(e)) {
        const cx = x + barW / 2, cap = Math.min(barW * 0.5, 10) / 2;
        const ylo = px(sy(clamp(v - Math.abs(e), yMin, yMax)));
        const yhi = px(sy(clamp(v + Math.abs(e), yMin, yMax)));
        parts.push(
          `<path class="error" d="M${px(cx)},${ylo}L${px(cx)},${yhi}` +
            `M${px(cx - cap)},${ylo}L${px(cx + cap)},${ylo}` +
            `M${px(cx - cap)},${yhi}L${px(cx + cap)},${yhi}" stroke="#222" ` +
            `stroke-width="1.2" fill="none"/>`,
        );
      }
    });
  });
  const xParts = groups.map((name, g) => {
    const cx = px(left + (g + 0.5) * slot), y = px(bottom + 16);
    return rotate
      ? `<text x="${cx}" y="${y}" text-anchor="end" transform="rotate(-30 ${cx} ${y})" ` +
        `fill="#222">${escapeXml(name)}</text>`
      : `<text x="${cx}" y="${y}" text-anchor="middle" fill="#222">${escapeXml(name)}</text>`;
  });
  const zero = px(sy(0));
  xParts.push(
    `<line x1="${px(left)}" x2="${px(right)}" y1="${zero}" y2="${zero}" stroke="#333"/>`,
  );
  parts.push(`<g class="x-axis">${xParts.join("")}</g>`);
  parts.push("</svg>");
  return parts.join("");
}
