/**
 * `deno task export`: writes a checkpoint (ours or a Hugging Face one) as a Hugging Face model
 * directory (`lib/apps/export/export.ts`).
 *
 *     deno task export --checkpoint DIR --out HF_DIR
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../util/config.ts";
import { exportModel } from "../export/export.ts";

const USAGE = "usage: deno task export --checkpoint DIR --out HF_DIR";

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
  let values: { checkpoint?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        checkpoint: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.split("\n")[0]} (${USAGE})`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.checkpoint) throw new ConfigError(`--checkpoint: expected a directory (${USAGE})`);
  if (!values.out) throw new ConfigError(`--out: expected a directory (${USAGE})`);
  const r = await exportModel(values.checkpoint, values.out);
  console.log(`exported ${values.checkpoint} as ${r.architecture} to ${values.out}`);
  console.log(`files: ${r.files.join(", ")}`);
}
