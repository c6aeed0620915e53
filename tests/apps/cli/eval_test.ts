/**
 * `lib/apps/cli/eval.ts`: bad flags are one-line errors naming the flag; a checkpoint that
 * records no held-out documents needs `--corpus`.
 */
import assert from "node:assert/strict";
import { defaultEvalOut, finalBudgetOf, main } from "../../../lib/apps/cli/eval.ts";
import { base, captured, cli, corpus, dir, repo } from "./_cli.ts";

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
    () => captured(() => main(args)),
    /bare\/state\.json: records no held-out documents; pass --corpus FILE/,
  );
  const evaluated = await cli(["eval", ...args, "--corpus", corpus]); // default --out, in dir
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const report = JSON.parse(await Deno.readTextFile(`${dir}/runs/eval/${bare.slice(1)}/eval.json`));
  assert.equal(report.corpus.documents, 4);
});

Deno.test("evaluation command: bad flags are one-line errors naming the flag", async () => {
  await assert.rejects(
    () => main(["--checkpoint", "x", "--positions", "0"]),
    /^ConfigError: --positions: expected an integer ≥ 1/,
  );
  await assert.rejects(
    () => main(["--checkpoint", "x", "--budget", "lots"]),
    /--budget: expected an integer ≥ 1, got "lots"/,
  );
  await assert.rejects(
    () => main(["--checkpoint", "x", "--examples", "some"]),
    /^ConfigError: --examples: expected an integer ≥ 0, got "some"/,
  );
  await assert.rejects(
    () => main(["--checkpoint", "x", "--temprature", "1"]),
    /--temprature: unknown flag/,
  );
  await assert.rejects(
    () => main(["--checkpoint", "/nonexistent/ck", "--backend", "cpu"]),
    (e: Error) =>
      /\/nonexistent\/ck: no checkpoint here/.test(e.message) && !e.message.includes("\n"),
  );
});

Deno.test("defaultEvalOut() puts the evaluation of a checkpoint under runs/eval/ at its normalised path", () => {
  assert.equal(defaultEvalOut("runs/rmt/checkpoint"), "runs/eval/runs/rmt/checkpoint");
  assert.equal(defaultEvalOut("/abs/./base//"), "runs/eval/abs/base");
  assert.equal(defaultEvalOut("a/b/../../c"), "runs/eval/c");
  assert.equal(defaultEvalOut("../up"), "runs/eval/up", "never above runs/eval");
});

Deno.test("cli.ts eval, sample and posttrain print a missing checkpoint as one line and nothing else", async () => {
  for (
    const args of [
      ["eval", "--checkpoint", `${dir}/no-such-checkpoint`],
      ["eval", "--checkpoint", base, "--tiers-from", `${dir}/no-such-checkpoint`],
      ["sample", "--checkpoint", `${dir}/no-such-checkpoint`, "--prompt", "1 + 1 ="],
      [
        "posttrain",
        "--config",
        `${repo}/configs/posttrain.yaml`,
        "--checkpoint",
        `${dir}/no-such-checkpoint`,
      ],
    ]
  ) {
    const r = await cli([...args, "--backend", "cpu"]);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.stdout, "", `${args.join(" ")}: nothing before the error`);
    const errors = r.stderr.trim().split("\n");
    assert.equal(errors.length, 1, r.stderr);
    assert.match(
      errors[0]!,
      /^error: --(checkpoint|tiers-from): .*no-such-checkpoint: no checkpoint here/,
    );
  }
});

Deno.test("finalBudgetOf() is B_T of the schedule a trained checkpoint records, else of the defaults", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await finalBudgetOf(dir), 43); // no state.json (a Hugging Face directory): ⌊218·0.2⌋
    const write = (budget: unknown) =>
      Deno.writeTextFile(
        `${dir}/state.json`,
        JSON.stringify({ step: 3, config: { rmt: { budget } } }),
      );
    await write({ b0: 100, bMin: 1, gamma: 0.5, k: 1 });
    assert.equal(await finalBudgetOf(dir), 50);
    await write({ b0: 100, bMin: 60, gamma: 0.5, k: 1 });
    assert.equal(await finalBudgetOf(dir), 60); // B_min wins
    await write({ b0: -1 });
    await assert.rejects(
      () => finalBudgetOf(dir),
      /state\.json: config\.rmt\.budget\.b0: expected/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
