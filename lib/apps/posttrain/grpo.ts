/**
 * Post-training (Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375, method §6.5, §11.4):
 * GRPO on math questions with verifiable integer answers, from any checkpoint, with held-out
 * accuracy before and after. It reuses the mid-training pieces unchanged: GRPO's
 * `advantage` and `grpoObjective` (the clipped surrogate) from `lib/rmt/grpo.ts` and the loss
 * of `lib/rmt/objective.ts` (without its NTP term), and from
 * `lib/apps/train/` `sampleRollouts` (G completions per prompt) and `sequenceBatch` +
 * `completionLogprobs` (log π_θ of the completions); only the reward differs:
 * r = `verifyAnswer(parseCompletion(o).answer, answer)` ∈ {0, 1} (`accuracy.ts`).
 *
 *     for t in 0..T−1:
 *       Q_t  = next `questionsPerStep` training questions (seeded epoch order)
 *       o^i  ~ π_θ(· | prompt(q)), i = 1..G                    temperature 0.8
 *       r_i  = 1[boxed answer = the integer answer];  A_i = (r_i − mean r)/(std r + δ)
 *       loss = −J_RL (token-mean clipped surrogate, β = 0); backward; AdamW
 *
 * Accuracy (before and after, `accuracy.ts`) = share of held-out questions whose boxed answer
 * after `</think>` is the right integer, one completion per question, GREEDY by default
 * (`eval.temperature`).
 *
 * Dimension legend: Q questions per step, G group size, N = Q·G responses.
 *
 * Deliberate deviations: no KL term and one update per rollout batch (ρ ≡ 1); responses with a
 * zero advantage (all-equal groups) are not forwarded (their gradient is exactly 0) but count
 * in the mean over responses, as in `lib/apps/train/step.ts`.
 *
 * @module
 */
import { keep, type Tensor, tensor, tidy } from "../../engine/tensor.ts";
import { AdamW } from "../../engine/optim/adamw.ts";
import type { CausalLM } from "../../model/causal_lm.ts";
import { saveCheckpoint } from "../../model/checkpoint.ts";
import { loadAnyCheckpoint } from "../../model/load.ts";
import { ConfigError } from "../../util/config.ts";
import type { ProblemKind } from "../../data/corpus_math.ts";
import type { Codec } from "../../data/codec.ts";
import { mulberry32 } from "../../util/rng.ts";
import { advantage, grpoObjective } from "../../rmt/grpo.ts";
import { unifiedLoss } from "../../rmt/objective.ts";
import { sampleRollouts } from "../train/rollout.ts";
import { completionLogprobs, sequenceBatch } from "../train/logprobs.ts";
import { stepSeed } from "../train/positions.ts";
import { ProgressBar } from "../../util/progress.ts";
import type { PostTrainConfig } from "./config.ts";
import { type Question, questionSplits } from "../../data/questions.ts";
import { buildPostTrainPrompt } from "../../data/question_prompt.ts";
import {
  type QuestionAccuracy,
  questionAccuracy,
  questionGenerator,
  type QuestionOutcome,
  scoreCompletion,
} from "./accuracy.ts";

/**
 * The training questions of step t: epoch-wise shuffled order (seeded), `perStep` at a time.
 *
 * @example Every question once per epoch
 * ```ts
 * import assert from "node:assert/strict";
 * import { stepQuestions } from "./grpo.ts";
 * const a = [...stepQuestions(10, 5, 0, 1), ...stepQuestions(10, 5, 1, 1)];
 * assert.deepEqual([...a].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * assert.deepEqual(stepQuestions(10, 5, 0, 1), stepQuestions(10, 5, 0, 1));
 * ```
 */
export function stepQuestions(total: number, perStep: number, t: number, seed: number): number[] {
  const out: number[] = [];
  for (let k = t * perStep; k < (t + 1) * perStep; k++) {
    const epoch = Math.floor(k / total);
    const rng = mulberry32(stepSeed(seed, epoch, 7));
    const order = Array.from({ length: total }, (_, i) => i);
    for (let i = total - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    out.push(order[k % total]!);
  }
  return out;
}

/** One line of the post-training metrics.jsonl. */
export interface PostTrainStepRecord {
  /** t, 0-based. */
  step: number;
  /** −J_RL. */
  loss: number;
  /** J_RL. */
  rlObjective: number;
  /** Mean verifiable reward over the N rollouts (training accuracy at temperature). */
  meanReward: number;
  /** Mean reasoning length of the rollouts. */
  meanLength: number;
  /** Share of rollouts that closed `</think>`. */
  closedFraction: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** N = Q·G. */
  responses: number;
  /** Responses with a non-zero advantage (forwarded). */
  activeResponses: number;
  /** Wall seconds of the step (rollouts included). */
  seconds: number;
}

/** Everything one post-training step reads. */
export interface PostTrainStepContext {
  /** π_θ, trained in place. */
  model: CausalLM;
  /** AdamW over the model's parameters. */
  optimizer: AdamW;
  /** Tokenizer. */
  codec: Codec;
  /** Training questions. */
  questions: Question[];
  /** Settings. */
  cfg: PostTrainConfig;
  /**
   * Sampler of the G completions per prompt (completions[p·G + i]); default `sampleRollouts`
   * with the model (tests pass a fake to control the rewards).
   */
  sample?: (prompts: number[][], opts: { maxNewTokens: number; seed: number }) => Promise<
    number[][]
  >;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Runs post-training step t: G rollouts per question, verifiable rewards, group advantages,
 * the shared GRPO objective (`lib/rmt/grpo.ts`), backward and one AdamW update.
 */
export async function postTrainStep(
  ctx: PostTrainStepContext,
  t: number,
): Promise<PostTrainStepRecord> {
  const { model, codec, cfg } = ctx;
  const started = performance.now();
  const G = cfg.grpo.groupSize;
  const picked = stepQuestions(ctx.questions.length, cfg.questionsPerStep, t, cfg.seed)
    .map((i) => ctx.questions[i]!);
  const prompts = picked.map((q) => buildPostTrainPrompt(q.question, codec, cfg.prompt));
  const longest = prompts.reduce((m, p) => Math.max(m, p.length), 1);
  const maxNewTokens = Math.min(cfg.maxNewTokens, model.config.contextLength - longest);
  if (maxNewTokens < 1) {
    throw new ConfigError(
      `posttrain.maxNewTokens: a prompt of ${longest} tokens leaves no room in the ` +
        `${model.config.contextLength}-token window`,
    );
  }
  const seed = stepSeed(cfg.seed, t, 1);
  const rollouts = ctx.sample !== undefined
    ? { completions: await ctx.sample(prompts, { maxNewTokens, seed }) }
    : await sampleRollouts(model, prompts, {
      groupSize: G,
      maxNewTokens,
      temperature: cfg.grpo.temperature,
      topK: cfg.topK,
      seed,
      codec,
    });
  if (rollouts.completions.length !== prompts.length * G) {
    throw new Error(
      `postTrainStep: ${rollouts.completions.length} completions for ${prompts.length} prompts × G = ${G}`,
    );
  }
  // r_i = verifyAnswer; §4.1: A_i = (r_i − mean r)/(std r + δ) within each question's group
  const rewards: number[] = [], lengths: number[] = [], closed: number[] = [];
  const responses: { prompt: number[]; completion: number[]; advantage: number }[] = [];
  picked.forEach((q, p) => {
    const group = rollouts.completions.slice(p * G, (p + 1) * G);
    const scored = group.map((c) => scoreCompletion(c, q.answer, codec));
    const r = scored.map((s) => s.reward);
    const a = advantage(r, cfg.grpo.advantageEps);
    scored.forEach((s, i) => {
      rewards.push(s.reward);
      lengths.push(s.reasoningLength);
      closed.push(s.closed ? 1 : 0);
      if (a[i] !== 0) {
        responses.push({ prompt: prompts[p]!, completion: group[i]!, advantage: a[i]! });
      }
    });
  });
  const N = picked.length * G;
  ctx.optimizer.zeroGrad();
  const pad = codec.specialId("pad");
  const parts: Tensor[] = [];
  for (let start = 0; start < responses.length; start += cfg.microBatch) {
    const part = responses.slice(start, start + cfg.microBatch);
    const batch = sequenceBatch(part.map((r) => r.prompt), part.map((r) => r.completion), pad, {
      promptLength: longest, // the rollout batch's left padding: same absolute positions
    });
    const objective = tidy(() => {
      const { logp, mask } = completionLogprobs(model, batch, {
        temperature: cfg.grpo.temperature,
        sharePrompts: true, // a question's G rollouts share one prompt forward
      });
      const { objective } = grpoObjective(
        { logp, oldLogp: logp.detach(), mask, advantage: tensor(part.map((r) => r.advantage)) },
        { clipEps: cfg.grpo.clipEps, klBeta: 0, responses: N },
      );
      unifiedLoss({ jRl: objective }, 0).backward(); // §4.3 with no NTP term: loss = −J_RL
      return objective.detach();
    });
    parts.push(keep(objective));
  }
  let rlObjective = 0, gradNorm = 0;
  if (parts.length > 0) {
    const norm = ctx.optimizer.step(cfg.lr);
    gradNorm = await norm.item();
    norm.dispose();
  }
  ctx.optimizer.zeroGrad();
  for (const p of parts) {
    rlObjective += await p.item();
    p.dispose();
  }
  return {
    step: t,
    loss: -rlObjective,
    rlObjective,
    meanReward: mean(rewards),
    meanLength: mean(lengths),
    closedFraction: mean(closed),
    gradNorm,
    responses: N,
    activeResponses: responses.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** What {@linkcode postTrain} writes into `out/result.json` and returns. */
export interface PostTrainResult {
  /** The starting checkpoint. */
  checkpoint: string;
  /** Output directory. */
  out: string;
  /** Steps done. */
  steps: number;
  /** Held-out accuracy before post-training. */
  before: QuestionAccuracy;
  /** Held-out accuracy after post-training. */
  after: QuestionAccuracy;
  /** How accuracy was measured. */
  evaluation: { decoding: string; questions: number; maxNewTokens: number };
  /** Mean training reward of the first and last 10 % of steps. */
  trainReward: { first: number; last: number };
  /** A few held-out answers after post-training (for reading). */
  examples: QuestionOutcome[];
  /** Wall seconds: evaluation before, training, evaluation after, total. */
  seconds: { before: number; train: number; after: number; total: number };
  /** The resolved config. */
  config: PostTrainConfig;
}

/** Options of {@linkcode postTrain}. */
export interface PostTrainOptions {
  /** Settings. */
  cfg: PostTrainConfig;
  /** No progress output. */
  quiet?: boolean;
  /** Where progress goes (default stdout). */
  write?: (text: string) => void;
}

/**
 * Post-trains `cfg.checkpoint` with GRPO on the training questions and measures held-out
 * accuracy before and after. Writes `config.json`, `metrics.jsonl`, `result.json` and (with
 * `saveCheckpoint`) `checkpoint/` into `cfg.out`.
 */
export async function postTrain(opts: PostTrainOptions): Promise<PostTrainResult> {
  const { cfg } = opts;
  const encoder = new TextEncoder();
  const write = opts.write ?? ((s: string) => Deno.stdout.writeSync(encoder.encode(s)));
  const say = (s: string) => opts.quiet ? undefined : write(`${s}\n`);
  const t0 = performance.now();
  const ck = await loadAnyCheckpoint(cfg.checkpoint, { optimizer: false }); // either format
  const model = ck.model;
  try {
    const codec = ck.codec;
    const { train, heldOut } = questionSplits(cfg.trainQuestions, cfg.heldOutQuestions, {
      difficulties: cfg.difficulties,
      kinds: cfg.kinds.length > 0 ? cfg.kinds as ProblemKind[] : undefined,
      trainSeed: cfg.trainSeed,
      heldOutSeed: cfg.heldOutSeed,
    });
    await Deno.mkdir(cfg.out, { recursive: true });
    await Deno.writeTextFile(`${cfg.out}/config.json`, JSON.stringify(cfg, null, 2) + "\n");
    const metricsFile = `${cfg.out}/metrics.jsonl`;
    await Deno.writeTextFile(metricsFile, "");
    const generator = questionGenerator(model, codec, cfg.eval);
    const decoding = cfg.eval.temperature === 0 ? "greedy" : `temperature ${cfg.eval.temperature}`;

    say(
      `posttrain: ${cfg.checkpoint}; accuracy before on ${heldOut.length} questions (${decoding})`,
    );
    const tb = performance.now();
    const before = (await questionAccuracy(heldOut, codec, generator, cfg.prompt)).summary;
    const beforeSeconds = (performance.now() - tb) / 1000;
    say(`before: ${pct(before.accuracy)} (${before.correct}/${before.count})`);

    const optimizer = new AdamW(model.parameters(), {
      lr: cfg.lr,
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      weightDecay: cfg.weightDecay,
      gradClip: cfg.gradClip,
    });
    const bar = opts.quiet ? null : new ProgressBar(cfg.steps, 0, { write });
    const tt = performance.now();
    const records: PostTrainStepRecord[] = [];
    for (let t = 0; t < cfg.steps; t++) {
      const r = await postTrainStep({ model, optimizer, codec, questions: train, cfg }, t);
      if (!Number.isFinite(r.loss)) throw new Error(`posttrain step ${t}: the loss is ${r.loss}`);
      records.push(r);
      await Deno.writeTextFile(metricsFile, JSON.stringify(r) + "\n", { append: true });
      if (bar !== null && ((t + 1) % cfg.logEvery === 0 || t + 1 === cfg.steps)) {
        bar.update(t + 1, {
          "r̄": r.meanReward.toFixed(3),
          "ℓ̄": r.meanLength.toFixed(1),
          active: `${r.activeResponses}/${r.responses}`,
          "s/step": r.seconds.toFixed(1),
        });
      }
    }
    bar?.done();
    const trainSeconds = (performance.now() - tt) / 1000;

    const ta = performance.now();
    const afterRun = await questionAccuracy(heldOut, codec, generator, cfg.prompt);
    const after = afterRun.summary;
    const afterSeconds = (performance.now() - ta) / 1000;
    say(`after:  ${pct(after.accuracy)} (${after.correct}/${after.count})`);
    if (cfg.saveCheckpoint) {
      await saveCheckpoint(`${cfg.out}/checkpoint`, {
        model,
        tokenizerJson: ck.tokenizerJson,
        state: { ...ck.state, kind: "posttrain", posttrainStep: cfg.steps, posttrain: cfg },
      });
    }
    const n = Math.max(1, Math.ceil(records.length / 10));
    const result: PostTrainResult = {
      checkpoint: cfg.checkpoint,
      out: cfg.out,
      steps: cfg.steps,
      before,
      after,
      evaluation: { decoding, questions: heldOut.length, maxNewTokens: cfg.eval.maxNewTokens },
      trainReward: {
        first: mean(records.slice(0, n).map((r) => r.meanReward)),
        last: mean(records.slice(-n).map((r) => r.meanReward)),
      },
      examples: afterRun.outcomes.slice(0, 6),
      seconds: {
        before: beforeSeconds,
        train: trainSeconds,
        after: afterSeconds,
        total: (performance.now() - t0) / 1000,
      },
      config: cfg,
    };
    await Deno.writeTextFile(`${cfg.out}/result.json`, JSON.stringify(result, null, 2) + "\n");
    return result;
  } finally {
    model.dispose();
  }
}

function pct(x: number | null): string {
  return x === null ? "–" : `${(100 * x).toFixed(1)}%`;
}
