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
import { pickResultCut, scratchpad } from "../../data/scratchpad.ts";
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
  /** `"computed"` (scratch-pad) or `"generic"` (restatement). */
  kind: "computed" | "generic";
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
