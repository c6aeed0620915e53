/**
 * Tests of the base-sizing sweep (`lib/apps/sweep/sweep.ts`, `sweep_results.ts`): the ranking
 * and table on hand-made records, one-line config errors naming the field, and an end-to-end run
 * of two tiny cells that writes results.jsonl/results.md and skips finished cells the second time.
 *
 * @module
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { ConfigError } from "../../../lib/util/config.ts";
import {
  cellConfigs,
  loadSweepConfig,
  runSweep,
  stepsForBudget,
  SWEEP,
} from "../../../lib/apps/sweep/sweep.ts";
import {
  perHour,
  rankRecords,
  readRecords,
  resultsMarkdown,
  type SweepRecord,
} from "../../../lib/apps/sweep/sweep_results.ts";

await initBackend("cpu");

const tinyBase = new URL("../../../configs/pretrain_tiny.yaml", import.meta.url).pathname;

function record(cell: string, ntrComputable: number | null, seconds: number): SweepRecord {
  return {
    cell,
    shape: { nLayer: 1, nEmbd: 16, nHead: 2 },
    parameters: 500_000,
    steps: 10,
    tokens: 1_000_000,
    seconds,
    tokensPerSecond: 1_000_000 / seconds,
    heldOutLoss: 1.5,
    ntrComputable,
    ntpComputable: 0.1,
    ntrNested: 0.05,
    ntpNested: 0.2,
    meanReasoningLength: 12,
    computablePositions: 40,
    evalSeconds: 3,
  };
}

Deno.test("rankRecords() orders cells by NTR computable accuracy per hour, cells without one last", () => {
  const records = [
    record("slow", 0.6, 7200), // 0.3 per hour
    record("none", null, 600),
    record("fast", 0.3, 1800), // 0.6 per hour
    record("mid", 0.2, 1800), // 0.4 per hour
  ];
  assert.deepEqual(rankRecords(records).map((r) => r.cell), ["fast", "mid", "slow", "none"]);
  assert.equal(perHour(records[2]), 0.6);
});

Deno.test("resultsMarkdown() writes the ranked table and names the best cell", () => {
  const md = resultsMarkdown([record("a", 0.2, 3600), record("b", 0.45, 1800)], {
    budget: "30 minutes of pre-training",
    temperature: 0.8,
  });
  const rows = md.split("\n").filter((l) => /^\| [a-z]/.test(l) && !l.startsWith("| cell"));
  assert.deepEqual(rows.map((l) => l.split("|")[1].trim()), ["b", "a"]);
  // b: 45.0 % on the computable slice in 30 minutes → 90.0 %/h
  assert.match(rows[0], /\| +45\.0 \|.*\| +90\.0 \|$/);
  assert.match(
    md,
    /^Best cell: b \(90\.0 %\/h; NTR 45\.0 % on the computable slice in 30\.0 minutes\)\.$/m,
  );
  assert.match(md, /Budget per cell: 30 minutes of pre-training\. Evaluation: temperature 0\.8/);
});

Deno.test("stepsForBudget() turns tokens or minutes at the probe's speed into steps", () => {
  assert.equal(stepsForBudget({ minutes: null, tokens: 1025 }, 256), 5);
  assert.equal(stepsForBudget({ minutes: 20, tokens: null }, 6144, 8800), 1718);
  assert.equal(stepsForBudget({ minutes: 1, tokens: null }, 6144, 10, 6), 6);
});

const valid = {
  base: tinyBase,
  grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }],
  budget: { tokens: 512 },
};

Deno.test("SWEEP.resolve() rejects bad settings with one line naming the field", () => {
  const fails = (overrides: unknown, message: RegExp) => {
    assert.throws(() => SWEEP.resolve(overrides), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message.split("\n").length, 1);
      assert.match(e.message, message);
      return true;
    });
  };
  assert.equal(SWEEP.resolve(valid).budget.tokens, 512);
  fails(
    { ...valid, grdi: [] },
    /^sweep\.grdi: unknown key \(expected one of: base, pretrain, grid/,
  );
  fails(
    { ...valid, grid: [] },
    /^sweep\.grid: expected a non-empty list of \{ nLayer, nEmbd, nHead \}, got \[\]$/,
  );
  fails(
    { ...valid, budget: { minutes: 20, tokens: 512 } },
    /^sweep\.budget\.tokens: expected null when minutes is set/,
  );
  fails({ ...valid, budget: {} }, /^sweep\.budget: expected minutes or tokens/);
  fails(
    { ...valid, budget: { minutes: 0 } },
    /^sweep\.budget\.minutes: expected null or a number > 0, got 0$/,
  );
  fails(
    { ...valid, grid: [{ nLayer: 1, nEmbd: 16, nHaed: 2 }] },
    /^sweep\.grid\[0\]\.nHaed: unknown key/,
  );
  fails(
    { ...valid, grid: [{ nLayer: 1, nEmbd: 16 }] },
    /^sweep\.grid\[0\]\.nHead: expected an integer ≥ 1/,
  );
  fails(
    { ...valid, grid: [{ nLayer: 1, nEmbd: 18, nHead: 4 }] },
    /^sweep\.grid\[0\]\.nHead: expected a divisor of nEmbd \(18\), got 4$/,
  );
  fails(
    { ...valid, eval: { positions: 0 } },
    /^sweep\.eval\.positions: expected an integer ≥ 1, got 0$/,
  );
});

Deno.test("loadSweepConfig() names the file, and cellConfigs() checks every cell's overrides", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/sweep.yaml`;
  await Deno.writeTextFile(file, stringify({ ...valid, budget: { minutes: 1, tokens: 5 } }));
  assert.throws(
    () => loadSweepConfig(file),
    /^ConfigError: .*sweep\.yaml\.budget\.tokens: expected null/,
  );
  const cfg = SWEEP.resolve({ ...valid, pretrain: { batchSize: 0 } });
  assert.throws(
    () => cellConfigs(cfg, dir),
    /pretrain_tiny\.yaml\.batchSize: expected an integer ≥ 1, got 0/,
  );
  const [cell] = cellConfigs(SWEEP.resolve(valid), dir);
  assert.equal(cell.out, `${dir}/L1-E16-H2`);
  assert.equal(cell.model.nEmbd, 16);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runSweep() runs two tiny cells, writes results.jsonl and results.md, then skips them", async () => {
  const out = await Deno.makeTempDir({ prefix: "rmt-sweep-test-" });
  const cfg = SWEEP.resolve({
    base: tinyBase,
    pretrain: { evalEvery: 0, checkpointEvery: 0, logEvery: 2 },
    grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }, { nLayer: 2, nEmbd: 8, nHead: 2 }],
    budget: { tokens: 3 * 2 * 128 }, // 3 steps of 2 × 128 tokens
    eval: { positions: 2, maxNewTokens: 4, batchSize: 8 },
  });
  const lines: string[] = [];
  const quiet = { out, progress: null, log: (l: string) => lines.push(l) };
  const records = await runSweep(cfg, quiet);
  assert.deepEqual(records.map((r) => r.cell), ["L1-E16-H2", "L2-E8-H2"]);
  for (const r of records) {
    assert.equal(r.steps, 3);
    assert.equal(r.tokens, 768);
    assert.ok(r.parameters > 0 && r.seconds > 0 && r.tokensPerSecond > 0);
    assert.ok(r.heldOutLoss !== null && r.heldOutLoss > 0);
    assert.ok(r.ntrNested === null || (r.ntrNested >= 0 && r.ntrNested <= 1));
    assert.ok(Deno.statSync(`${out}/${r.cell}/eval.json`).isFile);
  }
  assert.notEqual(records[0].parameters, records[1].parameters);
  assert.deepEqual(readRecords(`${out}/results.jsonl`), records);
  const md = Deno.readTextFileSync(`${out}/results.md`);
  assert.match(md, /\| L1-E16-H2 /);
  assert.match(md, /\| L2-E8-H2 /);
  assert.match(md, /^Best cell: /m);

  lines.length = 0;
  const again = await runSweep(cfg, quiet);
  assert.deepEqual(again, records);
  assert.deepEqual(lines, [
    `L1-E16-H2: done (in ${out}/results.jsonl), skipped`,
    `L2-E8-H2: done (in ${out}/results.jsonl), skipped`,
  ]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("runSweep() refuses an unfinished cell without resume, and resume finishes it", async () => {
  const out = await Deno.makeTempDir({ prefix: "rmt-sweep-test-" });
  const cfg = SWEEP.resolve({
    base: tinyBase,
    pretrain: { evalEvery: 0, checkpointEvery: 2, logEvery: 2 },
    grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }],
    budget: { tokens: 4 * 2 * 128 },
    eval: { positions: 2, maxNewTokens: 4, batchSize: 8 },
  });
  // an interrupted cell: its T recorded, a checkpoint at step 2
  const [cell] = cellConfigs(cfg, out);
  const { pretrain } = await import("../../../lib/apps/pretrain/pretrain.ts");
  await pretrain({ ...cell, steps: 4 }, { progress: null, log: () => {}, stopAfter: 2 });
  Deno.writeTextFileSync(
    `${cell.out}/sweep_cell.json`,
    JSON.stringify({ steps: 4, seconds: 1, parameters: 7 }),
  );
  const quiet = { out, progress: null, log: () => {} };
  await assert.rejects(
    () => runSweep(cfg, quiet),
    /L1-E16-H2: holds an unfinished cell; --resume continues it/,
  );
  const [r] = await runSweep(cfg, { ...quiet, resume: true });
  assert.equal(r.steps, 4);
  assert.ok(r.seconds > 1);
  const metrics = readRecords(`${cell.out}/metrics.jsonl`) as unknown as { step: number }[];
  assert.equal(metrics.at(-1)!.step, 4);
  await Deno.remove(out, { recursive: true });
});

Deno.test("runSweep() turns a minutes budget into steps with a probe inside the warm-up", async () => {
  const out = await Deno.makeTempDir({ prefix: "rmt-sweep-test-" });
  const cfg = SWEEP.resolve({
    base: tinyBase,
    pretrain: { evalEvery: 0, checkpointEvery: 0, logEvery: 1 },
    grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }],
    budget: { minutes: 0.001 }, // so little that T is the floor: the probe's 2 steps + 1
    eval: { positions: 2, maxNewTokens: 4, batchSize: 8 },
  });
  const lines: string[] = [];
  const [r] = await runSweep(cfg, { out, progress: null, log: (l) => lines.push(l) });
  assert.ok(r.steps >= 3, `T = ${r.steps}`);
  assert.ok(lines.some((l) => l.startsWith(`L1-E16-H2: `) && l.endsWith(`→ T = ${r.steps} steps`)));
  const metrics = readRecords(`${out}/L1-E16-H2/metrics.jsonl`) as unknown as { step: number }[];
  assert.equal(metrics.at(-1)!.step, r.steps);
  await Deno.remove(out, { recursive: true });
});
