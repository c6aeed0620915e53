/**
 * The records of a model-size sweep (`sweep.ts`): one JSON line per cell, the ranking by NTR
 * accuracy on the computable slice per hour of pre-training, and the `results.md` table.
 *
 * @module
 */
import { formatTable, pct } from "../eval/report.ts";
import type { EvalReport } from "../eval/report.ts";

/** A model shape (the fields of `sweep.ts`'s SHAPE). */
export interface Shape {
  /** Transformer blocks. */
  nLayer: number;
  /** Width (residual stream). */
  nEmbd: number;
  /** Attention heads. */
  nHead: number;
}

/**
 * The name of a cell, its directory under the sweep's output.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellName } from "./sweep_results.ts";
 * assert.equal(cellName({ nLayer: 4, nEmbd: 160, nHead: 4 }), "L4-E160-H4");
 * ```
 */
export function cellName(shape: Shape): string {
  return `L${shape.nLayer}-E${shape.nEmbd}-H${shape.nHead}`;
}

/** One cell's result: one line of `results.jsonl`. */
export interface SweepRecord {
  /** The cell's name (its directory). */
  cell: string;
  /** The model shape. */
  shape: Shape;
  /** Trainable parameters. */
  parameters: number;
  /** Optimiser steps and training tokens seen. */
  steps: number;
  tokens: number;
  /** Wall seconds of pre-training (every finished invocation, probe included). */
  seconds: number;
  /** Training tokens per wall second of pre-training. */
  tokensPerSecond: number;
  /** Last held-out loss (nats/token). */
  heldOutLoss: number | null;
  /** NTR accuracy on the computable slice, and greedy NTP's on the same positions. */
  ntrComputable: number | null;
  ntpComputable: number | null;
  /** Mean of the nested tiers' accuracies, NTR and greedy NTP. */
  ntrNested: number | null;
  ntpNested: number | null;
  /** Mean reasoning length ℓ of the NTR episodes (tokens). */
  meanReasoningLength: number | null;
  /** NTR episodes on the computable slice. */
  computablePositions: number;
  /** Wall seconds of the evaluation. */
  evalSeconds: number;
}

/** The record of a cell from its evaluation report and pre-training facts. */
export function recordOf(
  shape: Shape,
  run: { parameters: number; steps: number; tokens: number; seconds: number },
  heldOutLoss: number | null,
  report: EvalReport,
): SweepRecord {
  const ntrC = report.slices?.ntr?.computable;
  return {
    cell: cellName(shape),
    shape: { nLayer: shape.nLayer, nEmbd: shape.nEmbd, nHead: shape.nHead },
    ...run,
    tokensPerSecond: run.seconds > 0 ? run.tokens / run.seconds : 0,
    heldOutLoss,
    ntrComputable: ntrC?.accuracy ?? null,
    ntpComputable: report.slices?.ntpAtNtr?.computable.accuracy ?? null,
    ntrNested: report.ntr?.average ?? null,
    ntpNested: report.ntp?.average ?? null,
    meanReasoningLength: report.ntr?.meanReasoningLength ?? null,
    computablePositions: ntrC?.count ?? 0,
    evalSeconds: report.seconds,
  };
}

/**
 * NTR accuracy on the computable slice per hour of pre-training (null without one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perHour } from "./sweep_results.ts";
 * assert.equal(perHour({ ntrComputable: 0.3, seconds: 1800 }), 0.6);
 * assert.equal(perHour({ ntrComputable: null, seconds: 1800 }), null);
 * ```
 */
export function perHour(r: Pick<SweepRecord, "ntrComputable" | "seconds">): number | null {
  return r.ntrComputable === null || r.seconds <= 0 ? null : r.ntrComputable / (r.seconds / 3600);
}

/**
 * A count in M, k or units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { count } from "./sweep_results.ts";
 * assert.deepEqual([count(2_450_000), count(12_300), count(768)], ["2.45M", "12.3k", "768"]);
 * ```
 */
export function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  return n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${n}`;
}

/** Records best first by {@linkcode perHour} (cells without one last, in their order). */
export function rankRecords(records: readonly SweepRecord[]): SweepRecord[] {
  const key = (r: SweepRecord) => perHour(r) ?? -Infinity;
  return [...records].sort((a, b) => key(b) - key(a));
}

/** `results.md`: the ranked table and a line naming the best cell. */
export function resultsMarkdown(
  records: readonly SweepRecord[],
  setting: { budget: string; temperature: number },
): string {
  const ranked = rankRecords(records);
  const rows = ranked.map((r) => [
    r.cell,
    count(r.parameters),
    count(r.tokens),
    `${(r.seconds / 60).toFixed(1)}`,
    r.tokensPerSecond.toFixed(0),
    r.heldOutLoss === null ? "–" : r.heldOutLoss.toFixed(3),
    pct(r.ntrComputable),
    pct(r.ntpComputable),
    pct(r.ntrNested),
    pct(r.ntpNested),
    r.meanReasoningLength === null ? "–" : r.meanReasoningLength.toFixed(1),
    pct(perHour(r)),
  ]);
  const table = formatTable([
    "cell",
    "params",
    "tokens",
    "min",
    "tok/s",
    "held-out loss",
    "NTR comp. %",
    "NTP comp. %",
    "NTR nested %",
    "NTP nested %",
    "mean ℓ",
    "NTR comp. %/h",
  ], rows);
  const best = ranked.find((r) => perHour(r) !== null);
  return [
    "# Base sizing sweep",
    "",
    `Budget per cell: ${setting.budget}. Evaluation: temperature ${setting.temperature}, no budget in the ` +
    "prompt. NTP is greedy over ordinary tokens. Comp.: the computable slice of the NTR " +
    "episodes (NTP on the same positions); nested: the nested tiers' average (NTP over every " +
    "held-out position; tiers from each cell's own entropy). Ranked by NTR accuracy on the computable slice per hour of pre-training.",
    "",
    table,
    "",
    best === undefined
      ? "Best cell: none (no cell has an NTR accuracy on the computable slice)."
      : `Best cell: ${best.cell} (${pct(perHour(best))} %/h; NTR ${pct(best.ntrComputable)} % ` +
        `on the computable slice in ${(best.seconds / 60).toFixed(1)} minutes).`,
    "",
  ].join("\n");
}

/** The records of `<out>/results.jsonl` (none when it does not exist). */
export function readRecords(file: string): SweepRecord[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}
