/**
 * Results of the experiment (method §11.4; Tian et al., "Reinforcement Mid-Training",
 * arXiv:2509.24375, Tables of §6.3–§6.6 in miniature): from the run records, a Markdown file
 * (`docs/results.md`: tables of mean ± std over seeds, paired differences with 95 % intervals,
 * the paper's claims checked one by one, and how to reproduce: commands, configs, seeds,
 * commit, date, backend) and a self-contained HTML report with SVG plots (NTR accuracy against
 * reasoning length per method, the paper's central trade-off; reward, match rate,
 * reasoning length and B_t over steps with seed bands; accuracy by tier per method;
 * post-training before/after).
 *
 * Every accuracy is in percent. "±" is the sample standard deviation over seeds; a single-seed
 * figure has none. Nested tiers: H > 0.5 / 1.0 / 1.5 nats (RPT's protocol, method §6.2);
 * disjoint tiers: [0.5, 1), [1, 1.5), ≥ 1.5. Entropy from the base model for every row.
 *
 * Deliberate deviations: none (no paper content).
 *
 * @module
 */
import { chartGrid, htmlReport, htmlTable, markdownTable } from "../report/html.ts";
import type { ExperimentMeta, RunRecord } from "./records.ts";
import { automaticNotes, ordered, resultTables, ROW_ORDER } from "./results_tables.ts";
import { byRow } from "./results_tables.ts";
import { resultCharts } from "./results_charts.ts";
import { tradeoffTable } from "./results_tradeoff.ts";
import { kindTable, ORDINARY_TOKENS_NOTE } from "./results_kinds.ts";

export type { ExperimentMeta, ExperimentSession } from "./records.ts";
export { automaticNotes, type ResultTables, resultTables } from "./results_tables.ts";
export { METHOD_COLORS, resultCharts } from "./results_charts.ts";
export { kindTable, ORDINARY_TOKENS_NOTE } from "./results_kinds.ts";
export { meanCi, tradeoffPoints, tradeoffTable } from "./results_tradeoff.ts";

const KINDS_CAPTION = "Every held-out position of a generated document is tagged by what its " +
  "token is: computable (a digit of a computed number: a deterministic function of the " +
  "context, which a few correct steps derive), unpredictable (a freshly drawn operand digit or " +
  "name: no model beats chance there) or other (template text, numbers copied from the " +
  "context). NTR rows: the sampled positions (equal numbers per tier, not reweighted), with " +
  "greedy NTP on the same computable positions beside them; NTP rows: every scored position. " +
  "The computable sample, where recorded, is a separate uniform draw of computable positions " +
  "(the same per seed for every row): NTR, greedy NTP on the same positions, and the share of " +
  "completions whose derivation is right throughout (right problem, right result, right digit; " +
  "a right answer after a wrong derivation is luck).";

const TRADEOFF_CAPTION = "The paper's central trade-off: NTR accuracy (nested average) against " +
  "the mean reasoning length ℓ̄ of the NTR completions, mean over seeds with 95 % t-intervals " +
  "(none for one seed). Better is more accurate with shorter reasoning (up-left in the figure).";

function reproduction(meta: ExperimentMeta, records: RunRecord[]): string[] {
  const groups = byRow(records);
  const lines: string[] = [];
  lines.push(
    "```sh",
    meta.command,
    "```",
    "",
    `- commit: \`${meta.commit}\`${meta.dirty ? " (working tree had uncommitted changes)" : ""}`,
    `- started: ${meta.startedAt}; wall time${
      meta.sessions && meta.sessions.length > 1 ? " (all sessions)" : ""
    }: ${(meta.wallSeconds / 60).toFixed(1)} min`,
    `- backend: ${meta.backend}`,
    `- experiment config: \`${meta.configFile}\`${meta.quick ? " with `--quick` settings" : ""}`,
    `- seeds per seeded row: ${meta.seeds} (seeds 1..${meta.seeds}; NTP-greedy of the base is deterministic, run once)`,
    `- runs finished: ${records.length} of ${meta.plan.length}`,
  );
  if (meta.sessions && meta.sessions.length > 1) {
    lines.push("- sessions (the runner resumes; each added runs):");
    for (const x of meta.sessions) {
      lines.push(
        `  - \`${x.command}\` at ${x.startedAt}: ${x.runs} runs, ` +
          `${(x.wallSeconds / 60).toFixed(1)} min, ${x.backend}, commit \`${
            x.commit.slice(0, 12)
          }\``,
      );
    }
  }
  if (meta.settings) {
    lines.push(
      "- effective overrides:",
      "",
      "```json",
      JSON.stringify(meta.settings, null, 2),
      "```",
    );
  }
  lines.push("", "Per row (config file, seeds, settings of the first seed):", "");
  const rows = ordered(groups, ROW_ORDER).map(([, rs]) => [
    rs[0]!.label,
    rs[0]!.config ?? "(evaluation only)",
    rs.map((r) => r.seed).join(", "),
    rowSettings(rs[0]!.settings),
  ]);
  if (rows.length > 0) {
    lines.push(markdownTable(["Row", "Config", "Seeds", "Settings"], rows));
  }
  const missing = meta.plan.filter((p) => !records.some((r) => r.id === p.id && r.seed === p.seed));
  if (missing.length > 0) {
    lines.push("", `Not (yet) run: ${missing.map((p) => `${p.id}@${p.seed}`).join(", ")}.`);
  }
  return lines;
}

const NO_KINDS = "_(no finished run on held-out documents with position tags: a user corpus " +
  "has none)_";

const READING = [
  "Accuracies are percentages on held-out documents of the base checkpoint's corpus, " +
  "mean ± sample std over seeds. Nested tiers (RPT's protocol): positions whose base-model " +
  "entropy exceeds 0.5 / 1.0 / 1.5 nats; disjoint: [0.5, 1), [1, 1.5), ≥ 1.5. NTR rows sample one " +
  "reasoning trace per position at temperature 0.8 and score the last `\\boxed{}` after `</think>` " +
  "against the ground-truth token (exact match); the same positions are used for every row of a " +
  "seed, so differences are paired by seed. 95 % intervals: t-interval of the paired differences.",
];

/**
 * The Markdown results (`docs/results.md`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsMarkdown } from "./results.ts";
 * const md = resultsMarkdown([], { command: "deno task experiment", configFile: "c.yaml",
 *   commit: "abc", dirty: false, backend: "cpu", quick: true, seeds: 2, startedAt: "t",
 *   wallSeconds: 0, complete: false, plan: [] });
 * assert.ok(md.startsWith("# Results"));
 * ```
 */
export function resultsMarkdown(records: RunRecord[], meta: ExperimentMeta): string {
  const t = resultTables(records);
  const kinds = kindTable(records);
  const md = (x: { headers: string[]; rows: string[][] }) =>
    x.rows.length > 0 ? markdownTable(x.headers, x.rows) : "_(no finished runs yet)_";
  const status = meta.complete
    ? "Complete: every planned run finished."
    : `**Partial results**: ${records.length} of ${meta.plan.length} planned runs finished ` +
      "(the runner is resumable: the same command continues where it stopped).";
  return [
    "# Results: Reinforcement Mid-Training in miniature",
    "",
    "Generated by `lib/apps/experiment/results.ts` from the run records under " +
    `\`${meta.plan[0]?.dir.split("/").slice(0, -2).join("/") || "runs/experiment"}\`. ` +
    "Plots: [`docs/results/report.html`](results/report.html) (self-contained, open in a browser).",
    "",
    status,
    ...(meta.quick
      ? [
        "",
        "Quick settings (`--quick`): few steps, positions and seeds, sized for a 2-core CPU " +
        "session; the numbers are a smoke-scale replication, not the paper's scale.",
      ]
      : []),
    ...(meta.notes ?? []).flatMap((n) => ["", n]),
    "",
    ...READING,
    ...(automaticNotes(records).length > 0
      ? ["", "Observations from the records:", "", ...automaticNotes(records).map((n) => `- ${n}`)]
      : []),
    "",
    "## Next-token accuracy (paper §6.3, §6.4)",
    "",
    md(t.main),
    "",
    "## Greedy NTP accuracy of every model",
    "",
    "What each method does to plain next-token prediction (argmax, no reasoning). " +
    ORDINARY_TOKENS_NOTE,
    "",
    md(t.ntp),
    "",
    "## Accuracy by position kind",
    "",
    `${KINDS_CAPTION} ${ORDINARY_TOKENS_NOTE}`,
    "",
    kinds.rows.length > 0 ? markdownTable(kinds.headers, kinds.rows) : NO_KINDS,
    "",
    "## Ablation (paper §6.6)",
    "",
    md(t.ablation),
    "",
    "## Reasoning length (paper §6.4)",
    "",
    md(t.length),
    "",
    "## Accuracy against reasoning length (issue 17)",
    "",
    TRADEOFF_CAPTION,
    "",
    md(tradeoffTable(records)),
    "",
    "## Post-training (paper §6.5)",
    "",
    "GRPO on generated math questions with verifiable integer answers; accuracy on held-out " +
    "questions before and after, one completion per question.",
    "",
    md(t.posttrain),
    "",
    "## The paper's claims, checked here",
    "",
    md(t.claims),
    "",
    "## Reproduce",
    "",
    ...reproduction(meta, records),
    "",
  ].join("\n");
}

/**
 * The self-contained HTML report (`docs/results/report.html`): the same tables and the plots.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resultsHtml } from "./results.ts";
 * const html = resultsHtml([], { command: "x", configFile: "c", commit: "abc", dirty: false,
 *   backend: "cpu", quick: false, seeds: 1, startedAt: "t", wallSeconds: 0, complete: true, plan: [] });
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * ```
 */
export function resultsHtml(records: RunRecord[], meta: ExperimentMeta): string {
  const t = resultTables(records);
  const kinds = kindTable(records);
  const table = (x: { headers: string[]; rows: string[][] }) =>
    x.rows.length > 0 ? htmlTable(x.headers, x.rows) : "<p><em>No finished runs yet.</em></p>";
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const charts = resultCharts(records);
  const chartHtml = charts.length > 0 ? chartGrid(charts) : "<p><em>No curves yet.</em></p>";
  const status = meta.complete
    ? "Complete: every planned run finished."
    : `Partial results: ${records.length} of ${meta.plan.length} planned runs finished.`;
  return htmlReport({
    title: "Reinforcement Mid-Training: results",
    subtitle: `${status} Commit ${meta.commit.slice(0, 12)}${meta.dirty ? " (dirty)" : ""}, ` +
      `${meta.backend}, ${meta.quick ? "quick settings, " : ""}${meta.seeds} seed(s), ` +
      `started ${meta.startedAt}.`,
    sections: [
      {
        heading: "How to read",
        html: `<p>${esc(READING[0]!)}</p>` +
          (automaticNotes(records).length > 0
            ? `<ul>${automaticNotes(records).map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`
            : ""),
      },
      { heading: "Plots", html: chartHtml },
      {
        // two tables side by side in Markdown would not fit 1,280 px in HTML: nested, disjoint
        heading: "Next-token accuracy (§6.3)",
        html: table(columns(t.main, (h) => !h.startsWith("Disj."))) +
          table(columns(t.main, (h, j) => j === 0 || h.startsWith("Disj."))),
      },
      {
        heading: "Greedy NTP accuracy of every model",
        html: `<p>${esc(ORDINARY_TOKENS_NOTE.replace(/`/g, ""))}</p>${table(t.ntp)}`,
      },
      {
        heading: "Accuracy by position kind",
        html: `<p>${esc(KINDS_CAPTION)}</p>` +
          (kinds.rows.length > 0 ? table(kinds) : `<p><em>${esc(NO_KINDS.slice(2, -2))}</em></p>`),
      },
      { heading: "Ablation (§6.6)", html: table(t.ablation) },
      { heading: "Reasoning length (§6.4)", html: table(t.length) },
      {
        heading: "Accuracy against reasoning length",
        html: `<p>${esc(TRADEOFF_CAPTION)}</p>${table(tradeoffTable(records))}`,
      },
      { heading: "Post-training (§6.5)", html: table(t.posttrain) },
      { heading: "The paper's claims, checked here", html: table(t.claims) },
      {
        heading: "Reproduce",
        html:
          `<pre>${esc(meta.command)}</pre><p>Commit <code>${esc(meta.commit)}</code>${
            meta.dirty ? " (uncommitted changes)" : ""
          }; backend ${esc(meta.backend)}; config <code>${esc(meta.configFile)}</code>; ` +
          `seeds 1..${meta.seeds}.</p>` +
          (meta.settings ? `<pre>${esc(JSON.stringify(meta.settings, null, 2))}</pre>` : ""),
      },
    ],
  });
}

/** The columns of a table whose header passes `keep`. */
function columns(
  t: { headers: string[]; rows: string[][] },
  keep: (header: string, j: number) => boolean,
): { headers: string[]; rows: string[][] } {
  const js = t.headers.flatMap((h, j) => (keep(h, j) ? [j] : []));
  return { headers: js.map((j) => t.headers[j]!), rows: t.rows.map((r) => js.map((j) => r[j]!)) };
}

/** Writes the Markdown and the HTML files (creating their directories). */
export async function writeResults(
  records: RunRecord[],
  meta: ExperimentMeta,
  files: { markdown: string; html: string },
): Promise<void> {
  for (const f of [files.markdown, files.html]) {
    const dir = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : ".";
    await Deno.mkdir(dir, { recursive: true });
  }
  await Deno.writeTextFile(files.markdown, resultsMarkdown(records, meta));
  await Deno.writeTextFile(files.html, resultsHtml(records, meta));
}

/** A row's settings for the table: the base's digest shortened, the shared evaluation left out. */
function rowSettings(settings: Record<string, unknown>): string {
  const { eval: _shared, base, ...rest } = settings;
  const shown = typeof base === "string" ? { ...rest, base: base.slice(0, 12) } : rest;
  return JSON.stringify(shown).replace(/"/g, "");
}
