import assert from "node:assert/strict";
import {
  formatMeanStd,
  htmlReport,
  htmlTable,
  markdownTable,
} from "../../../lib/apps/report/html.ts";
import { barChart } from "../../../lib/apps/report/plots.ts";
import { findAll, parseXml } from "./_xml.ts";

Deno.test("formatMeanStd() writes mean ± sample std", () => {
  assert.equal(formatMeanStd([43.9, 45.1, 46.3], 1), "45.1 ± 1.2");
  assert.equal(formatMeanStd([43.9, 45.1, 46.3], 2), "45.10 ± 1.20");
  assert.equal(formatMeanStd([43.9, 45.1, 46.3], 0), "45 ± 1");
  assert.equal(formatMeanStd([43.9, 45.1, 46.3]), "45.1 ± 1.2"); // default 1 digit
  assert.equal(formatMeanStd([10, 10]), "10.0 ± 0.0");
  assert.equal(formatMeanStd([45.06], 1), "45.1");
  assert.equal(formatMeanStd([], 1), "–");
});

Deno.test("markdownTable() pads, right-aligns numbers and escapes pipes", () => {
  assert.equal(
    markdownTable(["method", "acc", "note"], [
      ["RMT", 46.87, "a|b"],
      ["w/o NTP", "33.8 ± 0.7", "line\nbreak"],
      ["NTR", "–", ""],
    ]),
    [
      "| method  |        acc | note       |",
      "| ------- | ---------: | ---------- |",
      "| RMT     |      46.87 | a\\|b       |",
      "| w/o NTP | 33.8 ± 0.7 | line break |",
      "| NTR     |          – |            |",
    ].join("\n"),
  );
  assert.equal(markdownTable(["a"], []), "| a   |\n| --- |");
  assert.throws(() => markdownTable(["a", "b"], [["x"]]), /row 0 has 1 cells, expected 2/);
});

Deno.test("htmlTable() escapes cells and marks numeric columns", () => {
  const t = htmlTable(["m<1>", "acc"], [["<b>", "45.1 ± 1.2"], ["x & y", 3]]);
  assert.ok(t.includes("<th>m&lt;1&gt;</th>"));
  assert.ok(t.includes('<th style="text-align:right">acc</th>'));
  assert.ok(t.includes("<td>&lt;b&gt;</td>"));
  assert.ok(t.includes('<td class="num">45.1 ± 1.2</td>'));
  assert.ok(t.includes('<td class="num">3</td>'));
  const root = parseXml(t); // the table is also well-formed XML
  assert.equal(findAll(root, "tr").length, 3);
  assert.throws(() => htmlTable(["a"], [["x", "y"]]), RangeError);
});

Deno.test("htmlReport() is a self-contained page with the sections in order", () => {
  const chart = barChart({
    title: "acc",
    yLabel: "%",
    groups: ["easy"],
    series: [{ name: "RMT", values: [60] }],
  });
  const page = htmlReport({
    title: "Results <&>",
    subtitle: "seeds 1, 2 & 3",
    sections: [
      { heading: "Table", html: htmlTable(["a"], [["1"]]) },
      { heading: "Chart <svg>", html: chart },
    ],
  });
  assert.ok(page.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.ok(page.includes('<meta charset="utf-8">'));
  assert.ok(page.includes("<title>Results &lt;&amp;&gt;</title>"));
  assert.ok(page.includes("<p>seeds 1, 2 &amp; 3</p>"));
  assert.ok(page.indexOf("<h2>Table</h2>") < page.indexOf("<h2>Chart &lt;svg&gt;</h2>"));
  assert.ok(page.includes(chart), "section html is inserted verbatim");
  assert.ok(page.includes("<style>"));
  // nothing is loaded from elsewhere
  for (const external of ["<script", "<link", "src=", "@import", "url(", "href="]) {
    assert.ok(!page.includes(external), external);
  }
  assert.equal(page.match(/<section>/g)!.length, 2);
  assert.equal(page.match(/<\/section>/g)!.length, 2);
  assert.ok(!htmlReport({ title: "t", sections: [] }).includes("<p>"));
});
