/**
 * Fake experiment records for the results tests: RMT 0.5/0.6 vs RPT 0.3/0.35 NTR average over two
 * seeds, three ablations, the NTP and NTR baselines of the base and three post-training rows;
 * and the experiment's metadata.
 *
 * @module
 */
import type { RunRecord, TierFigures } from "../../../lib/apps/experiment/run.ts";
import type {
  ExperimentMeta,
  RunSlices,
  SliceFigures,
} from "../../../lib/apps/experiment/records.ts";

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

export function record(
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
export function fakeRecords(): RunRecord[] {
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

export const meta: ExperimentMeta = {
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
