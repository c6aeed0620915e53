/**
 * `lib/apps/cli/experiment.ts`: bad flags are one-line errors; `--report-only` writes the results
 * files from the records there are (none yet here) without running anything.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { main } from "../../../lib/apps/cli/experiment.ts";
import { tinyExperiment } from "../../_helpers/tiny_experiment.ts";
import { captured, dir } from "./_cli.ts";

const config = `${dir}/experiment.yaml`;
await Deno.writeTextFile(config, stringify(tinyExperiment(dir, ["ntp_base", "rmt"])));

Deno.test("experiment main() names a bad flag value, an unknown row and an empty --out", async () => {
  await assert.rejects(
    () => main(["--config", config, "--seeds", "0"]),
    /^ConfigError: --seeds: expected an integer ≥ 1, got "0"/,
  );
  await assert.rejects(() => main(["--config", config, "--rows", "rmt,nope"]), /experiment\.rows/);
  await assert.rejects(
    () => main(["--config", config, "--out", ""]),
    /^ConfigError: --out: expected a directory$/,
  );
});

Deno.test("experiment main() --report-only writes the results from the records there are", async () => {
  const out = await captured(() => main(["--config", config, "--report-only"]));
  // ntp_base is deterministic (one seed), rmt runs at 2 seeds: 3 planned runs
  assert.equal(
    out,
    `wrote ${dir}/docs/results.md and ${dir}/docs/results/report.html from 0/3 records`,
  );
  const md = await Deno.readTextFile(`${dir}/docs/results.md`);
  assert.ok(md.length > 0);
  assert.ok(
    (await Deno.readTextFile(`${dir}/docs/results/report.html`)).startsWith("<!DOCTYPE html>"),
  );
});
