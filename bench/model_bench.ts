/**
 * Model bench: training and generation throughput of the GPT on the default backend.
 *
 *   deno bench -A bench/model_bench.ts                      # webgpu when an adapter exists
 *   RMT_BACKEND=cpu deno bench -A bench/model_bench.ts
 *   RMT_BENCH_SEQ=512 deno bench -A bench/model_bench.ts    # training sequence length
 *
 * Cases:
 * - train step (forward + backward + AdamW, inside `tidy`, one sync at the end) at batch 16 and
 *   sequence length T (default 128, the reference context) for (a) GPT_DEFAULTS and (b) the
 *   reference model: 4 layers, width 256, 4 heads, context 128, vocab 512.
 * - generation of the reference model at batch 8 and 64: prompts of 16 tokens, 32 new tokens,
 *   readChunk 16, temperature 1 (on-device sampling, no stop ids).
 *
 * Tokens/s (training: B·T per step; generation: B·32 per call, prefill time included) are
 * printed as a table when the bench process ends; Deno's own table gives the time per
 * iteration. Iterations are few (`n: 2`, one warm-up): lavapipe does ~10 GFLOP/s (Mesa 25).
 *
 * @module
 */
import { generate } from "../lib/model/generate.ts";
import { GPT, GPT_DEFAULTS, type GptConfig, resolveGptConfig } from "../lib/model/gpt.ts";
import { AdamW } from "../lib/engine/optim/adamw.ts";
import { type BackendKind, initBackend, tensor } from "../lib/engine/tensor.ts";
import { trainStep } from "./_step.ts";

const kind = (Deno.env.get("RMT_BACKEND") ?? "auto") as BackendKind;
const backend = await initBackend(kind);
const SEQ = Number(Deno.env.get("RMT_BENCH_SEQ") ?? 128);
const REFERENCE = resolveGptConfig({
  nLayer: 4,
  nEmbd: 256,
  nHead: 4,
  contextLength: 128,
  vocabSize: 512,
});
const results: { name: string; tokens: number; ms: number[] }[] = [];

function record(name: string, tokens: number, ms: number): void {
  let r = results.find((x) => x.name === name);
  if (r === undefined) results.push(r = { name, tokens, ms: [] });
  r.ms.push(ms);
}

function randomIds(n: number, vocab: number, seed: number): Int32Array {
  let s = seed >>> 0;
  return Int32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % vocab;
  });
}

function trainBench(label: string, cfg: GptConfig, B: number): void {
  const T = Math.min(SEQ, cfg.contextLength);
  const model = new GPT(cfg);
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const x = tensor(randomIds(B * T, cfg.vocabSize, 1), [B, T], { dtype: "i32" });
  const y = tensor(randomIds(B * T, cfg.vocabSize, 2), [B, T], { dtype: "i32" });
  const name = `train step ${label} B=${B} T=${T} (${
    (model.parameterCount() / 1e6).toFixed(2)
  }M params)`;
  Deno.bench({
    name,
    group: "train",
    n: 2,
    warmup: 1,
    async fn(b) {
      b.start();
      const t0 = performance.now();
      trainStep(model, opt, x, y);
      await backend.sync();
      b.end();
      record(name, B * T, performance.now() - t0);
    },
  });
}

function generateBench(cfg: GptConfig, B: number): void {
  const model = new GPT(cfg);
  const P = 16, N = 32;
  const flat = randomIds(B * P, cfg.vocabSize, 3);
  const prompts = Array.from({ length: B }, (_, i) => [...flat.subarray(i * P, (i + 1) * P)]);
  const name = `generate reference B=${B} prompt ${P} new ${N}`;
  Deno.bench({
    name,
    group: "generate",
    n: 2,
    warmup: 1,
    async fn(b) {
      b.start();
      const t0 = performance.now();
      await generate(model, prompts, 0, {
        maxNewTokens: N,
        temperature: 1,
        topK: 0,
        seed: 1,
        stopIds: [],
        readChunk: 16,
      });
      b.end();
      record(name, B * N, performance.now() - t0);
    },
  });
}

trainBench("GPT_DEFAULTS", GPT_DEFAULTS, 16);
trainBench("reference", REFERENCE, 16);
generateBench(REFERENCE, 8);
generateBench(REFERENCE, 64);

globalThis.addEventListener("unload", () => {
  console.log(`\nbackend: ${backend.name} (${backend.description})`);
  for (const r of results) {
    const timed = r.ms.length > 1 ? r.ms.slice(1) : r.ms; // drop the warm-up
    const mean = timed.reduce((a, b) => a + b, 0) / timed.length;
    console.log(
      `${r.name}: ${(r.tokens / (mean / 1000)).toFixed(0)} tokens/s (${mean.toFixed(0)} ms)`,
    );
  }
});
