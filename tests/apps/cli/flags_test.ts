/**
 * `lib/apps/cli/flags.ts`: every command's `--help` lists every flag with its meaning and
 * default; parsing and the typed flag readers fail with one line naming the flag.
 */
import assert from "node:assert/strict";
import {
  backendFlag,
  type CommandSpec,
  helpText,
  intFlag,
  numberFlag,
  parseFlags,
  runFlags,
} from "../../../lib/apps/cli/flags.ts";
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

Deno.test("parseFlags() returns the values, prints help for --help and names a bad flag in one line", () => {
  assert.deepEqual(parseFlags(["--checkpoint", "ck", "--no-cache"], EVAL_COMMAND), {
    checkpoint: "ck",
    "no-cache": true,
  });
  const log = console.log;
  const printed: string[] = [];
  console.log = (s: string) => printed.push(s);
  try {
    assert.equal(parseFlags(["--help"], EVAL_COMMAND), null);
  } finally {
    console.log = log;
  }
  assert.deepEqual(printed, [helpText(EVAL_COMMAND)]);
  const see = /\(deno task eval --help lists the flags\)$/;
  for (
    const [args, what] of [
      [["--temprature", "1"], /^ConfigError: --temprature: unknown flag /],
      [["extra"], /^ConfigError: extra: unexpected argument /],
      [["--checkpoint"], /^ConfigError: --checkpoint: expected a value /],
      [["--no-cache=yes"], /^ConfigError: --no-cache: expected no value /],
    ] as const
  ) {
    assert.throws(() => parseFlags([...args], EVAL_COMMAND), (e: Error) => {
      assert.match(e.toString(), what);
      assert.match(e.message, see);
      return true;
    });
  }
});

Deno.test("intFlag() and numberFlag() take whole or real numbers at or above the minimum", () => {
  assert.equal(intFlag({}, "steps", 1, "fallback"), "fallback");
  assert.equal(intFlag({ steps: "12" }, "steps", 1, null), 12);
  for (const bad of ["0", "1.5", " ", "1e400", "x"]) {
    assert.throws(
      () => intFlag({ steps: bad }, "steps", 1, null),
      new RegExp(`^ConfigError: --steps: expected an integer ≥ 1, got ${JSON.stringify(bad)}$`),
    );
  }
  assert.equal(numberFlag({ t: "0" }, "t", 0, 1), 0);
  assert.equal(numberFlag({ t: "2.5e-1" }, "t", 0, 1), 0.25);
  for (const bad of ["-0.1", "Infinity", "", "NaN"]) {
    assert.throws(
      () => numberFlag({ t: bad }, "t", 0, 1),
      /^ConfigError: --t: expected a number ≥ 0/,
    );
  }
  assert.throws(() => intFlag({ steps: true }, "steps", 1, null), /--steps: expected an integer/);
  assert.equal(backendFlag({}, "cpu"), "cpu");
  assert.equal(backendFlag({ backend: "webgpu" }, "auto"), "webgpu");
});

Deno.test("runFlags() reads the run flags, keeps only given overrides and refuses --resume with --force", () => {
  assert.deepEqual(runFlags({}, "configs/rmt.yaml"), {
    configFile: "configs/rmt.yaml",
    backend: "auto",
    stopAfter: undefined,
    resume: false,
    force: false,
    overrides: {},
  });
  const r = runFlags(
    { config: "my.yaml", backend: "cpu", "stop-after": "3", resume: true, out: "runs/a" },
    "configs/rmt.yaml",
  );
  assert.deepEqual(r, {
    configFile: "my.yaml",
    backend: "cpu",
    stopAfter: 3,
    resume: true,
    force: false,
    overrides: { out: "runs/a" },
  });
  assert.throws(
    () => runFlags({ resume: true, force: true }, "c.yaml"),
    /^ConfigError: --force: cannot be combined with --resume/,
  );
  assert.throws(
    () => runFlags({ out: "" }, "c.yaml"),
    /^ConfigError: --out: expected a directory, got ""$/,
  );
});
