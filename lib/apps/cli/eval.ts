/**
 * `deno task eval`: next-token accuracy of a checkpoint on its held-out documents, by entropy
 * tier, in NTP (greedy argmax) and NTR (reason, then `\boxed{}`) modes (method §6.2, §7.1).
 *
 *     deno task eval --checkpoint DIR [--corpus FILE] [--out DIR] [--mode ntp|ntr|both] …
 *
 * (`--help` lists every flag with its default.) Any checkpoint can be evaluated: a trained one
 * records its base's corpus (or inherits it through `state.baseCheckpoint`); `--corpus` gives
 * the held-out documents of one that records none.
 *
 * `--budget final` writes the final budget B_T = max(B_min, ⌊B_0·γ⌋) into the prompt, as
 * method §8.13 recommends for evaluation: of the schedule a trained checkpoint records
 * (`state.config.rmt.budget`), else of the RMT defaults (`lib/rmt/budget.ts`). The default is
 * the no-budget instruction (the base model's natural reasoning length).
 *
 * Beside the tiers, the accuracy per position kind (computable, unpredictable, other; positions
 * of `--corpus` documents, which carry no tags, are untagged). Greedy NTP is the argmax over
 * ordinary tokens (the special tokens are left out; method §11.4).
 *
 * Prints the tables and writes `eval.json` into `--out` (default `runs/eval/<checkpoint path>`),
 * never into the checkpoint.
 * `--temperature 0` is greedy decoding. `--tiers-from` takes the tier entropies from another
 * checkpoint (the base model, when evaluating a mid-trained one).
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { initBackend } from "../../engine/tensor.ts";
import { ENTROPY_DEFAULTS } from "../../rmt/entropy.ts";
import { BUDGET, finalBudget } from "../../rmt/budget.ts";
import { findCheckpoint } from "../../model/checkpoint.ts";
import { EVAL_DEFAULTS, type EvalConfig, evaluateCheckpoint } from "../eval/evaluate.ts";
import { formatReport } from "../eval/report.ts";
import { readCorpusFile } from "../../data/corpus_files.ts";
import {
  BACKEND_FLAG,
  backendFlag,
  type CommandSpec,
  intFlag,
  numberFlag,
  parseFlags,
  requireCheckpoint,
} from "./flags.ts";

/** The `eval` command's flags. */
export const EVAL_COMMAND: CommandSpec = {
  name: "eval",
  about:
    "next-token accuracy of a checkpoint by entropy tier and position kind, in NTP and NTR modes",
  flags: {
    checkpoint: {
      type: "string",
      arg: "DIR",
      help: "the checkpoint to evaluate",
      default: "required",
    },
    corpus: {
      type: "string",
      arg: "FILE",
      help: "held-out documents (.txt/.jsonl), instead of the ones the checkpoint records",
      default: "the held-out documents the checkpoint or its base records",
    },
    out: {
      type: "string",
      arg: "DIR",
      help: "where eval.json goes (never inside the checkpoint)",
      default: "runs/eval/<checkpoint path>",
    },
    mode: {
      type: "string",
      arg: "ntp|ntr|both",
      help: "what to measure",
      default: EVAL_DEFAULTS.mode,
    },
    positions: {
      type: "string",
      arg: "N",
      help: "NTR positions sampled per tier",
      default: String(EVAL_DEFAULTS.positions),
    },
    computable: {
      type: "string",
      arg: "N",
      help: "NTR positions drawn from the computable slice on their own (0 = none; tagged corpora)",
      default: String(EVAL_DEFAULTS.computable),
    },
    budget: {
      type: "string",
      arg: "none|final|N",
      help:
        "token budget in the NTR prompt; final = B_T of the checkpoint's schedule (else the RMT defaults)",
      default: "none",
    },
    temperature: {
      type: "string",
      arg: "T",
      help: "NTR sampling temperature (0 = greedy)",
      default: String(EVAL_DEFAULTS.temperature),
    },
    "top-k": {
      type: "string",
      arg: "K",
      help: "NTR sampling top-k (0 = all tokens)",
      default: String(EVAL_DEFAULTS.topK),
    },
    "max-new": {
      type: "string",
      arg: "N",
      help: "longest NTR completion in tokens (clipped to the model's window)",
      default: String(EVAL_DEFAULTS.maxNewTokens),
    },
    seed: { type: "string", arg: "S", help: "seed of the positions and the sampler", default: "1" },
    "tiers-from": {
      type: "string",
      arg: "DIR",
      help: "checkpoint whose entropies define the tiers (e.g. the base of a trained one)",
      default: "the evaluated checkpoint",
    },
    "entropy-top-k": {
      type: "string",
      arg: "K",
      help: "entropy over the top-K probabilities (0 = all)",
      default: String(ENTROPY_DEFAULTS.topK),
    },
    quantiles: { type: "boolean", help: "tiers by corpus quantiles instead of fixed thresholds" },
    reward: {
      type: "string",
      arg: "exact|prefix",
      help: "matching reward: exact token or prefix",
      default: EVAL_DEFAULTS.reward,
    },
    batch: {
      type: "string",
      arg: "N",
      help: "sequences per forward pass",
      default: String(EVAL_DEFAULTS.batchSize),
    },
    "no-cache": { type: "boolean", help: "do not read or write the entropy cache (runs/cache)" },
    examples: {
      type: "string",
      arg: "N",
      help: "decoded NTR episodes kept in eval.json",
      default: String(EVAL_DEFAULTS.examples),
    },
    "allow-missing-checksum": {
      type: "boolean",
      help: "load weight files that carry no SHA-256 (written by hand or another program)",
    },
    backend: BACKEND_FLAG,
  },
  notes: ["prints the table and writes eval.json into --out"],
};

/**
 * The default output directory of `eval --checkpoint dir`: `runs/eval/` followed by the
 * checkpoint's path (relative paths as they are, absolute ones without their leading `/`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultEvalOut } from "./eval.ts";
 * assert.equal(defaultEvalOut("checkpoints/base"), "runs/eval/checkpoints/base");
 * assert.equal(defaultEvalOut("runs/rmt/checkpoint/"), "runs/eval/runs/rmt/checkpoint");
 * assert.equal(defaultEvalOut("/tmp/x/../ck"), "runs/eval/tmp/ck");
 * ```
 */
export function defaultEvalOut(checkpoint: string): string {
  const parts: string[] = [];
  for (const p of checkpoint.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `runs/eval/${parts.join("/")}`;
}

/** True when `inner` is `outer` or lies inside it (both resolved against the working directory). */
function inside(inner: string, outer: string): boolean {
  const abs = (p: string) => {
    const full = p.startsWith("/") ? p : `${Deno.cwd()}/${p}`;
    const parts: string[] = [];
    for (const s of full.split("/")) {
      if (s === "" || s === ".") continue;
      if (s === "..") parts.pop();
      else parts.push(s);
    }
    return `/${parts.join("/")}`;
  };
  const i = abs(inner), o = abs(outer);
  return i === o || i.startsWith(`${o}/`);
}

/**
 * Runs the `eval` command with `args` (the flags after the command name).
 *
 * @example Bad flags are one-line ConfigErrors
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./eval.ts";
 * await assert.rejects(() => main([]), /--checkpoint: expected a directory/);
 * await assert.rejects(() => main(["--checkpoint", "x", "--mode", "all"]), /--mode: expected ntp, ntr or both, got "all"/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, EVAL_COMMAND);
  if (flags === null) return; // --help printed the help
  const checkpoint = flags.checkpoint as string | undefined;
  if (checkpoint === undefined || checkpoint === "") {
    throw new ConfigError(`--checkpoint: expected a directory (deno task eval --help)`);
  }
  const outDir = (flags.out as string | undefined) ?? defaultEvalOut(checkpoint);
  if (outDir === "") throw new ConfigError(`--out: expected a directory`);
  if (inside(outDir, checkpoint)) {
    throw new ConfigError(
      `--out: ${outDir} is inside the evaluated checkpoint ${checkpoint}; eval never writes ` +
        `into its input (choose a directory elsewhere, e.g. ${defaultEvalOut(checkpoint)})`,
    );
  }
  const corpusFile = flags.corpus as string | undefined;
  if (corpusFile === "") throw new ConfigError(`--corpus: expected a .txt or .jsonl file`);
  const documents = corpusFile === undefined ? undefined : readCorpusFile(corpusFile);
  const mode = (flags.mode as string | undefined) ?? EVAL_DEFAULTS.mode;
  if (mode !== "ntp" && mode !== "ntr" && mode !== "both") {
    throw new ConfigError(`--mode: expected ntp, ntr or both, got ${JSON.stringify(mode)}`);
  }
  const reward = (flags.reward as string | undefined) ?? EVAL_DEFAULTS.reward;
  if (reward !== "exact" && reward !== "prefix") {
    throw new ConfigError(`--reward: expected exact or prefix, got ${JSON.stringify(reward)}`);
  }
  const budgetRaw = flags.budget as string | undefined;
  let budget: number | null = EVAL_DEFAULTS.budget;
  if (budgetRaw !== undefined && budgetRaw !== "final") {
    budget = budgetRaw === "none" ? null : intFlag(flags, "budget", 1, null);
  }
  const config: EvalConfig = {
    ...EVAL_DEFAULTS,
    mode,
    reward,
    budget,
    positions: intFlag(flags, "positions", 1, EVAL_DEFAULTS.positions),
    computable: intFlag(flags, "computable", 0, EVAL_DEFAULTS.computable),
    temperature: numberFlag(flags, "temperature", 0, EVAL_DEFAULTS.temperature),
    topK: intFlag(flags, "top-k", 0, EVAL_DEFAULTS.topK),
    maxNewTokens: intFlag(flags, "max-new", 1, EVAL_DEFAULTS.maxNewTokens),
    seed: intFlag(flags, "seed", 0, EVAL_DEFAULTS.seed),
    batchSize: intFlag(flags, "batch", 1, EVAL_DEFAULTS.batchSize),
    entropy: {
      ...ENTROPY_DEFAULTS,
      topK: intFlag(flags, "entropy-top-k", 0, ENTROPY_DEFAULTS.topK),
      tierMode: flags.quantiles ? "quantiles" : "thresholds",
    },
    cacheDir: flags["no-cache"] ? null : EVAL_DEFAULTS.cacheDir,
    examples: intFlag(flags, "examples", 0, EVAL_DEFAULTS.examples), // decoded NTR episodes kept
  };
  await requireCheckpoint(checkpoint, "--checkpoint");
  if (budgetRaw === "final") config.budget = await finalBudgetOf(checkpoint);
  const tiersFrom = flags["tiers-from"] as string | undefined;
  if (tiersFrom !== undefined) await requireCheckpoint(tiersFrom, "--tiers-from");
  const backend = await initBackend(backendFlag(flags, "auto"));
  console.log(`backend: ${backend.name} — ${backend.description}`);
  console.log(
    `eval: ${checkpoint}, mode ${mode}, ${config.positions} NTR positions per tier, ` +
      `budget ${budget ?? "none"}, temperature ${config.temperature}`,
  );
  const report = await evaluateCheckpoint(checkpoint, {
    config,
    tierCheckpoint: tiersFrom,
    documents,
    allowMissingChecksum: flags["allow-missing-checksum"] === true,
    log: (line) => console.log(line),
  });
  console.log(`\n${formatReport(report)}`);
  Deno.mkdirSync(outDir, { recursive: true });
  const file = `${outDir}/eval.json`;
  Deno.writeTextFileSync(file, JSON.stringify(report, null, 2) + "\n");
  console.log(`wrote ${file}`);
}

/**
 * B_T = max(B_min, ⌊B_0·γ⌋) of the budget schedule a trained checkpoint records
 * (`state.config.rmt.budget`), else of the RMT defaults (a base or Hugging Face checkpoint).
 *
 * @example A base checkpoint records no schedule: the defaults' B_T
 * ```ts
 * import assert from "node:assert/strict";
 * import { finalBudgetOf } from "./eval.ts";
 * assert.equal(await finalBudgetOf("checkpoints/base"), 43); // ⌊218 · 0.2⌋
 * ```
 */
export async function finalBudgetOf(dir: string): Promise<number> {
  const found = await findCheckpoint(dir);
  let state: { config?: { rmt?: { budget?: unknown } } } = {};
  try {
    if (found !== null) state = JSON.parse(await Deno.readTextFile(`${found}/state.json`));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e; // a Hugging Face directory has none
  }
  const recorded = state?.config?.rmt?.budget;
  if (recorded === undefined) return finalBudget(BUDGET.defaults);
  return finalBudget(BUDGET.resolve(recorded, `${dir}/state.json: config.rmt.budget`));
}
