/**
 * Hugging Face directories: weight files (sharded F32, BF16, F16 conversion), one-line errors for
 * bad directories, format detection, and the tokenizer against transformers' encodings and chat
 * template (tests/fixtures/hf/qwen2/expected.json).
 */
import assert from "node:assert/strict";
import { HfTokenizer } from "../../lib/data/hf_tokenizer.ts";
import { readWeightHeaders, toF32 } from "../../lib/model/hf_safetensors.ts";
import { detectCheckpointFormat, loadHfModel } from "../../lib/model/load.ts";
import { buildPrompt, PROMPT_DEFAULTS } from "../../lib/rmt/prompt.ts";

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

Deno.test("readWeightHeaders() merges the shards of an index and reads BF16 headers", async () => {
  const sharded = await readWeightHeaders(`${FIXTURES}llama`);
  const files = new Set([...sharded.values()].map((e) => e.file.split("/").at(-1)));
  assert.deepEqual([...files].sort(), [
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
  ]);
  assert.equal(sharded.get("lm_head.weight")?.dtype, "F32");
  const bf16 = await readWeightHeaders(`${FIXTURES}qwen2`);
  assert.equal(bf16.get("model.embed_tokens.weight")?.dtype, "BF16");
  assert.deepEqual(bf16.get("model.layers.0.self_attn.k_proj.bias")?.shape, [16]);
});

Deno.test("toF32() converts F16 and BF16 exactly, subnormals and signs included", () => {
  // F16: 1.0 = 0x3c00, −2.5 = 0xc100, smallest subnormal 2^−24 = 0x0001, 65504 = 0x7bff.
  const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc100, 0x0001, 0x7bff]).buffer);
  assert.deepEqual([...toF32(f16, "F16")], [1, -2.5, 2 ** -24, 65504]);
  // BF16: the top half of the f32 bits. 1.0 = 0x3f80, −0.15625 = 0xbe20.
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xbe20]).buffer);
  assert.deepEqual([...toF32(bf16, "BF16")], [1, -0.15625]);
});

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

interface TokenizerExpected {
  chat: { messages: { role: string; content: string }[]; rendered: string };
  encodings: { text: string; ids: number[] }[];
}

Deno.test("HfTokenizer encodes, decodes and renders chats as transformers does", async () => {
  const want: TokenizerExpected = JSON.parse(
    await Deno.readTextFile(`${FIXTURES}qwen2/expected.json`),
  );
  const tok = await HfTokenizer.load(`${FIXTURES}qwen2`);
  for (const { text, ids } of want.encodings) {
    assert.deepEqual(tok.encode(text), ids, text);
    assert.equal(tok.decode(ids), text);
    assert.equal(new TextDecoder().decode(tok.decodeBytes(ids)), text);
  }
  assert.equal(tok.applyChatTemplate(want.chat.messages), want.chat.rendered);
  assert.deepEqual(
    ["eot", "pad", "thinkOpen", "thinkClose"].map((n) => tok.specialId(n as "eot")),
    [0, 1, 2, 3],
  );
  // A character cut in two: the bytes are exact, the text shows U+FFFD.
  const emoji = tok.encode("🙂");
  const first = tok.decodeBytes([emoji[0]]);
  assert.ok(first.length < 4 && first[0] === 0xf0);
});

Deno.test("HfTokenizer without a chat template or <think> says so in one line", async () => {
  const tok = await HfTokenizer.load(`${FIXTURES}llama`);
  assert.throws(() => tok.applyChatTemplate([]), /tokenizer_config.json has no chat_template/);
  const json = JSON.parse(await Deno.readTextFile(`${FIXTURES}llama/tokenizer.json`));
  json.added_tokens = json.added_tokens.filter((t: { content: string }) => t.content !== "<think>");
  delete json.model.vocab["<think>"];
  const bare = HfTokenizer.fromJSON(json, {}, "x/tokenizer.json");
  assert.throws(() => bare.specialId("thinkOpen"), /x\/tokenizer.json: no "<think>" token/);
});

Deno.test("buildPrompt() frames the NTR prompt with the tokenizer's chat template", async () => {
  const tok = await HfTokenizer.load(`${FIXTURES}qwen2`);
  assert.deepEqual(tok.chatFrame(), {
    before: "<|im_start|>user\n",
    after: "<|im_end|>\n<|im_start|>assistant\n",
  });
  const context = tok.encode("12 + 30 =");
  const ids = buildPrompt(context, 8, tok, PROMPT_DEFAULTS);
  assert.equal(
    tok.decode(ids),
    "<|im_start|>user\nPredict the next token. Think for 8 tokens in <think></think>, then give " +
      "the token in \\boxed{}.\n### Context\n12 + 30 =\n### Next token\n<|im_end|>\n" +
      "<|im_start|>assistant\n<think>",
  );
  assert.equal(ids.at(-1), tok.specialId("thinkOpen"));
  // R1-Distill's template opens the thinking block itself: the frame leaves it to the prompt.
  const json = JSON.parse(await Deno.readTextFile(`${FIXTURES}qwen2/tokenizer.json`));
  const r1 = HfTokenizer.fromJSON(json, {
    chat_template: "{% for m in messages %}<|im_start|>{{ m['content'] }}{% endfor %}" +
      "{% if add_generation_prompt %}<|im_end|><think>\n{% endif %}",
  });
  assert.deepEqual(r1.chatFrame(), { before: "<|im_start|>", after: "<|im_end|>" });
  // Without a template the prompt is the plain one.
  const plain = await HfTokenizer.load(`${FIXTURES}llama`);
  assert.equal(plain.chatFrame(), null);
  assert.ok(plain.decode(buildPrompt(context, 8, plain, PROMPT_DEFAULTS)).startsWith("Predict"));
});
