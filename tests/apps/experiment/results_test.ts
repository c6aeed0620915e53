/**
 * The results pages (`lib/apps/experiment/results.ts`) over fake records: Markdown with every
 * table and the reproduction facts, self-contained HTML with well-formed SVG plots, and the files.
 */
import assert from "node:assert/strict";
import {
  METHOD_COLORS,
  resultCharts,
  resultsHtml,
  resultsMarkdown,
  writeResults,
} from "../../../lib/apps/experiment/results.ts";
import { fakeRecords, meta } from "./_records.ts";
import { parseXml } from "../report/_xml.ts";

Deno.test("resultsMarkdown: every table, reproduction facts, partial status", () => {
  const md = resultsMarkdown(fakeRecords(), meta);
  for (
    const heading of [
      "## Next-token accuracy (paper §6.3, §6.4)",
      "## Ablation (paper §6.6)",
      "## Reasoning length (paper §6.4)",
      "## Post-training (paper §6.5)",
      "## Accuracy by position kind",
      "## The paper's claims, checked here",
      "## Reproduce",
    ]
  ) assert.ok(md.includes(heading), heading);
  assert.ok(md.includes("deno run -A cli.ts experiment --quick"));
  assert.ok(md.includes("deadbeefcafe0123"));
  assert.ok(md.includes("uncommitted"));
  assert.ok(md.includes("cpu (test)"));
  assert.match(md, /Greedy NTP takes the argmax over ordinary tokens only: the special tokens/);
  assert.match(md, /\| Base +\| NTP \(greedy\) \| +15\.0 \|/);
  assert.ok(!/NaN|undefined/.test(md), "no NaN or undefined in the tables");
  // every table row has as many cells as its header
  for (const block of md.split("\n\n").filter((b) => b.startsWith("| "))) {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    for (const l of lines) assert.equal(cells(l), cells(lines[0]!), `${l}\nin\n${block}`);
  }
  const partial = resultsMarkdown(fakeRecords().slice(0, 3), { ...meta, complete: false });
  assert.match(partial, /\*\*Partial results\*\*/);
  assert.match(resultsMarkdown([], { ...meta, complete: false }), /no finished runs yet/);
});

Deno.test("resultsHtml: self-contained, well-formed SVG plots with seed bands and error bars", () => {
  const records = fakeRecords();
  const charts = resultCharts(records);
  const chart = (title: string) => charts.find((c) => c.svg.includes(`<title>${title}</title>`))!;
  for (const c of charts) {
    parseXml(c.svg); // throws when malformed
    assert.ok(c.caption.length > 40, "a sentence on what to look for");
  }
  const reward = chart("Mean reward r over steps").svg;
  assert.equal(reward.match(/<path class="line"/g)!.length, 5, "RPT, RMT and three ablations");
  assert.equal(reward.match(/<path class="band"/g)!.length, 5, "a seed band per method");
  const budget = chart("Budget B_t over steps").svg;
  assert.equal(budget.match(/<path class="line"/g)!.length, 3, "rows with a budget only");
  const bars = chart("Accuracy by tier (nested)").svg;
  assert.equal(bars.match(/<rect class="bar"/g)!.length, 7 * 4);
  assert.ok(chart("Post-training accuracy") !== undefined);
  // one colour per method in every figure
  let seen = 0;
  for (const [name, id] of [["RMT", "rmt"], ["RPT", "rpt"], ["RMT w/o NTP", "rmt_no_ntp"]]) {
    const colour = METHOD_COLORS[id]!;
    for (const c of charts) {
      const line = c.svg.match(
        new RegExp(`data-series="${name}" d="[^"]*" fill="none" stroke="([^"]+)"`),
      );
      const bar = c.svg.match(new RegExp(`fill="([^"]+)"><title>${name}, `));
      for (const m of [line, bar]) {
        if (m) assert.equal(m[1], colour, `${name} in ${c.caption}`), seen++;
      }
    }
  }
  assert.ok(seen >= 3 * 4, `colours checked ${seen} times`);
  // rates never go below 0 (bands and error bars are clipped), and are in percent
  for (const title of ["Match rate over steps", "Accuracy by tier (nested)"]) {
    const ticks = [
      ...chart(title).svg.matchAll(
        /<text x="64(?:\.\d+)?" y="[\d.]+" text-anchor="end"[^>]*>([^<]+)</g,
      ),
    ]
      .map((m) => Number(m[1]));
    assert.ok(ticks.length > 1 && Math.min(...ticks) >= 0, `${title}: ticks ${ticks}`);
  }
  assert.match(chart("Match rate over steps").svg, /match rate \(% of rollouts\)/);

  const html = resultsHtml(records, meta);
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.trimEnd().endsWith("</html>"));
  assert.ok(!/<script|<link|src="http/.test(html), "no external resources, no scripts");
  for (const tag of ["section", "table", "svg", "figure", "main", "body"]) {
    const open = html.match(new RegExp(`<${tag}[\\s>]`, "g"))?.length ?? 0;
    const close = html.match(new RegExp(`</${tag}>`, "g"))?.length ?? 0;
    assert.equal(open, close, `<${tag}> balanced`);
  }
  for (const svg of html.match(/<svg[\s\S]*?<\/svg>/g)!) parseXml(svg);
  for (const table of html.match(/<table>[\s\S]*?<\/table>/g)!) parseXml(table);
  assert.ok(!/NaN|undefined/.test(html.replace(/<svg[\s\S]*?<\/svg>/g, "")));
});

Deno.test("writeResults creates both files and their directories", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-results-test-" });
  await writeResults(fakeRecords(), meta, {
    markdown: `${dir}/docs/results.md`,
    html: `${dir}/docs/results/report.html`,
  });
  assert.ok((await Deno.readTextFile(`${dir}/docs/results.md`)).startsWith("# Results"));
  assert.ok((await Deno.readTextFile(`${dir}/docs/results/report.html`)).includes("<svg"));
  await Deno.remove(dir, { recursive: true });
});
