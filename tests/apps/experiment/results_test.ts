import assert from "node:assert/strict";
import type { RunRecord, TierFigures } from "../../../lib/apps/experiment/run.ts";
import type { RunSlices, SliceFigures } from "../../../lib/apps/experiment/records.ts";
import {
  automaticNotes,
  type ExperimentMeta,
  kindTable,
  METHOD_COLORS,
  resultCharts,
  resultsHtml,
  resultsMarkdown,
  resultTables,
  writeResults,
} from "../../../lib/apps/experiment/results.ts";
import { parseXml } from "../report/_xml.ts";

function tiers(avg: number): TierFigures {
  return {
    nested: { easy: avg + 0.1, medium: avg, hard: avg - 0.1, average: avg },
    disjoint: { easy: avg + 0.15, medium: avg, hard: avg - 0.1, average: avg + 0.02 },
  };
}

/** Accuracy per kind: computable `c`, unpredictable 0.1, other 0.9; 10 / 20 / 30 positions. */
function kinds(c: number): SliceFigures {
  return {
    computable: { accuracy: c, count: 10 },
    unpredictable: { accuracy: 0.1, count: 20 },
    other: { accuracy: 0.9, count: 30 },
    untagged: { accuracy: null, count: 0 },
  };
}

/** Slices of an NTR row (`c`: computable accuracy) with greedy NTP at 0.2 on the same positions. */
function ntrSlices(c: number): RunSlices {
  return { documents: { tagged: 4, untagged: 0 }, ntp: null, ntr: kinds(c), ntpAtNtr: kinds(0.2) };
}

function record(
  id: string,
  seed: number,
  extra: Partial<RunRecord> = {},
): RunRecord {
  const labels: Record<string, string> = {
    ntp_base: "NTP (base, greedy)",
    ntr_base: "NTR (base, untrained)",
    rpt: "RPT",
    rmt: "RMT",
    rmt_no_dtb: "RMT w/o DTB",
    rmt_no_cas: "RMT w/o CAS",
    rmt_no_ntp: "RMT w/o NTP",
    post_base: "Base → GRPO",
    post_rpt: "RPT → GRPO",
    post_rmt: "RMT → GRPO",
  };
  const kind = id === "ntp_base"
    ? "ntp-base"
    : id === "ntr_base"
    ? "ntr-base"
    : id.startsWith("post_")
    ? "posttrain"
    : "train";
  const group = id.startsWith("post_")
    ? "posttrain"
    : id.startsWith("rmt_no")
    ? "ablation"
    : "main";
  return {
    id,
    label: labels[id]!,
    kind,
    group,
    seed,
    config: kind === "train" ? `configs/${id}.yaml` : null,
    settings: { steps: 8 },
    ntp: null,
    ntr: null,
    curve: null,
    posttrain: null,
    seconds: { train: 10, eval: 5, total: 15 },
    finishedAt: "2026-01-01T00:00:00Z",
    ...extra,
  } as RunRecord;
}

/** Fake records: RMT 0.5/0.6 vs RPT 0.3/0.35 NTR average; w/o NTP drops most; RMT post-trains best. */
function fakeRecords(): RunRecord[] {
  const out: RunRecord[] = [record("ntp_base", 1, {
    ntp: tiers(0.4),
    slices: { documents: { tagged: 4, untagged: 0 }, ntp: kinds(0.15), ntr: null, ntpAtNtr: null },
  })];
  const trained: Record<string, [number, number]> = {
    rpt: [0.3, 0.4],
    rmt: [0.5, 0.6],
    rmt_no_dtb: [0.45, 0.5],
    rmt_no_cas: [0.48, 0.55],
    rmt_no_ntp: [0.2, 0.25],
  };
  for (const seed of [1, 2]) {
    out.push(record("ntr_base", seed, {
      ntr: {
        ...tiers(0.05),
        meanLength: 90,
        closedFraction: 0.9,
        answeredFraction: 0.8,
        samples: 48,
        budget: null,
      },
    }));
    for (const [id, avgs] of Object.entries(trained)) {
      const avg = avgs[seed - 1]!;
      const budget = id === "rpt" || id === "rmt_no_dtb" ? null : 9;
      out.push(record(id, seed, {
        ntr: {
          ...tiers(avg),
          meanLength: id === "rpt" ? 100 + seed : 20 + seed,
          closedFraction: 1,
          answeredFraction: 1,
          samples: 48,
          budget,
        },
        ntp: tiers(0.4),
        slices: ntrSlices(avg),
        curve: [0, 1, 2].map((step) => ({
          step,
          reward: avg * step / 2 + 0.01 * seed,
          matchRate: avg * step / 2,
          length: 50 - 10 * step,
          budget: budget === null ? null : 48 - 15 * step,
        })),
      }));
    }
    for (
      const [id, before, after] of [["post_base", 0.1, 0.2], ["post_rpt", 0.1, 0.25], [
        "post_rmt",
        0.12,
        0.4,
      ]] as const
    ) {
      out.push(record(id, seed, {
        posttrain: {
          from: "x",
          before,
          after: after + 0.01 * seed,
          byDifficulty: { "1": { before, after } },
          lengthBefore: 30,
          lengthAfter: 20,
          decoding: "greedy",
          questions: 48,
          steps: 6,
        },
        curve: [0, 1].map((step) => ({
          step,
          reward: 0.1 * step,
          matchRate: 0.1 * step,
          length: 30,
          budget: null,
        })),
      }));
    }
  }
  return out;
}

const meta: ExperimentMeta = {
  command: "deno run -A cli.ts experiment --quick",
  configFile: "configs/experiment.yaml",
  commit: "deadbeefcafe0123",
  dirty: true,
  backend: "cpu (test)",
  quick: true,
  seeds: 2,
  startedAt: "2026-01-01T00:00:00Z",
  wallSeconds: 1800,
  complete: true,
  plan: [{ id: "rmt", seed: 1, dir: "runs/experiment/rmt/seed-1" }],
  settings: { train: { steps: 8 } },
};

Deno.test("resultTables: mean ± std over seeds, ablation deltas, post-training, claims", () => {
  const t = resultTables(fakeRecords());
  assert.deepEqual(t.main.rows.map((r) => r[0]), [
    "NTP (base, greedy)",
    "NTR (base, untrained)",
    "RPT",
    "RMT",
  ]);
  const rmt = t.main.rows.find((r) => r[0] === "RMT")!;
  const col = (name: string) => t.main.headers.indexOf(name);
  assert.equal(rmt[col("Average")], "55.0 ± 7.1"); // 50, 60
  assert.equal(rmt[col("Easy")], "65.0 ± 7.1");
  assert.equal(rmt[col("Disj. avg")], "57.0 ± 7.1");
  assert.equal(rmt[col("ℓ (tokens)")], "21.5 ± 0.7");
  assert.equal(rmt[col("Seeds")], "2");
  assert.match(rmt[col("Δ avg vs RPT (pp, 95% CI)")]!, /^\+20\.0 \[20\.0, 20\.0\] \(n=2\)$/);
  const ntp = t.main.rows[0]!;
  assert.equal(ntp[col("Average")], "40.0", "one deterministic run, no spread");
  assert.equal(ntp[col("ℓ (tokens)")], "–");

  const noNtp = t.ablation.rows.find((r) => r[0] === "RMT w/o NTP")!;
  assert.match(noNtp[5]!, /^-32\.5 \[-?\d+\.\d, -?\d+\.\d\] \(n=2\)$/);
  assert.equal(t.ablation.rows[0]![5], "–");

  const len = t.length.rows.find((r) => r[0] === "RMT")!;
  assert.equal(len[2], `${(100 * 21.5 / 101.5).toFixed(0)}%`);
  assert.equal(len[3], "9");

  const post = t.posttrain.rows.find((r) => r[0] === "RMT → GRPO")!;
  assert.equal(post[1], "12.0 ± 0.0");
  assert.equal(post[2], "41.5 ± 0.7");

  const verdicts = Object.fromEntries(t.claims.rows.map((r) => [r[0], r[2]]));
  assert.equal(verdicts["RMT beats RPT in accuracy (NTR average, pp)"], "agrees");
  assert.equal(
    verdicts["Removing NTP hurts most (largest drop of the ablations)"],
    "agrees (point estimates)",
  );
  assert.match(
    verdicts["RMT reasons far shorter than RPT (ℓ RMT − ℓ RPT, tokens; paper 21 %)"]!,
    /^agrees/,
  );
  assert.equal(
    verdicts["RMT checkpoint post-trains better than the base (after RL, pp)"],
    "agrees",
  );
});

Deno.test("kindTable() gives accuracy per position kind over seeds, beside greedy NTP on the same positions", () => {
  const t = kindTable(fakeRecords());
  const col = (name: string) => t.headers.indexOf(name);
  assert.equal(col("Untagged"), -1, "no untagged position, no column");
  const base = t.rows.find((r) => r[0] === "Base")!;
  assert.equal(base[col("Mode")], "NTP (greedy)");
  assert.equal(base[col("Computable")], "15.0");
  assert.equal(base[col("Computable, greedy NTP on the same positions")], "–");
  const rmt = t.rows.find((r) => r[0] === "RMT")!;
  assert.equal(rmt[col("Computable")], "55.0 ± 7.1"); // 50, 60
  assert.equal(rmt[col("Unpredictable")], "10.0 ± 0.0");
  assert.equal(rmt[col("Other")], "90.0 ± 0.0");
  assert.equal(rmt[col("Computable, greedy NTP on the same positions")], "20.0 ± 0.0");
  assert.equal(rmt[col("Positions (c / u / o, first seed)")], "10 / 20 / 30");
  assert.equal(rmt[col("Seeds")], "2");
  // untagged positions get a column; records without tags (a user corpus, old records) no row
  const mixed = fakeRecords().map((r) =>
    r.id === "rmt"
      ? {
        ...r,
        slices: { ...r.slices!, ntr: { ...r.slices!.ntr!, untagged: { accuracy: 0.3, count: 5 } } },
      }
      : r
  );
  const m = kindTable(mixed);
  assert.equal(m.rows.find((r) => r[0] === "RMT")![m.headers.indexOf("Untagged")], "30.0 ± 0.0");
  assert.equal(m.rows.find((r) => r[0] === "RPT")![m.headers.indexOf("Untagged")], "–");
  const untagged = fakeRecords().map((r) =>
    r.slices ? { ...r, slices: { ...r.slices, documents: { tagged: 0, untagged: 4 } } } : r
  );
  assert.equal(kindTable(untagged).rows.length, 0);
  assert.match(
    resultsMarkdown(untagged, meta),
    /no finished run on held-out documents with position tags/,
  );
});

Deno.test("resultsMarkdown: every table, reproduction facts, partial status", () => {
  const md = resultsMarkdown(fakeRecords(), meta);
  for (
    const heading of [
      "## Next-token accuracy (paper §6.3, §6.4)",
      "## Ablation (paper §6.6)",
      "## Reasoning length (paper §6.4)",
      "## Post-training (paper §6.5)",
      "## Accuracy by position kind",
      "## The paper's claims, checked here",
      "## Reproduce",
    ]
  ) assert.ok(md.includes(heading), heading);
  assert.ok(md.includes("deno run -A cli.ts experiment --quick"));
  assert.ok(md.includes("deadbeefcafe0123"));
  assert.ok(md.includes("uncommitted"));
  assert.ok(md.includes("cpu (test)"));
  assert.match(md, /Greedy NTP takes the argmax over ordinary tokens only: the special tokens/);
  assert.match(md, /\| Base +\| NTP \(greedy\) \| +15\.0 \|/);
  assert.ok(!/NaN|undefined/.test(md), "no NaN or undefined in the tables");
  // every table row has as many cells as its header
  for (const block of md.split("\n\n").filter((b) => b.startsWith("| "))) {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    for (const l of lines) assert.equal(cells(l), cells(lines[0]!), `${l}\nin\n${block}`);
  }
  const partial = resultsMarkdown(fakeRecords().slice(0, 3), { ...meta, complete: false });
  assert.match(partial, /\*\*Partial results\*\*/);
  assert.match(resultsMarkdown([], { ...meta, complete: false }), /no finished runs yet/);
});

Deno.test("resultsHtml: self-contained, well-formed SVG plots with seed bands and error bars", () => {
  const records = fakeRecords();
  const charts = resultCharts(records);
  const chart = (title: string) => charts.find((c) => c.svg.includes(`<title>${title}</title>`))!;
  for (const c of charts) {
    parseXml(c.svg); // throws when malformed
    assert.ok(c.caption.length > 40, "a sentence on what to look for");
  }
  const reward = chart("Mean reward r over steps").svg;
  assert.equal(reward.match(/<path class="line"/g)!.length, 5, "RPT, RMT and three ablations");
  assert.equal(reward.match(/<path class="band"/g)!.length, 5, "a seed band per method");
  const budget = chart("Budget B_t over steps").svg;
  assert.equal(budget.match(/<path class="line"/g)!.length, 3, "rows with a budget only");
  const bars = chart("Accuracy by tier (nested)").svg;
  assert.equal(bars.match(/<rect class="bar"/g)!.length, 7 * 4);
  assert.ok(chart("Post-training accuracy") !== undefined);
  // one colour per method in every figure
  let seen = 0;
  for (const [name, id] of [["RMT", "rmt"], ["RPT", "rpt"], ["RMT w/o NTP", "rmt_no_ntp"]]) {
    const colour = METHOD_COLORS[id]!;
    for (const c of charts) {
      const line = c.svg.match(
        new RegExp(`data-series="${name}" d="[^"]*" fill="none" stroke="([^"]+)"`),
      );
      const bar = c.svg.match(new RegExp(`fill="([^"]+)"><title>${name}, `));
      for (const m of [line, bar]) {
        if (m) assert.equal(m[1], colour, `${name} in ${c.caption}`), seen++;
      }
    }
  }
  assert.ok(seen >= 3 * 4, `colours checked ${seen} times`);
  // rates never go below 0 (bands and error bars are clipped), and are in percent
  for (const title of ["Match rate over steps", "Accuracy by tier (nested)"]) {
    const ticks = [
      ...chart(title).svg.matchAll(
        /<text x="64(?:\.\d+)?" y="[\d.]+" text-anchor="end"[^>]*>([^<]+)</g,
      ),
    ]
      .map((m) => Number(m[1]));
    assert.ok(ticks.length > 1 && Math.min(...ticks) >= 0, `${title}: ticks ${ticks}`);
  }
  assert.match(chart("Match rate over steps").svg, /match rate \(% of rollouts\)/);

  const html = resultsHtml(records, meta);
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.trimEnd().endsWith("</html>"));
  assert.ok(!/<script|<link|src="http/.test(html), "no external resources, no scripts");
  for (const tag of ["section", "table", "svg", "figure", "main", "body"]) {
    const open = html.match(new RegExp(`<${tag}[\\s>]`, "g"))?.length ?? 0;
    const close = html.match(new RegExp(`</${tag}>`, "g"))?.length ?? 0;
    assert.equal(open, close, `<${tag}> balanced`);
  }
  for (const svg of html.match(/<svg[\s\S]*?<\/svg>/g)!) parseXml(svg);
  for (const table of html.match(/<table>[\s\S]*?<\/table>/g)!) parseXml(table);
  assert.ok(!/NaN|undefined/.test(html.replace(/<svg[\s\S]*?<\/svg>/g, "")));
});

Deno.test("writeResults creates both files and their directories", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-results-test-" });
  await writeResults(fakeRecords(), meta, {
    markdown: `${dir}/docs/results.md`,
    html: `${dir}/docs/results/report.html`,
  });
  assert.ok((await Deno.readTextFile(`${dir}/docs/results.md`)).startsWith("# Results"));
  assert.ok((await Deno.readTextFile(`${dir}/docs/results/report.html`)).includes("<svg"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("automaticNotes: a method without any reward and an uninformative post-training", () => {
  const recs = fakeRecords().map((r) =>
    r.id === "rpt"
      ? { ...r, curve: r.curve!.map((p) => ({ ...p, reward: 0, matchRate: 0 })) }
      : r.posttrain
      ? { ...r, posttrain: { ...r.posttrain, before: 0, after: 0 } }
      : r
  );
  const notes = automaticNotes(recs);
  assert.ok(
    notes.some((n) => n.startsWith("RPT: no rollout matched") && n.includes("weight decay")),
  );
  assert.ok(notes.some((n) => n.startsWith("Post-training: no held-out question")));
  assert.ok(!notes.some((n) => n.startsWith("RMT:")));
  assert.ok(resultsMarkdown(recs, meta).includes("Observations from the records"));
  assert.deepEqual(automaticNotes(fakeRecords()), []);
});
