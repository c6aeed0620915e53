/**
 * One optimiser step of Reinforcement Mid-Training (Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375), method §9 line by line:
 *
 *     B_t  = budget(t)                          §2.1      (method.budget)
 *     p_t  = tier distribution(t)               §3.2      (method.sampling)
 *     C    = two-step sampled positions         §3.3
 *     o^i  ~ π_θ(· | template(τ_<pos, B_t))     §1.3      G per position
 *     r, A = rewards, whitened per group        §1.4, §2.3, §2.4, §4.1
 *     loss = −J_RL + λ·NLL_NTP(mask C)          §4.1–§4.3
 *     backward; AdamW
 *
 * Dimension legend: P positions, G group size, N = P·G responses, L completion length,
 * B documents, T document length.
 *
 * Deliberate deviations:
 * - The step is split into micro-batches of `microBatch` sequences whose gradients accumulate;
 *   each term is divided by the step's totals, so the sum is the full-batch loss.
 * - With β = 0, responses whose advantage is exactly 0 (all-equal groups) are not forwarded:
 *   their surrogate and gradient are exactly 0. They still count in the mean over responses.
 * - One update per rollout batch (exact on-policy): π_old = π_θ detached, so ρ ≡ 1 (§8.11).
 * - `rlWeight` scales J_RL (1 for every RL method; 0 = continued NTP, rollouts skipped).
 *
 * @module
 */
import { keep, noGrad, type Tensor, tensor, tidy } from "../../engine/tensor.ts";
import type { AdamW } from "../../engine/optim/adamw.ts";
import type { CausalLM } from "../../model/causal_lm.ts";
import type { Codec } from "../../data/codec.ts";
import { tokenBudget } from "../../rmt/budget.ts";
import { grpoObjective } from "../../rmt/grpo.ts";
import { unifiedLoss } from "../../rmt/objective.ts";
import { samplingProbs, type TrainConfig } from "./config.ts";
import { completionLogprobs, sequenceBatch } from "./logprobs.ts";
import { ntpBatch, ntpBatchLoss } from "./ntp_batch.ts";
import { sampleStep, stepSeed } from "./positions.ts";
import { groupRewards } from "./rewards.ts";
import { rolloutPrompts, sampleRollouts } from "./rollout.ts";

/**
 * Everything a step reads: the policy, the frozen reference (β > 0), the optimiser, the corpus
 * and its tiers, and the config.
 */
export interface StepContext {
  /** π_θ, trained in place. */
  model: CausalLM;
  /** π_ref = the base model, frozen; `null` when β = 0. */
  reference: CausalLM | null;
  /** AdamW over `model.parameters()`. */
  optimizer: AdamW;
  /** The tokenizer. */
  codec: Codec;
  /** Token ids of the training documents. */
  docs: number[][];
  /** Tier of every position of every document (−1: NTP only). */
  tiers: Int8Array[];
  /** Resolved settings. */
  cfg: TrainConfig;
}

/** What one RL position produced (logged in metrics.jsonl; enough to recompute the rewards). */
export interface GroupRecord {
  /** Document index. */
  doc: number;
  /** RL position pos (target τ_pos = docs[doc][pos]). */
  pos: number;
  /** Its tier: 0 easy, 1 medium, 2 hard. */
  tier: number;
  /** r (G). */
  reward: number[];
  /** r_pos (G). */
  matchReward: number[];
  /** r_len (G). */
  lengthReward: number[];
  /** ℓ (G). */
  length: number[];
  /** A (G). */
  advantage: number[];
  /** Token ids of o^i (G), or null when `logCompletions` is off. */
  completions: number[][] | null;
}

/**
 * One line of metrics.jsonl. Everything except `timing` is a deterministic function of
 * (weights, optimiser state, seed, t).
 */
export interface StepRecord {
  /** t, 0-based. */
  step: number;
  /** T. */
  steps: number;
  /** B_t, or null without a budget. */
  budget: number | null;
  /** p_t over (easy, medium, hard). */
  tierProbs: number[];
  /** Learning rate of this update. */
  lr: number;
  /** L = −rlWeight·J_RL + λ·NLL_NTP (§4.3), the sum of the backpropagated micro-batch parts. */
  loss: number;
  /** J_RL (to maximise). */
  rlObjective: number;
  /** NLL_NTP, token mean over the unmasked positions (0 when λ = 0). */
  ntpLoss: number;
  /** Mean per-token k3 KL to π_ref (0 without a reference). */
  meanKl: number;
  /** Fraction of tokens whose gradient the clip removed. */
  clipFraction: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Mean r over all responses. */
  meanReward: number;
  /** Mean r_pos: the fraction of correct next-token predictions. */
  matchRate: number;
  /** Mean ℓ. */
  meanLength: number;
  /** N, responses in J_RL. */
  responses: number;
  /** Σ m, NTP-trained tokens. */
  ntpTokens: number;
  /** Per RL position. */
  groups: GroupRecord[];
  /** Wall-clock figures (differ between runs). */
  timing: {
    rolloutSeconds: number;
    trainSeconds: number;
    stepSeconds: number;
    generatedTokens: number;
    rolloutTokensPerSecond: number;
  };
}

/** Learning rate at step t: linear warm-up, then constant (the paper uses a constant lr). */
function learningRate(t: number, cfg: TrainConfig): number {
  return cfg.warmupSteps > 0 ? cfg.lr * Math.min(1, (t + 1) / cfg.warmupSteps) : cfg.lr;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Runs step `t` of `cfg.steps`: sampling, rollouts, rewards, the unified loss, backward and one
 * AdamW update of `ctx.model`. Returns the metrics record.
 *
 * @param ctx Policy, reference, optimiser, corpus, tiers, config.
 * @param t The step, 0 ≤ t < T.
 */
// §9: one RMT step
export async function rmtStep(ctx: StepContext, t: number): Promise<StepRecord> {
  const { model, codec, docs, cfg } = ctx;
  const T = cfg.steps, G = cfg.rmt.grpo.groupSize;
  const rl = cfg.method.rlWeight > 0;
  const lambda = cfg.method.ntpWeight;
  const started = performance.now();

  // §2.1 Eq. B_t = max(B_min, ⌊B_0·γ^((t/T)^k)⌋); none: no budget sentence, no r_len
  const budget = cfg.method.budget === "dynamic" ? tokenBudget(t, T, cfg.rmt.budget) : null;
  // §3.2 p_t (curriculum), or the fixed distribution of the ablation / RPT filter
  const tierProbs = samplingProbs(t, T, cfg);
  // §3.3 C: documents and RL positions of this step
  const stepDocs = sampleStep(ctx.tiers, {
    count: cfg.positionsPerStep,
    probs: tierProbs,
    positionsPerDoc: cfg.rmt.curriculum.positionsPerDoc,
    rl,
    seed: stepSeed(cfg.seed, t, 0),
  });
  const positions = stepDocs.flatMap((d) =>
    d.positions.map((pos, k) => ({ doc: d.doc, pos, tier: d.tiers[k]! }))
  ); // (P)

  // §1.3: prompts with B_t, G completions each
  const prompts = rolloutPrompts(docs, positions, { budget, codec, prompt: cfg.rmt.prompt });
  const rollouts = rl && prompts.length > 0
    ? await sampleRollouts(model, prompts, {
      groupSize: G,
      maxNewTokens: cfg.maxNewTokens,
      temperature: cfg.rmt.grpo.temperature,
      topK: cfg.topK,
      seed: stepSeed(cfg.seed, t, 1),
      codec,
    })
    : { completions: [], generatedTokens: 0, tokensPerSecond: 0, seconds: 0 };

  // §1.4, §2.3, §2.4, §4.1: r and A per group
  const groups: GroupRecord[] = positions.map(({ doc, pos, tier }, p) => {
    const completions = rollouts.completions.slice(p * G, (p + 1) * G); // (G, L)
    const r = groupRewards(docs[doc]!, pos, completions, {
      budget,
      codec,
      mode: cfg.rmt.reward.mode,
      rMax: cfg.rmt.lengthReward.rMax,
      w: cfg.rmt.lengthReward.w,
      advantageEps: cfg.rmt.grpo.advantageEps,
    });
    return {
      doc,
      pos,
      tier,
      reward: r.reward,
      matchReward: r.matchReward,
      lengthReward: r.lengthReward,
      length: r.length,
      advantage: r.advantage,
      completions: cfg.logCompletions ? completions : null,
    };
  });
  const trainStarted = performance.now();
  ctx.optimizer.zeroGrad();
  const pad = codec.specialId("pad");
  const { clipEps, klBeta, temperature } = cfg.rmt.grpo;

  // §4.1: −rlWeight·J_RL, micro-batched; all-zero-advantage responses skipped when β = 0
  const N = groups.length * G;
  const responses = groups.flatMap((g, p) =>
    g.advantage.map((advantage, i) => ({
      prompt: prompts[p]!,
      completion: rollouts.completions[p * G + i]!,
      advantage,
    }))
  ).filter((r) => klBeta > 0 || r.advantage !== 0); // (≤ N)
  const promptLength = prompts.reduce((m, p) => Math.max(m, p.length), 1); // P_max
  const objectives: Tensor[] = [], kls: Tensor[] = [], clips: Tensor[] = []; // scalars
  const losses: Tensor[] = []; // the micro-batch parts of L (scalars)
  for (let start = 0; start < responses.length; start += cfg.microBatch) {
    const part = responses.slice(start, start + cfg.microBatch);
    const batch = sequenceBatch(part.map((r) => r.prompt), part.map((r) => r.completion), pad, {
      promptLength, // the left padding of the rollout batch: same absolute positions
    });
    const parts = tidy(() => {
      // each distinct prompt runs once for its rollouts (same values, less compute)
      const opts = { temperature, sharePrompts: true };
      const { logp, mask } = completionLogprobs(model, batch, opts); // (n, L)
      // log π_ref under the frozen base model (β > 0 only)
      const refLogp = ctx.reference === null
        ? undefined
        : noGrad(() => completionLogprobs(ctx.reference!, batch, opts).logp);
      const advantage = tensor(part.map((r) => r.advantage)); // A_i (n)
      const { objective, meanKl, clipFraction } = grpoObjective(
        {
          logp,
          oldLogp: logp.detach(), // π_old = π_θ: one update per rollout batch (ρ ≡ 1)
          refLogp,
          mask,
          advantage,
        },
        { clipEps, klBeta, responses: N },
      );
      // §4.3: this micro-batch's part of L = −rlWeight·J_RL + λ·NLL_NTP (its J_RL term)
      const loss = unifiedLoss({ jRl: objective.mul(cfg.method.rlWeight) }, lambda);
      loss.backward();
      return { objective: objective.detach(), loss: loss.detach(), meanKl, clipFraction };
    });
    objectives.push(keep(parts.objective));
    losses.push(keep(parts.loss));
    kls.push(keep(parts.meanKl));
    clips.push(keep(parts.clipFraction));
  }

  // §4.2: λ·NLL_NTP on the step's documents with C masked, micro-batched
  const ntpDocs = stepDocs.map((d) => docs[d.doc]!);
  const ntpPositions = stepDocs.map((d) => d.positions);
  const ntpTokens = ntpBatch(ntpDocs, ntpPositions, pad).tokens;
  const ntpParts: Tensor[] = [];
  if (lambda > 0) {
    const docsPerBatch = Math.max(1, cfg.microBatch);
    for (let start = 0; start < ntpDocs.length; start += docsPerBatch) {
      const batch = ntpBatch(
        ntpDocs.slice(start, start + docsPerBatch),
        ntpPositions.slice(start, start + docsPerBatch),
        pad,
      );
      const part = tidy(() => {
        const nll = ntpBatchLoss(model, batch, { tokens: ntpTokens });
        // §4.3: this micro-batch's part of L (its λ·NLL_NTP term)
        const loss = unifiedLoss({ nllNtp: nll }, lambda);
        loss.backward();
        return { nll: nll.detach(), loss: loss.detach() };
      });
      ntpParts.push(keep(part.nll));
      losses.push(keep(part.loss));
    }
  }

  // AdamW update (global-norm clip inside)
  const lr = learningRate(t, cfg);
  const normTensor = ctx.optimizer.step(lr);
  const gradNorm = await normTensor.item();
  normTensor.dispose();
  ctx.optimizer.zeroGrad();

  // the micro-batch parts sum to the step's values (each was divided by the step's totals)
  const sum = async (parts: Tensor[]) => {
    let total = 0;
    for (const x of parts) {
      total += await x.item();
      x.dispose();
    }
    return total;
  };
  const rlObjective = await sum(objectives);
  const meanKl = await sum(kls);
  const clipFraction = await sum(clips);
  const nll = await sum(ntpParts);
  const loss = await sum(losses);
  const all = (key: "reward" | "matchReward" | "length") => groups.flatMap((g) => g[key]);
  const finished = performance.now();
  return {
    step: t,
    steps: T,
    budget,
    tierProbs,
    lr,
    loss,
    rlObjective,
    ntpLoss: nll,
    meanKl,
    clipFraction,
    gradNorm,
    meanReward: mean(all("reward")),
    matchRate: mean(all("matchReward")),
    meanLength: mean(all("length")),
    responses: N,
    ntpTokens: lambda > 0 ? ntpTokens : 0,
    groups,
    timing: {
      rolloutSeconds: rollouts.seconds,
      trainSeconds: (finished - trainStarted) / 1000,
      stepSeconds: (finished - started) / 1000,
      generatedTokens: rollouts.generatedTokens,
      rolloutTokensPerSecond: rollouts.tokensPerSecond,
    },
  };
}
