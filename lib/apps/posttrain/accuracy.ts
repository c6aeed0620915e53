/**
 * Held-out accuracy of the post-training stage (method §6.5, §11.4): each question answered once,
 * its boxed answer after `</think>` verified against the integer answer, and the bookkeeping
 * overall, per difficulty grade and per problem kind. Also the verifiable reward of one
 * completion, which the GRPO loop (`grpo.ts`) uses as r_i.
 *
 * @module
 */
import type { CausalLM } from "../../model/causal_lm.ts";
import { generate } from "../../model/generate.ts";
import { ConfigError } from "../../util/config.ts";
import type { ProblemKind } from "../../data/corpus_math.ts";
import type { Codec } from "../../data/codec.ts";
import { parseCompletion } from "../../rmt/reward_match.ts";
import type { CompletionGenerator } from "../eval/ntr.ts";
import type { PostTrainEvalConfig } from "./config.ts";
import type { Question } from "../../data/questions.ts";
import { buildPostTrainPrompt, type PostTrainPromptConfig } from "../../data/question_prompt.ts";
import { verifyAnswer } from "./verify.ts";

/**
 * The verifiable reward of one completion and what was parsed from it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreCompletion } from "./accuracy.ts";
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
 * import { summariseQuestions } from "./accuracy.ts";
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
 * import { questionAccuracy } from "./accuracy.ts";
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
  model: CausalLM,
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
