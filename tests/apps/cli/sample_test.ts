/**
 * `lib/apps/cli/sample.ts`: missing or bad flags are one-line errors before anything is loaded; a
 * prompt that fills the window is refused; a greedy sample prints the prompt and its completion.
 */
import assert from "node:assert/strict";
import { main } from "../../../lib/apps/cli/sample.ts";
import { base, captured } from "./_cli.ts";

Deno.test("sample main() asks for --checkpoint and --prompt, and names a bad flag value", async () => {
  await assert.rejects(() => main([]), /^ConfigError: --checkpoint: expected a directory/);
  await assert.rejects(
    () => main(["--checkpoint", base]),
    /^ConfigError: --prompt: expected a non-empty text/,
  );
  await assert.rejects(
    () => main(["--checkpoint", base, "--prompt", "1+", "--max-new", "0"]),
    /^ConfigError: --max-new: expected an integer ≥ 1, got "0"/,
  );
  await assert.rejects(
    () => main(["--checkpoint", base, "--prompt", "1+", "--temperature", "-1"]),
    /^ConfigError: --temperature: /,
  );
});

Deno.test("sample main() refuses a prompt that leaves no room in the window and prints a greedy completion", async () => {
  const args = ["--checkpoint", base, "--backend", "cpu", "--temperature", "0"];
  await assert.rejects(
    () => captured(() => main([...args, "--prompt", "7".repeat(96)])),
    /^ConfigError: --prompt: 96 tokens do not leave room in the 96-token window$/,
  );
  const out = await captured(() => main([...args, "--prompt", "1+2=", "--max-new", "3"]));
  assert.match(out, /^--- prompt \(4 tokens\)\n1\+2=$/m, "byte-level: one token per character");
  const n = Number(out.match(/^--- completion \((\d+) tokens\)$/m)![1]);
  assert.ok(n >= 1 && n <= 3, out);
  const again = await captured(() => main([...args, "--prompt", "1+2=", "--max-new", "3"]));
  const completion = (s: string) => s.split("--- completion")[1].split("\n--- ")[0];
  assert.equal(completion(again), completion(out), "greedy: the same completion");
});
