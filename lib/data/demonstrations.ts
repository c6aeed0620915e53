/**
 * Thinking demonstrations for pre-training (method §11.1): documents in the exact format of the
 * next-token-reasoning prompt (§1.3, §9), so that the base model learns to reason inside
 * `<think></think>` and to put the next token in `\boxed{}` before any RL.
 *
 * A demonstration document is
 *
 * ```text
 * promptPrefix + context + promptSuffix + "<think>" + reasoning + "</think>\boxed{" + answer + "}<|endoftext|>"
 * ```
 *
 * - When the context ends at or inside a computed number of a math document (a
 *   `MathFact`), the reasoning is a scratch-pad that actually computes the number (column by
 *   column with carries and borrows, nested steps first) and reads off the needed digit.
 * - Otherwise it restates the tail of the context and names the next token.
 * - Reasoning is verbose on purpose (restating, "let me double-check", recomputing) so that the
 *   base model over-thinks, as the paper's bases do; `verbosity` scales its length.
 * - With probability `errorRate` the reasoning contains a slip (an arithmetic error in the
 *   column that produces the needed digit, or a wrong word) and the boxed answer is wrong, so
 *   that the base model's next-token-reasoning accuracy is above zero but far from perfect.
 *
 * @module
 */
import { pick, randInt, type Rng } from "../util/rng.ts";
import { exprToString } from "./arith.ts";
import { columnScratch } from "./column_scratch.ts";
import { factAt, type MathDocument, type MathFact } from "./math_doc.ts";
import { pretokenize, SPECIAL_TOKENS } from "./tokenizer.ts";

/** Options of {@linkcode makeDemonstration}. */
export interface DemonstrationOptions {
  /**
   * Length scale: after the scratch-pad (or the generic restatement), restatements and
   * re-checks are appended until they add up to a target drawn uniformly from 60..200
   * characters, times `verbosity`. 0 gives the bare reasoning.
   */
  verbosity: number;
  /** Probability that the reasoning contains a slip and the boxed answer is wrong (default 0.2). */
  errorRate?: number;
}

/** A demonstration: the reasoning and the answer it arrives at. */
export interface Demonstration {
  /** Text to put between `<think>` and `</think>`. */
  reasoning: string;
  /** Text to put in `\boxed{}`: the given answer when `correct`, a wrong one otherwise. */
  answer: string;
  /** False when the reasoning contains a deliberate slip. */
  correct: boolean;
  /** `"computed"`: scratch-pad for a digit of a computed number; `"generic"`: restatement. */
  kind: "computed" | "generic";
}

const q = (s: string) => JSON.stringify(s);

function tailOf(text: string, rng: Rng): string {
  const n = randInt(rng, 12, 32);
  return text.length <= n ? text : `...${text.slice(-n)}`;
}

/** Appends restatements drawn from `extras` until they add up to `target` more characters. */
function pad(parts: string[], extras: (() => string)[], target: number, rng: Rng): void {
  let length = 0;
  for (let i = 0; i < 32 && length < target; i++) {
    const s = pick(rng, extras)();
    parts.push(s);
    length += s.length + 1;
  }
}

function computedReasoning(
  context: string,
  fact: MathFact,
  digitIndex: number,
  slip: boolean,
  target: number,
  rng: Rng,
): { reasoning: string; answer: string } {
  const desc = exprToString(fact.expr);
  const pad0 = columnScratch(fact.expr, slip ? { index: digitIndex } : undefined);
  const value = String(pad0.value);
  const digit = value[digitIndex];
  const written = context.slice(fact.start);
  const parts: string[] = [];
  parts.push(
    digitIndex === 0
      ? `The context ends right before a number. It is ${desc}.`
      : `The context ends inside a number, ${q(written)} is written so far. It is ${desc}.`,
  );
  parts.push(...pad0.lines);
  const summary = `So ${desc} = ${value}.`;
  if (parts[parts.length - 1] !== summary) parts.push(summary);
  parts.push(
    digitIndex === 0
      ? `The number starts here, so the next digit is its first digit, ${digit}.`
      : `Already written ${q(written)}, so the next digit is digit ${
        digitIndex + 1
      } of ${value}, ${digit}.`,
  );
  pad(
    parts,
    [
      () => `Let me double-check. ${pad0.lines.join(" ")} Yes, ${desc} = ${value}.`,
      () => `Restating the end of the context: ${q(tailOf(context, rng))}.`,
      () => `Check again: ${desc} = ${value}, and digit ${digitIndex + 1} of ${value} is ${digit}.`,
      () => `Let me recompute to be sure. ${pad0.lines.join(" ")}`,
    ],
    target,
    rng,
  );
  parts.push(`The next token is ${q(digit)}.`);
  return { reasoning: parts.join("\n"), answer: digit };
}

function genericReasoning(
  context: string,
  answer: string,
  target: number,
  rng: Rng,
): string {
  const chunks = pretokenize(context);
  const last = chunks.length > 0 ? chunks[chunks.length - 1] : "";
  const parts = [
    `The context ends with ${q(tailOf(context, rng))}.`,
    last ? `The next token continues the text right after ${q(last)}.` : "The context is empty.",
    `It should be ${q(answer)}.`,
  ];
  pad(
    parts,
    [
      () => `Let me double-check: ${q(tailOf(context, rng))} is followed by ${q(answer)}.`,
      () => `Restating the end of the context: ${q(tailOf(context, rng))}.`,
      () => `Yes, after ${q(last)} comes ${q(answer)}.`,
      () => `Thinking again about what follows ${q(last)}: it is ${q(answer)}.`,
    ],
    target,
    rng,
  );
  parts.push(`The next token is ${q(answer)}.`);
  return parts.join("\n");
}

/**
 * Writes the reasoning for predicting the token at character offset `cut` of `doc` (the
 * context is `doc.text.slice(0, cut)`; `answer` is the ground-truth next token's text, from
 * the tokenizer). If the cut is at or inside a computed number and `answer` is the digit there,
 * the reasoning is a scratch-pad computing it; otherwise it is a generic restatement.
 *
 * With probability `opts.errorRate` (default 0.2) the demonstration is wrong: the scratch-pad
 * makes one arithmetic slip in the column of the needed digit (or the generic reasoning names
 * another chunk of the document) and `answer` differs from the given one.
 *
 * @param doc The document (its facts drive the scratch-pads).
 * @param cut Character offset of the next token, `0 <= cut <= doc.text.length`.
 * @param answer The ground-truth next token's text.
 * @param rng Randomness (slips, lengths, phrasing).
 * @param opts `verbosity` and `errorRate`.
 * @throws {RangeError} On a cut outside the text or a negative verbosity.
 *
 * @example A scratch-pad for a digit of a sum
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeDemonstration } from "./demonstrations.ts";
 * import { generateMathDocuments } from "./corpus_math.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const doc = generateMathDocuments(1, 0, { kinds: ["addition"], workedFraction: 0 })[0];
 * const f = doc.facts.at(-1)!;
 * const demo = makeDemonstration(doc, f.start, doc.text[f.start], mulberry32(1),
 *   { verbosity: 1, errorRate: 0 });
 * assert.equal(demo.kind, "computed");
 * assert.equal(demo.answer, String(f.value)[0]);
 * assert.ok(demo.reasoning.includes(`= ${f.value}.`));
 * ```
 */
export function makeDemonstration(
  doc: MathDocument,
  cut: number,
  answer: string,
  rng: Rng,
  opts: DemonstrationOptions,
): Demonstration {
  const { verbosity, errorRate = 0.2 } = opts;
  if (!Number.isInteger(cut) || cut < 0 || cut > doc.text.length) {
    throw new RangeError(`makeDemonstration: cut must be in 0..${doc.text.length}, got ${cut}`);
  }
  if (!(verbosity >= 0)) {
    throw new RangeError(`makeDemonstration: verbosity must be >= 0, got ${verbosity}`);
  }
  const context = doc.text.slice(0, cut);
  const target = randInt(rng, 60, 200) * verbosity;
  const slip = rng() < errorRate;
  const fact = factAt(doc, cut);
  if (fact && String(fact.value)[cut - fact.start] === answer) {
    const r = computedReasoning(context, fact, cut - fact.start, slip, target, rng);
    return {
      reasoning: r.reasoning,
      answer: r.answer,
      correct: r.answer === answer,
      kind: "computed",
    };
  }
  let said = answer;
  if (slip) {
    const others = [...new Set(pretokenize(doc.text))].filter((c) => c !== answer);
    if (others.length > 0) said = pick(rng, others);
  }
  return {
    reasoning: genericReasoning(context, said, target, rng),
    answer: said,
    correct: said === answer,
    kind: "generic",
  };
}

/**
 * Assembles the full demonstration document: prompt, `<think>` reasoning `</think>`, boxed
 * answer and end-of-text. The prompt prefix and suffix come from the prompt format
 * (`lib/rmt/prompt.ts`), so that demonstrations and RL prompts match exactly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assembleDemonstration } from "./demonstrations.ts";
 * const demo = { reasoning: "r", answer: " cat", correct: true, kind: "generic" as const };
 * assert.equal(
 *   assembleDemonstration("The", demo, "P:", "\nN:"),
 *   "P:The\nN:<think>r</think>\\boxed{ cat}<|endoftext|>",
 * );
 * ```
 */
export function assembleDemonstration(
  context: string,
  demo: Demonstration,
  promptPrefix: string,
  promptSuffix: string,
): string {
  return promptPrefix + context + promptSuffix + SPECIAL_TOKENS.thinkOpen + demo.reasoning +
    SPECIAL_TOKENS.thinkClose + "\\boxed{" + demo.answer + "}" + SPECIAL_TOKENS.eot;
}

/**
 * Picks a cut (character offset of the token to predict) in a document: half the time a digit
 * inside a computed number (the hard tokens the scratch-pads are for), otherwise a uniformly
 * drawn pre-tokenization chunk boundary in `1..text.length - 1`. Every returned offset is a
 * chunk boundary, hence a token boundary for any tokenizer of `tokenizer.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickDemoCut } from "./demonstrations.ts";
 * import { generateMathDocuments } from "./corpus_math.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * const doc = generateMathDocuments(1, 2)[0];
 * const cut = pickDemoCut(doc, mulberry32(3));
 * assert.ok(cut > 0 && cut < doc.text.length);
 * ```
 */
export function pickDemoCut(doc: MathDocument, rng: Rng): number {
  if (doc.facts.length > 0 && rng() < 0.5) {
    const f = pick(rng, doc.facts);
    return randInt(rng, f.start, f.end - 1);
  }
  const bounds: number[] = [];
  let at = 0;
  for (const chunk of pretokenize(doc.text)) {
    if (at > 0) bounds.push(at);
    at += chunk.length;
  }
  if (bounds.length === 0) {
    if (doc.text.length < 2) throw new RangeError("pickDemoCut: document too short to cut");
    return randInt(rng, 1, doc.text.length - 1);
  }
  return pick(rng, bounds);
}

/** What {@linkcode makeDemonstrationDocuments} needs from a tokenizer. */
export interface DemoTokenizer {
  /** Text to token ids. */
  encode(text: string): number[];
  /** The bytes of one token. */
  tokenBytes(id: number): Uint8Array;
  /** Token ids to text. */
  decode(ids: number[]): string;
}

/** Options of {@linkcode makeDemonstrationDocuments}. */
export interface DemonstrationCorpusOptions extends DemonstrationOptions {
  /** Number of demonstration documents. */
  count: number;
  /** Text before the context (from the prompt format). */
  promptPrefix: string;
  /** Text between the context and `<think>` (from the prompt format). */
  promptSuffix: string;
}

/**
 * Builds `count` demonstration documents from math documents: for each, picks a document and a
 * cut ({@linkcode pickDemoCut}), takes the ground-truth next token from `tokenizer`, writes the
 * reasoning ({@linkcode makeDemonstration}) and assembles the document
 * ({@linkcode assembleDemonstration}). Cuts whose token is not a whole character are skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeDemonstrationDocuments } from "./demonstrations.ts";
 * import { generateMathDocuments } from "./corpus_math.ts";
 * import { mulberry32 } from "../util/rng.ts";
 * import { Tokenizer } from "./tokenizer.ts";
 * const docs = generateMathDocuments(10, 0);
 * const tok = Tokenizer.train(docs.map((d) => d.text), { vocabSize: 300 });
 * const demos = makeDemonstrationDocuments(docs, tok, mulberry32(0),
 *   { count: 5, promptPrefix: "### Context\n", promptSuffix: "\n### Next token\n", verbosity: 1 });
 * assert.equal(demos.length, 5);
 * assert.ok(demos.every((d) => d.startsWith("### Context\n") && d.endsWith("}<|endoftext|>")));
 * ```
 */
export function makeDemonstrationDocuments(
  docs: MathDocument[],
  tokenizer: DemoTokenizer,
  rng: Rng,
  opts: DemonstrationCorpusOptions,
): string[] {
  if (docs.length === 0) throw new RangeError("makeDemonstrationDocuments: no documents");
  const encoder = new TextEncoder();
  const out: string[] = [];
  for (let attempts = 0; out.length < opts.count; attempts++) {
    if (attempts > 10 * opts.count + 100) {
      throw new Error("makeDemonstrationDocuments: could not find token-aligned cuts");
    }
    const doc = pick(rng, docs);
    if (doc.text.length < 2) continue;
    const cut = pickDemoCut(doc, rng);
    const ids = tokenizer.encode(doc.text);
    const cutBytes = encoder.encode(doc.text.slice(0, cut)).length;
    let offset = 0, j = 0;
    while (j < ids.length && offset < cutBytes) offset += tokenizer.tokenBytes(ids[j++]).length;
    if (offset !== cutBytes || j >= ids.length) continue;
    const answer = tokenizer.decode([ids[j]]);
    if (answer.includes("\uFFFD")) continue;
    const demo = makeDemonstration(doc, cut, answer, rng, opts);
    out.push(
      assembleDemonstration(doc.text.slice(0, cut), demo, opts.promptPrefix, opts.promptSuffix),
    );
  }
  return out;
}
