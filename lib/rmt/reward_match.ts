/**
 * Answer extraction and verifiable matching reward of Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375 (method §1.3, §1.4, §8.4–§8.5), with RPT's prefix-matching reward (Dong et
 * al., "Reinforcement Pre-Training", arXiv:2506.08007, Eq. 3) as an optional mode.
 *
 * A completion is the token ids after the prompt (which ends with `<think>`):
 * `reasoning </think> … \boxed{answer} … <|endoftext|>`.
 *
 * Deliberate deviations:
 * - Generation is taken to end at the first `<|endoftext|>` or `<|pad|>`; ℓ counts the tokens
 *   before the first `</think>`, or all generated tokens when `</think>` is missing (then the
 *   answer is `null` and r_pos = 0, method §8.4).
 * - The answer is the last *complete* top-level `\boxed{…}` after `</think>` (braces balanced,
 *   no escape handling, as verl's `last_boxed_only_string`); a trailing unclosed box is ignored.
 *   A ground-truth token with unbalanced braces can therefore never be answered.
 * - No normalisation: no trimming, no `\text{}` stripping. Leading spaces matter (§1.4).
 * - Comparison is on bytes; `parseCompletion` also returns the raw answer bytes, so tokens that
 *   hold part of a UTF-8 character can be matched exactly.
 *
 * @module
 */
import { type ConfigOf, defineConfig, oneOf } from "../util/config.ts";
import type { Codec } from "../data/codec.ts";

/** Matching-reward mode (method §1.4, §8.5): RMT's exact match or RPT's prefix match. */
export type RewardMode = "exact" | "prefix";

/** Matching-reward settings (method §1.4; paper value → ours, §8.5). */
export const REWARD = defineConfig("rmt.reward", {
  /** "exact" (RMT Eq. 5: y = τ_pos) or "prefix" (RPT Eq. 3). Paper: exact; ours: exact. */
  mode: { default: "exact" as RewardMode, check: oneOf<RewardMode>(["exact", "prefix"]) },
});

/** Matching-reward settings: the mode. */
export type RewardConfig = ConfigOf<typeof REWARD>;

/** What a completion says: reasoning length ℓ, whether thinking was closed, the answer y. */
export interface ParsedCompletion {
  /** ℓ: tokens before `</think>`, or all generated tokens when `</think>` is missing. */
  reasoningLength: number;
  /** Whether a `</think>` was generated. */
  closedThinking: boolean;
  /** y: content of the last `\boxed{…}` after `</think>` as text (`null`: none). */
  answer: string | null;
  /** The same content as raw bytes (exact even for partial UTF-8 characters). */
  answerBytes: Uint8Array | null;
}

const BOXED = new TextEncoder().encode("\\boxed{");
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// method §1.3 step 4 helper: does `pattern` occur in `bytes` at `at`?
function startsWithAt(bytes: Uint8Array, pattern: Uint8Array, at: number): boolean {
  if (at + pattern.length > bytes.length) return false;
  for (let j = 0; j < pattern.length; j++) if (bytes[at + j] !== pattern[j]) return false;
  return true;
}

/**
 * The bytes inside the last complete top-level `\boxed{…}` of `bytes` (nested braces balanced),
 * or `null` when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastBoxed } from "./reward_match.ts";
 * const boxed = (s: string) => {
 *   const b = lastBoxed(new TextEncoder().encode(s));
 *   return b === null ? null : new TextDecoder().decode(b);
 * };
 * assert.equal(boxed("\\boxed{a} then \\boxed{\\frac{1}{2}}"), "\\frac{1}{2}");
 * assert.equal(boxed("\\boxed{a} \\boxed{b"), "a");
 * assert.equal(boxed("no box"), null);
 * ```
 */
// method §1.3 step 4: y = content of the last \boxed{} (balanced braces)
export function lastBoxed(bytes: Uint8Array): Uint8Array | null {
  let found: Uint8Array | null = null;
  let i = 0;
  while (i < bytes.length) {
    if (!startsWithAt(bytes, BOXED, i)) {
      i++;
      continue;
    }
    const start = i + BOXED.length;
    let depth = 1;
    let j = start;
    for (; j < bytes.length && depth > 0; j++) {
      if (bytes[j] === OPEN_BRACE) depth++;
      else if (bytes[j] === CLOSE_BRACE) depth--;
    }
    if (depth > 0) break; // unclosed: nothing after it can close either
    found = bytes.subarray(start, j - 1);
    i = j; // boxes nested inside this one belong to it
  }
  return found;
}

/**
 * Parses a completion (token ids after the prompt) into ℓ, closed-thinking flag and answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCompletion } from "./reward_match.ts";
 * import { makeCodec } from "../../tests/_helpers/codec.ts"; // byte-level fake tokenizer
 * const codec = makeCodec();
 * const parsed = parseCompletion(codec.encode("1+2</think>\\boxed{3}<|endoftext|>"), codec);
 * assert.equal(parsed.reasoningLength, 3);
 * assert.equal(parsed.closedThinking, true);
 * assert.equal(parsed.answer, "3");
 * assert.equal(parseCompletion(codec.encode("1+2 \\boxed{3}"), codec).answer, null);
 * ```
 */
// method §1.3 steps 3–4, §8.4: ℓ = |c| before </think>; y = last \boxed{} after </think>
export function parseCompletion(ids: number[], codec: Codec): ParsedCompletion {
  const eot = codec.specialId("eot");
  const pad = codec.specialId("pad");
  const thinkClose = codec.specialId("thinkClose");
  let end = ids.findIndex((id) => id === eot || id === pad);
  if (end < 0) end = ids.length;
  const closeAt = ids.slice(0, end).indexOf(thinkClose);
  if (closeAt < 0) {
    return { reasoningLength: end, closedThinking: false, answer: null, answerBytes: null };
  }
  const answerBytes = lastBoxed(codec.decodeBytes(ids.slice(closeAt + 1, end)));
  return {
    reasoningLength: closeAt,
    closedThinking: true,
    answer: answerBytes === null ? null : new TextDecoder().decode(answerBytes),
    answerBytes: answerBytes === null ? null : answerBytes.slice(),
  };
}

/** The ground truth at position pos, as bytes (method §1.4). */
export interface GroundTruth {
  /** bytes(τ_pos): the ground-truth token. */
  tokenBytes: Uint8Array;
  /** x̄_≥pos: bytes of the continuation τ_pos, τ_pos+1, … (at least τ_pos). */
  continuationBytes: Uint8Array;
  /** L_gt: cumulative byte lengths of τ_pos, τ_pos+1, … (valid token boundaries). */
  boundaries: number[];
}

/**
 * The {@linkcode GroundTruth} of position `pos` of a document, with a continuation of at most
 * `horizon` tokens (default: to the end of the document).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groundTruthAt } from "./reward_match.ts";
 * import { makeCodec } from "../../tests/_helpers/codec.ts"; // byte-level fake tokenizer
 * const codec = makeCodec([" para", "graph"]);
 * const doc = codec.encode("a paragraph");
 * const gt = groundTruthAt(doc, 1, codec);
 * assert.equal(new TextDecoder().decode(gt.tokenBytes), " para");
 * assert.deepEqual(gt.boundaries, [5, 10]);
 * ```
 */
// method §1.4: τ_pos bytes, continuation x̄_≥pos and boundary set L_gt
export function groundTruthAt(
  docIds: number[],
  pos: number,
  codec: Codec,
  horizon = Infinity,
): GroundTruth {
  if (!(Number.isInteger(pos) && pos >= 0 && pos < docIds.length)) {
    throw new RangeError(
      `Cannot take the ground truth: pos must be in [0, ${docIds.length}), got ${pos}`,
    );
  }
  const tokens = docIds.slice(pos, Math.min(docIds.length, pos + Math.max(1, horizon)));
  const boundaries: number[] = [];
  let length = 0;
  for (const id of tokens) {
    length += codec.decodeBytes([id]).length;
    boundaries.push(length);
  }
  return {
    tokenBytes: codec.decodeBytes([docIds[pos]!]),
    continuationBytes: codec.decodeBytes(tokens),
    boundaries,
  };
}

// method §1.4 helper: byte equality of the first `length` bytes (both must be that long)
function equalBytes(a: Uint8Array, b: Uint8Array, length = Math.max(a.length, b.length)): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The matching reward r_pos ∈ {0, 1}. `exact`: bytes(y) = bytes(τ_pos). `prefix` (RPT):
 * bytes(y) is a prefix of x̄_≥pos of length l ∈ L_gt. A missing (`null`) or empty answer scores 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchReward } from "./reward_match.ts";
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const gt = {
 *   tokenBytes: bytes(" para"),
 *   continuationBytes: bytes(" paragraph"),
 *   boundaries: [5, 10],
 * };
 * assert.equal(matchReward(" para", gt, "exact"), 1);
 * assert.equal(matchReward(" paragraph", gt, "exact"), 0);
 * assert.equal(matchReward(" paragraph", gt, "prefix"), 1);
 * assert.equal(matchReward(" parag", gt, "prefix"), 0); // not on a token boundary
 * assert.equal(matchReward(null, gt, "exact"), 0);
 * ```
 */
// method §1.4: r = 1[y = τ_pos] (exact), or RPT Eq. 3 r = 1[ȳ = x̄_≥pos[1:l] ∧ l ∈ L_gt] (prefix)
export function matchReward(
  answer: string | Uint8Array | null,
  groundTruth: GroundTruth,
  mode: RewardMode,
): number {
  if (answer === null) return 0;
  const y = typeof answer === "string" ? new TextEncoder().encode(answer) : answer;
  if (y.length === 0) return 0;
  if (mode === "exact") return equalBytes(y, groundTruth.tokenBytes) ? 1 : 0;
  const onBoundary = groundTruth.boundaries.includes(y.length);
  return onBoundary && equalBytes(y, groundTruth.continuationBytes, y.length) ? 1 : 0;
}
