/**
 * The commands as a newcomer meets them (`lib/apps/cli/`, `cli.ts`): every `--help` lists every
 * flag with its meaning and default; bad input (an empty config, a missing checkpoint, a
 * corpus that is not text) is one line on stderr before anything else is printed; `train`
 * takes `--checkpoint` and `--corpus`; any checkpoint `train` writes can be evaluated, and
 * `eval` never writes into its input; `pretrain` never overwrites a run unless forced. Everything runs in temporary directories.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { type CommandSpec, helpText } from "../../../lib/apps/cli/flags.ts";
import { main as trainMain, TRAIN_COMMAND } from "../../../lib/apps/cli/train.ts";
import { main as pretrainMain, PRETRAIN_COMMAND } from "../../../lib/apps/cli/pretrain.ts";
import { EVAL_COMMAND, main as evalMain } from "../../../lib/apps/cli/eval.ts";
import { SAMPLE_COMMAND } from "../../../lib/apps/cli/sample.ts";
import { POSTTRAIN_COMMAND } from "../../../lib/apps/cli/posttrain.ts";
import { EXPERIMENT_COMMAND } from "../../../lib/apps/cli/experiment.ts";
import { EXPORT_COMMAND } from "../../../lib/apps/cli/export.ts";
import { TINY_RMT } from "../../_helpers/tiny_train.ts";
import { tinyBase } from "../../_helpers/tiny_experiment.ts";

const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const dir = await Deno.makeTempDir({ prefix: "rmt-cli-test-" });
const base = await tinyBase(dir); // records its corpus, as pre-training does
const corpus = `${dir}/corpus.txt`;
await Deno.writeTextFile(corpus, "1+2=3\n\n4+5=9\n\n7+1=8\n\n2+2=4\n");

/** A tiny train config (steps, prompts, groups) in YAML, written to `<dir>/<name>.yaml`. */
async function tinyYaml(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = `${dir}/${name}.yaml`;
  await Deno.writeTextFile(
    file,
    stringify({
      backend: "cpu",
      baseCheckpoint: base,
      out: `${dir}/runs/${name}`,
      steps: 1,
      positionsPerStep: 2,
      maxNewTokens: 8,
      microBatch: 8,
      lr: 0.003,
      rmt: { ...TINY_RMT, grpo: { groupSize: 2, temperature: 1.5 } },
      ...extra,
    }),
  );
  return file;
}

/**
 * Runs `fn` with console.log captured; returns what it printed. (In process, so never with
 * `Deno.chdir`: the working directory is shared by every test file of a parallel run. What must
 * run in `dir`, such as eval's default output directory, goes through {@linkcode cli}.)
 */
async function captured(fn: () => Promise<void>): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await fn();
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

/** Runs `deno run -A cli.ts <args>` in `dir`; stdout, stderr and the exit code. */
async function cli(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${repo}/deno.json`, `${repo}/cli.ts`, ...args],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

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

Deno.test("train main() refuses an empty config file instead of running built-in defaults", async () => {
  const empty = `${dir}/empty.yaml`;
  await Deno.writeTextFile(empty, "# to be filled in\n");
  await assert.rejects(
    () => trainMain(["--config", empty]),
    /^ConfigError: .*empty\.yaml: empty config file \(no settings\); pass --config configs\/rmt\.yaml/,
  );
});

Deno.test("cli.ts train prints a bad checkpoint or corpus as one line before any config", async () => {
  const cfg = await tinyYaml("bad");
  for (
    const [args, what] of [
      [["--checkpoint", `${dir}/no-such-base`], /no-such-base: no base checkpoint/],
      [["--corpus", `${dir}/nope.txt`], /nope\.txt: cannot read corpus file/],
    ] as const
  ) {
    const r = await cli(["train", "--config", cfg, "--backend", "cpu", ...args]);
    assert.equal(r.code, 1);
    const errors = r.stderr.trim().split("\n");
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /^error: /);
    assert.match(errors[0]!, what);
    assert.ok(!r.stdout.includes("steps") && !r.stdout.includes("positions"), r.stdout);
  }
});

Deno.test("train main() takes --checkpoint and --corpus; eval main() evaluates what it wrote", async () => {
  const cfg = await tinyYaml("flags", { baseCheckpoint: `${dir}/not-this-one` });
  const out = await captured(() =>
    trainMain(["--config", cfg, "--checkpoint", base, "--corpus", corpus])
  );
  assert.match(out, /1\/1 steps/);
  const written = await Deno.readTextFile(`${dir}/runs/flags/config.yaml`);
  assert.match(written, new RegExp(`^baseCheckpoint: ${base}$`, "m"));
  assert.match(written, new RegExp(`^  source: ${corpus}$`, "m"));

  // the trained checkpoint records the base's corpus: it evaluates like the base
  const trained = `${dir}/runs/flags/checkpoint`;
  const before = [...Deno.readDirSync(trained)].map((e) => e.name).sort();
  const args = ["--mode", "ntp", "--backend", "cpu", "--no-cache"];
  const evaluated = await cli(["eval", "--checkpoint", trained, ...args]); // default --out, in dir
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = JSON.parse(
    await Deno.readTextFile(`${dir}/runs/eval/${trained.slice(1)}/eval.json`),
  );
  assert.equal(report.corpus.documents, 4, "the base's 4 held-out documents");
  assert.ok(report.ntp.nested.length > 0 || report.ntp !== null);
  assert.deepEqual([...Deno.readDirSync(trained)].map((e) => e.name).sort(), before);
  await assert.rejects(
    () => evalMain(["--checkpoint", trained, "--out", `${trained}/eval`, ...args]),
    /--out: .* is inside the evaluated checkpoint/,
  );
});

Deno.test("eval main() asks for --corpus when a checkpoint records no held-out documents", async () => {
  // trained on a corpus file from a base that recorded nothing
  const bare = `${dir}/bare`;
  await Deno.mkdir(bare);
  for (const f of ["model.safetensors", "config.json", "tokenizer.json", "checksums.json"]) {
    await Deno.copyFile(`${base}/${f}`, `${bare}/${f}`);
  }
  await Deno.writeTextFile(`${bare}/state.json`, JSON.stringify({ step: 0 }));
  await Deno.remove(`${bare}/checksums.json`);
  const args = ["--checkpoint", bare, "--mode", "ntp", "--backend", "cpu", "--no-cache"];
  await assert.rejects(
    () => captured(() => evalMain(args)),
    /bare\/state\.json: records no held-out documents; pass --corpus FILE/,
  );
  const evaluated = await cli(["eval", ...args, "--corpus", corpus]); // default --out, in dir
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = JSON.parse(await Deno.readTextFile(`${dir}/runs/eval/${bare.slice(1)}/eval.json`));
  assert.equal(report.corpus.documents, 4);
});

Deno.test("pretrain main() refuses to overwrite a run, says a finished run is finished, and --force starts over", async () => {
  const tiny = `${repo}/configs/pretrain_tiny.yaml`;
  const out = `${dir}/runs/pretrain`;
  const args = ["--config", tiny, "--backend", "cpu", "--out", out, "--steps", "2"];
  await captured(() => pretrainMain(args));
  const metrics = await Deno.readTextFile(`${out}/metrics.jsonl`);
  await assert.rejects(
    () => captured(() => pretrainMain(args)),
    /pretrain: holds a run \(a checkpoint at step 2 and metrics\.jsonl with \d+ lines\); pass --resume/,
  );
  assert.equal(await Deno.readTextFile(`${out}/metrics.jsonl`), metrics, "nothing overwritten");
  await assert.rejects(
    () => captured(() => pretrainMain([...args, "--resume"])),
    /^ConfigError: --resume: the run in .* is finished \(2\/2 steps\)/,
  );
  await captured(() => pretrainMain([...args, "--force", "--steps", "1"]));
  const lines = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n");
  assert.ok(lines.every((l) => JSON.parse(l).step <= 1), "the old run's lines are gone");
  assert.match(await Deno.readTextFile(`${out}/config.yaml`), /^steps: 1$/m);
});
