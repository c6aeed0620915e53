/**
 * Fused neural-network ops (`lib/engine/ops/nn.ts`): softmax, crossEntropy, layerNorm, embedding and
 * gatherLast, plus logSoftmax and causal self-attention composed from them.
 *
 * - Forward values against hand-computed numbers: |got − want| ≤ 1e-6 + 1e-5·|want|.
 * - Gradients against central finite differences (`tests/_helpers/fd.ts`: h = 1e-2,
 *   |a − n| ≤ 2e-3 + 1e-2·|n|), with non-contiguous inputs and size-1 axes.
 * - Each fused op equals its composite of elementary ops, outputs and gradients (same output
 *   weight W), within |Δ| ≤ 1e-5 + 1e-4·|composite| (different f32 evaluation orders).
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../../lib/util/rng.ts";
import { assertAllClose, checkGrad, values } from "../../_helpers/fd.ts";
import { arange, ones, randn, type Tensor, tensor } from "../../../lib/engine/tensor.ts";

const COMPOSITE_TOL = { rtol: 1e-4, atol: 1e-5 };

/**
 * Asserts that `fused` and `composite` give the same output and the same input gradients for a
 * seeded random output gradient.
 */
async function assertSameAsComposite(
  fused: (xs: Tensor[]) => Tensor,
  composite: (xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
): Promise<void> {
  const run = async (f: (xs: Tensor[]) => Tensor) => {
    const leaves = inputs.map((t) => t.detach().requireGrad());
    const y = f(leaves);
    const rng = mulberry32(99);
    y.backward(tensor(Float32Array.from({ length: y.size }, () => 2 * rng() - 1), y.shape));
    const grads = await Promise.all(leaves.map((l) => values(l.grad!)));
    return { y: await values(y), shape: y.shape, grads };
  };
  const a = await run(fused);
  const b = await run(composite);
  assert.deepEqual(a.shape, b.shape);
  assertAllClose(a.y, b.y, COMPOSITE_TOL, "output");
  a.grads.forEach((g, i) => assertAllClose(g, b.grads[i], COMPOSITE_TOL, `gradient ${i}`));
}

/** i32 ids from a list. */
function ids(data: number[] | number[][]): Tensor {
  return tensor(data, undefined, { dtype: "i32" });
}

// ---- softmax and logSoftmax -------------------------------------------------------------------

Deno.test("Tensor.softmax() normalises each row of the last axis", async () => {
  const y = tensor([[0, Math.log(2), Math.log(3)], [1000, 1000, 1000]]).softmax();
  assertAllClose(await values(y), [1 / 6, 2 / 6, 3 / 6, 1 / 3, 1 / 3, 1 / 3]);
});

Deno.test("Tensor.softmax() equals the exp / sum composite, values and gradients", async () => {
  await assertSameAsComposite(
    ([x]) => x.softmax(),
    ([x]) => {
      const e = x.sub(x.detach().max([-1], true)).exp();
      return e.div(e.sum([-1], true));
    },
    [randn([2, 3, 5], 1, { std: 2 })],
  );
});

Deno.test("Tensor.softmax() gradient matches finite differences on a transposed view", async () => {
  await checkGrad(([x]) => x.softmax(), [randn([2, 4], 2)]);
  await checkGrad(([x]) => x.transpose(0, 1).softmax(), [randn([4, 2, 1], 3)]);
  await checkGrad(([x]) => x.softmax(), [randn([3, 1], 4)]); // one column: softmax ≡ 1
});

Deno.test("Tensor.logSoftmax() equals x − log Σ exp x", async () => {
  const y = tensor([[0, Math.log(3)]]).logSoftmax();
  assertAllClose(await values(y), [Math.log(1 / 4), Math.log(3 / 4)]);
});

Deno.test("Tensor.logSoftmax() gradient matches finite differences", async () => {
  await checkGrad(([x]) => x.logSoftmax(), [randn([2, 3], 5, { std: 2 })]);
});

// ---- crossEntropy -----------------------------------------------------------------------------

Deno.test("Tensor.crossEntropy() is −log softmax at the target, and 0 for a negative target", async () => {
  const logits = tensor([[0, Math.log(3)], [0, Math.log(3)], [5, 7]]);
  const nll = logits.crossEntropy(ids([1, 0, -1]));
  assert.deepEqual(nll.shape, [3]);
  assertAllClose(await values(nll), [Math.log(4 / 3), Math.log(4), 0]);
});

Deno.test("Tensor.crossEntropy() equals logSoftmax + gatherLast, values and gradients", async () => {
  const targets = ids([[0, 3, 2], [1, 1, 4]]);
  await assertSameAsComposite(
    ([x]) => x.crossEntropy(targets),
    ([x]) => x.logSoftmax().gatherLast(targets.reshape([2, 3, 1])).reshape([2, 3]).neg(),
    [randn([2, 3, 5], 6, { std: 2 })],
  );
});

Deno.test("Tensor.crossEntropy() gradient matches finite differences, ignoring negative targets", async () => {
  const targets = ids([[2, -1], [0, 3]]);
  await checkGrad(([x]) => x.crossEntropy(targets), [randn([2, 2, 4], 7, { std: 2 })]);
  // A transposed view of the logits.
  await checkGrad(([x]) => x.transpose(0, 1).crossEntropy(ids([1, 0, 2])), [randn([3, 3], 8)]);
  const x = randn([1, 3], 9).requireGrad();
  x.crossEntropy(ids([-1])).sum().backward();
  assert.deepEqual(await values(x.grad!), [0, 0, 0]);
});

Deno.test("Tensor.crossEntropy() rejects targets of the wrong dtype or size naming the shapes", () => {
  const x = randn([2, 3], 1);
  assert.throws(
    () => x.crossEntropy(tensor([0, 1])),
    /crossEntropy: expected i32 targets of 2 elements for logits \[2, 3\], got f32 \[2\]/,
  );
  assert.throws(
    () => x.crossEntropy(ids([0, 1, 2])),
    /crossEntropy: expected i32 targets of 2 elements for logits \[2, 3\], got i32 \[3\]/,
  );
});

Deno.test("Tensor.crossEntropy() rejects a target out of range naming the shapes", () => {
  assert.throws(() => randn([2, 3], 1).crossEntropy(ids([0, 3])), /crossEntropy: .*3.*\[2, 3\]/);
});

// ---- layerNorm --------------------------------------------------------------------------------

Deno.test("Tensor.layerNorm() normalises rows then scales by γ and shifts by β", async () => {
  // mean 2.5, biased variance 1.25
  const x = tensor([[1, 2, 3, 4]]);
  const y = x.layerNorm(tensor([1, 1, 2, 2]), tensor([0, 0, 0, 1]), 0);
  const s = 1 / Math.sqrt(1.25);
  assertAllClose(await values(y), [-1.5 * s, -0.5 * s, 2 * 0.5 * s, 2 * 1.5 * s + 1]);
  // eps enters as √(σ² + eps)
  const z = tensor([[0, 2]]).layerNorm(ones([2]), tensor([0, 0]), 3);
  assertAllClose(await values(z), [-0.5, 0.5]);
});

Deno.test("Tensor.layerNorm() equals the mean / variance composite, values and gradients", async () => {
  const eps = 1e-5;
  await assertSameAsComposite(
    ([x, g, b]) => x.layerNorm(g, b, eps),
    ([x, g, b]) => {
      const mu = x.mean([-1], true);
      const d = x.sub(mu);
      const variance = d.square().mean([-1], true);
      return d.mul(variance.add(eps).rsqrt()).mul(g).add(b);
    },
    [randn([2, 3, 6], 10, { std: 2 }), randn([6], 11), randn([6], 12)],
  );
});

Deno.test("Tensor.layerNorm() gradient matches finite differences for x, γ and β", async () => {
  await checkGrad(
    ([x, g, b]) => x.layerNorm(g, b),
    [randn([3, 4], 13), randn([4], 14), randn([4], 15)],
  );
});

Deno.test("Tensor.layerNorm() gradient matches finite differences on a transposed input", async () => {
  await checkGrad(
    ([x, g, b]) => x.transpose(0, 1).layerNorm(g.narrow(0, 1, 3), b),
    [randn([3, 2], 16), randn([4], 17), randn([3], 18)],
  );
});

Deno.test("Tensor.layerNorm() rejects γ or β of the wrong size naming the shapes", () => {
  assert.throws(
    () => randn([2, 4], 1).layerNorm(ones([3]), ones([4])),
    /layerNorm: γ \[3\] and β \[4\] must have 4 elements for input \[2, 4\]/,
  );
});

// ---- embedding --------------------------------------------------------------------------------

const TABLE = [[0, 1], [2, 3], [4, 5]]; // (3, 2)

Deno.test("Tensor.embedding() looks up one row per id", async () => {
  const y = tensor(TABLE).embedding(ids([[2, 0], [1, 1]]));
  assert.deepEqual(y.shape, [2, 2, 2]);
  assert.deepEqual(await values(y), [4, 5, 0, 1, 2, 3, 2, 3]);
});

Deno.test("Tensor.embedding() equals a one-hot matmul, values and gradients", async () => {
  const idList = [3, 0, 3, 4, 1, 3];
  const oneHot = tensor(idList.map((i) => [0, 1, 2, 3, 4].map((v) => (v === i ? 1 : 0))));
  await assertSameAsComposite(
    ([t]) => t.embedding(ids(idList).reshape([2, 3])),
    ([t]) => oneHot.matmul(t).reshape([2, 3, 4]),
    [randn([5, 4], 19)],
  );
});

Deno.test("Tensor.embedding() gradient scatter-adds repeated ids (finite differences)", async () => {
  await checkGrad(([t]) => t.embedding(ids([[1, 1, 0], [3, 1, 0]])), [randn([4, 3], 20)]);
  const t = tensor(TABLE).requireGrad();
  t.embedding(ids([2, 2, 0])).sum().backward();
  assert.deepEqual(await values(t.grad!), [1, 1, 0, 0, 2, 2]);
});

Deno.test("Tensor.embedding() rejects f32 ids and out-of-range ids naming the op and shapes", () => {
  assert.throws(
    () => tensor(TABLE).embedding(tensor([0, 1])),
    /embedding: expected a \(V, C\) table and i32 ids, got \[3, 2\] and f32 \[2\]/,
  );
  assert.throws(() => tensor(TABLE).embedding(ids([0, 3])), /embedding: .*3.*\[3, 2\]/);
  assert.throws(() => tensor(TABLE).embedding(ids([-1])), /embedding: .*-1.*\[3, 2\]/);
});

// ---- gatherLast -------------------------------------------------------------------------------

Deno.test("Tensor.gatherLast() picks elements of the last axis per row", async () => {
  const y = tensor([[10, 20, 30], [40, 50, 60]]).gatherLast(ids([[2, 0], [1, 1]]));
  assert.deepEqual(y.shape, [2, 2]);
  assert.deepEqual(await values(y), [30, 10, 50, 50]);
});

Deno.test("Tensor.gatherLast() gradient matches finite differences with repeated indices", async () => {
  await checkGrad(([x]) => x.gatherLast(ids([[2, 2, 0], [1, 3, 1]])), [randn([2, 4], 21)]);
  await checkGrad(([x]) => x.transpose(0, 1).gatherLast(ids([[1], [0], [1]])), [randn([2, 3], 22)]);
});

Deno.test("Tensor.gatherLast() rejects mismatched or out-of-range indices naming the shapes", () => {
  const x = randn([2, 3], 1);
  assert.throws(
    () => x.gatherLast(ids([[0, 1]])),
    /gatherLast: expected i32 indices shaped like \[2, 3\] but for the last axis, got i32 \[1, 2\]/,
  );
  assert.throws(() => x.gatherLast(ids([[0], [3]])), /gatherLast: .*3.*\[2, 3\]/);
});

// ---- causal self-attention (composite) --------------------------------------------------------

/** softmax(q·kᵀ/√D + causal mask)·v for (B, H, T, D) inputs. */
function attention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const [t, d] = q.shape.slice(-2);
  const pos = arange(t).cast("f32");
  // mask[i, j] = −1e9 where j > i (a key in the future)
  const mask = pos.reshape([1, t]).gt(pos.reshape([t, 1])).mul(-1e9);
  const scores = q.matmul(k.transpose(-1, -2)).div(Math.sqrt(d)).add(mask);
  return scores.softmax().matmul(v);
}

/** The same in float64 on the host, loop by loop. */
function attentionHost(q: number[], k: number[], v: number[], bh: number, t: number, d: number) {
  const out = new Array<number>(bh * t * d).fill(0);
  for (let h = 0; h < bh; h++) {
    for (let i = 0; i < t; i++) {
      const s: number[] = [];
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[(h * t + i) * d + c] * k[(h * t + j) * d + c];
        s.push(dot / Math.sqrt(d));
      }
      const m = Math.max(...s);
      const e = s.map((x) => Math.exp(x - m));
      const z = e.reduce((p, x) => p + x, 0);
      for (let j = 0; j <= i; j++) {
        for (let c = 0; c < d; c++) out[(h * t + i) * d + c] += (e[j] / z) * v[(h * t + j) * d + c];
      }
    }
  }
  return out;
}

Deno.test("causal self-attention: the first position sees only itself and rows match a host loop", async () => {
  const q = randn([1, 2, 3, 4], 30);
  const k = randn([1, 2, 3, 4], 31);
  const v = randn([1, 2, 3, 4], 32);
  const y = attention(q, k, v);
  assert.deepEqual(y.shape, [1, 2, 3, 4]);
  const out = await values(y);
  const vv = await values(v);
  assertAllClose(out.slice(0, 4), vv.slice(0, 4)); // head 0, position 0 = v[0, 0, 0]
  assertAllClose(out.slice(12, 16), vv.slice(12, 16)); // head 1, position 0
  assertAllClose(out, attentionHost(await values(q), await values(k), vv, 2, 3, 4), {
    rtol: 1e-5,
    atol: 1e-5,
  });
});

Deno.test("causal self-attention gradient matches finite differences for q, k and v", async () => {
  await checkGrad(
    ([q, k, v]) => attention(q, k, v),
    [randn([1, 2, 3, 4], 33), randn([1, 2, 3, 4], 34), randn([1, 2, 3, 4], 35)],
  );
});

Deno.test("causal self-attention gradient matches finite differences from a fused qkv projection", async () => {
  // q, k, v as narrowed, permuted views of one (B, T, 3·H·D) tensor, as in a GPT block.
  await checkGrad(([qkv]) => {
    const heads = (i: number) =>
      qkv.narrow(2, i * 4, 4).reshape([1, 3, 2, 2]).permute([0, 2, 1, 3]);
    return attention(heads(0), heads(1), heads(2));
  }, [randn([1, 3, 12], 36)]);
});
