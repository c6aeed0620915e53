/**
 * The share of computable, unpredictable and other positions (`lib/data/position_kinds.ts`) in
 * the held-out documents of a pre-training config, per problem family, and the token lengths of
 * the concise and verbose scratch-pads at their result digits: the numbers `docs/corpus.md`
 * quotes. Run as a script:
 *
 * ```sh
 * deno run -A lib/apps/pretrain/kinds_report.ts configs/pretrain_reasoning.yaml
 * ```
 *
 * @module
 */
import type { MathDocument } from "../../data/math_doc.ts";
import {
  countKinds,
  type KindCounts,
  type KindTokenizer,
  positionKinds,
} from "../../data/position_kinds.ts";
import { canDerive, scratchpad } from "../../data/scratchpad.ts";
import { mulberry32 } from "../../util/rng.ts";

/** Position counts of a set of documents, overall and per family. */
export interface KindsReport {
  /** Number of documents. */
  documents: number;
  /** Counts over positions 1..n-1 of every document. */
  all: KindCounts;
  /** Counts per family (`kinds[0]` of each document; user text: `"text"`). */
  byFamily: Record<string, KindCounts>;
  /** Characters of computed numbers (each a computable position with a digit tokenizer). */
  factDigits: number;
  /** Of those, characters of worked facts: read off steps written just before them (easy). */
  workedDigits: number;
  /** Result digits a scratch-pad can derive (every such position is computable). */
  derivable: number;
  /** Mean reasoning tokens of the concise / verbose scratch-pads at those digits (0 if none). */
  concise: number;
  /** See `concise`. */
  verbose: number;
}

/**
 * Counts the position kinds of `docs` tokenized by `tok` and measures the scratch-pads of their
 * derivable result digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kindsReport } from "./kinds_report.ts";
 * import { DocBuilder, E } from "../../data/math_doc.ts";
 * import { Tokenizer } from "../../data/tokenizer.ts";
 * const b = new DocBuilder().g(47).t(" + ").g(38).t(" = ").n(E.add(47, 38), false).t(".");
 * const doc = { text: b.text, facts: b.facts, drawn: b.drawn, difficulty: 2, kinds: ["sum"] };
 * const r = kindsReport([doc], Tokenizer.train([], { vocabSize: 260 }));
 * assert.deepEqual(r.all, { computable: 2, unpredictable: 3, other: 7 }); // position 0 skipped
 * assert.equal(r.derivable, 2);
 * assert.equal(r.workedDigits, 0);
 * assert.ok(r.verbose >= 3 * r.concise);
 * ```
 */
export function kindsReport(docs: MathDocument[], tok: KindTokenizer): KindsReport {
  const perDoc = docs.map((d) => positionKinds(d, tok));
  const byFamily: Record<string, KindCounts> = {};
  const families = new Set(docs.map((d) => d.kinds[0] ?? "text"));
  for (const f of families) {
    byFamily[f] = countKinds(perDoc.filter((_, i) => (docs[i].kinds[0] ?? "text") === f));
  }
  const rng = mulberry32(1);
  let derivable = 0, concise = 0, verbose = 0, factDigits = 0, workedDigits = 0;
  for (const doc of docs) {
    for (const f of doc.facts) {
      factDigits += f.end - f.start;
      if (f.worked) workedDigits += f.end - f.start;
      if (!canDerive(f.expr)) continue;
      for (let cut = f.start; cut < f.end; cut++) {
        derivable++;
        concise += tok.encode(scratchpad(doc, cut, "concise", rng)!.reasoning).length;
        verbose += tok.encode(scratchpad(doc, cut, "verbose", rng)!.reasoning).length;
      }
    }
  }
  const n = Math.max(1, derivable);
  return {
    documents: docs.length,
    all: countKinds(perDoc),
    byFamily,
    factDigits,
    workedDigits,
    derivable,
    concise: concise / n,
    verbose: verbose / n,
  };
}

/** The report as a Markdown table (shares in percent of each row's positions). */
export function formatKindsReport(r: KindsReport): string {
  const row = (name: string, c: KindCounts) => {
    const total = c.computable + c.unpredictable + c.other;
    const pct = (x: number) => `${(100 * x / Math.max(1, total)).toFixed(1)} %`;
    return `| ${name} | ${total} | ${pct(c.computable)} | ${pct(c.unpredictable)} | ${
      pct(c.other)
    } |`;
  };
  return [
    "| documents (first family) | positions | computable | unpredictable | other |",
    "| --- | --: | --: | --: | --: |",
    row(`all ${r.documents}`, r.all),
    ...Object.entries(r.byFamily).sort().map(([f, c]) => row(f, c)),
    "",
    `digits of computed numbers: ${r.factDigits}, of which read off worked steps: ` +
    `${r.workedDigits} (${(100 * r.workedDigits / Math.max(1, r.factDigits)).toFixed(1)} %)`,
    `derivable result digits: ${r.derivable}; scratch-pad reasoning tokens, mean: concise ` +
    `${r.concise.toFixed(1)}, verbose ${r.verbose.toFixed(1)} (${
      (r.verbose / Math.max(1e-9, r.concise)).toFixed(2)
    }x)`,
  ].join("\n");
}

if (import.meta.main) {
  const { loadPretrainConfig } = await import("./config.ts");
  const { buildPretrainCorpus } = await import("./data.ts");
  const file = Deno.args[0] ?? "configs/pretrain_reasoning.yaml";
  const cfg = loadPretrainConfig(file);
  const corpus = buildPretrainCorpus(cfg.data, cfg.prompt);
  console.log(`${file}: held-out documents, tokenizer of ${corpus.tokenizer.vocabSize} ids\n`);
  console.log(formatKindsReport(kindsReport(corpus.documents.heldOut, corpus.tokenizer)));
}
