/**
 * Tiny GPT configs and helpers shared by the model tests (CPU backend unless told otherwise).
 *
 * @module
 */
import { GPT, type GptConfig, resolveGptConfig } from "../../lib/model/gpt.ts";
import { type Tensor, tensor } from "../../lib/engine/tensor.ts";

/** A 2-layer, width-16, 2-head model over 23 tokens; `positional` and more may be overridden. */
export function tinyConfig(overrides: Partial<GptConfig> = {}): GptConfig {
  return resolveGptConfig({
    vocabSize: 23,
    contextLength: 32,
    nLayer: 2,
    nHead: 2,
    nEmbd: 16,
    seed: 7,
    ...overrides,
  });
}

/** A tiny model whose weights are scaled up (std ≈ 0.5) so logits differ clearly between tokens. */
export async function tinyModel(overrides: Partial<GptConfig> = {}): Promise<GPT> {
  const model = new GPT(tinyConfig(overrides));
  for (const p of model.parameters()) {
    if (p.rank < 2) continue;
    const data = (await p.toArray()) as Float32Array;
    p.backend.write(p.view.storage, data.map((x) => x * 25));
  }
  return model;
}

/** i32 ids (B, T) from nested arrays. */
export function ids(rows: number[][]): Tensor {
  return tensor(rows, undefined, { dtype: "i32" });
}

/** Largest |a − b|. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
