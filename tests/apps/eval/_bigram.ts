/**
 * A hand-made model for the scoring and NTP tests: a bigram table whose logits rows are chosen so
 * that the entropy and the argmax of every position are known in advance.
 *
 * @module
 */
import { type Tensor, tensor } from "../../../lib/engine/tensor.ts";
import { Module } from "../../../lib/engine/nn.ts";

export const V = 4;
/** Row r of the table: the logits after token r. */
export const TABLE = [
  [10, 0, 0, 0], // after 0: predicts 0, entropy ≈ 0 (low tier)
  [0, 0, 0, 0], // after 1: uniform, entropy ln 4 ≈ 1.386 (medium tier), argmax 0 (first max)
  [0, 0, 5, 5], // after 2: two-way tie between 2 and 3, entropy ≈ ln 2 ≈ 0.69 (easy), argmax 2
  [0, 0, 0, 0], // after 3: uniform
];

/** A bigram "model": logits (B, T, V) = TABLE[ids]. */
export class Bigram extends Module {
  table = tensor(TABLE.flat(), [V, V]).requireGrad();
  forward(ids: ReturnType<typeof tensor>) {
    return this.table.embedding(ids); // (B, T, V)
  }
}

export const entropyOf = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return -e.reduce((s, x) => s + (x / z) * Math.log(x / z), 0);
};

/** A bigram "model" over a vocabulary of `v` tokens: logits (B, T, V) = rows[ids], rows (V, V). */
export class BigramTable extends Module {
  table: Tensor;
  config = { contextLength: 64 };
  constructor(rows: Float32Array, v: number) {
    super();
    this.table = tensor(rows, [v, v]);
  }
  forward(ids: Tensor): Tensor {
    return this.table.embedding(ids); // (B, T, V)
  }
}
