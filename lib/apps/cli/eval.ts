/**
 * `deno task eval`: next-token accuracy of a checkpoint on its held-out documents, by entropy
 * tier, in NTP (greedy argmax) and NTR (reason, then `\boxed{}`) modes (method §6.2, §7.1).
 *
 *     deno task eval --checkpoint DIR [--mode ntp|ntr|both] [--positions N]
 *                    [--budget none|final|N] [--temperature T] [--top-k K] [--max-new N] [--seed S]
 *                    [--tiers-from DIR] [--entropy-top-k K] [--quantiles] [--reward exact|prefix]
 *                    [--batch N] [--no-cache] [--examples N] [--out DIR] [--backend auto|cpu|webgpu]
 *
 * `--budget final` writes the final budget B_T = max(B_min, ⌊B_0·γ⌋) of the RMT defaults
 * (`lib/rmt/budget.ts`) into the prompt, as method §8.13 recommends for evaluation; the
 * default is the no-budget instruction (the base model's natural reasoning length).
 *
 * Prints the table and writes `eval.json` into the checkpoint directory, or into `--out`.
 * `--temperature 0` is greedy decoding. `--tiers-from` takes the tier entropies from another
 * checkpoint (the base model, when evaluating a mid-trained one).
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { initBackend } from "../../engine/tensor.ts";
import { ENTROPY_DEFAULTS } from "../../rmt/entropy.ts";
import { tokenBudget } from "../../rmt/budget.ts";
import { RMT_DEFAULTS } from "../../rmt/config.ts";
import { EVAL_DEFAULTS, type EvalConfig, evaluateCheckpoint } from "../eval/evaluate.ts";
import { formatReport } from "../eval/report.ts";
import { backendFlag, intFlag, numberFlag, parseFlags } from "./flags.ts";

const USAGE = "usage: deno task eval --checkpoint DIR [--mode ntp|ntr|both] [--positions N] " +
  "[--budget none|final|N] [--temperature T] [--top-k K] [--max-new N] [--seed S] [--tiers-from DIR] " +
  "[--entropy-top-k K] [--quantiles] [--reward exact|prefix] [--batch N] [--no-cache] " +
  "[--examples N] [--out DIR] [--backend auto|cpu|webgpu]";

const FLAGS = {
  checkpoint: "string",
  mode: "string",
  positions: "string",
  budget: "string",
  temperature: "string",
  "top-k": "string",
  "max-new": "string",
  seed: "string",
  "tiers-from": "string",
  "entropy-top-k": "string",
  quantiles: "boolean",
  reward: "string",
  batch: "string",
  "no-cache": "boolean",
  examples: "string",
  out: "string",
  backend: "string",
} as const;

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
  const flags = parseFlags(args, FLAGS, USAGE);
  if (flags === null) return; // --help printed the usage
  const checkpoint = flags.checkpoint as string | undefined;
  if (checkpoint === undefined || checkpoint === "") {
    throw new ConfigError(`--checkpoint: expected a directory (${USAGE})`);
  }
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
  if (budgetRaw !== undefined) {
    if (budgetRaw === "none") budget = null;
    else if (budgetRaw === "final") {
      budget = tokenBudget(1, 1, RMT_DEFAULTS.budget); // B_T = max(B_min, ⌊B_0·γ⌋)
    } else budget = intFlag(flags, "budget", 1, null);
  }
  const config: EvalConfig = {
    ...EVAL_DEFAULTS,
    mode,
    reward,
    budget,
    positions: intFlag(flags, "positions", 1, EVAL_DEFAULTS.positions),
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
  const backend = await initBackend(backendFlag(flags, "auto"));
  console.log(`backend: ${backend.name} — ${backend.description}`);
  console.log(
    `eval: ${checkpoint}, mode ${mode}, ${config.positions} NTR positions per tier, ` +
      `budget ${budget ?? "none"}, temperature ${config.temperature}`,
  );
  const report = await evaluateCheckpoint(checkpoint, {
    config,
    tierCheckpoint: flags["tiers-from"] as string | undefined,
    log: (line) => console.log(line),
  });
  console.log(`\n${formatReport(report)}`);
  const outDir = (flags.out as string | undefined) ?? checkpoint;
  Deno.mkdirSync(outDir, { recursive: true });
  const file = `${outDir}/eval.json`;
  Deno.writeTextFileSync(file, JSON.stringify(report, null, 2) + "\n");
  console.log(`wrote ${file}`);
}
