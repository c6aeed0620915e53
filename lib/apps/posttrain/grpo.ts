/**
 * Post-training (Tian et al., "Reinforcement Mid-Training", arXiv:2509.24375, method §6.5, §11.4):
 * GRPO on math questions with verifiable integer answers, from any checkpoint, with held-out
 * accuracy before and after. It reuses the mid-training pieces of `lib/apps/train/` unchanged:
 * `sampleRollouts` (G completions per prompt), `sequenceBatch` + `completionLogprobs`
 * (log π_θ of the completions) and `grpoObjective` (the clipped GRPO surrogate); only the reward
 * differs: r = `verifyAnswer(parseCompletion(o).answer, answer)` ∈ {0, 1}, whitened per group.
 *
 *     for t in 0..T−1:
 *       Q_t  = next `questionsPerStep` training questions (seeded epoch order)
 *       o^i  ~ π_θ(· | prompt(q)), i = 1..G                    temperature 0.8
 *       r_i  = 1[boxed answer = the integer answer];  A_i = (r_i − mean r)/(std r + δ)
 *       loss = −J_RL (token-mean clipped surrogate, β = 0); backward; AdamW
 *
 * Accuracy (before and after) = share of held-out questions whose boxed answer after `</think>`
 * is the right integer, one completion per question, GREEDY by default (`eval.temperature`).
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
import type { GPT } from "../../model/gpt.ts";
import { generate } from "../../model/generate.ts";
import { loadCheckpoint, saveCheckpoint } from "../../model/checkpoint.ts";
import { Tokenizer } from "../../data/tokenizer.ts";
import { ConfigError } from "../../util/config.ts";
import type { ProblemKind } from "../../data/corpus_math.ts";
import type { Codec } from "../../data/codec.ts";
import { mulberry32 } from "../../util/rng.ts";
import { groupAdvantages } from "../../rmt/grpo.ts";
import { parseCompletion } from "../../rmt/reward_match.ts";
import { sampleRollouts } from "../train/rollout.ts";
import { completionLogprobs, sequenceBatch } from "../train/logprobs.ts";
import { grpoObjective } from "../train/grpo_loss.ts";
import { stepSeed } from "../train/positions.ts";
import { ProgressBar } from "../../util/progress.ts";
import type { CompletionGenerator } from "../eval/ntr.ts";
import type { PostTrainConfig, PostTrainEvalConfig } from "./config.ts";
import { type Question, questionSplits } from "./questions.ts";
import { buildPostTrainPrompt, type PostTrainPromptConfig, verifyAnswer } from "./verify.ts";

/**
 * The verifiable reward of one completion and what was parsed from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreCompletion } from "./grpo.ts";
 * import { makeCodec } from "../../../tests/_helpers/codec.ts";
 * const codec = makeCodec();
 * const ok = scoreCompletion(codec.encode("3+4=7</think>\\boxed{7}<|endoftext|>"), "7", codec);
 * assert.deepEqual(ok, { reward: 1, answer: "7", reasoningLength: 5, closed: true });
 * assert.equal(scoreCompletion(codec.encode("no end"), "7", codec).reward, 0);
 * ```
 */
export function scoreCompletion(
  completion: number[],
  answer: string,
  codec: Codec,
): { reward: number; answer: string | null; reasoningLength: number; closed: boolean } {
  const parsed = parseCompletion(completion, codec);
  return {
    reward: verifyAnswer(parsed.answer, answer),
    answer: parsed.answer,
    reasoningLength: parsed.reasoningLength,
    closed: parsed.closedThinking,
  };
}

/** One held-out question answered. */
export interface QuestionOutcome {
  /** The question. */
  question: string;
  /** The right answer. */
  answer: string;
  /** Difficulty grade 1..4. */
  difficulty: number;
  /** Problem kind. */
  kind: ProblemKind;
  /** The boxed answer after `</think>`, or null. */
  predicted: string | null;
  /** 1 when `predicted` is the right integer. */
  correct: number;
  /** Reasoning tokens (all generated tokens when `</think>` is missing). */
  reasoningLength: number;
  /** Whether `</think>` was generated. */
  closed: boolean;
}

/** An accuracy figure with its counts. */
export interface Count {
  /** Questions. */
  count: number;
  /** Correct answers. */
  correct: number;
  /** correct / count (null when count is 0). */
  accuracy: number | null;
}

/** Held-out accuracy of one model. */
export interface QuestionAccuracy extends Count {
  /** Per difficulty grade ("1".."4"). */
  byDifficulty: Record<string, Count>;
  /** Per problem kind. */
  byKind: Record<string, Count>;
  /** Mean reasoning length. */
  meanReasoningLength: number | null;
  /** Share of completions that closed `</think>`. */
  closedFraction: number | null;
  /** Share of completions with a boxed answer. */
  answeredFraction: number | null;
}

function count(outcomes: QuestionOutcome[]): Count {
  const correct = outcomes.reduce((n, o) => n + o.correct, 0);
  return {
    count: outcomes.length,
    correct,
    accuracy: outcomes.length > 0 ? correct / outcomes.length : null,
  };
}

function groupCount(outcomes: QuestionOutcome[], key: (o: QuestionOutcome) => string) {
  const groups: Record<string, QuestionOutcome[]> = {};
  for (const o of outcomes) (groups[key(o)] ??= []).push(o);
  const out: Record<string, Count> = {};
  for (const k of Object.keys(groups).sort()) out[k] = count(groups[k]!);
  return out;
}

/**
 * Accuracy bookkeeping: overall, per difficulty and per kind, with reasoning statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summariseQuestions } from "./grpo.ts";
 * const o = (difficulty: number, correct: number) => ({ question: "q", answer: "1", difficulty,
 *   kind: "addition" as const, predicted: "1", correct, reasoningLength: 4, closed: true });
 * const s = summariseQuestions([o(1, 1), o(1, 0), o(2, 1)]);
 * assert.equal(s.accuracy, 2 / 3);
 * assert.deepEqual(s.byDifficulty["1"], { count: 2, correct: 1, accuracy: 0.5 });
 * ```
 */
export function summariseQuestions(outcomes: QuestionOutcome[]): QuestionAccuracy {
  const n = outcomes.length;
  const frac = (f: (o: QuestionOutcome) => boolean) => n > 0 ? outcomes.filter(f).length / n : null;
  return {
    ...count(outcomes),
    byDifficulty: groupCount(outcomes, (o) => String(o.difficulty)),
    byKind: groupCount(outcomes, (o) => o.kind),
    meanReasoningLength: n > 0 ? outcomes.reduce((s, o) => s + o.reasoningLength, 0) / n : null,
    closedFraction: frac((o) => o.closed),
    answeredFraction: frac((o) => o.predicted !== null),
  };
}

/**
 * Answers every question once with `generator` and scores it with `verifyAnswer`.
 *
 * @param questions Held-out questions.
 * @param codec Tokenizer.
 * @param generator One completion per prompt (a model, or a fake in tests).
 * @param prompt Prompt texts.
 *
 * @example A fake that always answers 7
 * ```ts
 * import assert from "node:assert/strict";
 * import { questionAccuracy } from "./grpo.ts";
 * import { makeCodec } from "../../../tests/_helpers/codec.ts";
 * const codec = makeCodec();
 * const qs = [
 *   { question: "What is 3 + 4?", answer: "7", difficulty: 1, kind: "addition" as const },
 *   { question: "What is 3 + 5?", answer: "8", difficulty: 1, kind: "addition" as const },
 * ];
 * const gen = (ps: number[][]) => Promise.resolve(ps.map(() => codec.encode("</think>\\boxed{7}")));
 * const { summary } = await questionAccuracy(qs, codec, gen);
 * assert.equal(summary.accuracy, 0.5);
 * ```
 */
export async function questionAccuracy(
  questions: Question[],
  codec: Codec,
  generator: CompletionGenerator,
  prompt?: PostTrainPromptConfig,
): Promise<{ summary: QuestionAccuracy; outcomes: QuestionOutcome[] }> {
  const prompts = questions.map((q) => buildPostTrainPrompt(q.question, codec, prompt));
  const completions = await generator(prompts);
  if (completions.length !== prompts.length) {
    throw new Error(
      `questionAccuracy: ${prompts.length} prompts but ${completions.length} completions`,
    );
  }
  const outcomes = questions.map((q, i): QuestionOutcome => {
    const s = scoreCompletion(completions[i]!, q.answer, codec);
    return {
      question: q.question,
      answer: q.answer,
      difficulty: q.difficulty,
      kind: q.kind,
      predicted: s.answer,
      correct: s.reward,
      reasoningLength: s.reasoningLength,
      closed: s.closed,
    };
  });
  return { summary: summariseQuestions(outcomes), outcomes };
}

/**
 * A generator that decodes with `generate` (greedy when `temperature` is 0), `batchSize`
 * prompts per call, stopping at `<|endoftext|>`; completions are cut after the stop token.
 */
export function questionGenerator(
  model: GPT,
  codec: Codec,
  cfg: PostTrainEvalConfig,
): CompletionGenerator {
  return async (prompts) => {
    const out: number[][] = [];
    const eot = codec.specialId("eot");
    for (let i = 0; i < prompts.length; i += cfg.batchSize) {
      const chunk = prompts.slice(i, i + cfg.batchSize);
      const longest = Math.max(...chunk.map((p) => p.length));
      const maxNewTokens = Math.min(cfg.maxNewTokens, model.config.contextLength - longest);
      if (maxNewTokens < 1) {
        throw new ConfigError(
          `posttrain.eval: a prompt of ${longest} tokens leaves no room in the ` +
            `${model.config.contextLength}-token window`,
        );
      }
      const r = await generate(model, chunk, codec.specialId("pad"), {
        maxNewTokens,
        temperature: cfg.temperature,
        topK: 0,
        seed: (cfg.seed * 7919 + i) >>> 0,
        stopIds: [eot],
        readChunk: 16,
      });
      for (const c of r.completions) {
        const stop = c.indexOf(eot);
        out.push(stop >= 0 ? c.slice(0, stop + 1) : c);
      }
    }
    return out;
  };
}

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
  model: GPT;
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
 * the shared GRPO objective (`lib/apps/train/grpo_loss.ts`), backward and one AdamW update.
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
  // r_i = verifyAnswer, A_i whitened within each question's group
  const rewards: number[] = [], lengths: number[] = [], closed: number[] = [];
  const responses: { prompt: number[]; completion: number[]; advantage: number }[] = [];
  picked.forEach((q, p) => {
    const group = rollouts.completions.slice(p * G, (p + 1) * G);
    const scored = group.map((c) => scoreCompletion(c, q.answer, codec));
    const r = scored.map((s) => s.reward);
    const advantage = groupAdvantages(r, cfg.grpo.advantageEps);
    scored.forEach((s, i) => {
      rewards.push(s.reward);
      lengths.push(s.reasoningLength);
      closed.push(s.closed ? 1 : 0);
      if (advantage[i] !== 0) {
        responses.push({ prompt: prompts[p]!, completion: group[i]!, advantage: advantage[i]! });
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
      objective.neg().backward();
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
  const ck = await loadCheckpoint(cfg.checkpoint, { optimizer: false });
  const model = ck.model;
  try {
    const codec = Tokenizer.fromJSON(ck.tokenizerJson, `${cfg.checkpoint}/tokenizer.json`);
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
