/**
 * Helpers for running a repeated prompt once: group the rows of a batch by their prompt, and
 * spread per-prompt tensors back to the rows. Used by `generate()` (a shared prefill) and by
 * the GRPO forward of `lib/apps/train/logprobs.ts` (a shared, differentiable prefix).
 *
 * Legend: N rows, U distinct prompts.
 *
 * @module
 */
import { type Tensor, tensor } from "../engine/tensor.ts";

/** Rows grouped by prompt: row i repeats distinct prompt `source[i]`; `first[u]` is its first row. */
export interface PromptGroups {
  /** i32 (N): the distinct prompt of each row. */
  source: Int32Array;
  /** (U): the first row of each distinct prompt, in order of appearance. */
  first: number[];
}

/**
 * Groups `rows` (token ids, one array-like per row) by equal content.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { promptGroups } from "./prefix.ts";
 * const g = promptGroups([[1, 2], [3], [1, 2]]);
 * assert.deepEqual([...g.source], [0, 1, 0]);
 * assert.deepEqual(g.first, [0, 1]);
 * ```
 */
export function promptGroups(rows: ArrayLike<number>[]): PromptGroups {
  const seen = new Map<string, number>();
  const first: number[] = [];
  const source = Int32Array.from(rows, (row, i) => {
    const key = Array.from(row).join(",");
    let u = seen.get(key);
    if (u === undefined) {
      seen.set(key, u = first.length);
      first.push(i);
    }
    return u;
  });
  return { source, first };
}

/**
 * (U, …) → (N, …): row i of the result is row `source[i]` of `t` (a row gather, differentiable:
 * the gradients of the rows of one prompt add up).
 */
export function spreadRows(t: Tensor, source: Int32Array): Tensor {
  const [U, ...rest] = t.shape;
  const width = rest.reduce((a, b) => a * b, 1);
  const src = tensor(source, [source.length], { dtype: "i32", backend: t.backend }); // i32 (N)
  return t.reshape([U!, width]).embedding(src).reshape([source.length, ...rest]);
}
