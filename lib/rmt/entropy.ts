/**
 * Token entropy and difficulty tiers of Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375 (method §3.1, §8.6): per-position predictive entropy under teacher
 * forcing, bucketed into low (NTP only) / easy / medium / hard.
 *
 * Dimension legend: P positions (rows), V vocabulary.
 *
 * Deliberate deviations:
 * - Full-distribution entropy by default (topK = 0; small vocabulary, method §11.3); RPT's top-16
 *   renormalised entropy is the option topK = 16.
 * - Thresholds 0.5 / 1.0 / 1.5 nats are RPT's evaluation thresholds (RMT reports none); a
 *   quantile mode (default quantiles 0.5 / 0.75 / 0.9, our choice) adapts them to a model whose
 *   entropy scale differs.
 * - Disjoint tiers use H ≥ threshold; the nested evaluation masks use H > threshold ("entropy
 *   exceeds", RPT). NaN entropy (e.g. position 0, which has no prediction) is tier −1.
 *
 * @module
 */
import { type ConfigOf, defineConfig, integer, oneOf, that } from "../util/config.ts";

/** How tier thresholds are chosen (method §3.1): fixed nats, or quantiles of the entropy. */
export type TierMode = "thresholds" | "quantiles";

// method §3.1: three strictly increasing values within [lo, hi] (closed) or (lo, hi)
function increasingTriple(values: number[], lo: number, hi: number, closed: boolean): boolean {
  if (values.length !== 3) return false;
  const inRange = (v: number) => closed ? v >= lo && v <= hi : v > lo && v < hi;
  return values.every(inRange) && values[0]! < values[1]! && values[1]! < values[2]!;
}

/** Entropy and tier settings (method §3.1; paper value → ours, §8.6, §11.3). */
export const ENTROPY = defineConfig("rmt.entropy", {
  /** k of the top-k renormalised entropy, an integer ≥ 0; 0 = full distribution. RPT 16; ours 0. */
  topK: { default: 0, check: integer(0) },
  /** Tier thresholds [easy, medium, hard], nats, increasing. RPT 0.5/1/1.5; ours the same. */
  thresholds: {
    default: [0.5, 1, 1.5],
    check: that(
      (t: number[]) => increasingTriple(t, 0, Infinity, true),
      "3 strictly increasing numbers ≥ 0",
    ),
  },
  /** "thresholds" (fixed nats) or "quantiles" (thresholds = entropy quantiles). Ours thresholds. */
  tierMode: {
    default: "thresholds" as TierMode,
    check: oneOf<TierMode>(["thresholds", "quantiles"]),
  },
  /** Quantile levels in (0, 1), increasing, for quantile mode. Not in the paper; ours .5/.75/.9. */
  quantiles: {
    default: [0.5, 0.75, 0.9],
    check: that(
      (q: number[]) => increasingTriple(q, 0, 1, false),
      "3 strictly increasing numbers in (0, 1)",
    ),
  },
});

/** Entropy and tier settings: top-k, thresholds, tier mode, quantiles. */
export type EntropyConfig = ConfigOf<typeof ENTROPY>;

/** {@linkcode ENTROPY}'s defaults, for the evaluation and trainer apps. */
export const ENTROPY_DEFAULTS: Readonly<EntropyConfig> = ENTROPY.defaults;

/**
 * Entropy (nats) of softmax(logits) per row of a row-major (P, V) array: full distribution when
 * `topK` is 0 (or ≥ V), otherwise over the `topK` largest logits renormalised.
 *
 * @example Uniform rows have entropy ln V (or ln k)
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenEntropy } from "./entropy.ts";
 * const logits = new Float32Array([0, 0, 0, 0, 9, 0, 0, 0]); // (P = 2, V = 4)
 * const h = tokenEntropy(logits, 4, 0);
 * assert.ok(Math.abs(h[0]! - Math.log(4)) < 1e-6);
 * assert.ok(h[1]! < 0.01);
 * assert.ok(Math.abs(tokenEntropy(logits, 4, 2)[0]! - Math.log(2)) < 1e-6);
 * ```
 */
// method §3.1: H_pos = −Σ_{v∈V_k} p̂(v|τ_<pos) log p̂(v|τ_<pos), p̂ = softmax over the top-k logits
export function tokenEntropy(logits: Float32Array, vocab: number, topK: number): Float32Array {
  if (!(Number.isInteger(vocab) && vocab >= 1) || logits.length % vocab !== 0) {
    throw new RangeError(
      `Cannot compute entropy: logits length ${logits.length} is not a multiple of vocab ${vocab}`,
    );
  }
  if (!(Number.isInteger(topK) && topK >= 0)) {
    throw new RangeError(`Cannot compute entropy: topK must be an integer ≥ 0, got ${topK}`);
  }
  const rows = logits.length / vocab;
  const k = topK === 0 || topK >= vocab ? vocab : topK;
  const entropy = new Float32Array(rows); // (P)
  for (let r = 0; r < rows; r++) {
    let row: ArrayLike<number> = logits.subarray(r * vocab, (r + 1) * vocab); // (V)
    if (k < vocab) row = Float64Array.from(row).sort().subarray(vocab - k); // (k) largest
    let max = -Infinity;
    for (let v = 0; v < row.length; v++) max = Math.max(max, row[v]!);
    // H = log Z − Σ e^{z−m} (z − m) / Z, with Z = Σ e^{z−m}: stable log-sum-exp form
    let z = 0, weighted = 0;
    for (let v = 0; v < row.length; v++) {
      const shifted = row[v]! - max;
      if (shifted === -Infinity) continue; // p = 0 contributes 0
      const e = Math.exp(shifted);
      z += e;
      weighted += e * shifted;
    }
    entropy[r] = Math.max(0, Math.log(z) - weighted / z);
  }
  return entropy;
}

/**
 * Re-indexes per-row entropies of a document (row r predicts position r + 1) by position:
 * out[p] = rowEntropy[p − 1], out[0] = NaN (position 0 has no context, so tier −1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entropyByPosition } from "./entropy.ts";
 * const h = entropyByPosition(new Float32Array([0.7, 1.2, 2]));
 * assert.ok(Number.isNaN(h[0]));
 * assert.deepEqual([...h.subarray(1)].map((x) => +x.toFixed(2)), [0.7, 1.2]);
 * ```
 */
// method §1.2 index convention: H at position p comes from logits row p − 1
export function entropyByPosition(rowEntropy: Float32Array): Float32Array {
  const out = new Float32Array(rowEntropy.length); // (P)
  out[0] = NaN;
  out.set(rowEntropy.subarray(0, rowEntropy.length - 1), 1);
  return out;
}

/**
 * Quantiles (linear interpolation between order statistics) of the finite entries of `values`,
 * used as tier thresholds in quantile mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantileThresholds } from "./entropy.ts";
 * const h = new Float32Array([4, NaN, 0, 3, 1, 2]); // NaN (position 0) is ignored
 * assert.deepEqual(quantileThresholds(h, [0.25, 0.5, 0.875]), [1, 2, 3.5]);
 * ```
 */
// method §3.1 option: thresholds = entropy quantiles q_1 < q_2 < q_3
export function quantileThresholds(values: Float32Array, quantiles: number[]): number[] {
  const sorted = Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
  if (sorted.length === 0) {
    throw new RangeError("Cannot compute entropy quantiles: no finite entropy values");
  }
  return quantiles.map((q) => {
    const at = q * (sorted.length - 1);
    const lo = Math.floor(at);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
  });
}

/**
 * The three tier thresholds in nats: `cfg.thresholds`, or in quantile mode the `cfg.quantiles`
 * of `sample` (pass the entropies of the whole corpus for corpus-wide tiers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENTROPY, tierThresholds } from "./entropy.ts";
 * const h = new Float32Array([0, 1, 2, 3, 4]);
 * assert.deepEqual(tierThresholds(h, ENTROPY.defaults), [0.5, 1, 1.5]);
 * const cfg = { ...ENTROPY.defaults, quantiles: [0.25, 0.5, 0.75] };
 * cfg.tierMode = "quantiles";
 * assert.deepEqual(tierThresholds(h, cfg), [1, 2, 3]);
 * ```
 */
// method §3.1: fixed thresholds (RPT 0.5/1.0/1.5) or quantile-based thresholds
export function tierThresholds(
  sample: Float32Array,
  cfg: Pick<EntropyConfig, "thresholds" | "tierMode" | "quantiles">,
): number[] {
  return cfg.tierMode === "quantiles"
    ? quantileThresholds(sample, cfg.quantiles)
    : [...cfg.thresholds];
}

/**
 * Disjoint tiers per position: −1 low (H < t_1 or NaN, NTP only), 0 easy (t_1 ≤ H < t_2),
 * 1 medium (t_2 ≤ H < t_3), 2 hard (H ≥ t_3). In quantile mode (`cfg.tierMode`), the
 * thresholds are the quantiles of `entropy` itself; for corpus-wide quantiles pass
 * `{ thresholds: tierThresholds(corpus, cfg) }` instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assignTiers } from "./entropy.ts";
 * const h = new Float32Array([NaN, 0.2, 0.5, 1.2, 1.5, 3]);
 * assert.deepEqual([...assignTiers(h, { thresholds: [0.5, 1, 1.5] })], [-1, -1, 0, 1, 2, 2]);
 * ```
 */
// method §3.1: tiers low / easy / medium / hard by thresholds [t_1, t_2, t_3), disjoint
export function assignTiers(
  entropy: Float32Array,
  cfg: Pick<EntropyConfig, "thresholds"> & Partial<Pick<EntropyConfig, "tierMode" | "quantiles">>,
): Int8Array {
  const thresholds = cfg.tierMode === "quantiles"
    ? quantileThresholds(entropy, cfg.quantiles ?? ENTROPY.defaults.quantiles)
    : cfg.thresholds;
  const tiers = new Int8Array(entropy.length).fill(-1); // (P)
  for (let p = 0; p < entropy.length; p++) {
    const h = entropy[p]!;
    for (let d = thresholds.length - 1; d >= 0; d--) {
      if (h >= thresholds[d]!) {
        tiers[p] = d;
        break;
      }
    }
  }
  return tiers;
}

/**
 * Nested evaluation masks, one per threshold: mask[d][p] = 1 if H_p > t_d (RPT's
 * easy / medium / hard splits "entropy exceeds 0.5 / 1.0 / 1.5"; a hard position is also easy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestedTierMasks } from "./entropy.ts";
 * const [easy, medium, hard] = nestedTierMasks(new Float32Array([0.5, 1.2, 2]), [0.5, 1, 1.5]);
 * assert.deepEqual([...easy!], [0, 1, 1]);
 * assert.deepEqual([...medium!], [0, 1, 1]);
 * assert.deepEqual([...hard!], [0, 0, 1]);
 * ```
 */
// method §3.1, §6.2: nested splits H > t_d (evaluation)
export function nestedTierMasks(entropy: Float32Array, thresholds: number[]): Uint8Array[] {
  return thresholds.map((t) => Uint8Array.from(entropy, (h) => (h > t ? 1 : 0)));
}
