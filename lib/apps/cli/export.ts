/**
 * `deno task export`: writes a checkpoint (ours or a Hugging Face one) as a Hugging Face model
 * directory (`lib/apps/export/export.ts`).
 *
 *     deno task export --checkpoint DIR --out HF_DIR
 *
 * @module
 */
import { ConfigError } from "../../util/config.ts";
import { exportModel } from "../export/export.ts";
import { type CommandSpec, parseFlags } from "./flags.ts";

/** The `export` command's flags. */
export const EXPORT_COMMAND: CommandSpec = {
  name: "export",
  about: "write a checkpoint (ours or a Hugging Face one) as a Hugging Face model directory",
  flags: {
    checkpoint: {
      type: "string",
      arg: "DIR",
      help: "the checkpoint to export",
      default: "required",
    },
    out: {
      type: "string",
      arg: "HF_DIR",
      help: "the Hugging Face directory to write (config.json, model.safetensors, tokenizer)",
      default: "required",
    },
  },
};

/**
 * Runs the `export` command with `args` (the flags after the command name).
 *
 * @example Bad flags are one-line ConfigErrors
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./export.ts";
 * await assert.rejects(() => main(["--out", "x"]), /--checkpoint: expected a directory/);
 * await assert.rejects(() => main(["--checkpoint", "x"]), /--out: expected a directory/);
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args, EXPORT_COMMAND);
  if (flags === null) return; // --help printed the help
  const checkpoint = flags.checkpoint as string | undefined;
  const out = flags.out as string | undefined;
  if (!checkpoint) {
    throw new ConfigError(`--checkpoint: expected a directory (deno task export --help)`);
  }
  if (!out) throw new ConfigError(`--out: expected a directory (deno task export --help)`);
  const r = await exportModel(checkpoint, out);
  console.log(`exported ${checkpoint} as ${r.architecture} to ${out}`);
  console.log(`files: ${r.files.join(", ")}`);
}
