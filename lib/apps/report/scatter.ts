/**
 * A scatter chart as an SVG string (issue 17: accuracy against reasoning length, the paper's
 * central trade-off): points in series, one colour per series, optional 95 % error bars in x
 * and y, faint extra points per series (e.g. the single seeds behind a mean), a legend, a title
 * and an optional one-line caption under the x-axis label. Same look and layout as the charts
 * of `plots.ts` (see `svg.ts`):
 *
 * - plot area x ∈ [PLOT_MARGIN.left, width − PLOT_MARGIN.right],
 *   y ∈ [40 + LEGEND_ROW_HEIGHT · legendRows + PLOT_MARGIN.top, height − PLOT_MARGIN.bottom
 *   − (18 with a caption)];
 * - both axes start at 0 and end at the nice tick covering the largest value, error bars
 *   included; `xMax`/`yMax` cap them (e.g. 100 for a percentage). Values outside (a negative
 *   interval end of a t-interval, say) are drawn at the axis's edge.
 *
 * Points or bar ends that are not finite are skipped, a series without a finite point leaves
 * the legend, so no `NaN` reaches the SVG. Text is XML-escaped.
 *
 * @module
 */
import {
  checkSize,
  clamp,
  clampTicks,
  colorOf,
  escapeXml,
  legend,
  LEGEND_ROW_HEIGHT,
  LEGEND_TOP,
  maxOf,
  niceTicks,
  PLOT_MARGIN,
  px,
  svgOpen,
  xAxis,
  yAxis,
} from "./svg.ts";

/** One point of a {@linkcode ScatterSeries}, with optional intervals `[lo, hi]`. */
export interface ScatterPoint {
  x: number;
  y: number;
  /** Interval in x (e.g. a 95 % confidence interval), drawn as a horizontal bar. */
  xErr?: [number, number];
  /** Interval in y, drawn as a vertical bar. */
  yErr?: [number, number];
}

/** A series of a {@linkcode scatterChart}. */
export interface ScatterSeries {
  /** Legend name. */
  name: string;
  /** Its points, drawn as filled circles (`class="point"`). */
  points: ScatterPoint[];
  /** Extra points drawn small and translucent (`class="faint"`), e.g. one per seed. */
  faint?: [number, number][];
  /** Its colour (default: `CHART_COLORS` in series order). */
  color?: string;
}

/** Options of {@linkcode scatterChart}. */
export interface ScatterChartOptions {
  /** Chart title. */
  title: string;
  /** Label of the horizontal axis, with its unit. */
  xLabel: string;
  /** Label of the vertical axis, with its unit. */
  yLabel: string;
  /** The series. */
  series: ScatterSeries[];
  /** One sentence under the x-axis label (how to read the figure). */
  caption?: string;
  /** Highest value the x axis shows. */
  xMax?: number;
  /** Highest value the y axis shows (e.g. 100 for a percentage). */
  yMax?: number;
  /** Width in pixels (default 640). */
  width?: number;
  /** Height in pixels (default 400). */
  height?: number;
}

const finite = (...v: number[]) => v.every(Number.isFinite);
const errOk = (e: [number, number] | undefined): e is [number, number] =>
  e !== undefined && finite(e[0], e[1]);

/**
 * A scatter chart as an SVG string: one `<circle class="point">` per finite point, an
 * `<path class="error-bar">` per finite interval (`data-axis` x or y), `<circle class="faint">` per faint point.
 *
 * @example Two methods, one with 95 % intervals
 * ```ts
 * import assert from "node:assert/strict";
 * import { scatterChart } from "./scatter.ts";
 * const svg = scatterChart({
 *   title: "Accuracy against reasoning length",
 *   xLabel: "ℓ̄ (tokens)",
 *   yLabel: "accuracy (%)",
 *   series: [
 *     { name: "RPT", points: [{ x: 100, y: 30 }] },
 *     { name: "RMT", points: [{ x: 20, y: 55, xErr: [15, 25], yErr: [50, 60] }] },
 *   ],
 *   width: 424, // plot area x from 72 to 400: 0–100 tokens → 3.28 px per token
 * });
 * assert.equal(svg.match(/<circle class="point"/g)!.length, 2);
 * assert.equal(svg.match(/<path class="error-bar"/g)!.length, 2);
 * assert.match(svg, /<circle class="point" cx="137.6"/); // 72 + 20 · 3.28
 * ```
 */
export function scatterChart(opts: ScatterChartOptions): string {
  const { title, xLabel, yLabel, caption, width = 640, height = 400, xMax, yMax } = opts;
  checkSize(width, height, "scatterChart");
  const series = opts.series.map((s, i) => ({
    name: s.name,
    color: s.color ?? colorOf(i),
    points: s.points.filter((p) => finite(p.x, p.y)),
    faint: (s.faint ?? []).filter(([x, y]) => finite(x, y)),
  }));
  const xs: number[] = [0], ys: number[] = [0];
  for (const s of series) {
    for (const p of s.points) {
      xs.push(p.x, ...(errOk(p.xErr) ? p.xErr : []));
      ys.push(p.y, ...(errOk(p.yErr) ? p.yErr : []));
    }
    for (const [x, y] of s.faint) xs.push(x), ys.push(y);
  }
  const tx = clampTicks(niceTicks(0, maxOf(xs)), 0, xMax);
  const ty = clampTicks(niceTicks(0, maxOf(ys)), 0, yMax);
  const leg = legend(
    series.filter((s) => s.points.length + s.faint.length > 0).map((s) => ({
      name: s.name,
      swatch: (x, y) =>
        `<circle cx="${px(x + 9)}" cy="${px(y)}" r="5" fill="${s.color}" stroke="#ffffff"/>`,
    })),
    width,
  );
  const left = PLOT_MARGIN.left, right = width - PLOT_MARGIN.right;
  const top = LEGEND_TOP + LEGEND_ROW_HEIGHT * leg.rows + PLOT_MARGIN.top;
  const extra = caption ? 18 : 0;
  const bottom = height - PLOT_MARGIN.bottom - extra;
  if (bottom - top < 20) throw new RangeError("scatterChart: too little height for the legend");
  const sx = (v: number) =>
    left + (clamp(v, tx.lo, tx.hi) - tx.lo) / (tx.hi - tx.lo) * (right - left);
  const sy = (v: number) =>
    bottom - (clamp(v, ty.lo, ty.hi) - ty.lo) / (ty.hi - ty.lo) * (bottom - top);

  const parts = [svgOpen(width, height, title), leg.svg];
  parts.push(yAxis(ty, sy, left, right, top, bottom, yLabel));
  parts.push(xAxis(tx, sx, left, right, bottom, height - 12 - extra, xLabel));
  if (caption) {
    parts.push(
      `<text class="caption" x="${px(left)}" y="${px(height - 10)}" fill="#555">` +
        `${escapeXml(caption)}</text>`,
    );
  }
  for (const s of series) {
    for (const [x, y] of s.faint) {
      parts.push(
        `<circle class="faint" cx="${px(sx(x))}" cy="${px(sy(y))}" r="3" fill="${s.color}" ` +
          `fill-opacity="0.35"><title>${escapeXml(`${s.name}: (${x}, ${y})`)}</title></circle>`,
      );
    }
  }
  for (const s of series) {
    for (const p of s.points) {
      const cx = sx(p.x), cy = sy(p.y);
      const bar = (axis: string, d: string) =>
        `<path class="error-bar" data-axis="${axis}" d="${d}" fill="none" stroke="${s.color}" ` +
        `stroke-width="1.5"/>`;
      if (errOk(p.xErr)) {
        const [a, b] = p.xErr.map(sx);
        parts.push(bar(
          "x",
          `M${px(a)},${px(cy)}H${px(b)}M${px(a)},${px(cy - 4)}V${px(cy + 4)}` +
            `M${px(b)},${px(cy - 4)}V${px(cy + 4)}`,
        ));
      }
      if (errOk(p.yErr)) {
        const [a, b] = p.yErr.map(sy);
        parts.push(bar(
          "y",
          `M${px(cx)},${px(a)}V${px(b)}M${px(cx - 4)},${px(a)}H${px(cx + 4)}` +
            `M${px(cx - 4)},${px(b)}H${px(cx + 4)}`,
        ));
      }
    }
  }
  for (const s of series) {
    for (const p of s.points) {
      parts.push(
        `<circle class="point" cx="${px(sx(p.x))}" cy="${px(sy(p.y))}" r="5" ` +
          `fill="${s.color}" stroke="#ffffff" stroke-width="1.5">` +
          `<title>${escapeXml(`${s.name}: (${p.x}, ${p.y})`)}</title></circle>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}
