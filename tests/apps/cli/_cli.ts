/**
 * Shared setup of the command tests (`lib/apps/cli/`, `cli.ts`): a temporary directory holding a
 * tiny base checkpoint that records its corpus (as pre-training does) and a four-document corpus
 * file, a tiny train config writer, console capture and a `cli.ts` subprocess runner.
 *
 * @module
 */
import { stringify } from "yaml";
import { TINY_RMT } from "../../_helpers/tiny_train.ts";
import { tinyBase } from "../../_helpers/tiny_experiment.ts";

export const repo = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
export const dir = await Deno.makeTempDir({ prefix: "rmt-cli-test-" });
export const base = await tinyBase(dir); // records its corpus, as pre-training does
export const corpus = `${dir}/corpus.txt`;
await Deno.writeTextFile(corpus, "1+2=3\n\n4+5=9\n\n7+1=8\n\n2+2=4\n");

/** A tiny train config (steps, prompts, groups) in YAML, written to `<dir>/<name>.yaml`. */
export async function tinyYaml(name: string, extra: Record<string, unknown> = {}): Promise<string> {
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
export async function captured(fn: () => Promise<void>): Promise<string> {
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
export async function cli(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${repo}/deno.json`, `${repo}/cli.ts`, ...args],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}
