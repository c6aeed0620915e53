/**
 * Checkpoints (`lib/model/checkpoint.ts`): a round trip is
 * bit-exact (weights, AdamW moments and step, state, tokenizer); truncated, corrupted or
 * malformed files fail with one line naming the file; loading never writes, and a failed save
 * leaves the existing checkpoint as it was. (A save killed at any stage: checkpoint_swap_test.ts.)
 */
import assert from "node:assert/strict";
import {
  CheckpointError,
  loadCheckpoint,
  loadOptimizerState,
  saveCheckpoint,
} from "../../lib/model/checkpoint.ts";
import { GPT } from "../../lib/model/gpt.ts";
import { decodeSafetensors, encodeSafetensors } from "../../lib/model/safetensors.ts";
import { AdamW } from "../../lib/engine/optim/adamw.ts";
import { noGrad, tidy } from "../../lib/engine/tensor.ts";
import { ids, tinyConfig } from "../_helpers/tiny_model.ts";
import { siblings } from "./_checkpoint.ts";

const tokenizerJson = { kind: "bpe", merges: [[1, 2]], special: { "<pad>": 0 } };

/** A trained-for-two-steps tiny model with its optimizer, saved to a fresh directory. */
async function savedCheckpoint(): Promise<{ dir: string; model: GPT; opt: AdamW }> {
  const model = new GPT(tinyConfig({ positional: "rope" }));
  const opt = new AdamW(model.parameters(), { lr: 1e-2 });
  for (let i = 0; i < 2; i++) {
    const loss = model.forward(ids([[1, 2, 3, 4]])).crossEntropy(ids([[2, 3, 4, 5]])).mean();
    loss.backward();
    noGrad(() => tidy(() => opt.step()));
    opt.zeroGrad();
  }
  const dir = `${await Deno.makeTempDir()}/ckpt`;
  await saveCheckpoint(dir, {
    model,
    tokenizerJson,
    optimizer: opt,
    state: { step: 2, seeds: { data: 5 }, metrics: { loss: [3.1, 3.0] } },
  });
  return { dir, model, opt };
}

async function bytesOf(path: string): Promise<Uint8Array> {
  return await Deno.readFile(path);
}

async function snapshot(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) out.set(e.name, await bytesOf(`${dir}/${e.name}`));
  return out;
}

/** Asserts a one-line CheckpointError whose message names `file` and matches `what`. */
async function rejectsNaming(fn: () => Promise<unknown>, file: string, what: RegExp) {
  await assert.rejects(fn, (e: Error) => {
    assert.ok(e instanceof CheckpointError, `${e.name}: ${e.message}`);
    assert.ok(!e.message.includes("\n"), `not one line: ${e.message}`);
    assert.ok(e.message.includes(file), `does not name ${file}: ${e.message}`);
    assert.match(e.message, what);
    return true;
  });
}

Deno.test("saveCheckpoint/loadCheckpoint round trip is bit-exact", async () => {
  const { dir, model, opt } = await savedCheckpoint();
  assert.deepEqual((await siblings(dir)).length, 1); // no temporary directories left
  const ck = await loadCheckpoint(dir);
  assert.deepEqual(ck.modelConfig, model.config);
  assert.deepEqual(ck.tokenizerJson, tokenizerJson);
  assert.deepEqual(ck.state, { step: 2, seeds: { data: 5 }, metrics: { loss: [3.1, 3.0] } });
  const want = model.namedParameters();
  const got = ck.model.namedParameters();
  assert.deepEqual(got.map((p) => p.name), want.map((p) => p.name));
  for (let i = 0; i < want.length; i++) {
    assert.deepEqual(await got[i].tensor.toArray(), await want[i].tensor.toArray(), want[i].name);
  }
  // Optimizer moments and step, then into a fresh AdamW.
  assert.equal(ck.optimizer?.step, 2);
  const opt2 = new AdamW(ck.model.parameters(), { lr: 1e-2 });
  loadOptimizerState(opt2, ck);
  assert.equal(opt2.stepCount, 2);
  for (let i = 0; i < opt.m.length; i++) {
    assert.deepEqual(await opt2.m[i].toArray(), await opt.m[i].toArray());
    assert.deepEqual(await opt2.v[i].toArray(), await opt.v[i].toArray());
  }
  // Same logits from the loaded model.
  const x = ids([[5, 6, 7]]);
  assert.deepEqual(
    await noGrad(() => ck.model.forward(x)).toArray(),
    await noGrad(() => model.forward(x)).toArray(),
  );
  // Saving over an existing checkpoint replaces it; `optimizer: false` skips the moments.
  await saveCheckpoint(dir, { model, tokenizerJson: null, state: { step: 3 } });
  const again = await loadCheckpoint(dir, { optimizer: false });
  assert.equal(again.optimizer, undefined);
  assert.deepEqual(again.state, { step: 3 });
  assert.deepEqual((await siblings(dir)).length, 1);
  await rejectsNaming(
    () => loadCheckpoint(dir, { optimizer: true }),
    `${dir}/optimizer.safetensors`,
    /missing/,
  );
  for (const m of [model, ck.model, again.model]) m.dispose();
});

Deno.test("loadCheckpoint rejects truncated, corrupted and malformed files, naming the file", async () => {
  const { dir, model } = await savedCheckpoint();
  const weights = `${dir}/model.safetensors`;
  const original = await snapshot(dir);
  const good = original.get("model.safetensors")!;
  const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true));
  const cases: [string, Uint8Array | string, RegExp][] = [
    ["model.safetensors", good.subarray(0, good.length - 10), /truncated/],
    ["model.safetensors", good.subarray(0, 5), /truncated/],
    ["model.safetensors", good.subarray(0, 100), /truncated: header length/],
    ["model.safetensors", flip(good, good.length - 3), /corrupted: data checksum/],
    ["model.safetensors", flip(good, 8), /invalid header JSON/],
    ["model.safetensors", flip(good, 8 + 2), /missing tensor "wte.weight"/],
    ["model.safetensors", flip(good, 8 + headerLength + 4), /corrupted/],
    ["optimizer.safetensors", flip(original.get("optimizer.safetensors")!, 200), /./],
    ["config.json", "{ nLayer: 2", /invalid JSON/],
    ["config.json", '{ "nLayer": 0 }', /model.nLayer: expected a positive integer/],
    ["state.json", "[1, 2", /invalid JSON/],
    ["state.json", "[1, 2]", /expected a JSON object/],
    ["tokenizer.json", "", /invalid JSON/],
  ];
  for (const [name, content, what] of cases) {
    const path = `${dir}/${name}`;
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    await rejectsNaming(() => loadCheckpoint(dir), path, what);
    await Deno.writeFile(path, original.get(name)!);
  }
  await Deno.remove(`${dir}/tokenizer.json`);
  await rejectsNaming(() => loadCheckpoint(dir), `${dir}/tokenizer.json`, /missing/);
  await Deno.writeFile(`${dir}/tokenizer.json`, original.get("tokenizer.json")!);
  // A weight file of another architecture: the missing tensor is named.
  const other = new GPT(tinyConfig({ positional: "learned" }));
  const otherDir = `${dir}-other`;
  await saveCheckpoint(otherDir, { model: other, tokenizerJson: null, state: {} });
  await Deno.copyFile(`${otherDir}/model.safetensors`, weights);
  await rejectsNaming(() => loadCheckpoint(dir), weights, /unexpected tensor "wpe.weight"/);
  await Deno.writeFile(weights, good);
  // Loading never wrote anything.
  assert.deepEqual(await snapshot(dir), original);
  model.dispose();
  other.dispose();
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] ^= 0x5a;
  return out;
}

Deno.test("a failed save leaves the existing checkpoint untouched", async () => {
  const { dir, model } = await savedCheckpoint();
  const before = await snapshot(dir);
  const names = await siblings(dir);
  await assert.rejects(
    () =>
      saveCheckpoint(dir, { model, tokenizerJson, state: { step: 3, bad: BigInt(1) } as never }),
    /state.json: cannot serialise/,
  );
  // An optimizer over other tensors is refused before anything is written.
  const stranger = new GPT(tinyConfig());
  await assert.rejects(
    () =>
      saveCheckpoint(dir, {
        model,
        tokenizerJson,
        optimizer: new AdamW(stranger.parameters()),
        state: {},
      }),
    /not a parameter of the model/,
  );
  assert.deepEqual(await snapshot(dir), before);
  assert.deepEqual(await siblings(dir), names);
  model.dispose();
  stranger.dispose();
});

Deno.test("loadCheckpoint() refuses a weight file without its checksum unless allowed", async () => {
  const { dir, model } = await savedCheckpoint();
  model.dispose();
  const file = `${dir}/model.safetensors`;
  const { tensors, metadata } = await decodeSafetensors(await Deno.readFile(file), file);
  // the same tensors without the "sha256" key, and one data byte flipped
  const stripped = await encodeSafetensors([...tensors.entries()], { format: metadata.format });
  const n = Number(new DataView(stripped.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(stripped.subarray(8, 8 + n)));
  delete header.__metadata__.sha256;
  const json = new TextEncoder().encode(JSON.stringify(header).padEnd(n, " "));
  const edited = stripped.slice();
  edited.set(json, 8);
  edited[edited.length - 1] ^= 0x01;
  await Deno.writeFile(file, edited);
  // with the copy's checksums.json, the edit is caught as corruption
  await rejectsNaming(() => loadCheckpoint(dir), file, /corrupted: SHA-256 does not match/);
  // without it (a copy made by hand), the missing checksum alone is refused…
  await Deno.remove(`${dir}/checksums.json`);
  await rejectsNaming(() => loadCheckpoint(dir), file, /no data checksum \(sha256\)/);
  // …unless explicitly allowed
  const ck = await loadCheckpoint(dir, { allowMissingChecksum: true });
  assert.equal(ck.state.step, 2);
  ck.model.dispose();
});
