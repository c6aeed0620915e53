/**
 * What a training run tells its user (`lib/apps/train/summary.ts`): the method's name, the
 * budget range, the progress fields, summary.json's first and last figures and the headline.
 */
import assert from "node:assert/strict";
import {
  budgetRange,
  fmt,
  headline,
  matchChange,
  methodName,
  progressFields,
  summaryOf,
} from "../../../lib/apps/train/summary.ts";
import {
  METHOD_DEFAULTS,
  TRAIN_DEFAULTS,
  type TrainConfig,
} from "../../../lib/apps/train/config.ts";
import type { StepRecord } from "../../../lib/apps/train/step.ts";
import { finalBudget, tokenBudget } from "../../../lib/rmt/budget.ts";

/**
 * Step `i`'s record: match rate i/100 (two RL positions of 100 rollouts, i of them right),
 * length 50 − i, budget 40 − i (none after step 9).
 */
function step(i: number): StepRecord {
  const matchReward = Array.from({ length: 100 }, (_, k) => (k < i ? 1 : 0));
  return {
    groups: [{ tier: 0, matchReward }, { tier: 0, matchReward }],
    step: i,
    budget: i < 10 ? 40 - i : null,
    tierProbs: [0.5, 0.3, 0.2],
    meanReward: i / 10,
    matchRate: i / 100,
    meanLength: 50 - i,
    loss: 1.23456,
    ntpTokens: 8,
    ntpLoss: 2 - i / 20,
    timing: { rolloutTokensPerSecond: 1234.6, stepSeconds: i },
  } as unknown as StepRecord;
}

Deno.test("methodName() names RMT, its ablations and the baselines from the method settings", () => {
  const m = METHOD_DEFAULTS;
  assert.equal(methodName(m), "RMT");
  assert.equal(methodName({ ...m, sampling: "uniform" }), "RMT w/o CAS");
  assert.equal(methodName({ ...m, ntpWeight: 0 }), "RMT w/o NTP");
  assert.equal(
    methodName({
      ...m,
      ntpWeight: 0,
      budget: "none",
      sampling: "entropy-filter",
      reward: "prefix",
    }),
    "RPT",
  );
  assert.equal(
    methodName({ ...m, rlWeight: 0, budget: "none", sampling: "uniform" }),
    "NTP (continued pre-training)",
  );
  assert.equal(methodName({ ...m, reward: "prefix" }), "custom method");
});

Deno.test("budgetRange() is B_0 → B_T with a dynamic budget and RL, else null", () => {
  const cfg = TRAIN_DEFAULTS;
  assert.deepEqual(budgetRange(cfg), [
    tokenBudget(0, cfg.steps, cfg.rmt.budget),
    finalBudget(cfg.rmt.budget),
  ]);
  assert.equal(budgetRange({ ...cfg, method: { ...cfg.method, budget: "none" } }), null);
  assert.equal(budgetRange({ ...cfg, method: { ...cfg.method, rlWeight: 0 } }), null);
});

Deno.test("progressFields() formats one step's record with the legend's symbols", () => {
  assert.deepEqual(progressFields(step(3)), {
    "B_t": "37",
    "p(e/m/h)": "0.50/0.30/0.20",
    "r̄": "0.300",
    "match": "3.0%",
    "ℓ̄": "47.0",
    "loss": "1.2346",
    "nll": "1.850",
    "tok/s": "1235",
    "s/step": "3.0",
  });
  assert.equal(progressFields({ ...step(12), ntpTokens: 0 }).nll, undefined);
  assert.equal(progressFields(step(12))["B_t"], "-");
  assert.equal(fmt(NaN), "NaN");
});

Deno.test("summaryOf() averages the first and last quarter of the steps, budgets only where set", () => {
  const records = Array.from({ length: 20 }, (_, i) => step(i)); // a quarter: 5 steps each
  const s = summaryOf(records, TRAIN_DEFAULTS, 20);
  assert.deepEqual(s.first, {
    matchRate: 0.02, // (0 + 0.01 + … + 0.04) / 5
    meanReward: 0.2,
    meanLength: 48,
    ntpLoss: 1.9,
    budget: 38,
  });
  assert.equal(s.last.budget, null, "no budget in steps 15–19");
  assert.ok(Math.abs(s.last.matchRate! - 0.17) < 1e-12);
  // per-position rates 0, 0, 0.01, 0.01, …, 0.04, 0.04 in each window: variance 0.002 / 9
  const half = 1.96 * Math.sqrt((2 * 0.002) / 9 / 10);
  const c = s.matchChange!;
  assert.ok(Math.abs(c.delta - 0.15) < 1e-12);
  assert.ok(Math.abs(c.lo - (0.15 - half)) < 1e-12 && Math.abs(c.hi - (0.15 + half)) < 1e-12);
  assert.deepEqual(c.positions, [10, 10]);
  assert.deepEqual(c.weights, [1, 0, 0]);
  assert.ok(Math.abs(c.byTier[0][0]! - 0.02) < 1e-12 && c.byTier[1][1] === null);
  assert.equal(s.meanStepSeconds, 9.5);
  assert.equal(s.totalSeconds, 190);
  assert.equal(summaryOf([], TRAIN_DEFAULTS, 0).meanStepSeconds, null);
});

Deno.test("headline() reports next-token loss for NTP and match rate, ℓ̄ and budget for RL", () => {
  const first = { matchRate: 0.1, meanReward: 0.2, meanLength: 40, ntpLoss: 2.5, budget: 64 };
  const last = { matchRate: 0.25, meanReward: 0.1, meanLength: 18.25, ntpLoss: 2, budget: 16 };
  const rl = headline({ first, last, stepsDone: 30 }, TRAIN_DEFAULTS);
  assert.equal(
    rl[0],
    "result (steps 1–8 → steps 23–30): match rate 10.0% → 25.0%, reasoning length ℓ̄ 40.0 → " +
      "18.3 tokens, budget B_t 64 → 16",
  );
  assert.equal(rl[1], "verdict: ℓ̄ fell 54 %"); // no per-position figures: no interval
  const change = {
    delta: 0.15,
    lo: 0.05,
    hi: 0.25,
    positions: [64, 64] as [number, number],
    byTier: [[0.4, 0.2, 0.1], [0.5, 0.35, null]] as [(number | null)[], (number | null)[]],
    weights: [0.5, 0.5, 0],
  };
  const told = headline({ first, last, stepsDone: 30, matchChange: change }, TRAIN_DEFAULTS);
  assert.equal(
    told[1],
    "verdict: ℓ̄ fell 54 % and the match rate, tier by tier, rose: +15.0 pp [+5.0, +25.0] (95 %, " +
      "64 and 64 RL positions)",
  );
  assert.match(
    told[2],
    /^match rate by tier \(easy \/ medium \/ hard\): 40% \/ 20% \/ 10% → 50% \/ 35% \/ – /,
  );
  assert.match(told[3], /^how to read it/);
  const unclear = { ...change, delta: -0.02, lo: -0.08 };
  assert.match(
    headline({ first, last, stepsDone: 30, matchChange: unclear }, TRAIN_DEFAULTS)[1],
    /the match rate, tier by tier, did not change detectably: −2\.0 pp \[−8\.0, \+25\.0\]/,
  );
  const fell = { ...change, delta: -0.1, lo: -0.2, hi: -0.01 };
  assert.match(
    headline({ first, last, stepsDone: 30, matchChange: fell }, TRAIN_DEFAULTS)[1],
    /the match rate, tier by tier, fell: −10\.0 pp/,
  );
  const ntp = {
    ...TRAIN_DEFAULTS,
    method: { ...TRAIN_DEFAULTS.method, rlWeight: 0 },
  } as TrainConfig;
  const lines = headline({ first, last, stepsDone: 5 }, ntp);
  assert.equal(lines[0], "result (steps 1–2 → steps 4–5): next-token loss 2.500 → 2.000");
  assert.match(lines[1], /^how to read it: continued next-token training only/);
  const none = headline({ first: { ...first, budget: null }, last, stepsDone: 5 }, TRAIN_DEFAULTS);
  assert.match(none[0], /, no budget$/);
  assert.match(none[2], /free to drift without a budget/);
});

Deno.test("matchChange() compares each tier with itself, so a curriculum's shift to hard positions is no loss", () => {
  // first window: 4 easy positions at 0.5; last: 1 easy at 0.5 and 3 hard at 0.1 (none hard before)
  const g = (tier: number, right: number) => ({
    tier,
    matchReward: Array.from({ length: 10 }, (_, k) => (k < right ? 1 : 0)),
  });
  const first = [{ groups: [g(0, 5), g(0, 5), g(0, 5), g(0, 5)] }];
  const last = [{ groups: [g(0, 5), g(2, 1), g(2, 1), g(2, 1)] }];
  const c = matchChange(first, last)!;
  assert.equal(c.delta, 0); // the raw rate fell from 50 % to 20 %, the easy tier did not move
  assert.deepEqual(c.weights, [1, 0, 0]); // the hard tier is only in the last window
  assert.deepEqual(c.byTier[0], [0.5, null, null]);
  assert.deepEqual(c.byTier[1].slice(0, 2), [0.5, null]);
  assert.ok(Math.abs(c.byTier[1][2]! - 0.1) < 1e-12);
  // one easy position in the last window: its variance is p(1 − p) = 0.25
  assert.ok(Math.abs(c.hi - 1.96 * Math.sqrt(0 / 4 + 0.25 / 1)) < 1e-12);
  assert.equal(matchChange([{ groups: [g(1, 3)] }], [{ groups: [g(2, 3)] }]), null);
});
