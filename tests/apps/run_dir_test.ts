/**
 * `lib/apps/run_dir.ts`: a run directory that holds a run is refused unless resumed or forced;
 * forcing deletes only the run's files; resuming puts back a checkpoint a crashed save moved aside.
 */
import assert from "node:assert/strict";
import { prepareRunDir, RUN_FILES } from "../../lib/apps/run_dir.ts";

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("prepareRunDir() refuses a run directory naming the checkpoint's step and metrics lines", async () => {
  const out = await Deno.makeTempDir({ prefix: "rmt-run-dir-" });
  await Deno.mkdir(`${out}/checkpoint`);
  await Deno.writeTextFile(`${out}/checkpoint/state.json`, JSON.stringify({ step: 7 }));
  await Deno.writeTextFile(`${out}/metrics.jsonl`, '{"step":0}\n{"step":1}\n\n');
  await assert.rejects(
    () => prepareRunDir(out),
    (e: Error) =>
      e.name === "ConfigError" && !e.message.includes("\n") &&
      e.message.startsWith(
        `${out}: holds a run (a checkpoint at step 7 and metrics.jsonl with 2 lines); pass --resume`,
      ),
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("prepareRunDir() with force deletes the checkpoint and the run's files, nothing else", async () => {
  const out = await Deno.makeTempDir({ prefix: "rmt-run-dir-" });
  await Deno.mkdir(`${out}/checkpoint`);
  await Deno.mkdir(`${out}/checkpoint.old`); // a crashed save's leftover
  for (const f of RUN_FILES) await Deno.writeTextFile(`${out}/${f}`, "x\n");
  await Deno.writeTextFile(`${out}/notes.txt`, "mine");
  await prepareRunDir(out, { force: true });
  assert.deepEqual(names(out), ["notes.txt"]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("prepareRunDir() with resume puts back the checkpoint a save moved aside", async () => {
  const out = await Deno.makeTempDir({ prefix: "rmt-run-dir-" });
  await Deno.mkdir(`${out}/checkpoint.old`);
  await Deno.writeTextFile(`${out}/checkpoint.old/state.json`, JSON.stringify({ step: 3 }));
  await Deno.writeTextFile(`${out}/metrics.jsonl`, '{"step":3}\n');
  await prepareRunDir(out, { resume: true });
  assert.deepEqual(names(out), ["checkpoint", "metrics.jsonl"]);
  assert.equal(JSON.parse(await Deno.readTextFile(`${out}/checkpoint/state.json`)).step, 3);
  await Deno.remove(out, { recursive: true });
});
