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
 *   ({@linkcode niceTicks}) that cover the data (the bar chart's always include 0).
 *
 * Non-finite values are skipped (a line breaks at them). Text is XML-escaped.
 *
 * @module
 */

/**
 * Series colours, in order (Tableau 10: distinct, readable on white). Series beyond the tenth
 * reuse them with a dash pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHART_COLORS } from "./plots.ts";
 * assert.equal(new Set(CHART_COLORS).size, CHART_COLORS.length);
 * ```
 */
export const CHART_COLORS: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
const DASHES = ["", "6 3", "2 3", "8 3 2 3"];

/**
 * Margins of the plot area inside the chart (see the module documentation); `top` is counted
 * below the legend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PLOT_MARGIN } from "./plots.ts";
 * assert.deepEqual(PLOT_MARGIN, { top: 8, right: 24, bottom: 52, left: 72 });
 * ```
 */
export const PLOT_MARGIN: Readonly<{ top: number; right: number; bottom: number; left: number }> = {
  top: 8,
  right: 24,
  bottom: 52,
  left: 72,
};

/**
 * Height of one legend row in pixels (rows start at y = 40).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LEGEND_ROW_HEIGHT } from "./plots.ts";
 * assert.equal(LEGEND_ROW_HEIGHT, 20);
 * ```
 */
export const LEGEND_ROW_HEIGHT = 20;
const LEGEND_TOP = 40;
const CHAR_WIDTH = 7; // estimated width of a 12 px character

/**
 * Escapes text for XML/HTML content and attribute values (`& < > " '`) and drops the control
 * characters that XML 1.0 forbids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./plots.ts";
 * assert.equal(escapeXml(`a<b & "c"`), "a&lt;b &amp; &quot;c&quot;");
 * ```
 */
export function escapeXml(text: string): string {
  return String(text)
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Result of {@linkcode niceTicks}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type NiceTicks, niceTicks } from "./plots.ts";
 * const t: NiceTicks = niceTicks(0, 20);
 * assert.deepEqual([t.lo, t.hi, t.step], [0, 20, 5]);
 * ```
 */
export interface NiceTicks {
  /** Start of the axis (a multiple of `step`, ≤ the data minimum). */
  lo: number;
  /** End of the axis (a multiple of `step`, ≥ the data maximum). */
  hi: number;
  /** Tick spacing: 1, 2 or 5 times a power of ten. */
  step: number;
  /** The tick values from `lo` to `hi`. */
  ticks: number[];
}

/**
 * "Nice" axis ticks covering [min, max]: the step is 1, 2 or 5 × 10^k chosen for about `count`
 * intervals, and the axis is widened to multiples of it. An empty range (min = max) is widened
 * by ±10 % (±1 around 0); non-finite bounds give [0, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { niceTicks } from "./plots.ts";
 * assert.deepEqual(niceTicks(0, 10).ticks, [0, 2, 4, 6, 8, 10]);
 * assert.deepEqual(niceTicks(0.13, 0.92), { lo: 0, hi: 1, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
 * ```
 */
export function niceTicks(min: number, max: number, count = 5): NiceTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    [min, max] = [min - d, max + d];
  }
  const raw = (max - min) / Math.max(1, count);
  const base = 10 ** Math.floor(Math.log10(raw));
  const err = raw / base;
  const mult = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.SQRT2 ? 2 : 1;
  const step = clean(mult * base);
  const i0 = Math.floor(min / step + 1e-9), i1 = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = i0; i <= i1; i++) ticks.push(clean(i * step));
  return { lo: ticks[0], hi: ticks[ticks.length - 1], step, ticks };
}

/** Removes floating-point noise such as 0.30000000000000004. */
function clean(x: number): number {
  return Number(x.toPrecision(12)) || 0;
}

/** Tick label with as many decimals as the step needs. */
function tickLabel(v: number, step: number): string {
  if (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-4)) return v.toExponential(1);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 10));
}

// Loops rather than Math.min(...xs): no argument-count limit on long series.
function minOf(xs: number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

function maxOf(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** A pixel coordinate, rounded to 0.01 px. */
function px(v: number): string {
  return String(Math.round(v * 100) / 100 || 0);
}

function colorOf(i: number): string {
  return CHART_COLORS[i % CHART_COLORS.length];
}

function dashOf(i: number): string {
  return DASHES[Math.floor(i / CHART_COLORS.length) % DASHES.length];
}

function checkSize(width: number, height: number, fn: string): void {
  if (!(Number.isFinite(width) && width >= 160 && Number.isFinite(height) && height >= 120)) {
    throw new RangeError(`${fn}: need width ≥ 160 and height ≥ 120, got ${width} × ${height}`);
  }
}

interface LegendItem {
  name: string;
  swatch: (x: number, y: number) => string;
}

/** Lays out legend items in rows that fit the plot width; returns the SVG and the row count. */
function legend(items: LegendItem[], width: number): { svg: string; rows: number } {
  if (items.length === 0) return { svg: "", rows: 0 };
  const x0 = PLOT_MARGIN.left, x1 = width - PLOT_MARGIN.right;
  let x = x0, row = 0;
  const parts: string[] = [];
  for (const item of items) {
    const w = 24 + CHAR_WIDTH * item.name.length + 16;
    if (x > x0 && x + w - 16 > x1) [x, row] = [x0, row + 1];
    const y = LEGEND_TOP + row * LEGEND_ROW_HEIGHT + LEGEND_ROW_HEIGHT / 2;
    parts.push(
      `<g class="legend-item">${item.swatch(x, y)}` +
        `<text x="${px(x + 24)}" y="${px(y)}" dominant-baseline="central">` +
        `${escapeXml(item.name)}</text></g>`,
    );
    x += w;
  }
  return { svg: `<g class="legend">${parts.join("")}</g>`, rows: row + 1 };
}

function svgOpen(width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', ` +
    `Roboto, Helvetica, Arial, sans-serif" font-size="12" role="img" ` +
    `aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<text class="chart-title" x="${px(width / 2)}" y="24" text-anchor="middle" ` +
    `font-size="16" font-weight="600">${escapeXml(title)}</text>`;
}

/** The value axis (left): grid lines, tick labels and the rotated label. */
function yAxis(
  t: NiceTicks,
  sy: (v: number) => number,
  left: number,
  right: number,
  top: number,
  bottom: number,
  label: string,
): string {
  const parts = t.ticks.map((v) => {
    const y = px(sy(v));
    return `<line x1="${px(left)}" x2="${px(right)}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>` +
      `<text x="${px(left - 8)}" y="${y}" text-anchor="end" dominant-baseline="central" ` +
      `fill="#444">${escapeXml(tickLabel(v, t.step))}</text>`;
  });
  const cy = px((top + bottom) / 2);
  parts.push(
    `<line x1="${px(left)}" x2="${px(left)}" y1="${px(top)}" y2="${px(bottom)}" stroke="#333"/>`,
    `<text class="y-label" x="18" y="${cy}" text-anchor="middle" transform="rotate(-90 18 ${cy})"` +
      ` font-size="13">${escapeXml(label)}</text>`,
  );
  return `<g class="y-axis">${parts.join("")}</g>`;
}

/**
 * A series of a {@linkcode lineChart}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LineSeries } from "./plots.ts";
 * const s: LineSeries = { name: "RMT", points: [[0, 1], [1, 2]], band: [[0, 0.5, 1.5], [1, 1.8, 2.2]] };
 * assert.equal(s.points.length, s.band!.length);
 * ```
 */
export interface LineSeries {
  /** Legend name. */
  name: string;
  /** The line's points `[x, y]`, drawn in the given order. */
  points: [number, number][];
  /** Optional shaded band `[x, lo, hi]` (e.g. min–max or mean ± std across seeds). */
  band?: [number, number, number][];
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
  const { title, xLabel, yLabel, series, width = 640, height = 400 } = opts;
  checkSize(width, height, "lineChart");
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
  const tx = niceTicks(minOf(xs), maxOf(xs));
  const ty = niceTicks(minOf(ys), maxOf(ys));
  const leg = legend(
    series.map((s, i) => ({
      name: s.name,
      swatch: (x, y) =>
        `<line x1="${px(x)}" x2="${px(x + 18)}" y1="${px(y)}" y2="${px(y)}" ` +
        `stroke="${colorOf(i)}" stroke-width="2.5"${dashAttr(i)}/>`,
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
  const xParts = tx.ticks.map((v) => {
    const x = px(sx(v));
    return `<line x1="${x}" x2="${x}" y1="${px(bottom)}" y2="${px(bottom + 5)}" stroke="#333"/>` +
      `<text x="${x}" y="${px(bottom + 18)}" text-anchor="middle" fill="#444">` +
      `${escapeXml(tickLabel(v, tx.step))}</text>`;
  });
  xParts.push(
    `<line x1="${px(left)}" x2="${px(right)}" y1="${px(bottom)}" y2="${px(bottom)}" ` +
      `stroke="#333"/>`,
    `<text class="x-label" x="${px((left + right) / 2)}" y="${px(height - 12)}" ` +
      `text-anchor="middle" font-size="13">${escapeXml(xLabel)}</text>`,
  );
  parts.push(`<g class="x-axis">${xParts.join("")}</g>`);

  series.forEach((s, i) => {
    const band = (s.band ?? [])
      .filter(([x, lo, hi]) => [x, lo, hi].every(Number.isFinite))
      .sort((a, b) => a[0] - b[0]);
    if (band.length > 0) {
      const lower = band.map(([x, lo]) => `${px(sx(x))},${px(sy(lo))}`);
      const upper = band.map(([x, , hi]) => `${px(sx(x))},${px(sy(hi))}`).reverse();
      parts.push(
        `<path class="band" d="M${[...lower, ...upper].join("L")}Z" fill="${colorOf(i)}" ` +
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
        `stroke="${colorOf(i)}" stroke-width="2" stroke-linejoin="round"${dashAttr(i)}/>`,
    );
    if (s.points.length <= 60) {
      for (const [x, y] of s.points) {
        if (!(Number.isFinite(x) && Number.isFinite(y))) continue;
        parts.push(
          `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="3" fill="${colorOf(i)}">` +
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BarSeries } from "./plots.ts";
 * const s: BarSeries = { name: "RMT", values: [62.5, 44, 34.1], errors: [1.1, 0.9, 2] };
 * assert.equal(s.values.length, s.errors!.length);
 * ```
 */
export interface BarSeries {
  /** Legend name. */
  name: string;
  /** One value per group (`NaN` leaves the slot empty). */
  values: number[];
  /** Optional error half-widths, one per group (e.g. std across seeds); drawn as ±error. */
  errors?: number[];
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
  const { title, yLabel, groups, series, width = 640, height = 400 } = opts;
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
      if (e !== undefined && Number.isFinite(e)) ys.push(v - Math.abs(e), v + Math.abs(e));
    });
  }
  const ty = niceTicks(minOf(ys), maxOf(ys));
  const leg = legend(
    series.map((s, i) => ({
      name: s.name,
      swatch: (x, y) =>
        `<rect x="${px(x + 3)}" y="${px(y - 6)}" width="12" height="12" fill="${colorOf(i)}"/>`,
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
      const y0 = sy(0), y1 = sy(v);
      const e = s.errors?.[g];
      const tip = `${s.name}, ${groups[g]}: ${v}` +
        (e !== undefined && Number.isFinite(e) ? ` ± ${Math.abs(e)}` : "");
      parts.push(
        `<rect class="bar" x="${px(x)}" y="${px(Math.min(y0, y1))}" width="${px(barW)}" ` +
          `height="${px(Math.abs(y0 - y1))}" fill="${colorOf(i)}">` +
          `<title>${escapeXml(tip)}</title></rect>`,
      );
      if (e !== undefined && Number.isFinite(e)) {
        const cx = x + barW / 2, cap = Math.min(barW * 0.5, 10) / 2;
        const ylo = px(sy(v - Math.abs(e))), yhi = px(sy(v + Math.abs(e)));
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
