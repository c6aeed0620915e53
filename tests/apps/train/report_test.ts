import assert from "node:assert/strict";
import { TRAIN_DEFAULTS } from "../../../lib/apps/train/config.ts";
import { trainingReportHtml } from "../../../lib/apps/train/report.ts";
import type { StepRecord } from "../../../lib/apps/train/step.ts";

function record(step: number, budget: number | null, ntpTokens = 10): StepRecord {
  return {
    step,
    steps: 3,
    budget,
    tierProbs: [0.6 - 0.1 * step, 0.3, 0.1 + 0.1 * step],
    lr: 1e-4,
    loss: 0.5,
    rlObjective: 0,
    ntpLoss: 1.5 - 0.1 * step,
    meanKl: 0,
    clipFraction: 0,
    gradNorm: 0.7,
    meanReward: 0.1 * step,
    matchRate: 0.05 * step,
    meanLength: 90 - 20 * step,
    responses: 16,
    ntpTokens,
    groups: [],
    timing: {
      rolloutSeconds: 1,
      trainSeconds: 1,
      stepSeconds: 2 + step,
      generatedTokens: 100,
      rolloutTokensPerSecond: 100,
    },
  };
}

Deno.test("trainingReportHtml() draws each quantity on its own axis, with a caption, and its first and last figures", () => {
  const html = trainingReportHtml(
    [record(0, 48), record(1, 30), record(2, 10)],
    { ...TRAIN_DEFAULTS, out: "runs/<x>", steps: 3 },
  );
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes("<title>Training run runs/&lt;x&gt;</title>"), "title escaped");
  // match rate, reward, ℓ + B_t (both tokens), three tiers, NTP loss, gradient norm
  assert.equal(html.match(/<svg/g)?.length, 6);
  assert.equal(html.match(/<path class="line"/g)?.length, 9);
  assert.equal(html.match(/<figcaption>[^<]{30,}<\/figcaption>/g)?.length, 6, "a caption each");
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
  const titled = (t: string) => svgs.find((x) => x.includes(`<title>${t}</title>`))!;
  // NTP loss (nats) and gradient norm have separate axes
  assert.equal(titled("NTP loss").match(/<path class="line"/g)?.length, 1);
  assert.equal(titled("Gradient norm").match(/<path class="line"/g)?.length, 1);
  // the match rate is plotted in percent, as the table has it: 0, 5 and 10 %
  assert.match(titled("Match rate"), /<title>match rate: \(3, 10\)<\/title>/);
  assert.match(
    html,
    /<td>match rate \(%\)<\/td><td class="num">0\.0<\/td><td class="num">10\.0<\/td>/,
  );
  assert.match(html, /<td>budget B_t<\/td><td class="num">48<\/td><td class="num">10<\/td>/);
  assert.match(
    html,
    /<td>mean ℓ \(tokens\)<\/td><td class="num">90\.0<\/td><td class="num">50\.0<\/td>/,
  );
  assert.match(html, /3\/3 steps/);
});

Deno.test("trainingReportHtml() leaves out the budget without one and NTP without NTP tokens", () => {
  const html = trainingReportHtml(
    [record(0, null, 0), record(1, null, 0)],
    { ...TRAIN_DEFAULTS, steps: 2 },
  );
  // reward + match, ℓ only, three tiers, gradient norm only
  assert.equal(html.match(/<path class="line"/g)?.length, 7);
  assert.match(html, /<td>budget B_t<\/td><td class="num">–<\/td>/);
});
