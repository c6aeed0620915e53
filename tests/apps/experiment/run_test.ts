import assert from "node:assert/strict";
import { runExperiment, type RunRecord } from "../../../lib/apps/experiment/run.ts";
import { planRuns } from "../../../lib/apps/experiment/plan.ts";
import { tinyBase, tinyExperiment } from "../../_helpers/tiny_experiment.ts";

const meta = {
  command: "deno run -A cli.ts experiment (test)",
  configFile: "(test)",
  commit: "0123456789abcdef",
  dirty: false,
  backend: "cpu",
};

Deno.test("runExperiment: every row in process on a tiny base, results files, resumable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-experiment-test-" });
  await tinyBase(dir);
  const cfg = tinyExperiment(
    dir,
    ["ntp_base", "ntr_base", "ntr_base_bt", "rpt", "rmt", "post_base", "post_rmt"],
    2,
  );
  const lines: string[] = [];
  const write = (s: string) => lines.push(s);
  const first = await runExperiment({ cfg, meta, write });
  const runs = planRuns(cfg);
  assert.equal(runs.length, 13); // ntp_base once, six rows × 2 seeds
  assert.equal(first.records.length, 13);
  assert.ok(first.complete);

  const byId = (id: string) => first.records.filter((r: RunRecord) => r.id === id);
  const [ntp] = byId("ntp_base");
  assert.ok(ntp!.ntp !== null && ntp!.ntr === null);
  for (const r of byId("ntr_base")) {
    assert.ok(r.ntr !== null && r.ntr.budget === null);
    // the computable sample reads each derivation back against the generated documents
    assert.ok(r.computable !== null && r.computable!.positions > 0);
    assert.equal(typeof r.computable!.rightThroughout, "number");
  }
  for (const r of byId("ntr_base_bt")) assert.equal(r.ntr!.budget, 1, "the base with RMT's B_T");
  for (const r of byId("rmt")) {
    assert.equal(r.curve!.length, 2);
    assert.ok(r.ntr !== null && r.ntp !== null);
    assert.equal(r.ntr!.budget, 1, "evaluated with B_T = max(1, floor(6 * 0.2))");
    assert.ok(r.seconds.train > 0 && r.seconds.eval > 0);
  }
  for (const r of byId("rpt")) assert.equal(r.ntr!.budget, null);
  for (const r of byId("post_rmt")) {
    assert.ok(r.posttrain !== null);
    assert.match(r.posttrain!.from, /rmt\/seed-[12]\/train\/checkpoint$/);
    assert.equal(r.posttrain!.questions, 3);
  }
  // same NTR positions for every row of a seed (paired comparison)
  const ev = async (id: string, seed: number) =>
    JSON.parse(await Deno.readTextFile(`${dir}/exp/${id}/seed-${seed}/eval.json`));
  const a = await ev("rmt", 1), b = await ev("rpt", 1);
  assert.deepEqual(
    a.examples.map((e: { pos: number }) => e.pos),
    b.examples.map((e: { pos: number }) => e.pos),
  );
  assert.equal(a.tierModel, b.tierModel, "tiers from the base model for every row");

  const md = await Deno.readTextFile(`${dir}/docs/results.md`);
  assert.match(md, /## Next-token accuracy/);
  assert.match(md, /\| RMT +\|/);
  assert.match(md, /Complete: every planned run finished/);
  assert.match(md, /0123456789abcdef/);
  const html = await Deno.readTextFile(`${dir}/docs/results/report.html`);
  assert.ok(html.includes("<svg"));

  // resumable: a second run skips everything; a deleted record is redone without retraining
  await Deno.remove(`${dir}/exp/rmt/seed-2/record.json`);
  const metricsBefore = await Deno.readTextFile(`${dir}/exp/rmt/seed-2/train/metrics.jsonl`);
  lines.length = 0;
  const second = await runExperiment({ cfg, meta, write });
  assert.equal(second.records.length, 13);
  const sessions = JSON.parse(await Deno.readTextFile(`${dir}/exp/sessions.json`));
  assert.deepEqual(
    sessions.map((x: { runs: number }) => x.runs),
    [13, 1],
    "both sessions recorded",
  );
  assert.match(await Deno.readTextFile(`${dir}/docs/results.md`), /sessions \(the runner resumes/);
  assert.equal(lines.filter((l) => l.includes("skipped")).length, 12);
  assert.equal(
    await Deno.readTextFile(`${dir}/exp/rmt/seed-2/train/metrics.jsonl`),
    metricsBefore,
    "a finished training run is not redone",
  );

  // a time limit leaves the results partial and says so
  await Deno.remove(`${dir}/exp/post_rmt/seed-2/record.json`);
  const third = await runExperiment({ cfg, meta, write, maxMinutes: 0 });
  assert.equal(third.complete, false);
  assert.match(await Deno.readTextFile(`${dir}/docs/results.md`), /Partial results/);

  // a run another live process has claimed is skipped, not run twice …
  const claim = `${dir}/exp/post_rmt/seed-2/running.json`;
  const claimOf = (host: string, pid: number) =>
    JSON.stringify({ pid, host, startedAt: "2026-12-05T15:00:00.000Z" });
  await Deno.writeTextFile(claim, claimOf("another-host", 4242));
  lines.length = 0;
  const shared = await runExperiment({ cfg, meta, write });
  assert.equal(shared.complete, false);
  assert.ok(lines.some((l) => /post_rmt seed 2: running in process 4242 on another-host/.test(l)));
  assert.equal(shared.records.length, 12);
  // … and a claim left by a dead process of this host is taken over (4194304 > any Linux pid)
  await Deno.writeTextFile(claim, claimOf(Deno.hostname(), 4194304));
  const takenOver = await runExperiment({ cfg, meta, write });
  assert.ok(takenOver.complete);
  assert.equal(takenOver.records.length, 13);
  await assert.rejects(() => Deno.stat(claim), Deno.errors.NotFound, "released after the run");

  // records made under another plan are refused, naming the field: another learning rate …
  const lr = { ...cfg, train: { ...cfg.train, lr: 1.5e-3 } };
  await assert.rejects(
    () => runExperiment({ cfg: lr, meta, write }),
    /^ConfigError: .*\/exp\/rpt\/seed-1\/record\.json: made with another plan \(lr: [0-9.e-]+ vs 0\.0015\)/,
  );
  // … or another base checkpoint (its weights changed under the same path)
  const sums = `${cfg.baseCheckpoint}/checksums.json`;
  const digests = JSON.parse(await Deno.readTextFile(sums));
  await Deno.writeTextFile(
    sums,
    JSON.stringify({ ...digests, "model.safetensors": "0".repeat(64) }),
  );
  await assert.rejects(
    () => runExperiment({ cfg, meta, write }),
    /^ConfigError: .*\/exp\/ntp_base\/seed-1\/record\.json: made with another plan \(base: "[0-9a-f]{64}" vs "0{64}"\)/,
  );
  await Deno.remove(dir, { recursive: true });
});
