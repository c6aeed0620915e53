/**
 * The experiment's records (`lib/apps/experiment/records.ts`): the compact figures of an
 * evaluation report, the training curve of a metrics.jsonl, and the sessions and records read
 * back from a run directory.
 */
import assert from "node:assert/strict";
import {
  figuresOf,
  gitFacts,
  readRecords,
  readSessions,
  trainCurve,
} from "../../../lib/apps/experiment/records.ts";
import type { PlannedRun } from "../../../lib/apps/experiment/plan.ts";
import type { EvalReport } from "../../../lib/apps/eval/report.ts";
import { record } from "./_records.ts";

const acc = (correct: number, count: number) => ({ count, correct, accuracy: correct / count });
const tiers = {
  disjoint: { low: acc(1, 2), easy: acc(1, 4), medium: acc(1, 5), hard: acc(0, 1) },
  nested: { easy: acc(2, 10), medium: acc(1, 6), hard: acc(0, 1) },
};

Deno.test("figuresOf() keeps the accuracies, averages and NTR statistics of a report", () => {
  const kinds = { computable: acc(3, 4), unpredictable: acc(0, 2), other: acc(1, 1) };
  const report = {
    ntp: { ...tiers, all: acc(3, 12), average: 0.2, averageDisjoint: 0.15 },
    ntr: {
      ...tiers,
      samples: 10,
      average: 0.3,
      averageDisjoint: 0.25,
      meanReasoningLength: 7.5,
      meanReasoningLengthClosed: 7,
      closedFraction: 0.9,
      answeredFraction: 0.8,
      settings: { budget: 16 },
    },
    slices: { documents: { tagged: 2, untagged: 1 }, ntp: kinds, ntr: null, ntpAtNtr: null },
  } as unknown as EvalReport;
  const f = figuresOf(report);
  assert.deepEqual(f.ntp, {
    nested: { easy: 0.2, medium: 1 / 6, hard: 0, average: 0.2 },
    disjoint: { easy: 0.25, medium: 0.2, hard: 0, average: 0.15 },
  });
  assert.deepEqual(f.ntr, {
    nested: { easy: 0.2, medium: 1 / 6, hard: 0, average: 0.3 },
    disjoint: { easy: 0.25, medium: 0.2, hard: 0, average: 0.25 },
    meanLength: 7.5,
    closedFraction: 0.9,
    answeredFraction: 0.8,
    samples: 10,
    budget: 16,
  });
  assert.deepEqual(f.slices, {
    documents: { tagged: 2, untagged: 1 },
    ntp: {
      computable: { accuracy: 0.75, count: 4 },
      unpredictable: { accuracy: 0, count: 2 },
      other: { accuracy: 1, count: 1 },
    },
    ntr: null,
    ntpAtNtr: null,
  });
  const none = figuresOf({ ntp: null, ntr: null } as unknown as EvalReport);
  assert.deepEqual(
    none,
    { ntp: null, ntr: null, slices: null, computable: null },
    "reports before slices and the computable sample",
  );
  // the computable sample: NTR, greedy NTP on the same positions, derivations right throughout
  const c = figuresOf({
    ntp: null,
    ntr: null,
    computable: {
      population: 900,
      ntr: { count: 64, correct: 32, accuracy: 0.5 },
      ntpAtNtr: { count: 64, correct: 16, accuracy: 0.25 },
      meanReasoningLength: 300,
      closedFraction: 1,
      concise: null,
      derivations: {
        positions: 60,
        noDerivation: 0,
        wrongProblem: 30,
        wrongResult: 15,
        wrongDigit: 0,
        right: 15,
      },
    },
  } as unknown as EvalReport);
  assert.deepEqual(c.computable, { positions: 64, ntr: 0.5, ntp: 0.25, rightThroughout: 0.25 });
});

Deno.test("trainCurve() reads step, reward, match rate, length and budget of each metrics line", async () => {
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  const line = (step: number, budget: number | null) =>
    JSON.stringify({
      step,
      meanReward: step / 4,
      matchRate: step / 2,
      meanLength: 9 - step,
      budget,
    });
  await Deno.writeTextFile(file, `${line(0, 12)}\n\n${line(1, null)}\n`);
  assert.deepEqual(await trainCurve(file), [
    { step: 0, reward: 0, matchRate: 0, length: 9, budget: 12 },
    { step: 1, reward: 0.25, matchRate: 0.5, length: 8, budget: null },
  ]);
  await Deno.remove(file);
});

Deno.test("readSessions() and readRecords() read what exists and skip what does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-records-" });
  assert.deepEqual(await readSessions(dir), []);
  const session = { startedAt: "2026-01-01T00:00:00Z", runs: 2 };
  await Deno.writeTextFile(`${dir}/sessions.json`, JSON.stringify([session]));
  assert.deepEqual(await readSessions(dir), [session]);
  const rmt = record("rmt", 1);
  await Deno.mkdir(`${dir}/rmt/seed-1`, { recursive: true });
  await Deno.writeTextFile(`${dir}/rmt/seed-1/record.json`, JSON.stringify(rmt));
  const runs = [
    { seed: 1, dir: `${dir}/rmt/seed-1` },
    { seed: 2, dir: `${dir}/rmt/seed-2` }, // not run yet
  ] as PlannedRun[];
  assert.deepEqual(await readRecords(runs), [rmt]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("gitFacts() gives the 40-digit commit of the repository the tests run in", async () => {
  const { commit, dirty } = await gitFacts();
  assert.match(commit, /^[0-9a-f]{40}$/);
  assert.equal(typeof dirty, "boolean");
});
