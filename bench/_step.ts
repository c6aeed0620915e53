/**
 * The reference training step every bench times: forward, mean cross-entropy, backward, AdamW,
 * all inside one `tidy` so nothing the step created outlives it.
 */
import type { AdamW } from "../lib/engine/optim/adamw.ts";
import { noGrad, type Tensor, tidy } from "../lib/engine/tensor.ts";
import type { GPT } from "../lib/model/gpt.ts";

/** One optimiser step of `model` on tokens `x` (B, T) with next-token targets `y` (B, T). */
export function trainStep(model: GPT, opt: AdamW, x: Tensor, y: Tensor): void {
  tidy(() => {
    const loss = model.forward(x).crossEntropy(y).mean(); // ()
    loss.backward();
    noGrad(() => opt.step());
    opt.zeroGrad();
  });
}
