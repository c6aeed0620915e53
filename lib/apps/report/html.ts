/**
 * Rendering of the results report (method §11.4): a self-contained HTML page (inline CSS, no
 * external assets, charts inlined as SVG from `plots.ts`) that opens in any browser, plus
 * Markdown and HTML tables and the "mean ± std" cell format used in both.
 *
 * @module
 */
import { escapeXml } from "./plots.ts";
import { mean, std } from "./stats.ts";

/**
 * A cell of a table: strings are shown as given, numbers with `String(n)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Cell, markdownTable } from "./html.ts";
 * const row: Cell[] = ["RMT", 46.87, "46.9 ± 1.2"];
 * assert.ok(markdownTable(["m", "a", "b"], [row]).includes("46.87"));
 * ```
 */
export type Cell = string | number;

/**
 * Options of {@linkcode htmlReport}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlReport, type HtmlReportOptions } from "./html.ts";
 * const opts: HtmlReportOptions = { title: "Results", sections: [{ heading: "A", html: "<p>x</p>" }] };
 * assert.ok(htmlReport(opts).includes("<p>x</p>"));
 * ```
 */
export interface HtmlReportOptions {
  /** Page title (also the `<title>`); escaped. */
  title: string;
  /** A line under the title (e.g. command, date, seeds); escaped. */
  subtitle?: string;
  /**
   * The sections, in order. `heading` is escaped; `html` is inserted as is (trusted markup from
   * {@linkcode htmlTable}, `lineChart`, `barChart` or hand-written, escaped by the caller).
   */
  sections: { heading: string; html: string }[];
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1d2228;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0 0 20px; color: #5a6470; }
section { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px;
  padding: 16px 20px 20px; margin: 0 0 20px; overflow-x: auto; }
section h2 { margin: 0 0 12px; font-size: 19px; }
svg { max-width: 100%; height: auto; display: inline-block; vertical-align: top; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums;
  font-size: 14px; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e1e4e8; text-align: left; }
th { background: #f0f2f5; font-weight: 600; vertical-align: bottom; }
td.num { text-align: right; white-space: nowrap; }
tr:hover td { background: #fafbfc; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f6f8fa; padding: 10px; border-radius: 6px; overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr));
  gap: 12px 24px; }
figure { margin: 0 0 12px; min-width: 0; }
figure.wide { grid-column: 1 / -1; }
figcaption { max-width: 560px; margin: 4px 8px 0; color: #3d4650; font-size: 14px; }
`;

/**
 * A self-contained HTML page: title, optional subtitle, one `<section>` per entry. No scripts,
 * no external stylesheets, fonts or images, so the file can be opened or mailed as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlReport, htmlTable } from "./html.ts";
 * const page = htmlReport({
 *   title: "RMT <mini> results",
 *   subtitle: "3 seeds",
 *   sections: [{ heading: "Accuracy", html: htmlTable(["method", "avg"], [["RMT", "46.9"]]) }],
 * });
 * assert.ok(page.startsWith("<!DOCTYPE html>"));
 * assert.ok(page.includes("<title>RMT &lt;mini&gt; results</title>"));
 * assert.ok(page.includes("<h2>Accuracy</h2>"));
 * ```
 */
export function htmlReport(opts: HtmlReportOptions): string {
  const { title, subtitle, sections } = opts;
  const body = sections.map((s) =>
    `<section>\n<h2>${escapeXml(s.heading)}</h2>\n${s.html}\n</section>`
  );
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<header><h1>${escapeXml(title)}</h1>` +
    (subtitle ? `<p>${escapeXml(subtitle)}</p>` : "") + "</header>",
    ...body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Charts laid out two by two, each in a `<figure>` with its caption (escaped); a chart wider
 * than 600 px takes a whole row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chartGrid } from "./html.ts";
 * const html = chartGrid([{ svg: '<svg width="1000"></svg>', caption: "Look for <this>." }]);
 * assert.equal(html, '<div class="charts">\n<figure class="wide"><svg width="1000"></svg>' +
 *   "<figcaption>Look for &lt;this&gt;.</figcaption></figure>\n</div>");
 * ```
 */
export function chartGrid(charts: readonly { svg: string; caption: string }[]): string {
  const figures = charts.map(({ svg, caption }) => {
    const width = Number(/^<svg[^>]*\swidth="(\d+)"/.exec(svg)?.[1] ?? 0);
    return `<figure${width > 600 ? ' class="wide"' : ""}>${svg}` +
      `<figcaption>${escapeXml(caption)}</figcaption></figure>`;
  });
  return `<div class="charts">\n${figures.join("\n")}\n</div>`;
}

function checkRows(headers: readonly string[], rows: readonly (readonly Cell[])[], fn: string) {
  rows.forEach((r, i) => {
    if (r.length !== headers.length) {
      throw new RangeError(`${fn}: row ${i} has ${r.length} cells, expected ${headers.length}`);
    }
  });
}

// A column is right-aligned when its cells start like numbers ("45.1 ± 1.2", "-3", "12 %"),
// placeholders ("", "–", "n/a") aside, and at least one does.
const NUMERIC = /^[+\-\u2212]?(\d|\.\d)/;
const PLACEHOLDER = /^(|–|-|—|n\/a|NaN)$/;

function isNumericColumn(rows: readonly (readonly Cell[])[], j: number): boolean {
  const cells = rows.map((r) => String(r[j]).trim());
  return cells.some((c) => NUMERIC.test(c)) &&
    cells.every((c) => NUMERIC.test(c) || PLACEHOLDER.test(c));
}

/**
 * An HTML `<table>` (cells escaped; numeric columns right-aligned). Throws a `RangeError` when a
 * row's length differs from the headers'.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlTable } from "./html.ts";
 * const t = htmlTable(["method", "acc"], [["a<b", 1.5]]);
 * assert.ok(t.includes("<td>a&lt;b</td>"));
 * assert.ok(t.includes('<td class="num">1.5</td>'));
 * ```
 */
export function htmlTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  checkRows(headers, rows, "htmlTable");
  const numeric = headers.map((_, j) => isNumericColumn(rows, j));
  const head = headers.map((h, j) =>
    `<th${numeric[j] ? ' style="text-align:right"' : ""}>${escapeXml(h)}</th>`
  ).join("");
  const body = rows.map((r) =>
    "<tr>" +
    r.map((c, j) => `<td${numeric[j] ? ' class="num"' : ""}>${escapeXml(String(c))}</td>`)
      .join("") +
    "</tr>"
  ).join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function mdCell(c: Cell): string {
  return String(c).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * A GitHub-flavoured Markdown table, columns padded to equal width, numeric columns
 * right-aligned (`---:`). `|` in cells is escaped, newlines become spaces. Throws a `RangeError`
 * when a row's length differs from the headers'.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownTable } from "./html.ts";
 * assert.equal(
 *   markdownTable(["method", "avg"], [["RMT", "46.9 ± 1.2"], ["RPT", 35.9]]),
 *   [
 *     "| method |        avg |",
 *     "| ------ | ---------: |",
 *     "| RMT    | 46.9 ± 1.2 |",
 *     "| RPT    |       35.9 |",
 *   ].join("\n"),
 * );
 * ```
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  checkRows(headers, rows, "markdownTable");
  const cells = [headers.map(mdCell), ...rows.map((r) => r.map(mdCell))];
  const numeric = headers.map((_, j) => isNumericColumn(rows, j));
  const widths = headers.map((_, j) => Math.max(3, ...cells.map((r) => [...r[j]].length)));
  const pad = (s: string, j: number) => {
    const fill = " ".repeat(widths[j] - [...s].length);
    return numeric[j] ? fill + s : s + fill;
  };
  const line = (r: string[]) => `| ${r.map(pad).join(" | ")} |`;
  const rule = `| ${
    widths.map((w, j) => numeric[j] ? "-".repeat(w - 1) + ":" : "-".repeat(w)).join(" | ")
  } |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

/**
 * "mean ± std" with `digits` decimals (sample std, divisor n − 1); just the mean when there is
 * a single value, "–" when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMeanStd } from "./html.ts";
 * assert.equal(formatMeanStd([44, 45.1, 46.2], 1), "45.1 ± 1.1");
 * assert.equal(formatMeanStd([45.06], 1), "45.1");
 * assert.equal(formatMeanStd([], 1), "–");
 * ```
 */
export function formatMeanStd(values: readonly number[], digits = 1): string {
  if (values.length === 0) return "–";
  const m = mean(values).toFixed(digits);
  if (values.length < 2) return m;
  return `${m} ± ${std(values).toFixed(digits)}`;
}
