/**
 * Language-modelling evaluation of a checkpoint on held-out documents (method §6.2, §7.1, §11.4):
 * entropy tiers from a fixed tier model (the base model by default), NTP accuracy by tier and NTR
 * accuracy with the mean reasoning length. {@linkcode evaluateModel} works on a model in memory
 * (the RMT experiment runner), {@linkcode evaluateCheckpoint} on a checkpoint directory
 * (`deno task eval`).
 *
 * Held-out documents and the prompt format come from the checkpoint's `state.corpus` (written by
 * pre-training and copied by RMT training), else from its base's (`state.baseCheckpoint`),
 * unless given explicitly.
 *
 * Beside the tiers, accuracy per position kind (computable, unpredictable, other, untagged;
 * `slices.ts`). Greedy NTP is the argmax over ordinary tokens: the special tokens are left out
 * (method §11.4: demonstrations cut at result digits teach the model to emit `<think>` there).
 *
 * Deliberate deviations: none; the open choices of §8.13 are options (nested and disjoint
 * splits are both reported; temperature 0.8, one sample; budget B_T by default).
 *
 * @module
 */
import { mulberry32 } from "../../util/rng.ts";
import type { Codec } from "../../data/codec.ts";
import type { MathDocument } from "../../data/math_doc.ts";
import { CheckpointError, findCheckpoint } from "../../model/checkpoint.ts";
import { loadAnyCheckpoint } from "../../model/load.ts";
import { generate } from "../../model/generate.ts";
import type { CausalLM } from "../../model/causal_lm.ts";
import { ConfigError } from "../../util/config.ts";
import { ENTROPY_DEFAULTS, type EntropyConfig, tierThresholds } from "../../rmt/entropy.ts";
import { PROMPT_DEFAULTS, type PromptConfig } from "../../rmt/prompt.ts";
import type { RewardMode } from "../../rmt/reward_match.ts";
import { loadDocuments, type PretrainDataConfig } from "../pretrain/data.ts";
import { ntpAccuracy } from "./ntp.ts";
import { type ComputableReport, evaluateComputable } from "./computable.ts";
import { type CompletionGenerator, runNtr, sampleNtrPositions, summariseNtr } from "./ntr.ts";
import type { EvalReport, NtrSettings } from "./report.ts";
import {
  type DocumentKinds,
  documentKinds,
  ntpBySlice,
  ntrBySlice,
  type SliceReport,
  specialIds,
} from "./slices.ts";
import {
  allEntropies,
  cachedScores,
  corpusFingerprint,
  type DocScores,
  modelFingerprint,
} from "./tiers.ts";

/** Evaluation settings. */
export interface EvalConfig {
  /** What to evaluate: NTP, NTR or both. */
  mode: "ntp" | "ntr" | "both";
  /** NTR positions sampled per disjoint tier (easy, medium, hard). */
  positions: number;
  /** Budget in the NTR prompt (null: the no-budget instruction). */
  budget: number | null;
  /** NTR sampling temperature (0 = greedy). Spec §8.13: 0.8. */
  temperature: number;
  /** NTR sampling top-k (0 = all). */
  topK: number;
  /** Longest NTR completion (clipped to the model's window). */
  maxNewTokens: number;
  /** Seed of the position sample and of the sampler. */
  seed: number;
  /** Sequences per forward pass / generation call. */
  batchSize: number;
  /** Entropy (top-k) and tier settings (thresholds or quantiles). */
  entropy: EntropyConfig;
  /** Matching reward mode. */
  reward: RewardMode;
  /** Directory of the entropy/argmax cache (null: no cache). */
  cacheDir: string | null;
  /** Decoded NTR examples kept in the report. */
  examples: number;
  /** NTR episodes drawn from the computable slice on their own (0: none; `computable.ts`). */
  computable: number;
}

/** Defaults: both modes, 64 positions per tier, T = 0.8, no budget, cache in runs/cache. */
export const EVAL_DEFAULTS: Readonly<EvalConfig> = {
  mode: "both",
  positions: 64,
  budget: null,
  temperature: 0.8,
  topK: 0,
  maxNewTokens: 768, // clipped to the window: a verbose scratch-pad must be able to close
  seed: 1,
  batchSize: 32,
  entropy: ENTROPY_DEFAULTS,
  reward: "exact",
  cacheDir: "runs/cache",
  examples: 6,
  computable: 64,
};

/** Inputs of {@linkcode evaluateModel}. */
export interface EvaluateModelInput {
  /** The evaluated model. */
  model: CausalLM;
  /** Its tokenizer. */
  tokenizer: Codec;
  /** Held-out documents as token ids. */
  documents: number[][];
  /** Their position tags (`documentKinds`; null or absent: untagged documents). */
  kinds?: DocumentKinds;
  /** The held-out documents as generated (for the concise scratch-pads of the computable sample). */
  heldOut?: readonly MathDocument[];
  /** Prompt format for NTR. */
  prompt: PromptConfig;
  /** Settings (defaults: {@linkcode EVAL_DEFAULTS}). */
  config?: Partial<EvalConfig>;
  /** The tier model (default: the evaluated model itself). */
  tierModel?: CausalLM;
  /** A custom NTR generator (default: `generate` with the model). */
  generator?: CompletionGenerator;
  /** Checkpoint directory and step, for the report. */
  checkpoint?: { dir: string; step: number | null };
  /** Progress messages. */
  log?: (line: string) => void;
}

/**
 * An NTR generator that samples with `generate` from `model`, in chunks of `batchSize`
 * prompts, each chunk with its own seed; completions stop at `<|endoftext|>`.
 */
export function modelGenerator(
  model: CausalLM,
  tokenizer: Codec,
  cfg: Pick<EvalConfig, "temperature" | "topK" | "maxNewTokens" | "seed" | "batchSize">,
  stats: { tokens: number; seconds: number } = { tokens: 0, seconds: 0 },
): CompletionGenerator {
  return async (prompts) => {
    const out: number[][] = [];
    const window = model.config.contextLength;
    for (let i = 0; i < prompts.length; i += cfg.batchSize) {
      const chunk = prompts.slice(i, i + cfg.batchSize);
      const longest = Math.max(...chunk.map((p) => p.length));
      const maxNewTokens = Math.min(cfg.maxNewTokens, window - longest);
      if (maxNewTokens < 1) {
        throw new ConfigError(
          `eval: a prompt of ${longest} tokens leaves no room in the ${window}-token window`,
        );
      }
      const t0 = performance.now();
      const r = await generate(model, chunk, tokenizer.specialId("pad"), {
        maxNewTokens,
        temperature: cfg.temperature,
        topK: cfg.topK,
        seed: (cfg.seed * 7919 + i) >>> 0,
        stopIds: [tokenizer.specialId("eot")],
        readChunk: 16,
      });
      stats.seconds += (performance.now() - t0) / 1000;
      stats.tokens += r.completions.reduce((n, c) => n + c.length, 0);
      out.push(...r.completions);
    }
    return out;
  };
}

/**
 * Evaluates a model in memory: scores (entropy, argmax) of the tier model and of the model
 * (cached), tier thresholds, NTP accuracy by tier, NTR accuracy on a stratified sample.
 */
export async function evaluateModel(input: EvaluateModelInput): Promise<EvalReport> {
  const t0 = performance.now();
  const cfg: EvalConfig = { ...EVAL_DEFAULTS, ...input.config };
  const log = input.log ?? (() => {});
  const { model, tokenizer, documents } = input;
  const excludeIds = specialIds(tokenizer); // greedy NTP over ordinary tokens only
  const scoreOpts = {
    topK: cfg.entropy.topK,
    contextLength: model.config.contextLength,
    batchSize: Math.max(1, Math.floor(cfg.batchSize / 4)),
    padId: tokenizer.specialId("pad"),
    cacheDir: cfg.cacheDir,
    excludeIds,
  };
  const tierModel = input.tierModel ?? model;
  const tier = await cachedScores(tierModel, documents, {
    ...scoreOpts,
    contextLength: tierModel.config.contextLength,
  });
  log(`entropy: ${tier.cached ? "from cache" : "computed"}${tier.file ? ` (${tier.file})` : ""}`);
  const own: DocScores[] = tierModel === model
    ? tier.scores
    : (await cachedScores(model, documents, scoreOpts)).scores;
  const sample = allEntropies(tier.scores);
  const thresholds = tierThresholds(sample, cfg.entropy);
  const { positions, population } = sampleNtrPositions(
    tier.scores,
    thresholds,
    cfg.positions,
    mulberry32(cfg.seed),
  );
  let low = 0;
  for (const h of sample) if (h < thresholds[0]) low++;
  const ntp = cfg.mode === "ntr" ? null : ntpAccuracy(tier.scores, own, thresholds);
  const tagged = documents.filter((_, i) => (input.kinds?.[i] ?? null) !== null).length;
  const slices: SliceReport = {
    documents: { tagged, untagged: documents.length - tagged },
    ntp: ntp === null ? null : ntpBySlice(tier.scores, own, input.kinds),
    ntr: null,
    ntpAtNtr: null,
  };

  let ntr: EvalReport["ntr"] = null;
  let examples: EvalReport["examples"] = [];
  let computable: ComputableReport | null = null;
  if (cfg.mode !== "ntp") {
    const stats = { tokens: 0, seconds: 0 };
    const completions: number[][] = [];
    const base = input.generator ?? modelGenerator(model, tokenizer, cfg, stats);
    const recording: CompletionGenerator = async (prompts) => {
      const t = performance.now();
      const c = await base(prompts);
      if (input.generator !== undefined) {
        stats.seconds += (performance.now() - t) / 1000;
        stats.tokens += c.reduce((n, x) => n + x.length, 0);
      }
      completions.push(...c);
      return c;
    };
    log(`NTR: ${positions.length} episodes (${cfg.positions} per tier)…`);
    const ntrOptions = { budget: cfg.budget, prompt: input.prompt, reward: cfg.reward };
    const outcomes = await runNtr(positions, documents, tokenizer, recording, ntrOptions);
    const settings: NtrSettings = {
      budget: cfg.budget,
      temperature: cfg.temperature,
      topK: cfg.topK,
      maxNewTokens: cfg.maxNewTokens,
      reward: cfg.reward,
      seed: cfg.seed,
      tokensPerSecond: stats.seconds > 0 ? stats.tokens / stats.seconds : 0,
      seconds: stats.seconds,
    };
    ntr = { ...summariseNtr(outcomes, population), settings };
    Object.assign(slices, ntrBySlice(outcomes, own, input.kinds));
    if (cfg.computable > 0 && input.kinds !== undefined) {
      computable = await evaluateComputable({
        tierScores: tier.scores,
        thresholds,
        predictions: own,
        kinds: input.kinds,
        documents,
        heldOut: input.heldOut ?? [],
        codec: tokenizer,
        generate: base,
        ntr: ntrOptions,
        count: cfg.computable,
        seed: cfg.seed + 1,
        log,
      });
    }
    examples = outcomes.slice(0, cfg.examples).map((o, i) => ({
      ...o,
      completion: tokenizer.decode(completions[i]),
    }));
  }
  let sum = 0;
  for (const h of sample) sum += h;
  return {
    checkpoint: input.checkpoint?.dir ?? null,
    step: input.checkpoint?.step ?? null,
    model: await modelFingerprint(model),
    tierModel: await modelFingerprint(tierModel),
    corpus: {
      documents: documents.length,
      positions: sample.length,
      fingerprint: await corpusFingerprint(documents),
    },
    tiers: {
      topK: cfg.entropy.topK,
      mode: cfg.entropy.tierMode,
      thresholds,
      population: { low, easy: population[0], medium: population[1], hard: population[2] },
      meanEntropy: sample.length > 0 ? sum / sample.length : NaN,
    },
    ntp,
    ntpExcludedTokens: excludeIds.map((id) => tokenizer.decode([id])),
    ntr,
    slices,
    computable,
    examples,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The corpus record a checkpoint's `state.corpus` holds (written by pre-training). */
export interface CorpusRecord {
  /** The pre-training data config (its held-out documents are the evaluation set). */
  data: PretrainDataConfig;
  /** The prompt format. */
  prompt: PromptConfig;
}

/**
 * The corpus record of a checkpoint: its own `state.corpus`, else (a trained checkpoint whose
 * base recorded the documents) its base's through `state.baseCheckpoint`; the prompt is the
 * checkpoint's own when it records one.
 */
async function corpusOf(state: Record<string, unknown>, dir: string): Promise<CorpusRecord> {
  const own = state.corpus as Partial<CorpusRecord> | undefined;
  let data = typeof own?.data === "object" ? own.data : undefined;
  let prompt = typeof own?.prompt === "object" ? own.prompt : undefined;
  const base = state.baseCheckpoint;
  if ((data === undefined || prompt === undefined) && typeof base === "string" && base !== dir) {
    const found = await findCheckpoint(base);
    if (found !== null) {
      const baseState = JSON.parse(await Deno.readTextFile(`${found}/state.json`));
      const inherited = baseState.corpus as Partial<CorpusRecord> | undefined;
      data ??= typeof inherited?.data === "object" ? inherited.data : undefined;
      prompt ??= typeof inherited?.prompt === "object" ? inherited.prompt : undefined;
    }
  }
  if (data === undefined || prompt === undefined) {
    const trainedOn = (own as { trainedOn?: unknown } | undefined)?.trainedOn;
    throw new CheckpointError(
      `${dir}/state.json: records no held-out documents` +
        (typeof trainedOn === "string" ? ` (it was trained on ${trainedOn})` : "") +
        `; pass --corpus FILE with held-out documents`,
    );
  }
  return { data, prompt };
}

/** Options of {@linkcode evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions {
  /** Settings (defaults: {@linkcode EVAL_DEFAULTS}). */
  config?: Partial<EvalConfig>;
  /** Checkpoint whose entropy defines the tiers (default: the evaluated one). */
  tierCheckpoint?: string;
  /** Held-out documents as text (default: from `state.corpus`). */
  documents?: string[];
  /** Prompt format (default: from `state.corpus`, else the RMT default). */
  prompt?: PromptConfig;
  /** Load weight files that carry no SHA-256 (see `loadCheckpoint`). */
  allowMissingChecksum?: boolean;
  /** Progress messages. */
  log?: (line: string) => void;
}

/**
 * Loads a checkpoint (on the default backend) and evaluates it with {@linkcode evaluateModel}.
 * The held-out documents are rebuilt from the checkpoint's `state.corpus` (pre-training's data
 * config) and tokenized with the checkpoint's tokenizer.
 *
 * @throws {CheckpointError} On a missing or unreadable checkpoint or corpus record.
 */
export async function evaluateCheckpoint(
  dir: string,
  opts: EvaluateCheckpointOptions = {},
): Promise<EvalReport> {
  const load = { optimizer: false, allowMissingChecksum: opts.allowMissingChecksum };
  const ck = await loadAnyCheckpoint(dir, load); // ours or a Hugging Face directory
  const tokenizer = ck.codec;
  let texts = opts.documents;
  let prompt = opts.prompt;
  let kinds: DocumentKinds | undefined; // given documents (user text) carry no tags
  let sources: MathDocument[] | undefined;
  if (texts === undefined) {
    const corpus = await corpusOf(ck.state, dir).catch((e) => {
      ck.model.dispose();
      throw e;
    });
    const heldOut =
      loadDocuments({ ...corpus.data, trainDocs: Math.min(corpus.data.trainDocs, 1) }).heldOut;
    texts = heldOut.map((d) => d.text);
    kinds = documentKinds(heldOut, tokenizer);
    sources = heldOut;
    prompt ??= corpus.prompt;
  }
  prompt ??= (ck.state.corpus as { prompt?: PromptConfig } | undefined)?.prompt ?? PROMPT_DEFAULTS;
  const documents = texts.map((t) => tokenizer.encode(t));
  const tierCk = opts.tierCheckpoint !== undefined && opts.tierCheckpoint !== dir
    ? await loadAnyCheckpoint(opts.tierCheckpoint, load)
    : null;
  try {
    const step = typeof ck.state.step === "number" ? ck.state.step : null;
    return await evaluateModel({
      model: ck.model,
      tokenizer,
      documents,
      kinds,
      heldOut: sources,
      prompt,
      config: opts.config,
      tierModel: tierCk?.model,
      checkpoint: { dir, step },
      log: opts.log,
    });
  } finally {
    ck.model.dispose();
    tierCk?.model.dispose();
  }
}
