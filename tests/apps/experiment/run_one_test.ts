/**
 * `lib/apps/experiment/run_one.ts`: the runner's one-line summary of a finished run. (`runOne()`
 * itself runs every row of a tiny experiment in run_test.ts.)
 */
import assert from "node:assert/strict";
import { summaryLine } from "../../../lib/apps/experiment/run_one.ts";
import type { TierFigures } from "../../../lib/apps/experiment/run.ts";
import { record } from "./_records.ts";

const figures = (average: number): TierFigures => ({
  nested: { easy: 0.5, medium: 0.4, hard: 0.3, average },
  disjoint: { easy: 0.5, medium: 0.4, hard: 0.3, average },
});

Deno.test("summaryLine() gives NTR and NTP averages in percent, or post-training accuracy before → after", () => {
  const ntr = {
    ...figures(0.4125),
    meanLength: 12.34,
    closedFraction: 1,
    answeredFraction: 1,
    samples: 8,
    budget: null,
  };
  assert.equal(
    summaryLine(record("rmt", 1, { ntr, ntp: figures(0.25) })),
    "NTR avg 41.3 %, ℓ 12.3; NTP avg 25.0 %",
  );
  assert.equal(summaryLine(record("ntp_base", 1, { ntp: figures(0.5) })), "NTP avg 50.0 %");
  assert.equal(
    summaryLine(
      record("rmt", 1, {
        ntr: { ...ntr, meanLength: null, nested: { ...ntr.nested, average: null } },
      }),
    ),
    "NTR avg – %, ℓ –",
  );
  const posttrain = {
    from: "x",
    before: 0.1,
    after: 0.375,
    byDifficulty: {},
    lengthBefore: 30,
    lengthAfter: 20,
    decoding: "greedy",
    questions: 48,
    steps: 6,
  };
  assert.equal(summaryLine(record("post_rmt", 1, { posttrain })), "accuracy 10.0 → 37.5 %");
});
