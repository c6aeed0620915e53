/** `lib/apps/cli/posttrain.ts`: bad flags and an empty config are one-line errors. */
import assert from "node:assert/strict";
import { main } from "../../../lib/apps/cli/posttrain.ts";
import { dir } from "./_cli.ts";

Deno.test("posttrain main() names a bad flag value, an empty config and an empty --checkpoint", async () => {
  await assert.rejects(
    () => main(["--steps", "0"]),
    /^ConfigError: --steps: expected an integer ≥ 1, got "0"/,
  );
  await assert.rejects(() => main(["--stpes", "3"]), /--stpes: unknown flag/);
  const empty = `${dir}/empty-posttrain.yaml`;
  await Deno.writeTextFile(empty, "\n");
  await assert.rejects(
    () => main(["--config", empty]),
    /^ConfigError: .*empty-posttrain\.yaml: empty config file \(no settings\); pass --config configs\/posttrain\.yaml/,
  );
  await assert.rejects(
    () => main(["--config", "configs/posttrain.yaml", "--checkpoint", ""]),
    /^ConfigError: --checkpoint: expected a directory$/,
  );
});
