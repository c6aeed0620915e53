import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import {
  DEFAULT_ROWS,
  EXPERIMENT_DEFAULTS,
  EXPERIMENT_ROWS,
  loadExperimentConfig,
  planRuns,
  resolveExperimentConfig,
} from "../../../lib/apps/experiment/plan.ts";
import {
  evalConfigFor,
  postTrainConfigFor,
  trainConfigFor,
} from "../../../lib/apps/experiment/run.ts";
import { main } from "../../../lib/apps/cli/experiment.ts";

Deno.test("the rows of method §11.4, with their config files", () => {
  const ids = EXPERIMENT_ROWS.map((r) => r.id);
  for (
    const id of ["ntp_base", "ntr_base", "rpt", "rmt", "rmt_no_dtb", "rmt_no_cas", "rmt_no_ntp"]
  ) assert.ok(ids.includes(id), id);
  for (const r of EXPERIMENT_ROWS.filter((r) => r.kind === "train")) {
    assert.ok(Deno.statSync(r.config!).isFile, r.config);
  }
  assert.deepEqual(
    EXPERIMENT_ROWS.filter((r) => r.kind === "posttrain").map((r) => r.from),
    ["base", "rpt", "rmt"],
  );
  assert.ok(!DEFAULT_ROWS.includes("ntp_cont"), "continued NTP is optional");
});

Deno.test("configs/experiment.yaml resolves; every row config resolves at full and quick settings", () => {
  const cfg = loadExperimentConfig("configs/experiment.yaml");
  assert.ok(cfg.quick.seeds >= 2, "at least 2 seeds per trained row, even quick");
  for (const quick of [false, true]) {
    for (const run of planRuns(cfg, { quick })) {
      if (run.row.kind === "train") {
        const t = trainConfigFor(run.row, run.seed, run.dir, cfg, quick);
        assert.equal(t.seed, run.seed);
        assert.equal(t.out, `${run.dir}/train`);
        assert.equal(t.baseCheckpoint, cfg.baseCheckpoint);
        if (quick) assert.equal(t.steps, cfg.quick.train.steps);
      } else if (run.row.kind === "posttrain") {
        const p = postTrainConfigFor(run.row, run.seed, run.dir, cfg, quick);
        assert.equal(p.seed, run.seed);
        assert.equal(p.saveCheckpoint, false);
        assert.equal(
          p.checkpoint,
          run.row.from === "base"
            ? cfg.baseCheckpoint
            : `${cfg.out}/${run.row.from}/seed-${run.seed}/train/checkpoint`,
        );
      }
    }
  }
  assert.equal(evalConfigFor(cfg, true).positions, cfg.quick.eval.positions);
  assert.equal(evalConfigFor(cfg, false).positions, cfg.eval.positions);
});

Deno.test("the method of each row is the one its config names", () => {
  const cfg = resolveExperimentConfig({});
  const method = (id: string) => {
    const row = EXPERIMENT_ROWS.find((r) => r.id === id)!;
    return trainConfigFor(row, 1, "x", cfg, false).method;
  };
  assert.equal(method("rmt").ntpWeight, 0.1);
  assert.equal(method("rmt_no_ntp").ntpWeight, 0);
  assert.equal(method("rmt_no_dtb").budget, "none");
  assert.equal(method("rmt_no_cas").sampling, "uniform");
  assert.deepEqual(
    { ...method("rpt") },
    { rlWeight: 1, ntpWeight: 0, budget: "none", sampling: "entropy-filter", reward: "prefix" },
  );
});

Deno.test("planRuns: seed-major order, NTP-greedy once, post-training after its start row", () => {
  const cfg = { ...EXPERIMENT_DEFAULTS, out: "o/" };
  const runs = planRuns(cfg, { seeds: 2 });
  assert.equal(runs.filter((r) => r.row.id === "ntp_base").length, 1);
  assert.equal(runs.filter((r) => r.row.id === "rmt").length, 2);
  const order = runs.map((r) => `${r.row.id}@${r.seed}`);
  assert.ok(order.indexOf("rmt@1") < order.indexOf("post_rmt@1"));
  assert.ok(order.indexOf("post_rmt@1") < order.indexOf("rmt@2"), "seed 1 of every row first");
  assert.equal(runs[0]!.dir, "o/ntp_base/seed-1");
  assert.equal(planRuns(cfg, { quick: true }).filter((r) => r.row.id === "rmt").length, 2);
  assert.throws(() => planRuns({ ...cfg, rows: ["post_rmt"] }), /starts from rmt/);
  assert.throws(() => planRuns(cfg, { seeds: 0 }), ConfigError);
});

Deno.test("bad experiment configs and flags are one-line errors", async () => {
  assert.throws(() => resolveExperimentConfig({ sedes: 2 }), /experiment.sedes: unknown key/);
  assert.throws(() => resolveExperimentConfig({ seeds: 0 }), /experiment.seeds/);
  assert.throws(() => resolveExperimentConfig({ quick: { step: 1 } }), /experiment.quick.step/);
  assert.throws(
    () => resolveExperimentConfig({ eval: { positons: 1 } }),
    /experiment.eval.positons/,
  );
  assert.throws(
    () => resolveExperimentConfig({ train: 3 }),
    /experiment.train: expected a mapping/,
  );
  assert.throws(
    () => resolveExperimentConfig({ backend: "tpu" }),
    /^ConfigError: experiment.backend: expected auto, cpu or webgpu, got "tpu"$/,
  );
  await assert.rejects(() => main(["--seeds", "x"]), /--seeds: expected an integer/);
  await assert.rejects(() => main(["--rows", "rmt,nope"]), /experiment.rows/);
  await assert.rejects(() => main(["--what"]), /--what: unknown flag/);
});
