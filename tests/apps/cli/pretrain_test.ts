/**
 * `lib/apps/cli/pretrain.ts`: unknown flags and bad values name the flag in one line, the tiny
 * config runs end to end and publishes its checkpoint, a run is never overwritten unless
 * forced, and `--init` continues from a checkpoint or is refused before anything is printed.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import { main } from "../../../lib/apps/cli/pretrain.ts";
import { base, captured, cli, dir, repo } from "./_cli.ts";

Deno.test("pretrain main() refuses to overwrite a run, says a finished run is finished, and --force starts over", async () => {
  const tiny = `${repo}/configs/pretrain_tiny.yaml`;
  const out = `${dir}/runs/pretrain`;
  const args = ["--config", tiny, "--backend", "cpu", "--out", out, "--steps", "2"];
  await captured(() => main(args));
  const metrics = await Deno.readTextFile(`${out}/metrics.jsonl`);
  await assert.rejects(
    () => captured(() => main(args)),
    /pretrain: holds a run \(a checkpoint at step 2 and metrics\.jsonl with \d+ lines\); pass --resume/,
  );
  assert.equal(await Deno.readTextFile(`${out}/metrics.jsonl`), metrics, "nothing overwritten");
  await assert.rejects(
    () => captured(() => main([...args, "--resume"])),
    /^ConfigError: --resume: the run in .* is finished \(2\/2 steps\)/,
  );
  await captured(() => main([...args, "--force", "--steps", "1"]));
  const lines = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n");
  assert.ok(lines.every((l) => JSON.parse(l).step <= 1), "the old run's lines are gone");
  assert.match(await Deno.readTextFile(`${out}/config.yaml`), /^steps: 1$/m);
});

/** A rejection check: a ConfigError of one line matching `re`. */
const oneLine = (re: RegExp) => (e: Error) =>
  e instanceof ConfigError && re.test(e.message) && !e.message.includes("\n");

Deno.test("command: unknown flags and bad values name the flag in one line", async () => {
  await assert.rejects(() => main(["--stpes", "3"]), oneLine(/^--stpes: unknown flag/));
  await assert.rejects(
    () => main(["--steps", "x"]),
    oneLine(/^--steps: expected an integer ≥ 1, got "x"/),
  );
  await assert.rejects(
    () => main(["--backend", "tpu"]),
    oneLine(/^--backend: expected auto, cpu or webgpu/),
  );
  await assert.rejects(() => main(["--steps"]), oneLine(/^--steps: expected a value/));
  await assert.rejects(() => main(["extra"]), oneLine(/^extra: unexpected argument/));
  await assert.rejects(
    () => main(["--config", "configs/none.yaml"]),
    oneLine(/^configs\/none\.yaml: cannot read config file/),
  );
});

Deno.test("command: runs the tiny config end to end and publishes the checkpoint", async () => {
  const tmp = Deno.makeTempDirSync();
  const run = (...extra: string[]) =>
    captured(() =>
      main([
        "--config",
        "configs/pretrain_tiny.yaml",
        "--out",
        `${tmp}/run`,
        "--backend",
        "cpu",
        ...extra,
      ])
    );
  const lines = (await run("--publish", `${tmp}/base`)).split("\n");
  // one line on the run; the resolved config goes to <out>/config.yaml
  assert.ok(lines.some((l) => /^pretrain: \d+ steps .*full config: .*run\/config\.yaml/.test(l)));
  assert.match(Deno.readTextFileSync(`${tmp}/run/config.yaml`), /^data:\n/);
  assert.ok(lines.some((l) => l.startsWith("backend: cpu")));
  const files = [...Deno.readDirSync(`${tmp}/base`)].map((e) => e.name).sort();
  assert.deepEqual(files, [
    "checksums.json",
    "config.json",
    "config.yaml",
    "model.safetensors",
    "state.json",
    "tokenizer.json",
    "training_log.jsonl",
  ]);
  // a finished run is published again with --resume --publish, without training
  const again = (await run("--resume", "--publish", `${tmp}/again`)).split("\n");
  assert.match(again.at(-1)!, /^the run is finished \((\d+)\/\1 steps\); published: .*again$/);
  assert.deepEqual(
    Deno.readFileSync(`${tmp}/again/model.safetensors`),
    Deno.readFileSync(`${tmp}/base/model.safetensors`),
  );
  assert.equal(
    Deno.readTextFileSync(`${tmp}/again/config.yaml`),
    Deno.readTextFileSync(`${tmp}/run/config.yaml`),
  );
  // publishing the same model again refreshes it and keeps what was made for it
  Deno.writeTextFileSync(`${tmp}/again/eval.json`, "{}\n");
  await run("--resume", "--publish", `${tmp}/again`);
  assert.equal(Deno.readTextFileSync(`${tmp}/again/eval.json`), "{}\n");
  // another model in the way is refused, and nothing there changes
  const other = `${tmp}/other`;
  Deno.mkdirSync(other);
  Deno.writeTextFileSync(
    `${other}/checksums.json`,
    JSON.stringify({ "model.safetensors": "ab".repeat(32) }),
  );
  await assert.rejects(
    () => run("--resume", "--publish", other),
    oneLine(
      /^--publish: .*other holds another model \(weights abababababab…, this run's [0-9a-f]{12}…\); remove it first/,
    ),
  );
  assert.deepEqual([...Deno.readDirSync(other)].map((e) => e.name), ["checksums.json"]);
  // so is anything that is not a checkpoint, and, before any training, any existing directory
  Deno.removeSync(`${other}/checksums.json`);
  await assert.rejects(
    () => run("--resume", "--publish", other),
    oneLine(/^--publish: .*other exists and is not a checkpoint; publish elsewhere$/),
  );
  await assert.rejects(
    () => run("--force", "--publish", `${tmp}/again`),
    oneLine(/^--publish: .*again exists; a run publishes into a new directory/),
  );
  assert.ok(Deno.statSync(`${tmp}/run/checkpoint`).isDirectory, "the run was not restarted");
  Deno.removeSync(tmp, { recursive: true });
});

Deno.test("pretrain main() refuses --init without a checkpoint or of another model before printing anything", async () => {
  const tiny = `${repo}/configs/pretrain_tiny.yaml`;
  const cases: [string, RegExp][] = [
    [
      "no-such-checkpoint",
      /^error: --init: no-such-checkpoint: no checkpoint here \(missing directory\)$/,
    ],
    [base, /^error: --init: .*\/base has model\.contextLength 96, the config asks for 128$/],
    ["", /^error: --init: expected a checkpoint directory, got ""$/],
  ];
  for (const [init, what] of cases) {
    const r = await cli(["pretrain", "--config", tiny, "--backend", "cpu", "--init", init]);
    assert.equal(r.code, 1, init);
    assert.equal(r.stdout, "", `${init}: nothing, not even the device line, before the error`);
    const errors = r.stderr.trim().split("\n");
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, what);
  }
  assert.match(await captured(() => main(["--help"])), /--init DIR .*fresh optimizer/);
});

Deno.test("pretrain main() continues from --init with the checkpoint's step in the start lines", async () => {
  const tiny = `${repo}/configs/pretrain_tiny.yaml`;
  const out = `${dir}/runs/pretrain-init`;
  const args = ["--config", tiny, "--backend", "cpu", "--steps", "2"];
  await captured(() => main([...args, "--out", `${out}/a`]));
  const printed = await captured(() =>
    main([...args, "--out", `${out}/b`, "--init", `${out}/a/checkpoint`])
  );
  assert.match(printed, /^pretrain: 2 steps .*; weights from .*\/a\/checkpoint$/m);
  assert.match(printed, /^initialised from .*\/a\/checkpoint \(step 2\)$/m);
  assert.match(await Deno.readTextFile(`${out}/b/config.yaml`), /^init: .*\/a\/checkpoint$/m);
});
