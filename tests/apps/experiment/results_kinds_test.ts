/** Accuracy per position kind over seeds (`lib/apps/experiment/results_kinds.ts`). */
import assert from "node:assert/strict";
import { kindTable } from "../../../lib/apps/experiment/results_kinds.ts";
import { resultsMarkdown } from "../../../lib/apps/experiment/results.ts";
import { fakeRecords, meta } from "./_records.ts";

Deno.test("kindTable() gives accuracy per position kind over seeds, beside greedy NTP on the same positions", () => {
  const t = kindTable(fakeRecords());
  const col = (name: string) => t.headers.indexOf(name);
  assert.equal(col("Untagged"), -1, "no untagged position, no column");
  const base = t.rows.find((r) => r[0] === "Base")!;
  assert.equal(base[col("Mode")], "NTP (greedy)");
  assert.equal(base[col("Computable")], "15.0");
  assert.equal(base[col("Computable, greedy NTP on the same positions")], "–");
  const rmt = t.rows.find((r) => r[0] === "RMT")!;
  assert.equal(rmt[col("Computable")], "55.0 ± 7.1"); // 50, 60
  assert.equal(rmt[col("Unpredictable")], "10.0 ± 0.0");
  assert.equal(rmt[col("Other")], "90.0 ± 0.0");
  assert.equal(rmt[col("Computable, greedy NTP on the same positions")], "20.0 ± 0.0");
  assert.equal(rmt[col("Positions (c / u / o, first seed)")], "10 / 20 / 30");
  assert.equal(rmt[col("Seeds")], "2");
  // untagged positions get a column; records without tags (a user corpus, old records) no row
  const mixed = fakeRecords().map((r) =>
    r.id === "rmt"
      ? {
        ...r,
        slices: { ...r.slices!, ntr: { ...r.slices!.ntr!, untagged: { accuracy: 0.3, count: 5 } } },
      }
      : r
  );
  const m = kindTable(mixed);
  assert.equal(m.rows.find((r) => r[0] === "RMT")![m.headers.indexOf("Untagged")], "30.0 ± 0.0");
  assert.equal(m.rows.find((r) => r[0] === "RPT")![m.headers.indexOf("Untagged")], "–");
  const untagged = fakeRecords().map((r) =>
    r.slices ? { ...r, slices: { ...r.slices, documents: { tagged: 0, untagged: 4 } } } : r
  );
  assert.equal(kindTable(untagged).rows.length, 0);
  assert.match(
    resultsMarkdown(untagged, meta),
    /no finished run on held-out documents with position tags/,
  );
});

Deno.test("kindTable() adds the computable sample (NTR / NTP / derivations right throughout) when records carry it", () => {
  const header = "Computable sample: NTR / greedy NTP / derivations right throughout";
  assert.equal(kindTable(fakeRecords()).headers.indexOf(header), -1, "older records: no column");
  const sample = (ntr: number, right: number | null) => ({
    positions: 64,
    ntr,
    ntp: 0.25,
    rightThroughout: right,
  });
  const withSample = fakeRecords().map((r) =>
    r.id === "rmt" ? { ...r, computable: sample(r.seed === 1 ? 0.5 : 0.6, 0.2) } : r
  );
  const t = kindTable(withSample);
  const col = t.headers.indexOf(header);
  assert.ok(col > 0);
  assert.equal(
    t.rows.find((r) => r[0] === "RMT")![col],
    "55.0 ± 7.1 / 25.0 ± 0.0 / 20.0 ± 0.0 (64)",
  );
  assert.equal(t.rows.find((r) => r[0] === "RPT")![col], "–");
});
