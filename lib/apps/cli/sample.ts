/**
 * `deno task sample`: continues a text prompt with a checkpoint's model (KV-cached `generate`).
 *
 *     deno task sample --checkpoint DIR --prompt "text" [--max-new 64] [--temperature 0.8]
 *                      [--top-k 0] [--seed 1] [--ntr] [--budget none|N] [--backend auto|cpu|webgpu]
 *
 * The prompt may contain the special-token strings (`<think>`, `</think>`, `<|endoftext|>`).
 * With `--ntr` the prompt text is used as the context of a next-token-reasoning prompt
 * (`buildPrompt` with the checkpoint's prompt format and `--budget`), the way RL and evaluation
 * ask. Sampling stops at `<|endoftext|>` (a Hugging Face model's `eos_token`). `--temperature 0`
 * is greedy. `--checkpoint` takes this project's checkpoints and Hugging Face Llama/Qwen2
 * directories (`lib/model/load.ts`).
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { loadModel } from "../../model/load.ts";
import { generate } from "../../model/generate.ts";
import { buildPrompt, PROMPT_DEFAULTS, type PromptConfig } from "../../rmt/prompt.ts";
import { initBackend } from "../../engine/tensor.ts";
import {
  BACKEND_FLAG,
  backendFlag,
  type CommandSpec,
  intFlag,
  numberFlag,
  parseFlags,
  requireCheckpoint,
} from "./flags.ts";

/** The `sample` command's flags. */
export const SAMPLE_COMMAND: CommandSpec = {
  name: "sample",
  about: "continue a prompt with a checkpoint (plain text, or the NTR prompt with --ntr)",
  flags: {
    checkpoint: {
      type: "string",
      arg: "DIR",
      help: "the checkpoint to sample from",
      default: "required",
    },
    prompt: { type: "string", arg: "TEXT", help: "the text to continue", default: "required" },
    "max-new": { type: "string", arg: "N", help: "most tokens to generate", default: "64" },
    temperature: {
      type: "string",
      arg: "T",
      help: "sampling temperature (0 = greedy)",
      default: "0.8",
    },
    "top-k": {
      type: "string",
      arg: "K",
      help: "sample among the K likeliest tokens (0 = all)",
      default: "0",
    },
    seed: { type: "string", arg: "S", help: "sampler seed", default: "1" },
    ntr: {
      type: "boolean",
      help: "wrap the prompt in the next-token-reasoning prompt of the checkpoint",
    },
    budget: {
      type: "string",
      arg: "none|N",
      help: "token budget written into the NTR prompt",
      default: "none",
    },
    backend: BACKEND_FLAG,
  },
};

/**
 * Runs the `sample` command with `args` (the flags after the command name).
 *
 * @example Bad flags are one-line ConfigErrors
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./sample.ts";
 * await assert.rejects(() => main(["--prompt", "x"]), /--checkpoint: expected a directory/);
 * await assert.rejects(() => main(["--checkpoint", "d", "--prompt", "x", "--top-k=-1"]), /--top-k: expected an integer ≥ 0/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, SAMPLE_COMMAND);
  if (flags === null) return; // --help printed the help
  const dir = flags.checkpoint as string | undefined;
  if (dir === undefined || dir === "") {
    throw new ConfigError(`--checkpoint: expected a directory (deno task sample --help)`);
  }
  const text = flags.prompt as string | undefined;
  if (text === undefined || text === "") {
    throw new ConfigError(`--prompt: expected a non-empty text (deno task sample --help)`);
  }
  const maxNew = intFlag(flags, "max-new", 1, 64);
  const temperature = numberFlag(flags, "temperature", 0, 0.8);
  const topK = intFlag(flags, "top-k", 0, 0);
  const seed = intFlag(flags, "seed", 0, 1);
  const budgetRaw = flags.budget as string | undefined;
  const budget = budgetRaw === undefined || budgetRaw === "none"
    ? null
    : intFlag(flags, "budget", 1, null);
  await requireCheckpoint(dir, "--checkpoint");
  const backend = await initBackend(backendFlag(flags, "auto"));
  console.log(`backend: ${backend.name} — ${backend.description}`);

  const ck = await loadModel(dir); // this project's checkpoint or a Hugging Face directory
  try {
    const tok = ck.codec;
    let ids: number[];
    if (flags.ntr) {
      const corpus = ck.state.corpus as { prompt?: PromptConfig } | undefined;
      const prompt = corpus?.prompt ?? PROMPT_DEFAULTS;
      ids = buildPrompt(tok.encode(text), budget, tok, prompt);
    } else ids = tok.encode(text);
    const window = ck.model.config.contextLength;
    if (ids.length >= window) {
      throw new ConfigError(
        `--prompt: ${ids.length} tokens do not leave room in the ${window}-token window`,
      );
    }
    const r = await generate(ck.model, [ids], tok.specialId("pad"), {
      maxNewTokens: Math.min(maxNew, window - ids.length),
      temperature,
      topK,
      seed,
      stopIds: [tok.specialId("eot")],
      readChunk: 16,
    });
    console.log(`--- prompt (${ids.length} tokens)\n${tok.decode(ids)}`);
    console.log(
      `--- completion (${r.completions[0].length} tokens)\n${tok.decode(r.completions[0])}`,
    );
    console.log(`--- ${r.tokensPerSecond.toFixed(1)} tokens/s`);
  } finally {
    ck.model.dispose();
  }
}
