import assert from "node:assert/strict";
import { formatKindsReport, kindsReport } from "../../../lib/apps/pretrain/kinds_report.ts";
import { generateReasoningDocuments } from "../../../lib/data/corpus_reasoning.ts";
import { generateMathDocuments } from "../../../lib/data/corpus_math.ts";
import { Tokenizer } from "../../../lib/data/tokenizer.ts";

Deno.test("kindsReport() families add up to the whole and worked digits are counted", () => {
  const docs = [...generateReasoningDocuments(60, 1), ...generateMathDocuments(40, 1)];
  const tok = Tokenizer.train(docs.map((d) => d.text), { vocabSize: 360 });
  const r = kindsReport(docs, tok);
  const sum = { computable: 0, unpredictable: 0, other: 0 };
  for (const c of Object.values(r.byFamily)) {
    for (const k of ["computable", "unpredictable", "other"] as const) sum[k] += c[k];
  }
  assert.deepEqual(sum, r.all);
  assert.equal(r.all.computable, r.factDigits); // digits are single tokens
  assert.ok(r.workedDigits > 0 && r.workedDigits < r.factDigits);
  assert.ok(r.derivable > 0 && r.verbose >= 3 * r.concise);
  const table = formatKindsReport(r);
  assert.match(table, /^\| documents \(first family\) \| positions \| computable/);
  assert.match(
    table,
    new RegExp(`\\| all 100 \\| ${r.all.computable + r.all.unpredictable + r.all.other} \\|`),
  );
  assert.match(table, /\| story \| \d+ \| \d+\.\d % \|/);
});
