/**
 * Our GPT as transformers' GPT-2 (`lib/model/hf_gpt2.ts`): the weight layout against our model's
 * parameters and GPT-2's tensor names, `config.json` both ways, and what is refused.
 */
import assert from "node:assert/strict";
import {
  gpt2ConfigToHf,
  gpt2Differences,
  gpt2WeightLayout,
  gptConfigFromGpt2,
} from "../../lib/model/hf_gpt2.ts";
import { GPT, resolveGptConfig } from "../../lib/model/gpt.ts";

const cfg = resolveGptConfig({
  vocabSize: 20,
  contextLength: 16,
  nLayer: 2,
  nHead: 2,
  nEmbd: 8,
  mlpRatio: 3,
  positional: "learned",
});

Deno.test("gpt2WeightLayout() names GPT-2's tensors and matches our parameters' names and shapes", () => {
  const layout = gpt2WeightLayout(cfg);
  const perLayer = [
    "ln_1.weight",
    "ln_1.bias",
    "attn.c_attn.weight",
    "attn.c_attn.bias",
    "attn.c_proj.weight",
    "attn.c_proj.bias",
    "ln_2.weight",
    "ln_2.bias",
    "mlp.c_fc.weight",
    "mlp.c_fc.bias",
    "mlp.c_proj.weight",
    "mlp.c_proj.bias",
  ];
  assert.deepEqual(layout.map((w) => w.hf), [
    "transformer.wte.weight",
    "transformer.wpe.weight",
    ...[0, 1].flatMap((i) => perLayer.map((n) => `transformer.h.${i}.${n}`)),
    "transformer.ln_f.weight",
    "transformer.ln_f.bias",
  ]);
  const fc = layout.find((w) => w.hf === "transformer.h.1.mlp.c_fc.weight")!;
  assert.deepEqual(fc.shape, [8, 24], "Conv1D (in, out), n_inner = 3·8");
  const model = new GPT(cfg);
  const params = new Map(model.namedParameters().map((p) => [p.name, p.tensor.shape]));
  assert.deepEqual(
    layout.map((w) => [w.ours, w.shape]).sort(),
    [...params].map(([name, shape]) => [name, [...shape]]).sort(),
    "every parameter exactly once, no transposes",
  );
  assert.ok(layout.every((w) => !w.transpose));
  model.dispose();
});

Deno.test("gpt2ConfigToHf() writes a config.json that gptConfigFromGpt2() reads back", () => {
  const json = gpt2ConfigToHf(cfg, 3) as Record<string, unknown>;
  assert.equal(json.n_inner, 24);
  assert.equal(json.eos_token_id, 3);
  assert.deepEqual(gptConfigFromGpt2(json, "config.json"), cfg);
  assert.equal(gptConfigFromGpt2({ ...json, n_inner: null }, "config.json").mlpRatio, 4);
});

Deno.test("gptConfigFromGpt2() refuses what our GPT does not compute, naming the file", () => {
  const json = gpt2ConfigToHf(cfg, 3) as Record<string, unknown>;
  const refused = (change: Record<string, unknown>, what: RegExp) =>
    assert.throws(() => gptConfigFromGpt2({ ...json, ...change }, "d/config.json"), what);
  refused(
    { activation_function: "relu" },
    /^CheckpointError: d\/config\.json: activation_function "relu" is not supported/,
  );
  refused({ layer_norm_epsilon: 1e-6 }, /layer_norm_epsilon 0\.000001 is not supported \(1e-5\)/);
  refused({ tie_word_embeddings: false }, /an untied GPT-2 head is not supported/);
  refused({ scale_attn_by_inverse_layer_idx: true }, /scale_attn_by_inverse_layer_idx true/);
  refused({ n_head: 3 }, /^CheckpointError: d\/config\.json: .*nHead/);
  assert.equal(
    gptConfigFromGpt2({ ...json, activation_function: "gelu_pytorch_tanh" }, "x").nEmbd,
    8,
  );
});

Deno.test("gpt2Differences() is empty for learned positions and names RoPE", () => {
  assert.deepEqual(gpt2Differences(cfg), []);
  const rope = gpt2Differences({ ...cfg, positional: "rope" });
  assert.equal(rope.length, 1);
  assert.match(rope[0], /^positional: rope .*no GPT2LMHeadModel computes this model$/);
});
