/**
 * The GPT (`lib/model/gpt.ts`) on the CPU backend with tiny configs: shapes, the parameter
 * count formula, gradients reaching every parameter (and agreeing with a finite difference
 * along the gradient), KV-cache decoding equal to full recomputation (also with left padding
 * and a key mask), and config validation.
 *
 * Tolerances: cached vs full logits |Δ| ≤ 1e-4 (same f32 ops, different summation lengths in
 * the matmuls; logits are O(10) with the scaled-up test weights).
 */
import assert from "node:assert/strict";
import { GPT, gptParameterCount, resolveGptConfig } from "../../lib/model/gpt.ts";
import { ConfigError, readYamlFile } from "../../lib/util/config.ts";
import { noGrad, type Tensor, tensor, tidy } from "../../lib/engine/tensor.ts";
import { ids, maxDiff, tinyConfig, tinyModel } from "../_helpers/tiny_model.ts";

const V = 23;

Deno.test("GPT.forward() maps ids (B, T) to logits (B, T, V); lastOnly gives (B, 1, V)", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = new GPT(tinyConfig({ positional }));
    const x = ids([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    const logits = model.forward(x);
    assert.deepEqual(logits.shape, [2, 5, V]);
    const last = model.forward(x, { lastOnly: true });
    assert.deepEqual(last.shape, [2, 1, V]);
    const all = await logits.toArray();
    const lastValues = await last.toArray();
    for (let b = 0; b < 2; b++) {
      const row = all.subarray((b * 5 + 4) * V, (b * 5 + 5) * V);
      assert.ok(maxDiff(row, lastValues.subarray(b * V, (b + 1) * V)) < 1e-6);
    }
    model.dispose();
  }
});

Deno.test("GPT.parameterCount() equals the formula 12·L·C² + 13·L·C + V·C + T·C + 2C", () => {
  for (
    const cfg of [
      tinyConfig(),
      tinyConfig({ positional: "rope" }),
      tinyConfig({ nLayer: 3, nEmbd: 24, nHead: 3, mlpRatio: 2 }),
    ]
  ) {
    const model = new GPT(cfg);
    assert.equal(model.parameterCount(), gptParameterCount(cfg));
    model.dispose();
  }
  const c = tinyConfig();
  const L = c.nLayer, C = c.nEmbd;
  assert.equal(
    gptParameterCount(c),
    12 * L * C * C + 13 * L * C + c.vocabSize * C + c.contextLength * C + 2 * C,
  );
  // The reference model of the bench (configs/model_reference.yaml): 4 layers, width 256,
  // 4 heads, context 128, vocab 512.
  const yaml = new URL("../../configs/model_reference.yaml", import.meta.url).pathname;
  assert.equal(gptParameterCount(resolveGptConfig(readYamlFile(yaml).model)), 3_323_392);
});

Deno.test("GPT initialisation follows GPT-2: std 0.02, residual projections 0.02/√(2L), zero biases", async () => {
  const cfg = resolveGptConfig({
    nLayer: 4,
    nEmbd: 64,
    nHead: 4,
    vocabSize: 64,
    contextLength: 64,
  });
  const model = new GPT(cfg);
  const std = async (t: Tensor) => {
    const d = await t.toArray();
    let s = 0;
    for (const x of d) s += x * x;
    return Math.sqrt(s / d.length);
  };
  const params = new Map(model.namedParameters().map((p) => [p.name, p.tensor]));
  assert.ok(Math.abs(await std(params.get("wte.weight")!) - 0.02) < 0.002);
  assert.ok(Math.abs(await std(params.get("blocks.0.mlp.fc.weight")!) - 0.02) < 0.002);
  const resid = 0.02 / Math.sqrt(8);
  assert.ok(Math.abs(await std(params.get("blocks.1.attn.proj.weight")!) - resid) < 0.1 * resid);
  assert.ok(Math.abs(await std(params.get("blocks.2.mlp.proj.weight")!) - resid) < 0.1 * resid);
  assert.equal(await std(params.get("blocks.0.attn.qkv.bias")!), 0);
  // Same seed, same weights; another seed, other weights.
  const again = new GPT(cfg);
  const other = new GPT({ ...cfg, seed: cfg.seed + 1 });
  const w = await model.wte.weight.toArray();
  assert.deepEqual(await again.wte.weight.toArray(), w);
  assert.notDeepEqual(await other.wte.weight.toArray(), w);
  for (const m of [model, again, other]) m.dispose();
});

Deno.test("GPT backward reaches every parameter and matches a finite difference along the gradient", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    const x = ids([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
    const targets = ids([[2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13]]);
    const keyMask = tensor([[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]);
    const lossOf = () => model.forward(x, { keyMask }).crossEntropy(targets).mean(); // ()
    const loss = lossOf(); // not under tidy: backward needs the graph
    loss.backward();
    const params = model.namedParameters();
    const grads: Float32Array[] = [];
    for (const { name, tensor: p } of params) {
      assert.ok(p.grad !== null, `${name} has no gradient`);
      const g = (await p.grad.toArray()) as Float32Array;
      assert.ok(g.every(Number.isFinite), `${name} gradient is not finite`);
      assert.ok(g.some((v) => v !== 0), `${name} gradient is zero`);
      grads.push(g.slice());
    }
    // d/dε L(θ + ε·g) at 0 is |g|²: central difference with ε small enough to be linear.
    const norm2 = grads.reduce((s, g) => s + g.reduce((a, v) => a + v * v, 0), 0);
    const eps = 1e-2 / Math.sqrt(norm2);
    const originals = await Promise.all(
      params.map(async (p) => (await p.tensor.toArray()).slice()),
    );
    const lossAt = async (sign: number) => {
      params.forEach(({ tensor: p }, i) => {
        const moved = (originals[i] as Float32Array).map((w, j) => w + sign * eps * grads[i][j]);
        p.backend.write(p.view.storage, moved);
      });
      return await noGrad(() => tidy(lossOf)).item();
    };
    const fd = ((await lossAt(1)) - (await lossAt(-1))) / (2 * eps);
    assert.ok(Math.abs(fd - norm2) < 0.05 * norm2, `finite difference ${fd} vs |g|² ${norm2}`);
    model.dispose();
  }
});

/** Logits of a full forward and of prefill + single-token cached steps, over the same ids. */
async function cachedVsFull(
  model: GPT,
  rows: number[][],
  prefill: number,
  mask?: number[][],
): Promise<{ full: Float32Array; cached: Float32Array }> {
  const B = rows.length, T = rows[0].length;
  const full =
    (await noGrad(() => model.forward(ids(rows), { keyMask: mask ? tensor(mask) : undefined }))
      .toArray()) as Float32Array;
  const cached = new Float32Array(B * T * V);
  const cache = model.newCache(B, T + 3);
  const maskAll = mask ? tensor(mask) : null;
  let t = 0;
  while (t < T) {
    const n = t === 0 ? prefill : 1;
    const chunk = ids(rows.map((r) => r.slice(t, t + n)));
    const keyMask = maskAll?.narrow(1, 0, t + n);
    const logits = await noGrad(() => model.forward(chunk, { cache, keyMask })).toArray();
    for (let b = 0; b < B; b++) {
      cached.set(logits.subarray(b * n * V, (b + 1) * n * V), (b * T + t) * V);
    }
    t += n;
    assert.equal(cache.length, t);
  }
  cache.dispose();
  return { full, cached };
}

Deno.test("KV-cache decoding (prefill + single-token steps) equals full recomputation", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    const rows = [[3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]];
    for (const prefill of [1, 3]) {
      const { full, cached } = await cachedVsFull(model, rows, prefill);
      assert.ok(maxDiff(full, cached) < 1e-4, `${positional}, prefill ${prefill}`);
    }
    model.dispose();
  }
});

Deno.test("KV-cache decoding equals full recomputation with left padding and a key mask", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    const pad = 0;
    const rows = [[pad, pad, pad, 4, 1, 5, 9, 2], [2, 7, 1, 8, 2, 8, 1, 8], [
      pad,
      5,
      3,
      5,
      8,
      9,
      7,
      9,
    ]];
    const mask = rows.map((r, b) => r.map((_, t) => (b === 1 || t >= (b === 0 ? 3 : 1) ? 1 : 0)));
    const { full, cached } = await cachedVsFull(model, rows, 4, mask);
    // Compare the real (unpadded) query positions.
    for (let b = 0; b < 3; b++) {
      for (let t = 0; t < 8; t++) {
        if (mask[b][t] === 0) continue;
        const at = (b * 8 + t) * V;
        assert.ok(maxDiff(full.subarray(at, at + V), cached.subarray(at, at + V)) < 1e-4);
      }
    }
    model.dispose();
  }
});

Deno.test("A key mask hides padding: padded keys do not change the logits of real tokens", async () => {
  // With RoPE, attention depends on relative positions only, so a left-padded row equals the
  // unpadded one; with learned positions, changing the padding tokens' ids changes nothing.
  const rope = await tinyModel({ positional: "rope" });
  const plain = await noGrad(() => rope.forward(ids([[4, 1, 5, 9]]))).toArray();
  const padded = await noGrad(() =>
    rope.forward(ids([[0, 0, 4, 1, 5, 9]]), { keyMask: tensor([[0, 0, 1, 1, 1, 1]]) })
  ).toArray();
  assert.ok(maxDiff(plain, padded.subarray(2 * V)) < 1e-4);
  rope.dispose();
  const learned = await tinyModel();
  const keyMask = tensor([[0, 0, 1, 1, 1]]);
  const a = await noGrad(() => learned.forward(ids([[0, 0, 4, 1, 5]]), { keyMask })).toArray();
  const b = await noGrad(() => learned.forward(ids([[7, 3, 4, 1, 5]]), { keyMask })).toArray();
  assert.ok(maxDiff(a.subarray(2 * V), b.subarray(2 * V)) < 1e-5);
  learned.dispose();
});

Deno.test("GPT.forward() rejects bad inputs with a clear message", () => {
  const model = new GPT(tinyConfig({ contextLength: 8 }));
  assert.throws(() => model.forward(tensor([[1, 2]])), /expected i32 ids/);
  assert.throws(() => model.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]])), /exceed contextLength 8/);
  assert.throws(() => model.forward(ids([[1, 2]]), { keyMask: tensor([[1, 1, 1]]) }), /keyMask/);
  const cache = model.newCache(1, 4);
  assert.throws(() => model.forward(ids([[1, 2]]), { cache }), /use noGrad/);
  assert.throws(() => noGrad(() => model.forward(ids([[1, 2, 3, 4, 5]]), { cache })), /cache/);
  assert.throws(() => model.newCache(1, 9), /exceeds contextLength/);
  cache.dispose();
  model.dispose();
});

Deno.test("resolveGptConfig() range-checks every field", () => {
  assert.equal(resolveGptConfig(undefined).nEmbd, 128);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ nHead: 3 }, /model.nHead: expected a divisor of nEmbd \(128\), got 3/],
    [{ nLayer: 0 }, /model.nLayer: expected a positive integer/],
    [{ vocabSize: 1.5 }, /model.vocabSize/],
    [{ positional: "alibi" }, /model.positional/],
    [{ nEmbd: 12, nHead: 4, positional: "rope" }, /even head size/],
    [{ mlpRatio: -1 }, /model.mlpRatio/],
    [{ nlayer: 2 }, /model.nlayer: unknown key/],
  ];
  for (const [overrides, message] of bad) {
    assert.throws(() => resolveGptConfig(overrides), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      return true;
    });
  }
});
