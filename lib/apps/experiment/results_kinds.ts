/**
 * The experiment's accuracy per position kind (issue 17, item 1; `lib/apps/eval/slices.ts`):
 * for every evaluated row, its accuracy on computable positions (the next token follows from the
 * context: reasoning can earn it), unpredictable ones (drawn at random: chance is the ceiling)
 * and the rest, beside greedy NTP's accuracy on the same computable positions, so that a low
 * tier accuracy is read against the share of tokens nobody can predict. In percent, mean ± std
 * over seeds.
 *
 * @module
 */
import { formatMeanStd } from "../report/html.ts";
import type { RunRecord, SliceFigures } from "./records.ts";
import { byRow, finite, ordered, ROW_ORDER } from "./results_tables.ts";

/** How greedy NTP is scored, for captions: the argmax over ordinary tokens only. */
export const ORDINARY_TOKENS_NOTE = "Greedy NTP takes the argmax over ordinary tokens only: the " +
  "special tokens (`<think>`, `</think>`, pad, end of text) are left out, because " +
  "demonstrations cut at result digits teach the model to emit `<think>` there.";

/** Whether the row is judged by greedy NTP (else NTR). */
function greedy(r: RunRecord): boolean {
  return r.kind === "ntp-base" || r.id === "ntp_cont";
}

/** The slice figures a row is judged by: greedy NTP's for the NTP rows, else NTR's. */
function judged(r: RunRecord): SliceFigures | null {
  return (greedy(r) ? r.slices?.ntp : r.slices?.ntr) ?? null;
}

function cell(xs: (number | null | undefined)[]): string {
  return formatMeanStd(finite(xs).map((x) => 100 * x), 1);
}

/**
 * The accuracy-per-kind table: one row per evaluated method whose held-out documents carry
 * position tags; an `Untagged` column only when some position is untagged. No rows when no
 * record has tags (a user corpus, or records written before the tags existed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kindTable } from "./results_kinds.ts";
 * const s = (c: number) => ({ computable: { accuracy: c, count: 10 },
 *   unpredictable: { accuracy: 0.1, count: 20 }, other: { accuracy: 0.9, count: 30 },
 *   untagged: { accuracy: null, count: 0 } });
 * const rmt = { id: "rmt", label: "RMT", kind: "train" as const, group: "main" as const, seed: 1,
 *   config: null, settings: {}, ntp: null, ntr: null, curve: null, posttrain: null,
 *   seconds: { train: 0, eval: 0, total: 0 }, finishedAt: "",
 *   slices: { documents: { tagged: 2, untagged: 0 }, ntp: s(0.2), ntr: s(0.5), ntpAtNtr: s(0.25) } };
 * const t = kindTable([rmt]);
 * assert.deepEqual(t.headers.slice(2, 5), ["Computable", "Unpredictable", "Other"]);
 * assert.deepEqual(t.rows[0], ["RMT", "NTR (T=0.8)", "50.0", "10.0", "90.0", "25.0", "10 / 20 / 30", "1"]);
 * ```
 */
export function kindTable(records: RunRecord[]): { headers: string[]; rows: string[][] } {
  const groups = byRow(records.filter((r) => (r.slices?.documents.tagged ?? 0) > 0));
  const untagged = records.some((r) => (judged(r)?.untagged.count ?? 0) > 0);
  const sampled = records.some((r) => (r.computable?.positions ?? 0) > 0);
  const headers = [
    "Method",
    "Mode",
    "Computable",
    "Unpredictable",
    "Other",
    ...(untagged ? ["Untagged"] : []),
    "Computable, greedy NTP on the same positions",
    "Positions (c / u / o, first seed)",
    ...(sampled ? ["Computable sample: NTR / greedy NTP / derivations right throughout"] : []),
    "Seeds",
  ];
  const rows = ordered(groups, ROW_ORDER).filter(([, rs]) => rs.some((r) => judged(r) !== null))
    .map(([id, rs]) => {
      const r0 = rs[0]!;
      const f0 = judged(r0);
      return [
        id === "ntp_base" ? "Base" : r0.label,
        greedy(r0) ? "NTP (greedy)" : "NTR (T=0.8)",
        cell(rs.map((r) => judged(r)?.computable.accuracy)),
        cell(rs.map((r) => judged(r)?.unpredictable.accuracy)),
        cell(rs.map((r) => judged(r)?.other.accuracy)),
        ...(untagged ? [cell(rs.map((r) => judged(r)?.untagged.accuracy))] : []),
        greedy(r0) ? "–" : cell(rs.map((r) => r.slices?.ntpAtNtr?.computable.accuracy)),
        f0 === null
          ? "–"
          : `${f0.computable.count} / ${f0.unpredictable.count} / ${f0.other.count}`,
        ...(sampled ? [sampleCell(rs)] : []),
        String(rs.length),
      ];
    });
  return { headers, rows };
}

/** The computable sample's three figures, mean ± std over seeds, and its size per seed. */
function sampleCell(rs: RunRecord[]): string {
  const c = rs.map((r) => r.computable ?? null);
  if (c.every((x) => x === null || x.positions === 0)) return "–";
  return `${cell(c.map((x) => x?.ntr))} / ${cell(c.map((x) => x?.ntp))} / ` +
    `${cell(c.map((x) => x?.rightThroughout))} (${c.find((x) => x !== null)!.positions})`;
}
