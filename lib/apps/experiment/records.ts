/**
 * What the experiment keeps of each run (method §11.4): a {@linkcode RunRecord} per run
 * (`record.json`), the sessions that produced them (`sessions.json`), and the functions that
 * read them back; shared by the runner (`run.ts`) and the results (`results*.ts`), so that
 * neither imports the other.
 *
 * @module
 */
import type { EvalReport } from "../eval/report.ts";
import type { SliceAccuracy, SliceName } from "../eval/slices.ts";
import type { StepRecord } from "../train/step.ts";
import type { PlannedRun, RowSpec } from "./plan.ts";
import { exists } from "../../util/fs.ts";

/** Accuracies on the nested (H > t_d) and disjoint tiers, as fractions. */
export interface TierFigures {
  /** Nested easy / medium / hard and their mean. */
  nested: {
    easy: number | null;
    medium: number | null;
    hard: number | null;
    average: number | null;
  };
  /** Disjoint easy / medium / hard and their mean. */
  disjoint: {
    easy: number | null;
    medium: number | null;
    hard: number | null;
    average: number | null;
  };
}

/** NTR figures of a run. */
export interface NtrFigures extends TierFigures {
  /** Mean reasoning length ℓ. */
  meanLength: number | null;
  /** Share of completions that closed `</think>`. */
  closedFraction: number | null;
  /** Share with a boxed answer. */
  answeredFraction: number | null;
  /** Episodes. */
  samples: number;
  /** Budget in the prompt (null: none). */
  budget: number | null;
}

/** Accuracy (a fraction, null without positions) and positions per slice. */
export type SliceFigures = Record<SliceName, { accuracy: number | null; count: number }>;

/** Accuracy per position kind of a run (`lib/apps/eval/slices.ts`). */
export interface RunSlices {
  /** Held-out documents with position tags / without. */
  documents: { tagged: number; untagged: number };
  /** Greedy NTP (ordinary tokens) over every scored position, or null. */
  ntp: SliceFigures | null;
  /** NTR over the sampled positions, or null. */
  ntr: SliceFigures | null;
  /** Greedy NTP on the NTR positions, or null. */
  ntpAtNtr: SliceFigures | null;
}

/**
 * The computable sample of a run's evaluation (`lib/apps/eval/computable.ts`): NTR and greedy
 * NTP on the same uniformly drawn computable positions, and the share of derivations right
 * throughout (`anatomy.ts`; null without scratch-pads to compare with).
 */
export interface ComputableFigures {
  positions: number;
  ntr: number | null;
  ntp: number | null;
  rightThroughout: number | null;
}

/** One point of a training curve. */
export interface CurvePoint {
  /** Step t. */
  step: number;
  /** Mean reward r. */
  reward: number;
  /** Match rate (mean r_pos; post-training: accuracy of the rollouts). */
  matchRate: number;
  /** Mean reasoning length ℓ. */
  length: number;
  /** B_t (null: no budget). */
  budget: number | null;
}

/** What a post-training run produced. */
export interface PostTrainFigures {
  /** Start checkpoint. */
  from: string;
  /** Held-out accuracy before / after (fractions). */
  before: number | null;
  after: number | null;
  /** Per difficulty grade, before and after. */
  byDifficulty: Record<string, { before: number | null; after: number | null }>;
  /** Mean reasoning length before / after. */
  lengthBefore: number | null;
  lengthAfter: number | null;
  /** Decoding of the accuracy measurement. */
  decoding: string;
  /** Held-out questions. */
  questions: number;
  /** GRPO steps. */
  steps: number;
}

/**
 * `record.json` of one run: everything the results writer needs.
 */
export interface RunRecord {
  /** Row id. */
  id: string;
  /** Row label. */
  label: string;
  /** Row kind. */
  kind: RowSpec["kind"];
  /** Results table. */
  group: RowSpec["group"];
  /** Seed. */
  seed: number;
  /** Config file of the row (trainer or post-training), or null. */
  config: string | null;
  /** The settings that matter for reading the numbers (steps, positions, G, …). */
  settings: Record<string, unknown>;
  /** Greedy next-token accuracy (NTP mode), or null. */
  ntp: TierFigures | null;
  /** Next-token-reasoning accuracy, or null. */
  ntr: NtrFigures | null;
  /** Accuracy per position kind (absent in records written before issue 17). */
  slices?: RunSlices | null;
  /** The computable sample (absent in records written before it was recorded). */
  computable?: ComputableFigures | null;
  /** Training curve (trained and post-trained rows). */
  curve: CurvePoint[] | null;
  /** Post-training figures. */
  posttrain: PostTrainFigures | null;
  /** Wall seconds: training, evaluation, total. */
  seconds: { train: number; eval: number; total: number };
  /** ISO time the run finished. */
  finishedAt: string;
}

/** Reproduction facts and the state of the experiment. */
export interface ExperimentMeta {
  /** The exact command line. */
  command: string;
  /** The experiment config file. */
  configFile: string;
  /** `git rev-parse HEAD`. */
  commit: string;
  /** Whether the working tree had uncommitted changes. */
  dirty: boolean;
  /** Backend name and description. */
  backend: string;
  /** `--quick`. */
  quick: boolean;
  /** Seeds per seeded row. */
  seeds: number;
  /** ISO start time. */
  startedAt: string;
  /** Wall seconds so far. */
  wallSeconds: number;
  /** Whether every planned run finished. */
  complete: boolean;
  /** The planned runs. */
  plan: { id: string; seed: number; dir: string }[];
  /** The effective overrides (train, eval, posttrain). */
  settings?: Record<string, unknown>;
  /** Free-form notes (e.g. why the run was stopped). */
  notes?: string[];
  /** Every session that added runs (a resumed experiment has several), oldest first. */
  sessions?: ExperimentSession[];
}

/** One invocation of the runner. */
export interface ExperimentSession {
  /** Command line. */
  command: string;
  /** ISO start time. */
  startedAt: string;
  /** Wall seconds. */
  wallSeconds: number;
  /** Backend. */
  backend: string;
  /** Commit. */
  commit: string;
  /** Runs this session finished. */
  runs: number;
}

function sliceFigures(a: SliceAccuracy | null): SliceFigures | null {
  if (a === null) return null;
  const out = {} as SliceFigures;
  for (const [k, v] of Object.entries(a)) {
    out[k as SliceName] = { accuracy: v.accuracy, count: v.count };
  }
  return out;
}

/** The compact figures of an evaluation report. */
export function figuresOf(
  report: EvalReport,
): {
  ntp: TierFigures | null;
  ntr: NtrFigures | null;
  slices: RunSlices | null;
  computable: ComputableFigures | null;
} {
  const ntp = report.ntp === null ? null : {
    nested: {
      easy: report.ntp.nested.easy.accuracy,
      medium: report.ntp.nested.medium.accuracy,
      hard: report.ntp.nested.hard.accuracy,
      average: report.ntp.average,
    },
    disjoint: {
      easy: report.ntp.disjoint.easy.accuracy,
      medium: report.ntp.disjoint.medium.accuracy,
      hard: report.ntp.disjoint.hard.accuracy,
      average: report.ntp.averageDisjoint,
    },
  };
  const s = report.ntr;
  const ntr = s === null ? null : {
    nested: {
      easy: s.nested.easy.accuracy,
      medium: s.nested.medium.accuracy,
      hard: s.nested.hard.accuracy,
      average: s.average,
    },
    disjoint: {
      easy: s.disjoint.easy.accuracy,
      medium: s.disjoint.medium.accuracy,
      hard: s.disjoint.hard.accuracy,
      average: s.averageDisjoint,
    },
    meanLength: s.meanReasoningLength,
    closedFraction: s.closedFraction,
    answeredFraction: s.answeredFraction,
    samples: s.samples,
    budget: s.settings.budget,
  };
  const k = report.slices;
  const slices = k === undefined ? null : {
    documents: k.documents,
    ntp: sliceFigures(k.ntp),
    ntr: sliceFigures(k.ntr),
    ntpAtNtr: sliceFigures(k.ntpAtNtr),
  };
  const c = report.computable;
  const d = c?.derivations;
  const computable = c === null || c === undefined ? null : {
    positions: c.ntr.count,
    ntr: c.ntr.accuracy,
    ntp: c.ntpAtNtr.accuracy,
    rightThroughout: d ? d.right / d.positions : null,
  };
  return { ntp, ntr, slices, computable };
}

/** The training curve of a trainer's metrics.jsonl. */
export async function trainCurve(metricsFile: string): Promise<CurvePoint[]> {
  const text = await Deno.readTextFile(metricsFile);
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const r = JSON.parse(l) as StepRecord;
    return {
      step: r.step,
      reward: r.meanReward,
      matchRate: r.matchRate,
      length: r.meanLength,
      budget: r.budget,
    };
  });
}

/** The sessions recorded in `<out>/sessions.json` (empty when there is none). */
export async function readSessions(out: string): Promise<ExperimentSession[]> {
  try {
    return JSON.parse(await Deno.readTextFile(`${out}/sessions.json`)) as ExperimentSession[];
  } catch {
    return [];
  }
}

/** Reads every `record.json` of the planned runs that exist. */
export async function readRecords(runs: PlannedRun[]): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const run of runs) {
    const file = `${run.dir}/record.json`;
    if (await exists(file)) out.push(JSON.parse(await Deno.readTextFile(file)) as RunRecord);
  }
  return out;
}

/** The commit and whether the working tree has uncommitted changes. */
export async function gitFacts(): Promise<{ commit: string; dirty: boolean }> {
  try {
    const head = await new Deno.Command("git", { args: ["rev-parse", "HEAD"], stderr: "null" })
      .output();
    const status = await new Deno.Command("git", {
      args: ["status", "--porcelain"],
      stderr: "null",
    }).output();
    const dec = new TextDecoder();
    return {
      commit: head.success ? dec.decode(head.stdout).trim() : "unknown",
      dirty: status.success && dec.decode(status.stdout).trim() !== "",
    };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}
