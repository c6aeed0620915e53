/**
 * The evaluation report (what `eval.json` holds) and its text rendering: a table with one row
 * per mode (NTP, NTR) and the accuracy on the nested easy/medium/hard splits (RPT-compatible,
 * method §6.2), their average, the disjoint tiers, and the NTR reasoning statistics; then the
 * accuracy per position kind (computable, unpredictable, other; `slices.ts`).
 *
 * @module
 */
import type { TierAccuracy } from "./ntp.ts";
import type { Accuracy } from "./ntp.ts";
import type { NtrOutcome, NtrSummary } from "./ntr.ts";
import type { ComputableReport } from "./computable.ts";
import { SLICE_NAMES, type SliceAccuracy, type SliceReport } from "./slices.ts";

/** Settings of the NTR run recorded in a report. */
export interface NtrSettings {
  /** Budget in the prompt (null: the no-budget instruction). */
  budget: number | null;
  /** Sampling temperature (0 = greedy). */
  temperature: number;
  /** Sampling top-k (0 = all). */
  topK: number;
  /** Longest completion. */
  maxNewTokens: number;
  /** Matching reward mode. */
  reward: string;
  /** Seed of the position sample and of the sampler. */
  seed: number;
  /** Generated tokens per second. */
  tokensPerSecond: number;
  /** Wall seconds of generation. */
  seconds: number;
}

/** An evaluation report (`eval.json`). */
export interface EvalReport {
  /** The evaluated checkpoint directory (null: a model in memory). */
  checkpoint: string | null;
  /** Its training step, when recorded. */
  step: number | null;
  /** Fingerprint of the evaluated weights. */
  model: string;
  /** Fingerprint of the model whose entropy defines the tiers. */
  tierModel: string;
  /** Held-out documents and scored positions. */
  corpus: { documents: number; positions: number; fingerprint: string };
  /** Entropy settings and the resulting thresholds [t_1, t_2, t_3] (nats). */
  tiers: {
    topK: number;
    mode: string;
    thresholds: number[];
    /** Positions per disjoint tier: low, easy, medium, hard. */
    population: { low: number; easy: number; medium: number; hard: number };
    /** Mean entropy of the scored positions. */
    meanEntropy: number;
  };
  /** NTP accuracy (greedy, over ordinary tokens) by tier, when evaluated. */
  ntp: TierAccuracy | null;
  /** The special tokens greedy NTP's argmax leaves out (absent in reports before issue 17). */
  ntpExcludedTokens?: string[];
  /** NTR accuracy and reasoning statistics, when evaluated. */
  ntr: (NtrSummary & { settings: NtrSettings }) | null;
  /** Accuracy per position kind (absent in reports before issue 17). */
  slices?: SliceReport;
  /** NTR against greedy NTP on a sample of computable positions (absent before issue 17). */
  computable?: ComputableReport | null;
  /** A few NTR episodes, decoded (for reading). */
  examples: (NtrOutcome & { completion: string })[];
  /** Wall seconds of the evaluation. */
  seconds: number;
}

/**
 * A percentage with one decimal, or `–` for a missing value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pct } from "./report.ts";
 * assert.equal(pct(0.1234), "12.3");
 * assert.equal(pct(null), "–");
 * ```
 */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : (100 * x).toFixed(digits);
}

/**
 * A text table with aligned columns (the first left-aligned, the others right-aligned) in
 * Markdown pipe syntax, so it can be pasted into docs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTable } from "./report.ts";
 * assert.equal(
 *   formatTable(["mode", "acc"], [["NTP", "41.9"], ["NTR", "3.3"]]),
 *   "| mode |  acc |\n| ---- | ---: |\n| NTP  | 41.9 |\n| NTR  |  3.3 |",
 * );
 * ```
 */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) =>
    Math.max(h.length, 3, ...rows.map((r) => (r[c] ?? "").length))
  );
  const cell = (s: string, c: number) => c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]);
  const line = (r: string[]) => `| ${r.map((s, c) => cell(s ?? "", c)).join(" | ")} |`;
  const rule = `| ${
    widths.map((w, c) => c === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":").join(" | ")
  } |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function sliceCell(a: Accuracy): string {
  return a.count === 0 ? "–" : `${pct(a.accuracy)} (${a.count})`;
}

/**
 * The accuracy-per-kind table as text lines, or one line saying why there is none (no held-out
 * document carries tags). The `untagged` column appears only when some position is untagged.
 *
 * @example A corpus without tags: one line instead of the table
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSlices } from "./report.ts";
 * const lines = formatSlices({ documents: { tagged: 0, untagged: 3 }, ntp: null, ntr: null,
 *   ntpAtNtr: null }, "NTR");
 * assert.equal(lines.length, 1);
 * assert.match(lines[0], /none of the 3 held-out documents carries position tags/);
 * ```
 */
export function formatSlices(s: SliceReport, ntrMode: string): string[] {
  if (s.documents.tagged === 0) {
    return [
      `accuracy by position kind: not reported: none of the ${s.documents.untagged} held-out ` +
      "documents carries position tags (a user corpus); every position is untagged",
    ];
  }
  const rows: [string, SliceAccuracy | null][] = [
    ["NTP (greedy), all positions", s.ntp],
    [`${ntrMode}, sampled positions`, s.ntr],
    ["NTP (greedy), same positions", s.ntpAtNtr],
  ];
  const present = rows.filter((r): r is [string, SliceAccuracy] => r[1] !== null);
  const slices = SLICE_NAMES.filter((n) =>
    n !== "untagged" || present.some(([, a]) => a.untagged.count > 0)
  );
  return [
    "accuracy by position kind, % (positions): computable = the next token follows from the " +
    "context; unpredictable = drawn at random (chance is the ceiling); other = template text",
    formatTable(
      ["mode", ...slices],
      present.map(([label, a]) => [label, ...slices.map((n) => sliceCell(a[n]))]),
    ),
  ];
}

/**
 * The computable sample as text lines: NTR against greedy NTP on the same positions, and the
 * reasoning length against the concise scratch-pads of those positions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatComputable } from "./report.ts";
 * const a = (correct: number, count: number) => ({ count, correct, accuracy: correct / count });
 * const [head, length, stages, places] = formatComputable({ population: 900, ntr: { count: 50, correct: 20,
 *   accuracy: 0.4 }, ntpAtNtr: { count: 50, correct: 10, accuracy: 0.2 },
 *   meanReasoningLength: 300, closedFraction: 1,
 *   concise: { positions: 40, meanLength: 60, meanReasoningLength: 310, ratio: 310 / 60 },
 *   derivations: { positions: 40, noDerivation: 4, wrongProblem: 10, wrongResult: 6,
 *     wrongDigit: 0, right: 20 },
 *   byPlace: { first: { ntr: a(5, 10), ntp: a(6, 10) }, middle: { ntr: a(10, 20), ntp: a(2, 20) },
 *     last: { ntr: a(5, 20), ntp: a(2, 20) } } });
 * assert.match(head, /NTR 40\.0 % against greedy NTP 20\.0 % on the same positions \(2\.00×\)/);
 * assert.match(length, /5\.2× the concise scratch-pads/);
 * assert.match(stages, /no derivation 10\.0 %, wrong problem 25\.0 %, .*all right 50\.0 %/);
 * assert.match(places, /middle NTR 50\.0 \/ NTP 10\.0 % \(20\)/);
 * ```
 */
export function formatComputable(c: ComputableReport): string[] {
  const ratio = c.ntpAtNtr.accuracy
    ? ` (${(c.ntr.accuracy! / c.ntpAtNtr.accuracy).toFixed(2)}×)`
    : "";
  const lines = [
    `computable slice, ${c.ntr.count} positions drawn from ${c.population}: NTR ` +
    `${pct(c.ntr.accuracy)} % against greedy NTP ${pct(c.ntpAtNtr.accuracy)} % on the same ` +
    `positions${ratio}; closed </think> ${pct(c.closedFraction)} %`,
  ];
  const k = c.concise;
  lines.push(
    k === null
      ? "reasoning length: none of these positions has a concise scratch-pad to compare with"
      : `reasoning length on the ${k.positions} of them with a scratch-pad: ` +
        `${k.meanReasoningLength.toFixed(1)} tokens, ${k.ratio.toFixed(1)}× the concise ` +
        `scratch-pads (${k.meanLength.toFixed(1)} tokens)`,
  );
  const d = c.derivations;
  if (d) {
    const share = (n: number) => `${pct(n / d.positions)} %`;
    lines.push(
      `where the derivations go wrong (first failure, ${d.positions} positions): no derivation ` +
        `${share(d.noDerivation)}, wrong problem ${share(d.wrongProblem)}, wrong result ` +
        `${share(d.wrongResult)}, wrong digit ${share(d.wrongDigit)}; all right ${share(d.right)}`,
    );
  }
  const p = c.byPlace;
  if (p) {
    const place = (name: string, a: { ntr: Accuracy; ntp: Accuracy }) =>
      `${name} NTR ${pct(a.ntr.accuracy)} / NTP ${pct(a.ntp.accuracy)} % (${a.ntr.count})`;
    lines.push(
      `by digit place: ${place("leading", p.first)}, ${place("middle", p.middle)}, ` +
        place("ones", p.last),
    );
  }
  return lines;
}

function ntrLabel(r: EvalReport): string | null {
  if (r.ntr === null) return null;
  const s = r.ntr.settings;
  return `NTR (${s.temperature > 0 ? `T=${s.temperature}` : "greedy"}, B=${s.budget ?? "none"})`;
}

/**
 * The report as text: the accuracy table (nested splits and average as in the paper, then the
 * disjoint tiers), the tier thresholds and populations, and the NTR reasoning statistics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatReport } from "./report.ts";
 * const acc = (a: number) => ({ count: 10, correct: 10 * a, accuracy: a });
 * const tiers = { low: acc(0.9), easy: acc(0.5), medium: acc(0.3), hard: acc(0.1) };
 * const text = formatReport({
 *   checkpoint: "ck", step: 5, model: "m", tierModel: "m",
 *   corpus: { documents: 2, positions: 40, fingerprint: "c" },
 *   tiers: { topK: 0, mode: "thresholds", thresholds: [0.5, 1, 1.5],
 *     population: { low: 10, easy: 10, medium: 10, hard: 10 }, meanEntropy: 1 },
 *   ntp: { thresholds: [0.5, 1, 1.5], disjoint: tiers, nested: tiers, all: acc(0.45),
 *     average: 0.3, averageDisjoint: 0.3 },
 *   ntr: null, examples: [], seconds: 1,
 * });
 * assert.match(text, /\| NTP \(greedy\) +\| +50\.0 \| +30\.0 \| +10\.0 \| +30\.0 \|/);
 * ```
 */
export function formatReport(r: EvalReport): string {
  const rows: string[][] = [];
  if (r.ntp !== null) {
    const a = r.ntp;
    rows.push([
      "NTP (greedy)",
      pct(a.nested.easy.accuracy),
      pct(a.nested.medium.accuracy),
      pct(a.nested.hard.accuracy),
      pct(a.average),
      pct(a.disjoint.low.accuracy),
      pct(a.disjoint.easy.accuracy),
      pct(a.disjoint.medium.accuracy),
      pct(a.disjoint.hard.accuracy),
      pct(a.all.accuracy),
      "–",
    ]);
  }
  if (r.ntr !== null) {
    const n = r.ntr;
    rows.push([
      ntrLabel(r)!,
      pct(n.nested.easy.accuracy),
      pct(n.nested.medium.accuracy),
      pct(n.nested.hard.accuracy),
      pct(n.average),
      "–",
      pct(n.disjoint.easy.accuracy),
      pct(n.disjoint.medium.accuracy),
      pct(n.disjoint.hard.accuracy),
      "–",
      n.meanReasoningLength === null ? "–" : n.meanReasoningLength.toFixed(1),
    ]);
  }
  const table = formatTable(
    [
      "mode",
      "easy",
      "medium",
      "hard",
      "avg",
      "low|",
      "easy|",
      "medium|",
      "hard|",
      "all",
      "ℓ",
    ],
    rows,
  );
  const t = r.tiers;
  const lines = [
    `checkpoint: ${r.checkpoint ?? "(in memory)"}${r.step === null ? "" : ` (step ${r.step})`}` +
    `, held-out: ${r.corpus.documents} documents, ${r.corpus.positions} positions`,
    `tiers (entropy of ${r.tierModel === r.model ? "this model" : `model ${r.tierModel}`}, ` +
    `${t.topK === 0 ? "full distribution" : `top-${t.topK}`}, ${t.mode}): thresholds ` +
    `${
      t.thresholds.map((x) => x.toFixed(3)).join(" / ")
    } nats; positions low ${t.population.low}, ` +
    `easy ${t.population.easy}, medium ${t.population.medium}, hard ${t.population.hard}; ` +
    `mean H ${t.meanEntropy.toFixed(3)}`,
    "",
    "accuracy (%): easy/medium/hard = nested splits H > t_d (paper, RPT); x| = disjoint tiers",
    table,
  ];
  if (r.ntp !== null && r.ntpExcludedTokens !== undefined) {
    lines.push(
      `NTP (greedy) is the argmax over ordinary tokens: ${r.ntpExcludedTokens.join(", ")} are ` +
        "left out (demonstrations cut at result digits teach the model to emit <think> there)",
    );
  }
  if (r.slices !== undefined) lines.push("", ...formatSlices(r.slices, ntrLabel(r) ?? "NTR"));
  if (r.computable) lines.push("", ...formatComputable(r.computable));
  if (r.ntr !== null) {
    const n = r.ntr;
    lines.push(
      "",
      `NTR: ${n.samples} episodes; mean ℓ ${n.meanReasoningLength?.toFixed(1) ?? "–"} tokens ` +
        `(closed ones ${n.meanReasoningLengthClosed?.toFixed(1) ?? "–"}); closed </think> ` +
        `${pct(n.closedFraction)}%, boxed answer ${pct(n.answeredFraction)}%; ` +
        `${n.settings.tokensPerSecond.toFixed(0)} tokens/s`,
    );
  }
  lines.push(`evaluation time: ${r.seconds.toFixed(1)} s`);
  return lines.join("\n");
}
