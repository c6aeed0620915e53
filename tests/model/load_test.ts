/**
 * `lib/model/load.ts`: format detection, and one-line errors for bad transformers directories
 * (tests/fixtures/hf/) before anything is allocated.
 */
import assert from "node:assert/strict";
import { detectCheckpointFormat, loadHfModel } from "../../lib/model/load.ts";

const FIXTURES = new URL("../fixtures/hf/", import.meta.url).pathname;

/** A scratch copy of a fixture directory, changed by `edit`, removed after `fn`. */
async function withCopy(
  name: string,
  edit: (dir: string) => Promise<void>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rmt-hf-" });
  try {
    for await (const e of Deno.readDir(`${FIXTURES}${name}`)) {
      await Deno.copyFile(`${FIXTURES}${name}/${e.name}`, `${dir}/${e.name}`);
    }
    await edit(dir);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function editJson(file: string, change: (j: Record<string, unknown>) => void) {
  const json = JSON.parse(await Deno.readTextFile(file));
  change(json);
  await Deno.writeTextFile(file, JSON.stringify(json));
}

Deno.test("detectCheckpointFormat() tells a transformers directory from ours", async () => {
  assert.equal(await detectCheckpointFormat(`${FIXTURES}qwen2`), "hf");
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ nEmbd: 8 }));
  assert.equal(await detectCheckpointFormat(dir), "rmt");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadHfModel() refuses bad directories with a one-line error naming the file", async () => {
  const oneLine = (re: RegExp) => (e: Error) => re.test(e.message) && !e.message.includes("\n");
  await withCopy(
    "llama",
    (d) => Deno.remove(`${d}/model-00002-of-00002.safetensors`),
    (d) =>
      assert.rejects(
        () => loadHfModel(d),
        oneLine(/model-00002-of-00002\.safetensors: missing/),
      ),
  );
  await withCopy(
    "qwen2",
    (d) => Deno.remove(`${d}/config.json`),
    (d) => assert.rejects(() => loadHfModel(d), oneLine(/config\.json: missing/)),
  );
  await withCopy(
    "qwen2",
    (d) => editJson(`${d}/config.json`, (j) => j.architectures = ["GPTNeoXForCausalLM"]),
    (d) =>
      assert.rejects(
        () => loadHfModel(d),
        oneLine(/config\.json: architecture "GPTNeoXForCausalLM" is not supported/),
      ),
  );
  await withCopy(
    "qwen2",
    (d) => editJson(`${d}/config.json`, (j) => j.intermediate_size = 48),
    (d) =>
      assert.rejects(
        () => loadHfModel(d),
        oneLine(
          /model\.safetensors: tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[64,32\], expected \[48,32\]/,
        ),
      ),
  );
  await withCopy(
    "llama",
    (d) =>
      editJson(`${d}/model.safetensors.index.json`, (j) => {
        (j.weight_map as Record<string, string>)["lm_head.weight"] = "../model.safetensors";
      }),
    (d) =>
      assert.rejects(
        () => loadHfModel(d),
        oneLine(/index\.json: shard "\.\.\/model\.safetensors" is not a plain file name/),
      ),
  );
  await withCopy(
    "llama",
    (d) => editJson(`${d}/config.json`, (j) => j.rope_scaling = { rope_type: "yarn", factor: 4 }),
    (d) => assert.rejects(() => loadHfModel(d), oneLine(/rope_scaling .*yarn.* is not supported/)),
  );
});

Deno.test("loadHfModel() checks a truncated header before allocating anything", async () => {
  await withCopy("qwen2", async (d) => {
    const bytes = await Deno.readFile(`${d}/model.safetensors`);
    await Deno.writeFile(`${d}/model.safetensors`, bytes.subarray(0, bytes.length - 10));
  }, (d) => assert.rejects(() => loadHfModel(d), /model\.safetensors: truncated: tensor/));
});
