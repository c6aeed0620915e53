/**
 * GPT throughput as one JSON line: the reference training step and KV-cache generation, the
 * same cases with the same keys as `bench/torch_peer.py`, so that `bench/same_run.sh` can
 * alternate ours and PyTorch and print ratios measured under the same conditions.
 *
 *   deno run -A bench/gpt_throughput.ts [--backend cpu|webgpu|auto] [--reps 5]
 *     [--only train,gen8,gen64]
 *
 * Reference model: 4 layers, width 256, 4 heads, context 128, vocabulary 512 (learned
 * positions, tied head). Training: batch 16 × 128 tokens, forward + mean cross-entropy +
 * backward + AdamW (lr 1e-4, the default clipping and decay) inside `tidy`, one sync at the end.
 * Generation: batch 8 and 64, a one-token prompt, 127 new tokens (temperature 1, no top-k,
 * readChunk 16, no stop ids), counting new tokens per second, prefill included. Each figure is
 * the median of `--reps` timed runs after warm-up (generation: half as many, at least one).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { generate } from "../lib/model/generate.ts";
import { GPT, resolveGptConfig } from "../lib/model/gpt.ts";
import { AdamW } from "../lib/engine/optim/adamw.ts";
import { type BackendKind, initBackend, tensor } from "../lib/engine/tensor.ts";
import { trainStep } from "./_step.ts";

const USAGE = `usage: deno run -A bench/gpt_throughput.ts [flags]
  --backend cpu|webgpu|auto   where tensors live (default: cpu)
  --reps N                    timed runs per case; the median is reported (default: 5)
  --only LIST                 cases among train,gen8,gen64 (default: all three)
  --help                      print this help and exit
prints one JSON line (keys as bench/torch_peer.py; bench/same_run.sh alternates the two)`;

let parsed;
try {
  parsed = parseArgs({
    args: Deno.args,
    options: {
      backend: { type: "string", default: "cpu" },
      reps: { type: "string", default: "5" },
      only: { type: "string", default: "train,gen8,gen64" },
      help: { type: "boolean", default: false },
    },
  });
} catch (e) {
  console.error(`${(e as Error).message} (--help lists the flags)`);
  Deno.exit(2);
}
const flags = parsed.values;
/** A one-line error naming the flag, then exit 2 (no stack trace for bad input). */
function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const reps = Number(flags.reps);
if (!Number.isInteger(reps) || reps < 1) {
  fail(`--reps: expected a positive integer, got '${flags.reps}'`);
}
const cases = flags.only.split(",");
for (const c of cases) {
  if (!["train", "gen8", "gen64"].includes(c)) {
    fail(`--only: expected train, gen8 or gen64, got '${c}'`);
  }
}
if (!["cpu", "webgpu", "auto"].includes(flags.backend)) {
  fail(`--backend: expected cpu, webgpu or auto, got '${flags.backend}'`);
}
const backend = await initBackend(flags.backend as BackendKind);
const cfg = resolveGptConfig({
  nLayer: 4,
  nEmbd: 256,
  nHead: 4,
  contextLength: 128,
  vocabSize: 512,
});

function randomIds(n: number, seed: number): Int32Array {
  let s = seed >>> 0;
  return Int32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % cfg.vocabSize;
  });
}

async function medianSeconds(fn: () => Promise<void>, warmup: number, n: number) {
  for (let i = 0; i < warmup; i++) await fn();
  const secs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    secs.push((performance.now() - t0) / 1000);
  }
  return secs.sort((a, b) => a - b)[Math.floor(n / 2)];
}

async function trainRate(): Promise<number> {
  const B = 16, T = 128;
  const model = new GPT(cfg);
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const x = tensor(randomIds(B * T, 1), [B, T], { dtype: "i32" });
  const y = tensor(randomIds(B * T, 2), [B, T], { dtype: "i32" });
  const s = await medianSeconds(
    async () => {
      trainStep(model, opt, x, y);
      await backend.sync();
    },
    2,
    reps,
  );
  model.dispose();
  return B * T / s;
}

async function generateRate(B: number): Promise<number> {
  const N = cfg.contextLength - 1;
  const model = new GPT(cfg);
  const first = randomIds(B, 3);
  const prompts = Array.from(first, (id) => [id]);
  const s = await medianSeconds(
    async () => {
      await generate(model, prompts, 0, {
        maxNewTokens: N,
        temperature: 1,
        topK: 0,
        seed: 1,
        stopIds: [],
        readChunk: 16,
      });
    },
    1,
    Math.max(1, Math.floor(reps / 2)),
  );
  model.dispose();
  return B * N / s;
}

const out: Record<string, string | number> = { impl: `ours ${backend.description}` };
if (cases.includes("train")) out.train_tokens_per_s = Math.round(await trainRate() * 10) / 10;
if (cases.includes("gen8")) {
  out.generate_b8_tokens_per_s = Math.round(await generateRate(8) * 10) / 10;
}
if (cases.includes("gen64")) {
  out.generate_b64_tokens_per_s = Math.round(await generateRate(64) * 10) / 10;
}
console.log(JSON.stringify(out));
