/**
 * Per-position scores of a model on held-out documents under teacher forcing (method §3.1,
 * §6.2): the predictive entropy H_pos (full distribution or top-k renormalised, natural log,
 * via `lib/rmt/entropy.ts`) and the greedy prediction argmax p(·|τ_<pos). The entropy of a fixed
 * model defines the difficulty tiers; the argmax gives NTP accuracy. Both are cached as JSON keyed
 * by the model's weights and the documents' token ids, since computing them is the slow part.
 *
 * Index convention (as `lib/rmt/`): position p names the target ids[p], predicted by logits
 * row p − 1; position 0 is never scored (entropy NaN, stored as null; argmax −1). A document
 * longer than the model's context window is scored on its first `contextLength` positions.
 *
 * The entropy is over the whole vocabulary; the argmax may leave out given ids (`excludeIds`:
 * evaluation leaves out the special tokens, so that greedy NTP is scored over ordinary tokens).
 *
 * @module
 */
import { noGrad, type Tensor, tensor, tidy } from "../../engine/tensor.ts";
import type { Module } from "../../engine/nn.ts";
import { tokenEntropy } from "../../rmt/entropy.ts";

/** What scoring needs from a model: a causal forward pass ids (B, T) → logits (B, T, V). */
export interface ForwardModel {
  /** i32 (B, T) → f32 logits (B, T, V). */
  forward(ids: Tensor): Tensor;
}

/** Scores of one document. */
export interface DocScores {
  /** The document's token ids. */
  ids: number[];
  /** H_pos in nats for every position (NaN at 0 and beyond the scored range). */
  entropy: Float32Array;
  /** argmax p(·|τ_<pos) for every position (−1 where not scored). */
  argmax: Int32Array;
}

/** Options of {@linkcode scoreDocuments}. */
export interface ScoreOptions {
  /** k of the top-k renormalised entropy; 0 = the full distribution (§11.3 default). */
  topK: number;
  /** The model's context window (documents are truncated to it). */
  contextLength: number;
  /** Documents per forward pass (default 8). */
  batchSize?: number;
  /** Padding id for the right-padded batch (any valid id: the model is causal). */
  padId: number;
  /** Ids the argmax never picks (e.g. the special tokens); the entropy still covers them. */
  excludeIds?: readonly number[];
}

/**
 * Entropy and greedy prediction at every position of every document (teacher forcing, no
 * gradient). One readback of the logits per batch.
 *
 * @example A model that ignores its input: uniform logits, entropy ln V
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreDocuments } from "./tiers.ts";
 * import { type Tensor, zeros } from "../../engine/tensor.ts";
 * const model = { forward: (ids: Tensor) => zeros([ids.shape[0], ids.shape[1], 4]) };
 * const [s] = await scoreDocuments(model, [[1, 2, 3]], { topK: 0, contextLength: 8, padId: 0 });
 * assert.ok(Number.isNaN(s.entropy[0]));
 * assert.ok(Math.abs(s.entropy[1] - Math.log(4)) < 1e-6);
 * assert.equal(s.argmax[0], -1);
 * ```
 */
export async function scoreDocuments(
  model: ForwardModel,
  docs: number[][],
  opts: ScoreOptions,
): Promise<DocScores[]> {
  const batchSize = opts.batchSize ?? 8;
  const out: DocScores[] = [];
  for (let b0 = 0; b0 < docs.length; b0 += batchSize) {
    const batch = docs.slice(b0, b0 + batchSize);
    const L = Math.min(opts.contextLength, Math.max(...batch.map((d) => d.length)));
    const ids = new Int32Array(batch.length * L).fill(opts.padId); // (B, L)
    batch.forEach((d, i) => ids.set(d.slice(0, L), i * L));
    const logitsT = noGrad(() =>
      tidy(() => model.forward(tensor(ids, [batch.length, L], { dtype: "i32" })))
    );
    const logits = (await logitsT.toArray()) as Float32Array; // (B, L, V)
    logitsT.dispose();
    const V = logits.length / (batch.length * L);
    const excluded = new Uint8Array(V); // (V) 1 = never the argmax
    for (const id of opts.excludeIds ?? []) if (id >= 0 && id < V) excluded[id] = 1;
    batch.forEach((d, i) => {
      const n = d.length;
      const entropy = new Float32Array(n).fill(NaN); // (n)
      const argmax = new Int32Array(n).fill(-1); // (n)
      const rows = Math.min(n - 1, L); // rows 0..rows-1 predict positions 1..rows
      if (rows > 0) {
        const block = logits.subarray(i * L * V, (i * L + rows) * V); // (rows, V)
        entropy.set(tokenEntropy(block, V, opts.topK), 1);
        for (let r = 0; r < rows; r++) {
          let best = 0, bestValue = -Infinity;
          for (let v = 0; v < V; v++) {
            const x = block[r * V + v];
            if (x > bestValue && !excluded[v]) [best, bestValue] = [v, x];
          }
          argmax[r + 1] = best;
        }
      }
      out.push({ ids: d, entropy, argmax });
    });
  }
  return out;
}

/** The JSON cache file of {@linkcode cachedScores}. */
export interface ScoresCacheFile {
  /** Always `"rmt-scores"`. */
  format: string;
  /** Format version (1). */
  version: number;
  /** Fingerprint of the model's weights. */
  model: string;
  /** Fingerprint of the documents' token ids. */
  corpus: string;
  /** Entropy top-k (0 = full). */
  topK: number;
  /** Ids the argmax leaves out (absent in files written before: none). */
  excluded?: number[];
  /** Per document: ids, entropy (null where NaN), argmax. */
  docs: { ids: number[]; entropy: (number | null)[]; argmax: number[] }[];
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * SHA-256 (hex, 16 characters) of a model's parameter names, shapes and values: equal weights,
 * equal fingerprint, wherever the checkpoint lives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelFingerprint } from "./tiers.ts";
 * import { Linear } from "../../engine/nn.ts";
 * assert.equal(await modelFingerprint(new Linear(2, 2, { seed: 1 })),
 *   await modelFingerprint(new Linear(2, 2, { seed: 1 })));
 * ```
 */
export async function modelFingerprint(model: Module): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const { name, tensor: t } of model.namedParameters()) {
    parts.push(enc.encode(`${name}:${t.shape.join("x")};`));
    const data = await t.toArray();
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return (await sha256(all)).slice(0, 16);
}

/**
 * SHA-256 (hex, 16 characters) of documents as token ids.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusFingerprint } from "./tiers.ts";
 * assert.notEqual(await corpusFingerprint([[1, 2]]), await corpusFingerprint([[1], [2]]));
 * ```
 */
export async function corpusFingerprint(docs: number[][]): Promise<string> {
  return (await sha256(new TextEncoder().encode(JSON.stringify(docs)))).slice(0, 16);
}

/**
 * {@linkcode scoreDocuments} with a JSON cache in `cacheDir` (null: no cache). The file name is
 * `scores-<model>-<corpus>-k<topK>[-x<excluded ids>].json`; a file whose recorded fingerprints or
 * exclusions differ is ignored.
 *
 * @returns The scores and whether they came from the cache.
 */
export async function cachedScores(
  model: ForwardModel & Module,
  docs: number[][],
  opts: ScoreOptions & { cacheDir: string | null },
): Promise<{ scores: DocScores[]; cached: boolean; file: string | null }> {
  if (opts.cacheDir === null) {
    return { scores: await scoreDocuments(model, docs, opts), cached: false, file: null };
  }
  const modelKey = await modelFingerprint(model);
  const corpusKey = await corpusFingerprint(docs);
  const excluded = [...(opts.excludeIds ?? [])].sort((a, b) => a - b);
  const tag = excluded.length > 0 ? `-x${excluded.join(".")}` : "";
  const file = `${opts.cacheDir}/scores-${modelKey}-${corpusKey}-k${opts.topK}${tag}.json`;
  try {
    const json = JSON.parse(Deno.readTextFileSync(file)) as ScoresCacheFile;
    if (
      json.format === "rmt-scores" && json.version === 1 && json.model === modelKey &&
      json.corpus === corpusKey && json.topK === opts.topK && json.docs.length === docs.length &&
      (json.excluded ?? []).join(".") === excluded.join(".")
    ) {
      const scores = json.docs.map((d) => ({
        ids: d.ids,
        entropy: Float32Array.from(d.entropy, (h) => (h === null ? NaN : h)),
        argmax: Int32Array.from(d.argmax),
      }));
      return { scores, cached: true, file };
    }
  } catch {
    // missing or unreadable: recompute
  }
  const scores = await scoreDocuments(model, docs, opts);
  const json: ScoresCacheFile = {
    format: "rmt-scores",
    version: 1,
    model: modelKey,
    corpus: corpusKey,
    topK: opts.topK,
    excluded,
    docs: scores.map((s) => ({
      ids: s.ids,
      entropy: Array.from(s.entropy, (h) => (Number.isNaN(h) ? null : h)),
      argmax: Array.from(s.argmax),
    })),
  };
  Deno.mkdirSync(opts.cacheDir, { recursive: true });
  const tmp = `${file}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify(json));
  Deno.renameSync(tmp, file);
  return { scores, cached: false, file };
}

/** All scored entropies (finite values only), concatenated: the sample for quantile thresholds. */
export function allEntropies(scores: DocScores[]): Float32Array {
  const values: number[] = [];
  for (const s of scores) for (const h of s.entropy) if (Number.isFinite(h)) values.push(h);
  return Float32Array.from(values);
}
