/** `lib/apps/cli/export.ts`: both directories are required; a learned-position GPT exports. */
import assert from "node:assert/strict";
import { main } from "../../../lib/apps/cli/export.ts";
import { base, captured, dir } from "./_cli.ts";

Deno.test("export main() asks for --checkpoint and --out, then writes a transformers directory", async () => {
  await assert.rejects(() => main([]), /^ConfigError: --checkpoint: expected a directory/);
  await assert.rejects(
    () => main(["--checkpoint", base]),
    /^ConfigError: --out: expected a directory/,
  );
  const out = `${dir}/hf`;
  const printed = await captured(() => main(["--checkpoint", base, "--out", out]));
  assert.match(printed, new RegExp(`^exported ${base} as GPT2LMHeadModel to ${out}$`, "m"));
  const files = printed.match(/^files: (.*)$/m)![1].split(", ");
  assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), [...files].sort());
  assert.ok(files.includes("config.json") && files.includes("model.safetensors"));
  assert.equal(JSON.parse(Deno.readTextFileSync(`${out}/config.json`)).model_type, "gpt2");
});
