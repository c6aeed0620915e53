/**
 * Non-differentiable ops (`lib/engine/ops/sampling.ts`): dtype casts, argmax and on-device multinomial
 * sampling. Values are exact; the sampler's empirical frequencies over 4,000 rows must lie
 * within 0.03 of softmax(logits / temperature) (binomial standard deviation ≤ 0.008, so ≈ 4σ).
 */
import assert from "node:assert/strict";
import { checkGrad, values } from "../../_helpers/fd.ts";
import { randn, type Tensor, tensor } from "../../../lib/engine/tensor.ts";

const LOGITS = [Math.log(1), Math.log(2), Math.log(3), Math.log(4)]; // softmax = [.1, .2, .3, .4]

/** The same logits row repeated `rows` times. */
function repeated(rows: number, row = LOGITS): Tensor {
  return tensor(row).reshape([1, row.length]).expand([rows, row.length]).contiguous();
}

/** Frequency of each id among the draws. */
function frequencies(draws: Int32Array | Float32Array, cols: number): number[] {
  const counts = new Array<number>(cols).fill(0);
  for (const d of draws) counts[d]++;
  return counts.map((c) => c / draws.length);
}

Deno.test("Tensor.cast() converts f32 to i32 truncating toward zero, and back", async () => {
  const i = tensor([1.7, -1.7, 0, 3]).cast("i32");
  assert.equal(i.dtype, "i32");
  assert.deepEqual([...await i.toArray()], [1, -1, 0, 3]);
  const f = i.cast("f32");
  assert.equal(f.dtype, "f32");
  assert.deepEqual(await values(f), [1, -1, 0, 3]);
});

Deno.test("Tensor.cast() to the same dtype returns the tensor itself", () => {
  const x = tensor([1, 2]);
  assert.equal(x.cast("f32"), x);
});

Deno.test("Tensor.cast() of a transposed view casts in the viewed order", async () => {
  const i = tensor([[1, 2], [3, 4]]).transpose(0, 1).cast("i32");
  assert.deepEqual([...await i.toArray()], [1, 3, 2, 4]);
});

Deno.test("Tensor.cast() passes no gradient", async () => {
  await checkGrad(([x]) => x.cast("i32").cast("f32").add(x.mul(0)), [tensor([0.3, 1.6])]);
});

Deno.test("Tensor.argmax() returns the i32 index of each row's maximum, first on ties", async () => {
  const a = tensor([[1, 5, 2], [7, 7, 0], [-3, -1, -2]]).argmax();
  assert.equal(a.dtype, "i32");
  assert.deepEqual(a.shape, [3]);
  assert.deepEqual([...await a.toArray()], [1, 0, 1]);
  assert.deepEqual([...await tensor([[1, 2], [4, 0]]).transpose(0, 1).argmax().toArray()], [1, 0]);
});

Deno.test("Tensor.multinomial() with topK 1 always draws the argmax", async () => {
  const logits = randn([50, 7], 1, { std: 3 });
  const draws = logits.multinomial({ temperature: 1, topK: 1, seed: 5, counter: 0 });
  assert.equal(draws.dtype, "i32");
  assert.deepEqual(draws.shape, [50]);
  assert.deepEqual([...await draws.toArray()], [...await logits.argmax().toArray()]);
});

Deno.test("Tensor.multinomial() is reproducible for a seed and counter and differs across counters", async () => {
  const logits = repeated(200);
  const draw = (counter: number) =>
    logits.multinomial({ temperature: 1, topK: 0, seed: 42, counter }).toArray();
  assert.deepEqual([...await draw(0)], [...await draw(0)]);
  assert.notDeepEqual([...await draw(0)], [...await draw(1)]);
});

Deno.test("Tensor.multinomial() draws with softmax frequencies", async () => {
  const draws = await repeated(4000).multinomial({ temperature: 1, topK: 0, seed: 3, counter: 0 })
    .toArray();
  const freq = frequencies(draws, 4);
  [0.1, 0.2, 0.3, 0.4].forEach((p, i) => assert.ok(Math.abs(freq[i] - p) < 0.03, `${freq}`));
});

Deno.test("Tensor.multinomial() sharpens with a low temperature", async () => {
  // temperature 0.5 squares the probabilities: [1, 4, 9, 16] / 30
  const draws = await repeated(4000).multinomial({ temperature: 0.5, topK: 0, seed: 4, counter: 7 })
    .toArray();
  const freq = frequencies(draws, 4);
  [1, 4, 9, 16].forEach((w, i) => assert.ok(Math.abs(freq[i] - w / 30) < 0.03, `${freq}`));
});

Deno.test("Tensor.multinomial() with topK never draws outside the k largest", async () => {
  const draws = await repeated(4000).multinomial({ temperature: 1, topK: 2, seed: 5, counter: 0 })
    .toArray();
  const freq = frequencies(draws, 4);
  assert.equal(freq[0] + freq[1], 0);
  // renormalised over the top 2: [3, 4] / 7
  assert.ok(Math.abs(freq[2] - 3 / 7) < 0.03, `${freq}`);
});
