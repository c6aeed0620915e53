/**
 * The Llama-family decoder against transformers: the fixtures of tests/fixtures/hf (made by
 * make_fixtures.py with transformers 5.17 on torch 2.13, random weights) hold the logits and
 * greedy tokens transformers computes. Logits agree within 1e-4 of the largest |logit| (cpu):
 * both sides compute in f32 and differ only in summation order and in RoPE angles (f64 here,
 * f32 there), ~1e-6 relative. Gradients of a small random model are checked against central
 * finite differences.
 */
import assert from "node:assert/strict";
import { generate } from "../../lib/model/generate.ts";
import { Llama, type LlamaConfig } from "../../lib/model/llama.ts";
import { loadAnyCheckpoint, loadHfModel } from "../../lib/model/load.ts";
import { saveCheckpoint } from "../../lib/model/checkpoint.ts";
import type { KvPrefix } from "../../lib/model/attention.ts";
import { noGrad, type Tensor, tensor } from "../../lib/engine/tensor.ts";
import { checkGrad } from "../_helpers/fd.ts";

const FIXTURES = new URL("../fixtures/hf/", import.meta.url).pathname;

interface Expected {
  ids: number[];
  logits: number[];
  shape: [number, number];
  greedy: { prompt: string; ids: number[]; completion: number[] }[];
}

async function expected(name: string): Promise<Expected> {
  return JSON.parse(await Deno.readTextFile(`${FIXTURES}${name}/expected.json`));
}

function ids(rows: number[][]): Tensor {
  return tensor(rows, undefined, { dtype: "i32" });
}

/** max |a − b| / max |b|. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

for (const name of ["llama", "qwen2"]) {
  Deno.test(`Llama.forward() matches transformers' logits on the ${name} fixture`, async () => {
    const want = await expected(name);
    const { model } = await loadHfModel(`${FIXTURES}${name}`);
    try {
      const logits = noGrad(() => model.forward(ids([want.ids])));
      assert.deepEqual(logits.shape, [1, ...want.shape]);
      const rel = relDiff(await logits.toArray(), want.logits);
      assert.ok(rel < 1e-4, `${name}: logits differ by ${rel} relative`);
    } finally {
      model.dispose();
    }
  });

  Deno.test(`generate() with a Llama reproduces transformers' greedy tokens (${name})`, async () => {
    const want = await expected(name);
    const { model } = await loadHfModel(`${FIXTURES}${name}`);
    try {
      // Both prompts in one batch: different lengths, so the shorter one is left-padded.
      const out = await generate(model, want.greedy.map((g) => g.ids), 1, {
        maxNewTokens: want.greedy[0].completion.length,
        temperature: 0,
        topK: 0,
        seed: 1,
        stopIds: [],
        readChunk: 3,
      });
      assert.deepEqual(out.completions, want.greedy.map((g) => g.completion));
    } finally {
      model.dispose();
    }
  });
}

const TINY: LlamaConfig = {
  architecture: "Qwen2ForCausalLM",
  vocabSize: 11,
  contextLength: 8,
  nLayer: 1,
  nHead: 2,
  nKvHead: 1,
  nEmbd: 8,
  headDim: 4,
  mlpWidth: 12,
  ropeTheta: 100,
  rmsEps: 1e-6,
  qkvBias: true,
  tieEmbeddings: false,
  seed: 3,
};

/** A tiny random model with weights large enough that every path matters (std 0.3). */
async function tinyLlama(cfg: Partial<LlamaConfig> = {}): Promise<Llama> {
  const model = new Llama({ ...TINY, ...cfg });
  let s = 1;
  for (const p of model.parameters()) {
    const data = Float32Array.from({ length: p.size }, () => {
      s = (s * 16807) % 2147483647;
      return (s / 2147483647 - 0.5) * 0.6 + (p.rank === 1 && p.shape[0] === 8 ? 1 : 0);
    });
    p.backend.write(p.view.storage, data);
  }
  await Promise.resolve();
  return model;
}

Deno.test("Llama gradients match finite differences for every kind of parameter", async () => {
  const model = await tinyLlama();
  const x = ids([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]]);
  const block = model.layers[0];
  const slots: [string, () => Tensor, (t: Tensor) => void][] = [
    ["embed", () => model.embed.weight, (t) => model.embed.weight = t],
    ["q", () => block.attn.q.weight, (t) => block.attn.q.weight = t],
    ["k bias", () => block.attn.k.bias!, (t) => block.attn.k.bias = t],
    ["v", () => block.attn.v.weight, (t) => block.attn.v.weight = t],
    ["norm1", () => block.norm1.weight, (t) => block.norm1.weight = t],
    ["gate", () => block.mlp.gate.weight, (t) => block.mlp.gate.weight = t],
    ["lm head", () => model.lmHead!.weight, (t) => model.lmHead!.weight = t],
  ];
  for (const [what, get, set] of slots) {
    const original = get();
    try {
      await checkGrad(([w]) => {
        set(w);
        return model.forward(x);
      }, [original]);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    } finally {
      set(original);
    }
  }
  model.dispose();
});

Deno.test("Llama.forward() with a prefix (kvOut) gives the logits of the whole sequence", async () => {
  const model = await tinyLlama({ tieEmbeddings: true });
  const full = await noGrad(() => model.forward(ids([[3, 1, 4, 1, 5]]))).toArray();
  const kv: KvPrefix = { k: [], v: [] };
  const head = noGrad(() => model.forward(ids([[3, 1]]), { kvOut: kv }));
  const tail = noGrad(() => model.forward(ids([[4, 1, 5]]), { prefix: kv }));
  const joined = [...await head.toArray(), ...await tail.toArray()];
  assert.ok(relDiff(joined, full) < 1e-5);
  assert.deepEqual(kv.k[0].shape, [1, 1, 2, 4]); // (B, Hkv, P, D)
  model.dispose();
});

Deno.test("Llama rejects inconsistent configs with a one-line error", () => {
  assert.throws(
    () => new Llama({ ...TINY, nKvHead: 3 }),
    /model.nKvHead: expected a divisor of nHead/,
  );
  assert.throws(() => new Llama({ ...TINY, headDim: 3 }), /model.headDim: expected an even/);
});

Deno.test("saveCheckpoint() and loadAnyCheckpoint() round-trip a Llama with its HF tokenizer", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "rmt-llama-ck-" });
  try {
    const base = await loadAnyCheckpoint(`${FIXTURES}qwen2`);
    await saveCheckpoint(`${tmp}/ck`, {
      model: base.model,
      tokenizerJson: base.tokenizerJson,
      state: { step: 1 },
    });
    const back = await loadAnyCheckpoint(`${tmp}/ck`);
    assert.equal(back.format, "rmt");
    assert.ok(back.model instanceof Llama);
    assert.deepEqual(back.modelConfig, base.modelConfig);
    const x = ids([[3, 1, 4, 1, 5]]);
    const want = await noGrad(() => base.model.forward(x)).toArray();
    const got = await noGrad(() => back.model.forward(x)).toArray();
    assert.equal(relDiff(got, want), 0);
    assert.deepEqual(back.codec.encode("The quick brown"), base.codec.encode("The quick brown"));
    assert.equal(back.codec.specialId("thinkClose"), 3);
    base.model.dispose();
    back.model.dispose();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
