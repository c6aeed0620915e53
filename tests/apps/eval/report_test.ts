/**
 * The evaluation report's text (`lib/apps/eval/report.ts`): percentages, aligned Markdown tables
 * and the accuracy-per-kind table. (The whole report on a real checkpoint: evaluate_test.ts.)
 */
import assert from "node:assert/strict";
import { formatSlices, formatTable, pct } from "../../../lib/apps/eval/report.ts";
import type { SliceAccuracy } from "../../../lib/apps/eval/slices.ts";

const acc = (correct: number, count: number) => ({
  count,
  correct,
  accuracy: count === 0 ? null : correct / count,
});

Deno.test("pct() gives a fraction in percent with the digits asked, and a dash for no value", () => {
  assert.equal(pct(0.419), "41.9");
  assert.equal(pct(1 / 3, 2), "33.33");
  assert.equal(pct(0), "0.0");
  for (const x of [null, undefined, NaN, Infinity]) assert.equal(pct(x), "–");
});

Deno.test("formatTable() pads the first column left-aligned and the others right-aligned, at least 3 wide", () => {
  assert.equal(
    formatTable(["a", "b"], [["long name", "1"], ["x", "12345"]]),
    [
      "| a         |     b |",
      "| --------- | ----: |",
      "| long name |     1 |",
      "| x         | 12345 |",
    ].join("\n"),
  );
  assert.equal(formatTable(["m", "n"], []), "| m   |   n |\n| --- | --: |");
});

Deno.test("formatSlices() shows counts per kind and an untagged column only when some position is untagged", () => {
  const ntp: SliceAccuracy = {
    computable: acc(3, 4),
    unpredictable: acc(1, 10),
    other: acc(0, 0),
    untagged: acc(0, 0),
  };
  const lines = formatSlices({
    documents: { tagged: 2, untagged: 0 },
    ntp,
    ntr: null,
    ntpAtNtr: null,
  }, "NTR");
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^accuracy by position kind, % \(positions\)/);
  const table = lines[1].split("\n");
  assert.equal(table.length, 3, "header, rule and the one mode present");
  assert.match(table[0], /^\| mode +\| computable \| unpredictable \| other \|$/);
  assert.match(
    table[2],
    /^\| NTP \(greedy\), all positions \| +75\.0 \(4\) \| +10\.0 \(10\) \| +– \|$/,
  );
  const some = { ...ntp, untagged: acc(1, 2) };
  const withUntagged = formatSlices(
    { documents: { tagged: 1, untagged: 1 }, ntp: some, ntr: some, ntpAtNtr: null },
    "NTR (T=1, B=8)",
  )[1].split("\n");
  assert.match(withUntagged[0], /\| other \| untagged \|$/);
  assert.match(withUntagged[3], /^\| NTR \(T=1, B=8\), sampled positions \|.* 50\.0 \(2\) \|$/);
});
