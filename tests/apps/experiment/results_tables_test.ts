/**
 * The results tables (`lib/apps/experiment/results_tables.ts`) over fake records: mean ± std over
 * seeds, ablation deltas, post-training and the claims; and the automatic notes.
 */
import assert from "node:assert/strict";
import { automaticNotes, resultTables } from "../../../lib/apps/experiment/results_tables.ts";
import { resultsMarkdown } from "../../../lib/apps/experiment/results.ts";
import { fakeRecords, meta } from "./_records.ts";

Deno.test("resultTables: mean ± std over seeds, ablation deltas, post-training, claims", () => {
  const t = resultTables(fakeRecords());
  assert.deepEqual(t.main.rows.map((r) => r[0]), [
    "NTP (base, greedy)",
    "NTR (base, untrained)",
    "RPT",
    "RMT",
  ]);
  const rmt = t.main.rows.find((r) => r[0] === "RMT")!;
  const col = (name: string) => t.main.headers.indexOf(name);
  assert.equal(rmt[col("Average")], "55.0 ± 7.1"); // 50, 60
  assert.equal(rmt[col("Easy")], "65.0 ± 7.1");
  assert.equal(rmt[col("Disj. avg")], "57.0 ± 7.1");
  assert.equal(rmt[col("ℓ (tokens)")], "21.5 ± 0.7");
  assert.equal(rmt[col("Seeds")], "2");
  assert.match(rmt[col("Δ avg vs RPT (pp, 95% CI)")]!, /^\+20\.0 \[20\.0, 20\.0\] \(n=2\)$/);
  const ntp = t.main.rows[0]!;
  assert.equal(ntp[col("Average")], "40.0", "one deterministic run, no spread");
  assert.equal(ntp[col("ℓ (tokens)")], "–");

  const noNtp = t.ablation.rows.find((r) => r[0] === "RMT w/o NTP")!;
  assert.match(noNtp[5]!, /^-32\.5 \[-?\d+\.\d, -?\d+\.\d\] \(n=2\)$/);
  assert.equal(t.ablation.rows[0]![5], "–");

  const len = t.length.rows.find((r) => r[0] === "RMT")!;
  assert.equal(len[2], `${(100 * 21.5 / 101.5).toFixed(0)}%`);
  assert.equal(len[3], "9");

  const post = t.posttrain.rows.find((r) => r[0] === "RMT → GRPO")!;
  assert.equal(post[1], "12.0 ± 0.0");
  assert.equal(post[2], "41.5 ± 0.7");

  const verdicts = Object.fromEntries(t.claims.rows.map((r) => [r[0], r[2]]));
  assert.equal(verdicts["RMT beats RPT in accuracy (NTR average, pp)"], "agrees");
  assert.equal(
    verdicts["Removing NTP hurts most (largest drop of the ablations)"],
    "agrees (point estimates)",
  );
  assert.match(
    verdicts["RMT reasons far shorter than RPT (ℓ RMT − ℓ RPT, tokens; paper 21 %)"]!,
    /^agrees/,
  );
  assert.equal(
    verdicts["RMT checkpoint post-trains better than the base (after RL, pp)"],
    "agrees",
  );
});

Deno.test("automaticNotes: a method without any reward and an uninformative post-training", () => {
  const recs = fakeRecords().map((r) =>
    r.id === "rpt"
      ? { ...r, curve: r.curve!.map((p) => ({ ...p, reward: 0, matchRate: 0 })) }
      : r.posttrain
      ? { ...r, posttrain: { ...r.posttrain, before: 0, after: 0 } }
      : r
  );
  const notes = automaticNotes(recs);
  assert.ok(
    notes.some((n) => n.startsWith("RPT: no rollout matched") && n.includes("weight decay")),
  );
  assert.ok(notes.some((n) => n.startsWith("Post-training: no held-out question")));
  assert.ok(!notes.some((n) => n.startsWith("RMT:")));
  assert.ok(resultsMarkdown(recs, meta).includes("Observations from the records"));
  assert.deepEqual(automaticNotes(fakeRecords()), []);
});
