/**
 * Tests of `deno task sweep` (`lib/apps/cli/sweep.ts`): the help lists every flag with its
 * meaning and default, bad flags and configs end with one line naming them before anything is
 * printed, and a one-cell tiny sweep through `cli.ts` writes its results and skips them after.
 *
 * @module
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { main, SWEEP_COMMAND } from "../../../lib/apps/cli/sweep.ts";

const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

/** Runs `deno run -A cli.ts sweep <args>` in `cwd`: stdout, stderr and the exit code. */
async function sweep(args: string[], cwd: string) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${repo}/deno.json`, `${repo}/cli.ts`, "sweep", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

Deno.test("main() --help lists every flag with its meaning and default", async () => {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await main(["--help"]);
  } finally {
    console.log = log;
  }
  const help = lines.join("\n");
  assert.match(help, /^deno task sweep: /);
  for (const [name, f] of Object.entries(SWEEP_COMMAND.flags)) {
    assert.match(help, new RegExp(`--${name}[^\\n]*${f.help.slice(0, 20)}`), name);
  }
  assert.match(help, /--config FILE +.*\(default: configs\/sweep_base\.yaml\)/);
  assert.match(help, /--out DIR +.*\(default: runs\/sweep\)/);
  assert.match(help, /--resume +.*\(default: off\)/);
  assert.match(help, /--backend auto\|cpu\|webgpu +.*\(default: the base config's backend\)/);
});

Deno.test("sweep fails with one line naming the flag or field, before anything is printed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-sweep-cli-test-" });
  const both = `${dir}/both.yaml`;
  await Deno.writeTextFile(
    both,
    stringify({
      base: `${repo}/configs/pretrain_tiny.yaml`,
      grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }],
      budget: { minutes: 1, tokens: 100 },
    }),
  );
  const valid = `${dir}/valid.yaml`;
  await Deno.writeTextFile(
    valid,
    stringify({
      base: `${repo}/configs/pretrain_tiny.yaml`,
      grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }],
      budget: { tokens: 100 },
    }),
  );
  await Deno.mkdir(`${dir}/out/L1-E16-H2`, { recursive: true });
  await Deno.writeTextFile(`${dir}/out/L1-E16-H2/sweep_cell.json`, "{}\n"); // a started cell
  const cases: [string[], RegExp][] = [
    [
      ["--config", valid, "--out", "out"],
      /^error: out\/L1-E16-H2: holds an unfinished cell; --resume continues it/,
    ],
    [["--stpes", "3"], /^error: --stpes: unknown flag \(deno task sweep --help lists the flags\)$/],
    [["--backend", "gpu"], /^error: --backend: expected auto, cpu or webgpu, got "gpu"$/],
    [["--config", "no/such.yaml"], /^error: no\/such\.yaml: cannot read config file/],
    [["--config", both], /^error: .*both\.yaml\.budget\.tokens: expected null when minutes is set/],
  ];
  for (const [args, message] of cases) {
    const r = await sweep(args, dir);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.stdout, "", args.join(" "));
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], message);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sweep runs a one-cell tiny grid into --out and skips the finished cell when rerun", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-sweep-cli-test-" });
  const config = `${dir}/tiny.yaml`;
  await Deno.writeTextFile(
    config,
    stringify({
      base: `${repo}/configs/pretrain_tiny.yaml`,
      pretrain: { evalEvery: 0, checkpointEvery: 0 },
      grid: [{ nLayer: 1, nEmbd: 16, nHead: 2 }],
      budget: { tokens: 512 },
      eval: { positions: 2, maxNewTokens: 4, batchSize: 8 },
    }),
  );
  const args = ["--config", config, "--out", "out", "--backend", "cpu"];
  const first = await sweep(args, dir);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^backend: cpu /);
  assert.match(
    first.stdout,
    /sweep: 1 cells \(L1-E16-H2\) on .*pretrain_tiny\.yaml, 512 tokens each/,
  );
  const [record] = Deno.readTextFileSync(`${dir}/out/results.jsonl`).trim().split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(record.cell, "L1-E16-H2");
  assert.equal(record.tokens, 512);
  assert.match(Deno.readTextFileSync(`${dir}/out/results.md`), /\| L1-E16-H2 /);
  const second = await sweep(args, dir);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /L1-E16-H2: done \(in out\/results\.jsonl\), skipped/);
  await Deno.remove(dir, { recursive: true });
});
