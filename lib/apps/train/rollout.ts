/**
 * Next-token reasoning episodes of Reinforcement Mid-Training (Tian et al., "Reinforcement
 * Mid-Training", arXiv:2509.24375; method §1.3, §2.2, §9): the prompt of every RL position with
 * the current budget B_t written in, and G sampled completions per prompt, all prompts of a step
 * in one batched `generate` call.
 *
 * Dimension legend: P positions (prompts), G group size, L completion length.
 *
 * Deliberate deviations:
 * - A completion ends with its first `<|endoftext|>` when it has one (kept: stopping is part of
 *   the action, so its log-probability is trained too).
 * - The context of a prompt is the document prefix τ_<pos, left-truncated to
 *   `rmt.prompt.maxContextTokens` (method §8.12).
 *
 * @module
 */
import { generate } from "../../model/generate.ts";
import type { CausalLM } from "../../model/causal_lm.ts";
import type { Codec } from "../../data/codec.ts";
import { buildPrompt, type PromptConfig } from "../../rmt/prompt.ts";

/**
 * The prompt of every RL position of a step: instruction(B_t) ++ τ_<pos ++ header ++ `<think>`.
 *
 * @param docs Token ids of the training documents.
 * @param positions (document index, position) of each RL position.
 * @param opts Budget B_t (`null`: no budget sentence), codec, prompt settings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rolloutPrompts } from "./rollout.ts";
 * import { PROMPT_DEFAULTS } from "../../rmt/prompt.ts";
 * const codec = {
 *   encode: (s: string) => [...new TextEncoder().encode(s)],
 *   decode: (ids: number[]) => new TextDecoder().decode(new Uint8Array(ids)),
 *   decodeBytes: (ids: number[]) => new Uint8Array(ids),
 *   specialId: (n: string) => ({ pad: 256, eot: 257, thinkOpen: 258, thinkClose: 259 })[n]!,
 * };
 * const [prompt] = rolloutPrompts([[65, 66, 67]], [{ doc: 0, pos: 2 }], {
 *   budget: 9, codec, prompt: PROMPT_DEFAULTS,
 * });
 * assert.ok(codec.decode(prompt!).includes("Think for 9 tokens"));
 * assert.equal(prompt!.at(-1), 258);
 * ```
 */
// §1.3 step 1, §2.2: prompt = template(τ_<pos, B_t)
export function rolloutPrompts(
  docs: readonly number[][],
  positions: readonly { doc: number; pos: number }[],
  opts: { budget: number | null; codec: Codec; prompt: PromptConfig },
): number[][] {
  return positions.map(({ doc, pos }) =>
    buildPrompt(docs[doc]!.slice(0, pos), opts.budget, opts.codec, opts.prompt)
  );
}

/** The sampled completions of a step, grouped: completions[p·G + i] is o^i of prompt p. */
export interface Rollouts {
  /** o^i per prompt and sample (P·G), each cut after its stop token. */
  completions: number[][];
  /** Σ |o^i|. */
  generatedTokens: number;
  /** Generation throughput as reported by `generate`. */
  tokensPerSecond: number;
  /** Wall time of the sampling. */
  seconds: number;
}

/**
 * Samples G completions for each prompt (§1.3 step 2): every prompt repeated G times, one
 * batched `generate` call (left-padded prompts), sampling at `temperature`.
 *
 * @param model The policy π_θ.
 * @param prompts The P prompts.
 * @param opts G, maxNewTokens, temperature, topK, seed and the codec (pad / eot ids).
 */
// §1.3 step 2: o^i ~ π_θ(· | prompt), i = 1..G
export async function sampleRollouts(
  model: CausalLM,
  prompts: number[][],
  opts: {
    groupSize: number;
    maxNewTokens: number;
    temperature: number;
    topK: number;
    seed: number;
    codec: Codec;
  },
): Promise<Rollouts> {
  const G = opts.groupSize;
  const eot = opts.codec.specialId("eot");
  const repeated = prompts.flatMap((p) => Array.from({ length: G }, () => p)); // (P·G)
  const started = performance.now();
  const result = await generate(model, repeated, opts.codec.specialId("pad"), {
    maxNewTokens: opts.maxNewTokens,
    temperature: opts.temperature,
    topK: opts.topK,
    seed: opts.seed,
    stopIds: [eot],
    readChunk: 16, // stop detection every 16 tokens
  });
  const seconds = (performance.now() - started) / 1000;
  const completions = result.completions.map((c) => {
    const stop = c.indexOf(eot);
    return stop >= 0 ? c.slice(0, stop + 1) : c;
  });
  const generatedTokens = completions.reduce((n, c) => n + c.length, 0);
  return { completions, generatedTokens, tokensPerSecond: result.tokensPerSecond, seconds };
}
