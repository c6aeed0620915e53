/**
 * Command-line entry point: `deno run -A cli.ts <command> [flags]`, wrapped by the tasks in
 * `deno.json` (`deno task train`, `pretrain`, `eval`, `sample`, …). Each command lives in
 * `lib/cli/<command>.ts` and exports `main(args)`. Bad input (flags, configs, corpora,
 * checkpoints, tokenizer files) ends with a one-line error naming what was wrong, never a stack
 * trace (set `RMT_DEBUG=1` to see one).
 *
 * @module
 */

/** The commands and the module that runs each. */
const COMMANDS: Record<string, { module: string; help: string }> = {
  train: {
    module: "./lib/apps/cli/train.ts",
    help: "RMT mid-training (configs/rmt.yaml by default)",
  },
  pretrain: { module: "./lib/apps/cli/pretrain.ts", help: "pre-train the base model" },
  sweep: { module: "./lib/apps/cli/sweep.ts", help: "size the base: pre-train a grid of shapes" },
  eval: {
    module: "./lib/apps/cli/eval.ts",
    help: "next-token accuracy by tier, NTP and NTR modes",
  },
  sample: { module: "./lib/apps/cli/sample.ts", help: "sample from a checkpoint" },
  export: {
    module: "./lib/apps/cli/export.ts",
    help: "write a checkpoint as a Hugging Face directory",
  },
  posttrain: {
    module: "./lib/apps/cli/posttrain.ts",
    help: "GRPO post-training on math questions",
  },
  experiment: {
    module: "./lib/apps/cli/experiment.ts",
    help: "every method and ablation, several seeds, report",
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.help}`);
  return `usage: deno task <command> [flags]\n\ncommands:\n${lines.join("\n")}\n\n` +
    "deno task <command> --help lists the command's flags, what each does and its default.\n";
}

async function run(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    console.log(usage());
    return 0;
  }
  const entry = COMMANDS[command];
  if (entry === undefined) {
    console.error(
      `error: unknown command "${command}" (expected one of: ${Object.keys(COMMANDS).join(", ")})`,
    );
    return 2;
  }
  let mod: { main(args: string[]): Promise<void> };
  try {
    mod = await import(entry.module);
  } catch (e) {
    if (Deno.env.get("RMT_DEBUG")) throw e;
    console.error(`error: command "${command}" is not available in this build (${firstLine(e)})`);
    return 2;
  }
  try {
    await mod.main(rest);
    return 0;
  } catch (e) {
    if (Deno.env.get("RMT_DEBUG")) throw e;
    console.error(`\nerror: ${firstLine(e)}`);
    return 1;
  }
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0];
}

if (import.meta.main) Deno.exit(await run(Deno.args));
