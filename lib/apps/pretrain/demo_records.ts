/**
 * Thinking demonstrations as token ids (method §11.1): a cut at a token boundary of a document,
 * the prompt that RL would build there (`lib/rmt/prompt.ts`) and a completion the reward parser
 * accepts, plus their summary statistics. Used by `data.ts` to assemble the pre-training stream.
 *
 * @module
 */
import type { MathExpr } from "../../data/arith.ts";
import type { MathDocument } from "../../data/math_doc.ts";
import { type Demonstration, makeDemonstration, pickDemoCut } from "../../data/demonstrations.ts";
import { factAt } from "../../data/math_doc.ts";
import { canDerive, pickResultCut, scratchpad, solution } from "../../data/scratchpad.ts";
import { generateQuestions, POSTTRAIN_SEEDS, type Question } from "../../data/questions.ts";
import { buildPostTrainPrompt, type PostTrainPromptConfig } from "../../data/question_prompt.ts";
import type { Rng } from "../../util/rng.ts";
import { pretokenize, type Tokenizer } from "../../data/tokenizer.ts";
import { buildPrompt, completionText, type PromptConfig } from "../../rmt/prompt.ts";

/** A thinking demonstration as token ids, with what it states. */
export interface DemoRecord {
  /** Prompt ids ++ completion ids (ends with `<|endoftext|>`). */
  ids: number[];
  /** Number of prompt ids (the completion starts here, right after `<think>`). */
  promptLength: number;
  /** ℓ: reasoning tokens between `<think>` and `</think>`. */
  reasoningLength: number;
  /**
   * The budget written in the prompt, or null (no-budget instruction): ℓ itself, except for a
   * concise scratch-pad, whose budget is the length of the verbose one at the same cut.
   */
  budget: number | null;
  /** Whether the boxed answer equals the ground-truth next token. */
  correct: boolean;
  /**
   * `"computed"` (scratch-pad), `"generic"` (restatement) or `"question"` (a whole question
   * solved in the post-training prompt, {@linkcode makeQuestionRecords}).
   */
  kind: "computed" | "generic" | "question";
}

/** Options of {@linkcode makeDemoRecords}. */
export interface DemoRecordOptions {
  /** Number of demonstrations. */
  count: number;
  /** Prompt format (the same object the RL prompts are built with). */
  prompt: PromptConfig;
  /** Share with the budget sentence (budget = the demonstration's ℓ). */
  budgetFraction: number;
  /** Reasoning length scale. */
  verbosity: number;
  /** Probability of a deliberate slip. */
  errorRate: number;
  /** Longest demonstration in tokens (0 = no limit); longer ones are redrawn. */
  maxTokens: number;
  /**
   * `"classic"` (default): `makeDemonstration` at `pickDemoCut` cuts. `"scratchpad"`: three in
   * four at a digit of a computed number, derived by `scratchpad()` (with a slip at rate
   * `errorRate`), the others generic restatements at cuts outside computed numbers.
   */
  style?: "classic" | "scratchpad";
  /** Scratch-pad style: share of the verbose form (default 0.5). */
  verboseFraction?: number;
}

/**
 * Thinking demonstrations as token ids, in the exact RL prompt format: the prompt is
 * `buildPrompt(τ_<pos, budget, tok, prompt)` (left-truncated context, ends with `<think>`), the
 * completion `encode(completionText(reasoning, answer))`. Cuts are token boundaries of the
 * document (`pickDemoCut`), and the ground truth is the document's token at the cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeDemoRecords } from "./demo_records.ts";
 * import { generateMathDocuments } from "../../data/corpus_math.ts";
 * import { mulberry32 } from "../../util/rng.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * import { buildPrompt, PROMPT_DEFAULTS } from "../../rmt/prompt.ts";
 * const docs = generateMathDocuments(10, 0, { maxChars: 200 });
 * const tok = Tokenizer.train(docs.map((d) => d.text), { vocabSize: 300 });
 * const demos = makeDemoRecords(docs, tok, mulberry32(1), {
 *   count: 4, prompt: PROMPT_DEFAULTS, budgetFraction: 1, verbosity: 0.5, errorRate: 0, maxTokens: 0,
 * });
 * const d = demos[0];
 * assert.equal(d.budget, d.reasoningLength);
 * assert.equal(d.ids[d.promptLength - 1], tok.specialId("thinkOpen"));
 * assert.equal(d.ids[d.promptLength + d.reasoningLength], tok.specialId("thinkClose"));
 * assert.equal(d.ids.at(-1), tok.specialId("eot"));
 * ```
 */
export function makeDemoRecords(
  docs: MathDocument[],
  tok: Tokenizer,
  rng: Rng,
  opts: DemoRecordOptions,
): DemoRecord[] {
  if (docs.length === 0) throw new RangeError("makeDemoRecords: no documents");
  const encoder = new TextEncoder();
  const out: DemoRecord[] = [];
  for (let attempts = 0; out.length < opts.count; attempts++) {
    if (attempts > 20 * opts.count + 100) {
      throw new Error(
        `makeDemoRecords: only ${out.length} of ${opts.count} demonstrations fit ` +
          `(maxDemoTokens ${opts.maxTokens}); raise data.maxDemoTokens or lower data.verbosity`,
      );
    }
    const doc = docs[Math.floor(rng() * docs.length)];
    if (doc.text.length < 2 || pretokenize(doc.text).length < 2) continue;
    const atResult = opts.style === "scratchpad" && rng() < 0.75;
    const cut = atResult ? pickResultCut(doc, rng) : pickDemoCut(doc, rng);
    if (cut === undefined) continue;
    // Scratch-pad style: outside results only generic restatements, never the classic pads.
    if (opts.style === "scratchpad" && !atResult && factAt(doc, cut) !== undefined) continue;
    const ids = tok.encode(doc.text);
    // Token index j whose first byte is at character offset `cut`.
    const cutBytes = encoder.encode(doc.text.slice(0, cut)).length;
    let offset = 0, j = 0;
    while (j < ids.length && offset < cutBytes) offset += tok.tokenBytes(ids[j++]).length;
    if (offset !== cutBytes || j >= ids.length || j === 0) continue;
    const answer = tok.decode([ids[j]]);
    if (answer.includes("\uFFFD")) continue;
    let demo: Demonstration;
    let budgetText: string | undefined; // the reasoning whose length a budget sentence states
    if (atResult) {
      const form = rng() < (opts.verboseFraction ?? 0.5) ? "verbose" : "concise";
      const pad = scratchpad(doc, cut, form, rng, rng() < opts.errorRate)!;
      if (doc.text[cut] !== answer) continue; // a tokenizer that merges digits
      if (!contextHolds(ids.slice(0, j), doc, cut, tok, opts.prompt)) continue;
      demo = {
        reasoning: pad.reasoning,
        answer: pad.answer,
        correct: pad.correct,
        kind: "computed",
      };
      // A concise pad under a budget sentence gets the verbose pad's length as its budget: the
      // base model never sees a budget below the verbose length, so following a shrinking B_t
      // is left for RL's length reward to teach (method §2.2, §11.1).
      if (form === "concise") budgetText = scratchpad(doc, cut, "verbose", rng)!.reasoning;
    } else {
      demo = makeDemonstration(doc, cut, answer, rng, {
        verbosity: opts.verbosity,
        errorRate: opts.errorRate,
      });
    }
    const reasoningLength = tok.encode(demo.reasoning).length;
    const budgetLength = budgetText === undefined ? reasoningLength : tok.encode(budgetText).length;
    const budget = rng() < opts.budgetFraction ? Math.max(1, budgetLength) : null;
    const prompt = buildPrompt(ids.slice(0, j), budget, tok, opts.prompt);
    const completion = tok.encode(completionText(demo.reasoning, demo.answer));
    const all = [...prompt, ...completion];
    if (opts.maxTokens > 0 && all.length > opts.maxTokens) continue;
    out.push({
      ids: all,
      promptLength: prompt.length,
      reasoningLength,
      budget,
      correct: demo.correct,
      kind: demo.kind,
    });
  }
  return out;
}

/**
 * Questions for the question demonstrations: `count` questions of every kind and grade of
 * `lib/data/questions.ts` (repeats allowed) whose expression the scratch-pads derive, drawn from
 * `seed`, none of them among the first 2,000 held-out questions of post-training's default
 * seed (so that post-training's accuracy before GRPO is not a memory of pre-training).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { demoQuestions } from "./demo_records.ts";
 * import { generateQuestions, POSTTRAIN_SEEDS } from "../../data/questions.ts";
 * const qs = demoQuestions(50, 7);
 * assert.equal(qs.length, 50);
 * const heldOut = new Set(generateQuestions(2000, POSTTRAIN_SEEDS.heldOut).map((q) => q.question));
 * assert.ok(qs.every((q) => q.expr !== undefined && !heldOut.has(q.question)));
 * ```
 */
export function demoQuestions(count: number, seed: number): Question[] {
  const exclude = generateQuestions(2000, POSTTRAIN_SEEDS.heldOut).map((q) => q.question);
  const drawn = generateQuestions(Math.ceil(count * 1.1) + 16, seed, { exclude, unique: false });
  const out = drawn.filter((q) => q.expr !== undefined && canDerive(q.expr));
  if (out.length < count) {
    throw new Error(`demoQuestions: only ${out.length} of ${count} questions can be derived`);
  }
  return out.slice(0, count);
}

/** Options of {@linkcode makeQuestionRecords}. */
export interface QuestionRecordOptions {
  /** Number of demonstrations. */
  count: number;
  /** The post-training prompt (`lib/data/question_prompt.ts`), byte for byte. */
  prompt: PostTrainPromptConfig;
  /** Probability of a deliberate slip (a wrong final answer). */
  errorRate: number;
  /** Share of the verbose form. */
  verboseFraction: number;
  /** Longest demonstration in tokens (0 = no limit); longer ones are redrawn. */
  maxTokens: number;
}

/**
 * Question demonstrations: a question of `questions` in the post-training prompt
 * (`buildPostTrainPrompt`: instruction, question, header, `<think>`), then its worked solution
 * (`solution()`: the column-by-column derivation of the scratch-pads, concise or verbose) and
 * the value in `\boxed{}`. They teach the base the format post-training asks for, so that its
 * accuracy before GRPO is measurable (issue 17: 5–60 %); no budget sentence (post-training
 * prompts have none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { demoQuestions, makeQuestionRecords } from "./demo_records.ts";
 * import { POSTTRAIN_PROMPT_DEFAULTS } from "../../data/question_prompt.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * import { mulberry32 } from "../../util/rng.ts";
 * const tok = Tokenizer.train([], { vocabSize: 260 });
 * const [d] = makeQuestionRecords(demoQuestions(4, 1), tok, mulberry32(2), {
 *   count: 1, prompt: POSTTRAIN_PROMPT_DEFAULTS, errorRate: 0, verboseFraction: 0, maxTokens: 0 });
 * const text = tok.decode(d.ids);
 * assert.match(text, /^Solve the problem\. .*\n### Problem\n.*\?\n### Answer\n<think>.* = \?\n/s);
 * assert.match(text, /<\/think>\\boxed\{\d+\}<\|endoftext\|>$/);
 * assert.equal(d.kind, "question");
 * assert.equal(d.budget, null);
 * ```
 */
export function makeQuestionRecords(
  questions: readonly Question[],
  tok: Tokenizer,
  rng: Rng,
  opts: QuestionRecordOptions,
): DemoRecord[] {
  if (questions.length === 0) throw new RangeError("makeQuestionRecords: no questions");
  const out: DemoRecord[] = [];
  for (let attempts = 0; out.length < opts.count; attempts++) {
    if (attempts > 20 * opts.count + 100) {
      throw new Error(
        `makeQuestionRecords: only ${out.length} of ${opts.count} question demonstrations fit ` +
          `(maxDemoTokens ${opts.maxTokens}); raise data.maxDemoTokens`,
      );
    }
    const q = questions[Math.floor(rng() * questions.length)];
    const form = rng() < opts.verboseFraction ? "verbose" : "concise";
    const pad = q.expr === undefined
      ? undefined
      : solution(q.expr, form, rng, rng() < opts.errorRate);
    if (pad === undefined) continue;
    const prompt = buildPostTrainPrompt(q.question, tok, opts.prompt);
    const ids = [...prompt, ...tok.encode(completionText(pad.reasoning, pad.answer))];
    if (opts.maxTokens > 0 && ids.length > opts.maxTokens) continue;
    out.push({
      ids,
      promptLength: prompt.length,
      reasoningLength: tok.encode(pad.reasoning).length,
      budget: null,
      correct: pad.correct,
      kind: "question",
    });
  }
  return out;
}

/**
 * Whether the prompt's left-truncated context still holds every number the computed number at
 * `cut` is computed from (else a scratch-pad would cite numbers the prompt does not show).
 */
function contextHolds(
  contextIds: number[],
  doc: MathDocument,
  cut: number,
  tok: Tokenizer,
  prompt: PromptConfig,
): boolean {
  if (contextIds.length <= prompt.maxContextTokens) return true;
  const kept = tok.decode(contextIds.slice(contextIds.length - prompt.maxContextTokens));
  const numbers = new Set(kept.match(/\d+/g) ?? []);
  const leaves = (e: MathExpr): number[] => typeof e === "number" ? [e] : e.args.flatMap(leaves);
  return leaves(factAt(doc, cut)!.expr).every((n) => n <= 9 || numbers.has(String(n)));
}

/** Summary of a set of demonstrations. */
export interface DemoStats {
  /** Number of demonstrations. */
  count: number;
  /** Mean length in tokens (prompt + completion). */
  meanTokens: number;
  /** Longest, in tokens. */
  maxTokens: number;
  /** Mean reasoning length ℓ in tokens. */
  meanReasoning: number;
  /** Share with the budget sentence. */
  withBudget: number;
  /** Share whose answer is correct. */
  correct: number;
}

/**
 * Mean/max/shares of a set of demonstrations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { demoStats } from "./demo_records.ts";
 * const s = demoStats([{ ids: [1, 2, 3], promptLength: 1, reasoningLength: 1, budget: null,
 *   correct: true, kind: "generic" }]);
 * assert.equal(s.meanTokens, 3);
 * assert.equal(s.withBudget, 0);
 * ```
 */
export function demoStats(demos: DemoRecord[]): DemoStats {
  const n = Math.max(1, demos.length);
  const sum = (f: (d: DemoRecord) => number) => demos.reduce((a, d) => a + f(d), 0);
  return {
    count: demos.length,
    meanTokens: sum((d) => d.ids.length) / n,
    maxTokens: demos.reduce((m, d) => Math.max(m, d.ids.length), 0),
    meanReasoning: sum((d) => d.reasoningLength) / n,
    withBudget: sum((d) => (d.budget === null ? 0 : 1)) / n,
    correct: sum((d) => (d.correct ? 1 : 0)) / n,
  };
}

/** Number of demonstrations for `documents` plain documents and a demo share `fraction`. */
export function demoCount(documents: number, fraction: number): number {
  return fraction <= 0 ? 0 : Math.round((documents * fraction) / (1 - fraction));
}
