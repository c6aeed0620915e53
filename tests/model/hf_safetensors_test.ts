/**
 * `lib/model/hf_safetensors.ts`: weight headers of sharded (index) and BF16 directories, and the
 * F16/BF16 → F32 conversion.
 */
import assert from "node:assert/strict";
import { readWeightHeaders, toF32 } from "../../lib/model/hf_safetensors.ts";

const FIXTURES = new URL("../fixtures/hf/", import.meta.url).pathname;

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
