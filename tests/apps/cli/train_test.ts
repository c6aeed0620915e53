/**
 * `lib/apps/cli/train.ts` and `cli.ts train`: an empty config is refused, a bad checkpoint or
 * corpus is one line on stderr before anything else is printed, `--checkpoint` and `--corpus`
 * are taken, and what `train` writes can be evaluated without `eval` writing into it.
 */
import assert from "node:assert/strict";
import { main as trainMain } from "../../../lib/apps/cli/train.ts";
import { main as evalMain } from "../../../lib/apps/cli/eval.ts";
import { base, captured, cli, corpus, dir, repo, tinyYaml } from "./_cli.ts";
import { ConfigError } from "../../../lib/util/config.ts";
import { CheckpointError } from "../../../lib/model/checkpoint.ts";

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
    assert.equal(r.stdout, "", "nothing, not even the device line, before the error");
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

/** Runs `main` and returns the one-line error it throws. */
async function cliError(args: string[]): Promise<Error> {
  const log = console.log;
  console.log = () => {};
  try {
    await trainMain(args);
  } catch (e) {
    return e as Error;
  } finally {
    console.log = log;
  }
  throw new Error(`main(${args.join(" ")}) did not throw`);
}

Deno.test("train main() gives a one-line error for a bad config value, a missing checkpoint, a misspelt flag or an unreadable config", async () => {
  const bad = `${dir}/bad.yaml`;
  await Deno.writeTextFile(
    bad,
    "extends: " + repo + "/configs/rmt.yaml\nmethod:\n  budget: fixed\n",
  );
  const e1 = await cliError(["--config", bad, "--backend", "cpu"]);
  assert.ok(e1 instanceof ConfigError);
  assert.match(e1.message, /^train\.method\.budget: expected "dynamic" or "none", got "fixed"$/);

  const missing = `${dir}/missing.yaml`;
  await Deno.writeTextFile(missing, `baseCheckpoint: ${dir}/no-such-base\nout: ${dir}/m\n`);
  const e2 = await cliError(["--config", missing, "--backend", "cpu"]);
  assert.ok(e2 instanceof CheckpointError);
  assert.ok(!e2.message.includes("\n"));
  assert.match(e2.message, /no base checkpoint; run `deno task pretrain` first/);

  const e3 = await cliError(["--config", `${repo}/configs/rmt.yaml`, "--stpes", "3"]);
  assert.ok(e3 instanceof ConfigError);
  assert.match(e3.message, /^--stpes: unknown flag/);

  const e4 = await cliError(["--config", `${dir}/nope.yaml`]);
  assert.match(e4.message, /nope\.yaml: cannot read config file/);
});
