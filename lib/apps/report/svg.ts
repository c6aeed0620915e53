/**
 * The pieces the SVG charts of `plots.ts` share: colours, margins, nice ticks, the legend, the
 * title and the value axis. The output is well-formed XML (text is escaped).
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
 * import { CHART_COLORS } from "./svg.ts";
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
export const DASHES = ["", "6 3", "2 3", "8 3 2 3"];

/**
 * Margins of the plot area inside the chart (see the module documentation); `top` is counted
 * below the legend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PLOT_MARGIN } from "./svg.ts";
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
 * import { LEGEND_ROW_HEIGHT } from "./svg.ts";
 * assert.equal(LEGEND_ROW_HEIGHT, 20);
 * ```
 */
export const LEGEND_ROW_HEIGHT = 20;
export const LEGEND_TOP = 40;
export const CHAR_WIDTH = 7; // estimated width of a 12 px character

/**
 * Escapes text for XML/HTML content and attribute values (`& < > " '`) and drops the control
 * characters that XML 1.0 forbids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./svg.ts";
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
 * import { niceTicks } from "./svg.ts";
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
export function tickLabel(v: number, step: number): string {
  if (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-4)) return v.toExponential(1);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 10));
}

// Loops rather than Math.min(...xs): no argument-count limit on long series.
/** The smallest value (Infinity for none). */
export function minOf(xs: number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}

/** The largest value (−Infinity for none). */
export function maxOf(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** A pixel coordinate, rounded to 0.01 px. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100 || 0);
}

/** The colour of series `i` (the palette repeats, with a dash pattern). */
export function colorOf(i: number): string {
  return CHART_COLORS[i % CHART_COLORS.length];
}

/** The dash pattern of series `i` (none for the first ten). */
export function dashOf(i: number): string {
  return DASHES[Math.floor(i / CHART_COLORS.length) % DASHES.length];
}

/** Throws a `RangeError` for a chart smaller than 160 × 120. */
export function checkSize(width: number, height: number, fn: string): void {
  if (!(Number.isFinite(width) && width >= 160 && Number.isFinite(height) && height >= 120)) {
    throw new RangeError(`${fn}: need width ≥ 160 and height ≥ 120, got ${width} × ${height}`);
  }
}

/** One legend entry: its name and how to draw its swatch at (x, y). */
export interface LegendItem {
  name: string;
  swatch: (x: number, y: number) => string;
}

/** Lays out legend items in rows that fit the plot width; returns the SVG and the row count. */
export function legend(items: LegendItem[], width: number): { svg: string; rows: number } {
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

/** The opening `<svg>` with a white background and the centred title. */
export function svgOpen(width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', ` +
    `Roboto, Helvetica, Arial, sans-serif" font-size="12" role="img" ` +
    `aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>` +
    `<text class="chart-title" x="${px(width / 2)}" y="24" text-anchor="middle" ` +
    `font-size="16" font-weight="600">${escapeXml(title)}</text>`;
}

/** The value axis (left): grid lines, tick labels and the rotated label. */
export function yAxis(
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
 * The horizontal axis of a numeric x: tick marks, tick labels, the axis line and its label
 * (centred at y = `labelY`).
 */
export function xAxis(
  t: NiceTicks,
  sx: (v: number) => number,
  left: number,
  right: number,
  bottom: number,
  labelY: number,
  label: string,
): string {
  const parts = t.ticks.map((v) => {
    const x = px(sx(v));
    return `<line x1="${x}" x2="${x}" y1="${px(bottom)}" y2="${px(bottom + 5)}" stroke="#333"/>` +
      `<text x="${x}" y="${px(bottom + 18)}" text-anchor="middle" fill="#444">` +
      `${escapeXml(tickLabel(v, t.step))}</text>`;
  });
  parts.push(
    `<line x1="${px(left)}" x2="${px(right)}" y1="${px(bottom)}" y2="${px(bottom)}" ` +
      `stroke="#333"/>`,
    `<text class="x-label" x="${px((left + right) / 2)}" y="${px(labelY)}" ` +
      `text-anchor="middle" font-size="13">${escapeXml(label)}</text>`,
  );
  return `<g class="x-axis">${parts.join("")}</g>`;
}

/** `v` clamped into the optional range [lo, hi]. */
export function clamp(v: number, lo: number | undefined, hi: number | undefined): number {
  return Math.min(hi ?? Infinity, Math.max(lo ?? -Infinity, v));
}

/** Ticks cut to [yMin, yMax] where the data's nice range runs past them. */
export function clampTicks(
  t: NiceTicks,
  yMin: number | undefined,
  yMax: number | undefined,
): NiceTicks {
  const lo = Math.max(t.lo, yMin ?? -Infinity), hi = Math.min(t.hi, yMax ?? Infinity);
  if (lo === t.lo && hi === t.hi) return t;
  const ticks = t.ticks.filter((v) => v >= lo && v <= hi);
  return { ...t, lo, hi, ticks };
}

/**
 * Ticks on whole numbers when the values are (steps, counts): nice ticks whose step is below 1
 * are replaced by every integer of the range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { integerTicks, niceTicks } from "./svg.ts";
 * assert.deepEqual(integerTicks(niceTicks(1, 2), [1, 2]).ticks, [1, 2]);
 * assert.deepEqual(integerTicks(niceTicks(0, 0), [0]).ticks, [0, 1]); // one step: no −1
 * assert.deepEqual(integerTicks(niceTicks(0, 0.5), [0, 0.5]).ticks, niceTicks(0, 0.5).ticks);
 * ```
 */
export function integerTicks(t: NiceTicks, values: number[]): NiceTicks {
  if (t.step >= 1 || values.length === 0 || !values.every(Number.isInteger)) return t;
  const lo = minOf(values), hi = Math.max(lo + 1, maxOf(values));
  const ticks: number[] = [];
  for (let v = lo; v <= hi; v++) ticks.push(v);
  return { lo, hi, step: 1, ticks };
}
