/**
 * `lib/engine/nn.ts`: parameter discovery by field walking (names, order, nesting, sharing),
 * and the Linear, Embedding and LayerNorm layers' forward values (hand-computed, |Δ| ≤ 1e-6 +
 * 1e-5·|want|), initialisation and gradients (central finite differences, `tests/_helpers/fd.ts`).
 */
import assert from "node:assert/strict";
import { assertAllClose, checkGrad, values } from "../_helpers/fd.ts";
import { Embedding, LayerNorm, Linear, Module, parameter } from "../../lib/engine/nn.ts";
import { randn, type Tensor, tensor, tidy } from "../../lib/engine/tensor.ts";

class Block extends Module {
  ln = new LayerNorm(4);
  fc = new Linear(4, 3, { seed: 1 });
  notAParameter = tensor([1, 2]);
  label = "block";
}

class Net extends Module {
  embed = new Embedding(5, 4, { seed: 2 });
  blocks = [new Block(), new Block()];
  head: Linear;
  scale = parameter(tensor([1]));
  constructor() {
    super();
    this.head = new Linear(3, 5, { seed: 3, bias: false });
  }
}

Deno.test("Module.namedParameters() lists dotted names in field order, through arrays", () => {
  const names = new Net().namedParameters().map((p) => p.name);
  assert.deepEqual(names, [
    "embed.weight",
    "blocks.0.ln.gamma",
    "blocks.0.ln.beta",
    "blocks.0.fc.weight",
    "blocks.0.fc.bias",
    "blocks.1.ln.gamma",
    "blocks.1.ln.beta",
    "blocks.1.fc.weight",
    "blocks.1.fc.bias",
    "head.weight", // declared before `scale`, assigned in the constructor
    "scale",
  ]);
});

Deno.test("Module.parameters() returns leaves that require grad", () => {
  const params = new Net().parameters();
  assert.equal(params.length, 11);
  assert.ok(params.every((p) => p.requiresGrad));
});

Deno.test("Module.parameterCount() counts elements, shared tensors once", () => {
  // embed 5·4, 2 × (ln 4 + 4, fc 4·3 + 3), scale 1, head 3·5
  assert.equal(new Net().parameterCount(), 20 + 2 * (8 + 15) + 1 + 15);
  class Tied extends Module {
    a = new Linear(2, 2, { seed: 1, bias: false });
    b = this.a;
  }
  const tied = new Tied();
  assert.equal(tied.parameters().length, 2);
  assert.equal(tied.parameterCount(), 4);
});

Deno.test("parameter() and layer weights survive tidy()", () => {
  let p: Tensor | null = null;
  let w: Tensor | null = null;
  tidy(() => {
    p = parameter(tensor([1, 2]));
    w = new Linear(2, 2, { seed: 1 }).weight;
    p.add(w.sum());
  });
  assert.equal(p!.disposed, false);
  assert.equal(w!.disposed, false);
});

Deno.test("Linear.forward() computes x·W + b", async () => {
  const layer = new Linear(2, 3, { seed: 1 });
  layer.weight = parameter(tensor([[1, 2, 3], [4, 5, 6]]));
  layer.bias = parameter(tensor([0.5, 0, -1]));
  const y = layer.forward(tensor([[1, 1], [2, -1]]));
  assert.deepEqual(y.shape, [2, 3]);
  assert.deepEqual(await values(y), [5.5, 7, 8, -1.5, -1, -1]);
  const batched = layer.forward(tensor([[[1, 1]], [[2, -1]]]));
  assert.deepEqual(batched.shape, [2, 1, 3]);
  assert.deepEqual(await values(batched), [5.5, 7, 8, -1.5, -1, -1]);
});

Deno.test("Linear initialises W ~ N(0, std²) from its seed and b = 0", async () => {
  const a = await values(new Linear(64, 32, { seed: 5, std: 0.02 }).weight);
  assert.deepEqual(a, await values(new Linear(64, 32, { seed: 5, std: 0.02 }).weight));
  assert.notDeepEqual(a, await values(new Linear(64, 32, { seed: 6, std: 0.02 }).weight));
  const sd = Math.sqrt(a.reduce((p, v) => p + v * v, 0) / a.length);
  assert.ok(Math.abs(sd - 0.02) < 0.002, `sd ${sd}`);
  assert.deepEqual(await values(new Linear(2, 3, { seed: 5 }).bias!), [0, 0, 0]);
  assert.equal(new Linear(2, 3, { seed: 5, bias: false }).bias, null);
});

Deno.test("Linear.forward() gradient matches finite differences for x, W and b", async () => {
  await checkGrad(([x, w, b]) => {
    const layer = new Linear(3, 2, { seed: 1 });
    layer.weight = w;
    layer.bias = b;
    return layer.forward(x);
  }, [randn([2, 3], 1), randn([3, 2], 2), randn([2], 3)]);
});

Deno.test("Embedding.forward() returns the rows of its table", async () => {
  const e = new Embedding(3, 2, { seed: 1 });
  e.weight = parameter(tensor([[0, 1], [2, 3], [4, 5]]));
  const y = e.forward(tensor([[2, 0]], undefined, { dtype: "i32" }));
  assert.deepEqual(y.shape, [1, 2, 2]);
  assert.deepEqual(await values(y), [4, 5, 0, 1]);
});

Deno.test("LayerNorm.forward() starts as a plain normalisation (γ = 1, β = 0)", async () => {
  const ln = new LayerNorm(4);
  assert.deepEqual(await values(ln.gamma), [1, 1, 1, 1]);
  assert.deepEqual(await values(ln.beta), [0, 0, 0, 0]);
  const y = await values(ln.forward(tensor([[1, 2, 3, 4], [10, 10, 10, 14]])));
  const s = 1 / Math.sqrt(1.25 + 1e-5);
  const s2 = 1 / Math.sqrt(3 + 1e-5); // mean 11, variance (1+1+1+9)/4 = 3
  assertAllClose(y, [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s, -s2, -s2, -s2, 3 * s2], {
    rtol: 1e-5,
    atol: 1e-5,
  });
});
