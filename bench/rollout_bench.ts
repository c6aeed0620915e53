/**
 * Rollout bench: one RL step's generation from the shipped base, with and without dropping the
 * rows that have stopped from the batch (`generate`'s `compact`).
 *
 *   deno bench -A bench/rollout_bench.ts                    # webgpu when an adapter exists
 *   RMT_BACKEND=cpu deno bench -A bench/rollout_bench.ts
 *
 * The batch is an RL step of the experiment: 8 next-token-reasoning prompts (the first held-out
 * documents of `checkpoints/base`, cut at a computed digit, in the no-budget prompt) × G = 8
 * rollouts, temperature 0.8, up to 600 new tokens, stopping at `<|endoftext|>`. Completion lengths
 * vary from a few dozen tokens to hundreds, so without compaction most rows decode long after
 * they stopped. Both variants sample the same tokens (tested in `tests/model/generate_test.ts`);
 * the bench prints the tokens and the rows decoded per step beside Deno's time per iteration.
 *
 * @module
 */
import { generate, type GenerateOptions } from "../lib/model/generate.ts";
import { loadAnyCheckpoint } from "../lib/model/load.ts";
import { type BackendKind, initBackend } from "../lib/engine/tensor.ts";
import { loadDocuments } from "../lib/apps/pretrain/data.ts";
import { documentKinds } from "../lib/apps/eval/slices.ts";
import { buildPrompt, type PromptConfig } from "../lib/rmt/prompt.ts";

const kind = (Deno.env.get("RMT_BACKEND") ?? "auto") as BackendKind;
await initBackend(kind);
const DIR = "checkpoints/base";
const ck = await loadAnyCheckpoint(DIR, { optimizer: false });
const corpus = JSON.parse(await Deno.readTextFile(`${DIR}/state.json`)).corpus;
const heldOut = loadDocuments({ ...corpus.data, trainDocs: 1 }).heldOut;
const tok = ck.codec;
const kinds = documentKinds(heldOut, tok);

// 8 prompts: the first computable position of each of the first documents that have one
const prompts: number[][] = [];
for (let d = 0; d < heldOut.length && prompts.length < 8; d++) {
  const ids = tok.encode(heldOut[d].text);
  const pos = kinds[d]?.findIndex((k, p) => p > 0 && k === "computable") ?? -1;
  if (pos > 0) {
    prompts.push(buildPrompt(ids.slice(0, pos), null, tok, corpus.prompt as PromptConfig));
  }
}
const batch = prompts.flatMap((p) => Array.from({ length: 8 }, () => p)); // (8 prompts × G = 8)
const opts: GenerateOptions = {
  maxNewTokens: 600,
  temperature: 0.8,
  topK: 0,
  seed: 1,
  stopIds: [tok.specialId("eot")],
  readChunk: 16,
};
const seen = new Map<string, string>();

for (const compact of [false, true]) {
  const name = compact ? "rollouts, stopped rows dropped" : "rollouts, every row decoded";
  Deno.bench({
    name,
    group: "rollouts",
    baseline: !compact,
    n: 2,
    warmup: 1,
    async fn() {
      const r = await generate(ck.model, batch, tok.specialId("pad"), { ...opts, compact });
      const tokens = r.completions.reduce((n, c) => n + c.length, 0);
      seen.set(
        name,
        `${tokens} tokens, ${r.rowSteps} row-steps, ${r.tokensPerSecond.toFixed(0)} tokens/s`,
      );
    },
  });
}

globalThis.addEventListener("unload", () => {
  for (const [name, line] of seen) console.log(`${name}: ${line}`);
});
