/**
 * `lib/model/hf.ts`: transformers' `config.json` ↔ {@linkcode LlamaConfig}, the weight layout
 * against the tensors transformers stored (tests/fixtures/hf/, written by make_fixtures.py), and
 * the (out, in) ↔ (in, out) transpose.
 */
import assert from "node:assert/strict";
import {
  llamaConfigFromHf,
  llamaConfigToHf,
  llamaWeightLayout,
  matchLayout,
  transpose2d,
} from "../../lib/model/hf.ts";
import { readWeightHeaders } from "../../lib/model/hf_safetensors.ts";

const FIXTURES = new URL("../fixtures/hf/", import.meta.url).pathname;

const readConfig = async (name: string) =>
  llamaConfigFromHf(
    JSON.parse(await Deno.readTextFile(`${FIXTURES}${name}/config.json`)),
    `${name}/config.json`,
  );

Deno.test("llamaConfigFromHf() reads a transformers 5 Qwen2 config.json, defaults included", async () => {
  assert.deepEqual(await readConfig("qwen2"), {
    architecture: "Qwen2ForCausalLM",
    vocabSize: 320,
    contextLength: 64,
    nLayer: 2,
    nHead: 4,
    nKvHead: 2,
    nEmbd: 32,
    headDim: 8, // hidden_size / num_attention_heads: the file has no head_dim
    mlpWidth: 64,
    ropeTheta: 1e6, // from rope_parameters
    rmsEps: 1e-6,
    qkvBias: true, // Qwen2 always has q, k, v biases
    tieEmbeddings: true,
    seed: 0,
  });
});

Deno.test("llamaConfigToHf() writes a config.json that llamaConfigFromHf() reads back unchanged", async () => {
  for (const name of ["qwen2", "llama"]) {
    const cfg = await readConfig(name);
    const json = llamaConfigToHf(cfg, { eos_token_id: 0 }) as Record<string, unknown>;
    assert.equal(json.eos_token_id, 0);
    assert.equal(json.model_type, name);
    assert.deepEqual(llamaConfigFromHf(json, "x"), cfg, name);
  }
  const zero = { ...llamaConfigToHf(await readConfig("llama")), vocab_size: 0 };
  assert.throws(
    () => llamaConfigFromHf(zero, "c.json"),
    /^CheckpointError: c\.json: vocab_size: expected a positive integer, got 0$/,
  );
});

Deno.test("llamaWeightLayout() names and shapes exactly the tensors transformers stored", async () => {
  for (const name of ["qwen2", "llama"]) {
    const cfg = await readConfig(name);
    const stored = await readWeightHeaders(`${FIXTURES}${name}`);
    const layout = llamaWeightLayout(cfg);
    const entries = matchLayout(layout, stored, name);
    assert.deepEqual(entries, layout.map((w) => stored.get(w.hf)));
    const weights = [...stored.keys()].filter((n) =>
      !(cfg.tieEmbeddings && n === "lm_head.weight")
    );
    assert.deepEqual(layout.map((w) => w.hf).sort(), weights.sort(), name);
    const q = layout.find((w) => w.hf === "model.layers.1.self_attn.q_proj.weight")!;
    assert.deepEqual([q.ours, q.shape, q.transpose], ["layers.1.attn.q.weight", [32, 32], true]);
    const k = layout.find((w) => w.hf === "model.layers.0.self_attn.k_proj.weight")!;
    assert.deepEqual(k.shape, [cfg.nKvHead * cfg.headDim, cfg.nEmbd]);
  }
});

Deno.test("matchLayout() refuses a missing, misshapen or unknown tensor naming it", async () => {
  const cfg = await readConfig("qwen2");
  const layout = llamaWeightLayout(cfg);
  const stored = await readWeightHeaders(`${FIXTURES}qwen2`);
  const without = new Map(stored);
  without.delete("model.norm.weight");
  assert.throws(
    () => matchLayout(layout, without, "d"),
    /^CheckpointError: d: missing tensor "model\.norm\.weight"$/,
  );
  const extra = new Map(stored);
  extra.set("model.extra", stored.get("model.norm.weight")!);
  assert.throws(
    () => matchLayout(layout, extra, "d"),
    /unexpected tensor "model\.extra" \(not in the model\)/,
  );
  const bent = new Map(stored);
  bent.set("model.norm.weight", { ...stored.get("model.norm.weight")!, shape: [31] });
  assert.throws(
    () => matchLayout(layout, bent, "d"),
    /tensor "model\.norm\.weight" has shape \[31\], expected \[32\]/,
  );
});

Deno.test("transpose2d() turns a row-major (R, K) matrix into (K, R)", () => {
  const m = Float32Array.of(1, 2, 3, 4, 5, 6); // [[1, 2, 3], [4, 5, 6]]
  assert.deepEqual([...transpose2d(m, 2, 3)], [1, 4, 2, 5, 3, 6]);
  assert.deepEqual([...transpose2d(transpose2d(m, 2, 3), 3, 2)], [...m]);
});
