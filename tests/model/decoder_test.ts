/**
 * `lib/model/decoder.ts`: a saved config is told apart by its `architecture` field, resolved
 * (GPT) or checked field by field (Llama family), and built into the matching decoder.
 */
import assert from "node:assert/strict";
import { isLlamaConfig, newDecoder, resolveModelConfig } from "../../lib/model/decoder.ts";
import { GPT, GPT_DEFAULTS } from "../../lib/model/gpt.ts";
import { Llama, type LlamaConfig } from "../../lib/model/llama.ts";

const LLAMA: LlamaConfig = {
  architecture: "LlamaForCausalLM",
  vocabSize: 32,
  contextLength: 16,
  nLayer: 1,
  nHead: 4,
  nKvHead: 2,
  nEmbd: 16,
  headDim: 4,
  mlpWidth: 24,
  ropeTheta: 10000,
  rmsEps: 1e-5,
  qkvBias: false,
  tieEmbeddings: true,
  seed: 0,
};

Deno.test("resolveModelConfig() fills a GPT config's defaults and takes a Llama config as it is", () => {
  assert.deepEqual(resolveModelConfig({ nLayer: 2 }), { ...GPT_DEFAULTS, nLayer: 2 });
  assert.deepEqual(resolveModelConfig(LLAMA), LLAMA);
  assert.notEqual(resolveModelConfig(LLAMA), LLAMA, "a copy");
  assert.equal(isLlamaConfig(LLAMA), true);
  assert.equal(isLlamaConfig({ nLayer: 2 }), false);
  assert.equal(isLlamaConfig(null), false);
});

Deno.test("resolveModelConfig() names the first bad field of a Llama config", () => {
  const bad = (change: Record<string, unknown>, what: RegExp) =>
    assert.throws(() => resolveModelConfig({ ...LLAMA, ...change }), what);
  bad(
    { architecture: "MistralForCausalLM" },
    /^ConfigError: model\.architecture: expected LlamaForCausalLM or Qwen2ForCausalLM, got "MistralForCausalLM"$/,
  );
  bad({ nKvHead: 3 }, /^ConfigError: model\.nKvHead: expected a divisor of nHead \(4\), got 3$/);
  bad({ qkvBias: "no" }, /^ConfigError: model\.qkvBias: expected true or false, got "no"$/);
  bad({ seed: 1.5 }, /^ConfigError: model\.seed: expected an integer, got 1\.5$/);
  assert.throws(() => resolveModelConfig({ nHead: 0 }, "base.model"), /base\.model\.nHead/);
});

Deno.test("newDecoder() builds a GPT or a Llama from the config's kind", () => {
  const gpt = newDecoder(resolveModelConfig({ nLayer: 1, nEmbd: 8, nHead: 2, vocabSize: 10 }));
  assert.ok(gpt instanceof GPT);
  const llama = newDecoder(LLAMA);
  assert.ok(llama instanceof Llama);
  assert.deepEqual(llama.config, LLAMA);
  gpt.dispose();
  llama.dispose();
});
