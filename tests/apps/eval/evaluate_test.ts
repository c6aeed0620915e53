/**
 * The whole evaluation (`lib/apps/eval/evaluate.ts`) on a seconds-long pre-trained checkpoint:
 * NTP, NTR, slices, the report, the scores cache and the command's eval.json.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/engine/tensor.ts";
import { evaluateCheckpoint } from "../../../lib/apps/eval/evaluate.ts";
import { formatReport } from "../../../lib/apps/eval/report.ts";
import { readYamlFile } from "../../../lib/util/config.ts";
import { resolvePretrainConfig } from "../../../lib/apps/pretrain/config.ts";
import { pretrain } from "../../../lib/apps/pretrain/pretrain.ts";
import { main } from "../../../lib/apps/cli/eval.ts";

await initBackend("cpu");

Deno.test("evaluation: a tiny checkpoint end to end, report, cache and eval.json", async () => {
  const dir = Deno.makeTempDirSync();
  const cfg = resolvePretrainConfig({ ...readYamlFile("configs/pretrain_tiny.yaml"), out: dir });
  await pretrain(cfg, { progress: null, log: () => {} });
  const config = {
    positions: 2,
    maxNewTokens: 6,
    batchSize: 8,
    cacheDir: `${dir}/cache`,
    entropy: {
      topK: 0,
      thresholds: [0.5, 1, 1.5],
      tierMode: "quantiles" as const,
      quantiles: [0.3, 0.6, 0.9],
    },
  };
  const r = await evaluateCheckpoint(`${dir}/checkpoint`, { config });
  assert.equal(r.step, 6);
  assert.equal(r.corpus.documents, cfg.data.heldOutDocs);
  assert.ok(r.ntp !== null && r.ntp.all.count === r.corpus.positions);
  assert.ok(r.ntr !== null && r.ntr.samples === 6);
  assert.ok(r.ntr.meanReasoningLength! >= 0 && r.ntr.meanReasoningLength! <= 6);
  assert.equal(r.tiers.thresholds.length, 3);
  assert.match(formatReport(r), /\| NTP \(greedy\) /);
  // generated math documents carry position tags: every scored position is in one kind
  const s = r.slices!;
  assert.deepEqual(s.documents, { tagged: cfg.data.heldOutDocs, untagged: 0 });
  const total = (a: Record<string, { count: number }>) =>
    Object.values(a).reduce((n, x) => n + x.count, 0);
  assert.equal(total(s.ntp!), r.ntp.all.count);
  assert.equal(s.ntp!.untagged.count, 0);
  assert.ok(s.ntp!.computable.count > 0 && s.ntp!.unpredictable.count > 0);
  assert.equal(total(s.ntr!), 6);
  assert.equal(total(s.ntpAtNtr!), 6);
  assert.match(formatReport(r), /\| NTP \(greedy\), all positions +\| +[\d.]+ \(\d+\) \|/);
  // second run: entropies come from the cache and the figures are identical
  const again = await evaluateCheckpoint(`${dir}/checkpoint`, { config });
  assert.deepEqual(again.ntp, r.ntp);
  assert.deepEqual(again.ntr!.disjoint, r.ntr.disjoint);
  // the command writes eval.json to --out
  const log = console.log;
  console.log = () => {};
  try {
    await main([
      "--checkpoint",
      `${dir}/checkpoint`,
      "--positions",
      "1",
      "--max-new",
      "4",
      "--mode",
      "ntp",
      "--examples",
      "0",
      "--out",
      `${dir}/eval`,
      "--backend",
      "cpu",
      "--no-cache",
    ]);
  } finally {
    console.log = log;
  }
  const json = JSON.parse(Deno.readTextFileSync(`${dir}/eval/eval.json`));
  assert.equal(json.ntr, null);
  assert.equal(json.ntp.all.count, r.ntp.all.count);
  assert.deepEqual(json.slices.ntp, s.ntp);
  assert.ok(json.ntpExcludedTokens.includes("<think>"));
  Deno.removeSync(dir, { recursive: true });
});
