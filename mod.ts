/**
 * Reinforcement Mid-Training (RMT; Tian et al., arXiv 2509.24375) in TypeScript on Deno, with
 * its own autograd engine whose tensor ops run as WGSL kernels through WebGPU.
 *
 * The engine has three tiers, one import direction: the tensor API (`lib/engine/tensor.ts`: the
 * `Tensor` class and its methods in `tensor_methods.ts`, autograd and `noGrad` in `autograd.ts`,
 * `tidy` and `keep` in `memory.ts`, `initBackend` and the device choice in `device.ts`) →
 * differentiable ops, forward and backward side by side (`lib/engine/ops/`) → the backend
 * interface of raw kernels (`lib/engine/backend/backend.ts`), implemented by `cpu/` and `webgpu/`.
 * On top, in import order: `nn` layers and AdamW (`lib/engine/`), data (`lib/data/`), the
 * language model (`lib/model/`), the RMT components (`lib/rmt/`) and the apps (`lib/apps/`).
 *
 * @example Autograd on the default (CPU) backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor } from "./mod.ts";
 * const x = tensor([0.5]).requireGrad();
 * const y = x.exp().sum();
 * y.backward();
 * assert.ok(Math.abs((await x.grad!.item()) - Math.exp(0.5)) < 1e-6);
 * ```
 *
 * @module
 */

// Engine
export * from "./lib/engine/tensor.ts";
export type {
  AdamWParams,
  Backend,
  BinaryOp,
  DType,
  ReduceOp,
  SampleParams,
  Storage,
  UnaryOp,
  View,
} from "./lib/engine/backend/backend.ts";
export { CpuBackend } from "./lib/engine/backend/cpu/cpu.ts";
export * from "./lib/engine/nn.ts";
export * from "./lib/engine/optim/adamw.ts";
export * from "./lib/engine/optim/schedule.ts";
export * from "./lib/util/config.ts";
export { mulberry32, type Rng } from "./lib/util/rng.ts";

// Data
export * from "./lib/data/tokenizer.ts";
export * from "./lib/data/corpus_math.ts";
export * from "./lib/data/corpus_files.ts";
export * from "./lib/data/demonstrations.ts";
export * from "./lib/data/batches.ts";
export type { Codec } from "./lib/data/codec.ts";
export { type ChatMessage, HfTokenizer } from "./lib/data/hf_tokenizer.ts";
export * from "./lib/data/corpus_reasoning.ts";
export * from "./lib/data/position_kinds.ts";
export * from "./lib/data/scratchpad.ts";
export * from "./lib/data/scratchpad_read.ts";

// RMT components (method §1–§4)
export * from "./lib/rmt/config.ts";
export * from "./lib/rmt/prompt.ts";
export * from "./lib/rmt/reward_match.ts";
export * from "./lib/rmt/budget.ts";
export * from "./lib/rmt/reward_length.ts";
export * from "./lib/rmt/entropy.ts";
export * from "./lib/rmt/curriculum.ts";
export * from "./lib/rmt/grpo.ts";
export * from "./lib/rmt/objective.ts";

// Language model
export * from "./lib/model/gpt.ts";
export * from "./lib/model/generate.ts";
export * from "./lib/model/checkpoint.ts";
export type { CausalLM } from "./lib/model/causal_lm.ts";
export { Llama, type LlamaConfig } from "./lib/model/llama.ts";
export {
  type CheckpointFormat,
  detectCheckpointFormat,
  loadAnyCheckpoint,
  loadModel,
} from "./lib/model/load.ts";

// Training, evaluation, post-training and reports
export * from "./lib/apps/train/config.ts";
export {
  type CorpusTiers,
  corpusTiers,
  train,
  type TrainOptions as TrainerOptions,
  type TrainResult,
} from "./lib/apps/train/trainer.ts";
export { pretrain } from "./lib/apps/pretrain/pretrain.ts";
export { exportModel } from "./lib/apps/export/export.ts";
export * from "./lib/data/questions.ts";
export {
  buildPostTrainPrompt,
  POSTTRAIN_PROMPT_DEFAULTS,
  postTrainPrompt,
  type PostTrainPromptConfig,
  resolvePostTrainPromptConfig,
} from "./lib/data/question_prompt.ts";
export { parseIntegerAnswer, verifyAnswer } from "./lib/apps/posttrain/verify.ts";
export * from "./lib/apps/report/plots.ts";
export * from "./lib/apps/report/scatter.ts";
export * from "./lib/apps/report/html.ts";
export * from "./lib/apps/report/stats.ts";
