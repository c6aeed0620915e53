/**
 * Batched sampling from a decoder ({@linkcode CausalLM}: the GPT or a Llama-family model) with a KV cache. Prompts of different lengths are
 * left-padded to a common length P and the padding keys are masked, so each row's last prompt
 * token sits at position P − 1 and every row decodes in lockstep. (The positions are those of
 * `lib/apps/train/logprobs.ts`, which lays prompts out the same way.)
 *
 * Sampled ids stay on the device: token t+1 is computed from token t without a readback, and
 * the host reads the ids once per `readChunk` tokens to detect stop ids. Repeated prompts (the
 * G rollouts of a GRPO group) are prefilled once: the U distinct prompts run through the model,
 * then their cached keys/values and last logits are gathered into the B rows.
 *
 * Rows that stop leave the batch at a readback (`compact`), so a long completion does not keep
 * the finished ones decoding: the work follows the rows still running.
 *
 * Legend: B batch (prompts), B' rows still running, U distinct prompts, P padded prompt length,
 * N new tokens, V vocab, H heads, D head size.
 *
 * @module
 */
import { concat, noGrad, type Tensor, tensor, tidy } from "../engine/tensor.ts";
import { keep } from "../engine/memory.ts";
import { KvCache } from "./attention.ts";
import { writeWindow } from "./_kv.ts";
import { promptGroups, spreadRows } from "./prefix.ts";
import type { CausalLM } from "./causal_lm.ts";

/** Sampling settings. */
export interface GenerateOptions {
  /** Tokens to generate per row at most. */
  maxNewTokens: number;
  /** Softmax temperature; ≤ 0 means greedy (argmax). */
  temperature: number;
  /** Sample among the k most likely tokens only (0 = all). */
  topK: number;
  /** Seed of the on-device sampler (same seed, same prompts → same output). */
  seed: number;
  /** A row stops at its first token from this list (kept in its completion). */
  stopIds: number[];
  /** Tokens sampled on the device between readbacks (stop detection granularity), e.g. 16. */
  readChunk: number;
  /**
   * Prefill each distinct prompt once and copy its keys and values to every row that repeats
   * it (GRPO's G rollouts of one prompt). Same tokens as without; default true.
   */
  sharePrefill?: boolean;
  /**
   * Drop the rows that have stopped from the batch (their cached keys and values too) at a
   * readback once at least a quarter of it has stopped, so that the rest decode at the cost of
   * the rows still running. Default true; the same tokens as without.
   */
  compact?: boolean;
}

/** The result of {@linkcode generate}. */
export interface GenerateResult {
  /** Per prompt: the new tokens, up to and including the first stop id. */
  completions: number[][];
  /** Per prompt: whether a stop id was produced. */
  stopped: boolean[];
  /** Returned tokens (Σ completion lengths) per second of wall time, prefill included. */
  tokensPerSecond: number;
  /** Rows decoded, summed over the decoding steps: the work done (`compact` lowers it). */
  rowSteps: number;
}

/**
 * Generates completions for a batch of prompts (see the module doc). Rows that stop keep being
 * decoded until the chunk ends (their extra tokens are dropped); generation ends when every row
 * has stopped at a chunk boundary or after `maxNewTokens`.
 *
 * @example Greedy decoding of two prompts of different lengths
 * ```ts
 * import assert from "node:assert/strict";
 * import { generate } from "./generate.ts";
 * import { GPT, resolveGptConfig } from "./gpt.ts";
 * const model = new GPT(resolveGptConfig({ vocabSize: 10, contextLength: 16, nLayer: 1, nHead: 1, nEmbd: 8 }));
 * const out = await generate(model, [[1, 2, 3], [4]], 0, {
 *   maxNewTokens: 4, temperature: 0, topK: 0, seed: 1, stopIds: [], readChunk: 2,
 * });
 * assert.deepEqual(out.completions.map((c) => c.length), [4, 4]);
 * ```
 */
export async function generate(
  model: CausalLM,
  prompts: number[][],
  padId: number,
  opts: GenerateOptions,
): Promise<GenerateResult> {
  const t0 = performance.now();
  const B = prompts.length;
  const N = opts.maxNewTokens;
  if (B === 0 || N <= 0) {
    return {
      completions: prompts.map(() => []),
      stopped: prompts.map(() => false),
      tokensPerSecond: 0,
      rowSteps: 0,
    };
  }
  if (prompts.some((p) => p.length === 0)) throw new Error("generate: empty prompt");
  const P = Math.max(...prompts.map((p) => p.length));
  const total = P + N;
  if (total > model.config.contextLength) {
    throw new Error(
      `generate: prompt length ${P} + maxNewTokens ${N} exceeds contextLength ${model.config.contextLength}`,
    );
  }
  const chunk = Math.max(1, Math.floor(opts.readChunk));
  const backend = model.backend;

  // Left-pad the prompts; the key mask covers prompt and completion positions.
  const ids = new Int32Array(B * P).fill(padId); // (B, P)
  const mask = new Float32Array(B * total).fill(1); // (B, P + N)
  prompts.forEach((p, b) => {
    ids.set(p, b * P + P - p.length);
    mask.fill(0, b * total, b * total + P - p.length);
  });
  const anyPad = prompts.some((p) => p.length < P);
  let keyMask = anyPad ? tensor(mask, [B, total], { backend }) : null; // (B', P + N)
  let cache = model.newCache(B, total);
  let rows = Array.from({ length: B }, (_, b) => b); // the prompt of each row still in the batch

  const completions: number[][] = prompts.map(() => []);
  const stopped = prompts.map(() => false);
  const stops = new Set(opts.stopIds);
  // After a compaction: each prompt's row in the batch (stopped prompts: 0). The sampler draws
  // by row, so it samples the B prompts' rows as they were (a stopped prompt's draw is thrown
  // away, the running ones are gathered back by `rows`): a compacted batch samples the same tokens.
  let rowOf: Int32Array | null = null; // i32 (B)
  const sample = (logits: Tensor, step: number): Tensor => {
    const last = logits.reshape([logits.shape[0], logits.shape[2]]); // (B', V)
    if (opts.temperature <= 0) return last.argmax(); // i32 (B'), no RNG
    const draw = (x: Tensor) =>
      x.multinomial({
        temperature: opts.temperature,
        topK: opts.topK,
        seed: opts.seed >>> 0,
        counter: step,
      });
    if (rowOf === null) return draw(last); // i32 (B)
    const drawn = draw(spreadRows(last, rowOf)).reshape([B, 1]).cast("f32"); // (B, 1)
    return spreadRows(drawn, Int32Array.from(rows)).cast("i32").reshape([-1]); // i32 (B')
  };
  const step = (input: Tensor, t: number): Tensor =>
    noGrad(() =>
      tidy(() => {
        const S = cache.length + input.shape[1];
        const logits = model.forward(input, {
          cache,
          keyMask: keyMask?.narrow(1, 0, S),
          lastOnly: true,
        }); // (B', 1, V)
        return sample(logits, t).reshape([rows.length, 1]); // i32 (B', 1)
      })
    );

  /** Keeps the batch rows `keepRows` (indices into the current batch) of the cache, the mask and `ids`. */
  const compactTo = (keepRows: number[], ids: Tensor): Tensor => {
    const idx = Int32Array.from(keepRows);
    const pick = (t: Tensor) => keep(noGrad(() => tidy(() => spreadRows(t, idx))));
    const smaller = new KvCache(
      keepRows.length,
      cache.maxLength,
      cache.k.map(pick),
      cache.v.map(pick),
    );
    smaller.length = cache.length;
    cache.dispose();
    cache = smaller;
    if (keyMask !== null) {
      const m = pick(keyMask);
      keyMask.dispose();
      keyMask = m;
    }
    rows = keepRows.map((b) => rows[b]);
    rowOf = new Int32Array(B);
    rows.forEach((r, i) => rowOf![r] = i);
    return keep(noGrad(() => tidy(() => spreadRows(ids.cast("f32"), idx).cast("i32")))); // i32 (B', 1)
  };

  // Distinct prompts: row b repeats distinct prompt source[b].
  const { source, first: firstRow } = promptGroups(prompts);
  const U = firstRow.length;
  const share = (opts.sharePrefill ?? true) && U < B;

  /** Prefill of the U distinct prompts, gathered into the B rows of `cache`; ids i32 (B, 1). */
  const sharedPrefill = (): Tensor => {
    const uCache = model.newCache(U, P);
    try {
      return noGrad(() =>
        tidy(() => {
          const uIds = new Int32Array(U * P); // (U, P)
          firstRow.forEach((b, u) => uIds.set(ids.subarray(b * P, (b + 1) * P), u * P));
          const uMask = keyMask === null ? undefined : tensor(
            Float32Array.from(
              firstRow.flatMap((b) => [...mask.subarray(b * total, b * total + P)]),
            ),
            [U, P],
            { backend },
          ); // (U, P)
          const uLogits = model.forward(tensor(uIds, [U, P], { dtype: "i32", backend }), {
            cache: uCache,
            keyMask: uMask,
            lastOnly: true,
          }); // (U, 1, V)
          for (let l = 0; l < uCache.k.length; l++) {
            writeWindow(cache.k[l], 2, 0, spreadRows(uCache.k[l], source)); // (B, H, P, D)
            writeWindow(cache.v[l], 2, 0, spreadRows(uCache.v[l], source));
          }
          cache.length = P;
          const logits = spreadRows(uLogits, source); // (B, 1, V)
          return sample(logits, 0).reshape([B, 1]); // i32 (B, 1)
        })
      );
    } finally {
      uCache.dispose();
    }
  };

  const pending: Tensor[] = []; // sampled ids not yet read, each i32 (B', 1)
  let rowSteps = 0;
  try {
    let next: Tensor; // i32 (B, 1)
    if (share) {
      next = sharedPrefill();
    } else {
      const promptIds = tensor(ids, [B, P], { dtype: "i32", backend }); // (B, P)
      next = step(promptIds, 0);
      promptIds.dispose();
    }
    for (let t = 0; t < N; t++) {
      pending.push(next);
      const last = t === N - 1;
      if (!last) {
        next = step(next, t + 1);
        rowSteps += rows.length;
      }
      if (pending.length === chunk || last) {
        const read = noGrad(() => concat(pending, 1)); // i32 (B', chunk)
        const values = await read.toArray();
        read.dispose();
        const n = pending.length;
        // `next` may be the last pending tensor's successor only; keep it alive.
        for (const p of pending) if (p !== next) p.dispose();
        pending.length = 0;
        rows.forEach((r, b) => {
          if (stopped[r]) return;
          for (let j = 0; j < n; j++) {
            const id = values[b * n + j];
            completions[r].push(id);
            if (stops.has(id)) {
              stopped[r] = true;
              break;
            }
          }
        });
        if (stopped.every((s) => s)) break;
        const running = rows.flatMap((r, b) => (stopped[r] ? [] : [b]));
        if (!last && (opts.compact ?? true) && running.length <= rows.length * 0.75) {
          const smaller = compactTo(running, next);
          next.dispose();
          next = smaller;
        }
      }
    }
    if (!pending.includes(next)) next.dispose();
  } finally {
    for (const p of pending) p.dispose();
    cache.dispose();
    keyMask?.dispose();
  }
  const produced = completions.reduce((n, c) => n + c.length, 0);
  const seconds = (performance.now() - t0) / 1000;
  return {
    completions,
    stopped,
    tokensPerSecond: seconds > 0 ? produced / seconds : 0,
    rowSteps,
  };
}
