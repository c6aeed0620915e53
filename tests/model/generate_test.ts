/**
 * Batched generation (`lib/model/generate.ts`) on the CPU backend: a temperature → 0 sample
 * equals greedy decoding by full recomputation (no cache) of the same left-padded layout, stop
 * ids truncate each row after its first stop, the same seed gives the same output whatever the
 * read chunk, and invalid requests fail clearly.
 */
import assert from "node:assert/strict";
import { generate, type GenerateOptions } from "../../lib/model/generate.ts";
import type { GPT } from "../../lib/model/gpt.ts";
import { noGrad, tensor, tidy } from "../../lib/engine/tensor.ts";
import { ids, tinyModel } from "../_helpers/tiny_model.ts";

const PAD = 0;
const base: GenerateOptions = {
  maxNewTokens: 6,
  temperature: 1,
  topK: 0,
  seed: 42,
  stopIds: [],
  readChunk: 4,
};

/** Greedy decoding by full recomputation: left-pad, mask the padding, argmax the last row. */
async function greedyReference(model: GPT, prompts: number[][], n: number): Promise<number[][]> {
  const P = Math.max(...prompts.map((p) => p.length));
  const rows = prompts.map((p) => [...Array(P - p.length).fill(PAD), ...p]);
  const mask = prompts.map((p) => [...Array(P - p.length).fill(0), ...Array(p.length).fill(1)]);
  const out: number[][] = prompts.map(() => []);
  for (let t = 0; t < n; t++) {
    const next = await noGrad(() =>
      tidy(() => {
        const logits = model.forward(ids(rows), { keyMask: tensor(mask) }); // (B, T, V)
        return logits.narrow(1, rows[0].length - 1, 1).argmax(); // (B, 1)
      })
    ).toArray();
    rows.forEach((r, b) => {
      r.push(next[b]);
      mask[b].push(1);
      out[b].push(next[b]);
    });
  }
  return out;
}

Deno.test("generate() at temperature → 0 equals greedy decoding by full recomputation", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    const prompts = [[3, 1, 4, 1, 5], [9], [2, 6, 5]];
    const want = await greedyReference(model, prompts, 7);
    for (const temperature of [1e-6, 0]) {
      const got = await generate(model, prompts, PAD, { ...base, maxNewTokens: 7, temperature });
      assert.deepEqual(got.completions, want, `${positional}, temperature ${temperature}`);
      assert.deepEqual(got.stopped, [false, false, false]);
      assert.ok(got.tokensPerSecond > 0);
    }
    model.dispose();
  }
});

Deno.test("generate() truncates each row after its first stop id and stops early", async () => {
  const model = await tinyModel();
  const prompts = [[3, 1, 4], [2, 7], [5, 5, 5, 5]];
  const free = await generate(model, prompts, PAD, { ...base, maxNewTokens: 12, readChunk: 3 });
  // Use the 3rd token sampled for row 0 as a stop id: row 0 ends there, others at their first.
  const stop = free.completions[0][2];
  const got = await generate(model, prompts, PAD, {
    ...base,
    maxNewTokens: 12,
    readChunk: 3,
    stopIds: [stop],
  });
  free.completions.forEach((c, b) => {
    const at = c.indexOf(stop);
    assert.deepEqual(got.completions[b], at < 0 ? c : c.slice(0, at + 1));
    assert.equal(got.stopped[b], at >= 0);
  });
  assert.equal(got.completions[0].length, free.completions[0].indexOf(stop) + 1);
  // Every row stops at once: generation ends at the first chunk boundary.
  const first = free.completions.map((c) => c[0]);
  const early = await generate(model, prompts, PAD, {
    ...base,
    maxNewTokens: 12,
    readChunk: 3,
    stopIds: first,
  });
  assert.deepEqual(early.stopped, [true, true, true]);
  early.completions.forEach((c) => assert.ok(c.length <= 3 && first.includes(c[c.length - 1])));
  model.dispose();
});

Deno.test("generate() with the same seed gives the same output, whatever the read chunk", async () => {
  const model = await tinyModel({ positional: "rope" });
  const prompts = [[1, 2, 3], [4, 5], [6]];
  const opts = { ...base, maxNewTokens: 10, topK: 5 };
  const a = await generate(model, prompts, PAD, opts);
  const b = await generate(model, prompts, PAD, { ...opts, readChunk: 1 });
  const c = await generate(model, prompts, PAD, { ...opts, readChunk: 16 });
  assert.deepEqual(b.completions, a.completions);
  assert.deepEqual(c.completions, a.completions);
  const other = await generate(model, prompts, PAD, { ...opts, seed: 43 });
  assert.notDeepEqual(other.completions, a.completions);
  model.dispose();
});

Deno.test("generate() rejects empty prompts and overlong requests", async () => {
  const model = await tinyModel({ contextLength: 8 });
  await assert.rejects(() => generate(model, [[1], []], PAD, base), /empty prompt/);
  await assert.rejects(
    () => generate(model, [[1, 2, 3]], PAD, { ...base, maxNewTokens: 6 }),
    /exceeds contextLength 8/,
  );
  const none = await generate(model, [], PAD, base);
  assert.deepEqual(none.completions, []);
  model.dispose();
});

Deno.test("generate() prefilling repeated prompts once gives the tokens of separate prefills", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    // a GRPO-like batch: three prompts of different lengths, each repeated (in mixed order)
    const prompts = [[3, 1, 4], [9], [3, 1, 4], [2, 6, 5, 3], [9], [3, 1, 4], [2, 6, 5, 3]];
    for (const temperature of [0, 1]) {
      const opts = { ...base, maxNewTokens: 8, temperature, topK: temperature > 0 ? 5 : 0 };
      const shared = await generate(model, prompts, PAD, opts);
      const separate = await generate(model, prompts, PAD, { ...opts, sharePrefill: false });
      assert.deepEqual(shared.completions, separate.completions, `${positional}, T ${temperature}`);
      if (temperature > 0) {
        // the rows of one prompt still draw different samples (one RNG stream per row)
        assert.notDeepEqual(shared.completions[0], shared.completions[2]);
      }
    }
    model.dispose();
  }
});

Deno.test("generate() leaves no tensors behind", async () => {
  const model = await tinyModel();
  const backend = model.wte.weight.backend;
  await generate(model, [[1, 2], [3]], PAD, base); // warm the shared caches (masks, constants)
  const before = backend.memory().liveStorages;
  await generate(model, [[1, 2], [3]], PAD, { ...base, stopIds: [5] });
  await generate(model, [[1, 2], [3]], PAD, { ...base, temperature: 0 });
  await generate(model, [[1, 2], [3], [1, 2]], PAD, base); // shared prefill
  // rows stopping at different times: the batch is compacted (cache, mask, ids replaced)
  const prompts = [[1, 2], [3], [4, 1], [2], [5, 5], [1]];
  const free = await generate(model, prompts, PAD, { ...base, maxNewTokens: 16, readChunk: 1 });
  const stopIds = [free.completions[0][0], free.completions[1][0]];
  const r = await generate(model, prompts, PAD, {
    ...base,
    maxNewTokens: 16,
    readChunk: 1,
    stopIds,
  });
  assert.ok(r.rowSteps < free.rowSteps, "compacted");
  assert.equal(backend.memory().liveStorages, before);
  model.dispose();
});

Deno.test("generate() dropping stopped rows from the batch samples the same tokens, with less work", async () => {
  for (const positional of ["learned", "rope"] as const) {
    const model = await tinyModel({ positional });
    const prompts = [[3, 1, 4], [2, 7], [5, 5, 5, 5], [3, 1, 4], [8], [6, 1]];
    for (const temperature of [1, 0]) {
      const opts = { ...base, maxNewTokens: 24, readChunk: 2, temperature };
      const free = await generate(model, prompts, PAD, opts);
      // stop ids that end some rows and not others: the rarest ids until two rows or more stop
      const rowsWith = (ids: number[]) =>
        free.completions.filter((c) => c.some((x) => ids.includes(x))).length;
      const stopIds: number[] = [];
      for (const id of [...new Set(free.completions.flat())].sort((a, b) => a - b)) {
        if (rowsWith([...stopIds, id]) < prompts.length) stopIds.push(id);
        if (rowsWith(stopIds) >= 2) break;
      }
      const o = { ...opts, stopIds };
      const compacted = await generate(model, prompts, PAD, o);
      const full = await generate(model, prompts, PAD, { ...o, compact: false });
      const what = `${positional}, T ${temperature}, stop ids ${stopIds}`;
      assert.deepEqual(compacted.completions, full.completions, what);
      assert.deepEqual(compacted.stopped, full.stopped);
      const stopping = full.stopped.filter((x) => x).length;
      assert.ok(stopping >= 2 && stopping < prompts.length, `${what}: ${stopping} rows stop`);
      assert.equal(full.rowSteps, prompts.length * (opts.maxNewTokens - 1));
      assert.ok(compacted.rowSteps < full.rowSteps, `${compacted.rowSteps} < ${full.rowSteps}`);
    }
    model.dispose();
  }
});
