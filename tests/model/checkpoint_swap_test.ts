/**
 * `lib/model/checkpoint_swap.ts`: a save killed at any stage leaves a complete copy that loading
 * finds and the next save cleans up; which leftover copy is complete; the manifest's digests.
 */
import assert from "node:assert/strict";
import {
  findCheckpoint,
  loadCheckpoint,
  recoverCheckpoint,
  saveCheckpoint,
  type SaveStage,
} from "../../lib/model/checkpoint.ts";
import { MANIFEST, sha256Hex } from "../../lib/model/checkpoint_swap.ts";
import { GPT } from "../../lib/model/gpt.ts";
import { tinyConfig } from "../_helpers/tiny_model.ts";
import { siblings } from "./_checkpoint.ts";

/** Runs `_crash_save.ts`: a save of step `step` into `dir`, killed at `stage`. */
async function crashedSave(dir: string, step: number, stage: SaveStage): Promise<void> {
  const script = new URL("./_crash_save.ts", import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, dir, String(step), stage],
    stdout: "null",
    stderr: "inherit",
  }).output();
  assert.equal(code, 9, `the save did not stop at ${stage}`);
}

Deno.test("loadCheckpoint() finds a complete copy when a save was killed at any stage", async () => {
  const expected: Record<SaveStage, number> = {
    partial: 1, // the new copy is incomplete: the old one is still in place
    written: 1, // complete but not swapped in: the old one is still in place
    "moved-aside": 2, // between the two renames: only the complete new copy has no other name
    "in-place": 2, // swapped in, the old copy not yet removed
  };
  for (const [stage, step] of Object.entries(expected) as [SaveStage, number][]) {
    const dir = `${await Deno.makeTempDir()}/checkpoint`;
    const model = new GPT(tinyConfig({ seed: 1 }));
    await saveCheckpoint(dir, { model, tokenizerJson: null, state: { step: 1 } });
    model.dispose();
    await crashedSave(dir, 2, stage);
    assert.ok((await siblings(dir)).length > 1, `${stage}: the crash left no leftover`);
    const found = await findCheckpoint(dir);
    assert.notEqual(found, null, stage);
    const ck = await loadCheckpoint(dir); // reads through the leftovers, moves nothing
    assert.equal(ck.state.step, step, stage);
    ck.model.dispose();
    assert.equal(await recoverCheckpoint(dir), true, stage);
    assert.deepEqual(await siblings(dir), ["checkpoint"], `${stage}: leftovers removed`);
    const again = await loadCheckpoint(dir);
    assert.equal(again.state.step, step, stage);
    // the next save also starts by cleaning up
    await crashedSave(dir, 3, "partial");
    await saveCheckpoint(dir, { model: again.model, tokenizerJson: null, state: { step: 4 } });
    assert.deepEqual(await siblings(dir), ["checkpoint"], `${stage}: save cleans up`);
    again.model.dispose();
  }
});

Deno.test("sha256Hex() gives the FIPS 180-2 test vectors' digests", async () => {
  const enc = new TextEncoder();
  assert.equal(
    await sha256Hex(enc.encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    await sha256Hex(new Uint8Array()),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

Deno.test("findCheckpoint() takes the newest .tmp copy whose checksums verify, else .old", async () => {
  const parent = await Deno.makeTempDir({ prefix: "rmt-swap-" });
  const dir = `${parent}/ck`;
  /** A copy holding state.json at `step`; its manifest right, or wrong when `corrupt`. */
  const copy = async (path: string, step: number, corrupt = false) => {
    await Deno.mkdir(path);
    const state = new TextEncoder().encode(JSON.stringify({ step }));
    await Deno.writeFile(`${path}/state.json`, state);
    const sum = corrupt ? "0".repeat(64) : await sha256Hex(state);
    await Deno.writeTextFile(`${path}/${MANIFEST}`, JSON.stringify({ "state.json": sum }));
  };
  assert.equal(await findCheckpoint(dir), null);
  await copy(`${dir}.old`, 1);
  assert.equal(await findCheckpoint(dir), `${dir}.old`);
  await copy(`${dir}.tmp-11`, 2);
  await copy(`${dir}.tmp-12`, 3);
  await copy(`${dir}.tmp-13`, 4, true); // the newest step, but its checksum fails
  assert.equal(await findCheckpoint(dir), `${dir}.tmp-12`);
  assert.equal(await recoverCheckpoint(dir), true);
  assert.deepEqual(await siblings(dir), ["ck"]);
  assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/state.json`)).step, 3);
  assert.equal(await findCheckpoint(dir), dir, "a checkpoint in place is taken as it is");
  await Deno.remove(parent, { recursive: true });
});
