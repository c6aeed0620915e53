/** `lib/apps/cli/flags.ts`: every command's `--help` lists every flag with its meaning and default. */
import assert from "node:assert/strict";
import { type CommandSpec, helpText } from "../../../lib/apps/cli/flags.ts";
import { TRAIN_COMMAND } from "../../../lib/apps/cli/train.ts";
import { PRETRAIN_COMMAND } from "../../../lib/apps/cli/pretrain.ts";
import { EVAL_COMMAND } from "../../../lib/apps/cli/eval.ts";
import { SAMPLE_COMMAND } from "../../../lib/apps/cli/sample.ts";
import { POSTTRAIN_COMMAND } from "../../../lib/apps/cli/posttrain.ts";
import { EXPERIMENT_COMMAND } from "../../../lib/apps/cli/experiment.ts";
import { EXPORT_COMMAND } from "../../../lib/apps/cli/export.ts";

const COMMANDS: CommandSpec[] = [
  TRAIN_COMMAND,
  PRETRAIN_COMMAND,
  EVAL_COMMAND,
  SAMPLE_COMMAND,
  POSTTRAIN_COMMAND,
  EXPERIMENT_COMMAND,
  EXPORT_COMMAND,
];

Deno.test("helpText() lists every flag of every command with its meaning and default", () => {
  for (const spec of COMMANDS) {
    const help = helpText(spec);
    for (const [name, f] of Object.entries(spec.flags)) {
      const line = help.split("\n").find((l) => l.trimStart().startsWith(`--${name} `));
      assert.ok(line !== undefined, `${spec.name} --help lacks --${name}`);
      assert.ok(f.help.length > 10 && line.includes(f.help), `${spec.name} --${name}: no meaning`);
      assert.match(line, /\(default: [^)]+\)$/, `${spec.name} --${name}: no default`);
    }
  }
  assert.match(helpText(TRAIN_COMMAND), /--checkpoint DIR +base checkpoint to mid-train/);
  assert.match(helpText(TRAIN_COMMAND), /--corpus FILE +training documents/);
});
