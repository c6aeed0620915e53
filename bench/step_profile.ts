/**
 * Step profile: where one GPT training step (forward, backward, AdamW) spends its time, per
 * backend kernel. Run it, do not `deno bench` it:
 *
 *   deno run -A bench/step_profile.ts                  # reference model, webgpu when present
 *   RMT_BACKEND=cpu deno run -A bench/step_profile.ts
 *   deno run -A bench/step_profile.ts --defaults       # GPT_DEFAULTS instead of the reference
 *
 * Method: the step runs once unprofiled (compiles every pipeline), then once with every backend
 * kernel wrapped. A wrapped kernel first flushes and waits for the queue, then runs `reps`
 * times back to back (the extra results are freed), then waits again; its time is
 * (elapsed − one empty sync) / reps, with `reps` chosen so that a batch takes ≥ 30 ms. The
 * queue is empty at every kernel boundary, so the figure is the kernel's own time plus its
 * dispatch cost, not overlapped with its neighbours. Kernels that write in place (`adamw`,
 * `copy`, `write`) are repeated too, which changes the weights: fine for timing.
 * The table groups calls by kernel (and operator or matmul geometry) and compares the sum with
 * the unprofiled step: the rest is host time (graph building, bookkeeping, submits).
 *
 * Reference model: 4 layers, width 256, 4 heads, context 128, vocabulary 512, batch 16.
 *
 * @module
 */
import type { Storage, View } from "../lib/engine/backend/backend.ts";
import { GPT, GPT_DEFAULTS, resolveGptConfig } from "../lib/model/gpt.ts";
import { AdamW } from "../lib/engine/optim/adamw.ts";
import { type BackendKind, initBackend, tensor } from "../lib/engine/tensor.ts";
import { trainStep } from "./_step.ts";

const kind = (Deno.env.get("RMT_BACKEND") ?? "auto") as BackendKind;
const backend = await initBackend(kind);
const cfg = Deno.args.includes("--defaults") ? GPT_DEFAULTS : resolveGptConfig({
  nLayer: 4,
  nEmbd: 256,
  nHead: 4,
  contextLength: 128,
  vocabSize: 512,
});
const B = 16;
const T = Math.min(128, cfg.contextLength);

/** Kernels that are timed; `read`, `free`, `sync`, `memory` pass through. */
const TIMED = [
  "full",
  "upload",
  "write",
  "copy",
  "cast",
  "unary",
  "binary",
  "where",
  "reduce",
  "argmax",
  "softmax",
  "crossEntropy",
  "crossEntropyBackward",
  "layerNorm",
  "layerNormBackward",
  "matmul",
  "gatherRows",
  "scatterAddRows",
  "gatherLast",
  "scatterLast",
  "multinomial",
  "adamw",
] as const;

interface Row {
  calls: number;
  ms: number;
}
const rows = new Map<string, Row>();
let profiling = false;

function isStorage(x: unknown): x is Storage {
  return typeof x === "object" && x !== null && "size" in x && "dtype" in x;
}

/** Frees whatever a kernel returned (a storage or an object of storages). */
function freeResult(result: unknown): void {
  if (isStorage(result)) backend.free(result);
  else if (typeof result === "object" && result !== null) {
    for (const v of Object.values(result)) if (isStorage(v)) backend.free(v);
  }
}

function shapeOf(v: View): string {
  return `[${v.shape.join("×")}]${v.strides[v.strides.length - 1] === 1 ? "" : "ᵀ"}`;
}

/** The row a call is counted under: kernel name plus operator or geometry. */
function keyOf(name: string, args: unknown[]): string {
  if (name === "unary" || name === "binary" || name === "reduce") return `${name} ${args[0]}`;
  if (name === "matmul") {
    const [a, b] = args as [View, View];
    return `matmul ${shapeOf(a)}·${shapeOf(b)}`;
  }
  return name;
}

const syncMs = await (async () => {
  const t: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await backend.sync();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[2];
})();

/** Times `run` (one kernel call) as described in the module doc; returns its last result. */
async function timeCall(run: () => unknown): Promise<{ result: unknown; ms: number }> {
  await backend.sync();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    let result: unknown;
    for (let r = 0; r < reps; r++) {
      if (r > 0) freeResult(result);
      result = run();
    }
    await backend.sync();
    const elapsed = performance.now() - t0;
    if (elapsed >= 30 || reps >= 64) {
      return { result, ms: Math.max(0, elapsed - syncMs) / reps };
    }
    freeResult(result);
    reps = Math.min(64, reps * 4);
  }
}

// Wrap the kernels. The op layer calls them synchronously, so a profiled step records the
// calls first and replays them for timing between steps (see `profileStep`).
// A kernel that calls others (a matmul computed as a swapped product, say) is recorded once,
// as itself: the calls it makes are part of its time.
const pending: { name: string; args: unknown[] }[] = [];
const target = backend as unknown as Record<string, (...args: unknown[]) => unknown>;
let depth = 0;
for (const name of TIMED) {
  const original = target[name].bind(backend);
  target[name] = (...args: unknown[]) => {
    if (profiling && depth === 0) pending.push({ name, args });
    depth++;
    try {
      return original(...args);
    } finally {
      depth--;
    }
  };
}

const model = new GPT(cfg);
const opt = new AdamW(model.parameters(), { lr: 1e-4 });
const ids = (seed: number) =>
  Int32Array.from({ length: B * T }, (_, i) => (i * 7919 + seed * 104729) % cfg.vocabSize);
const x = tensor(ids(1), [B, T], { dtype: "i32" });
const y = tensor(ids(2), [B, T], { dtype: "i32" });

function step(): void {
  trainStep(model, opt, x, y);
}

/**
 * Records the calls of one step (without freeing: storages stay valid because `free` is
 * deferred), then times each recorded call in isolation.
 */
async function profileStep(): Promise<void> {
  const deferred: Storage[] = [];
  const free = backend.free.bind(backend);
  (backend as { free: (s: Storage) => void }).free = (s) => deferred.push(s);
  profiling = true;
  step();
  profiling = false;
  (backend as { free: (s: Storage) => void }).free = free;
  const calls = pending.splice(0);
  for (const { name, args } of calls) {
    const original = Object.getPrototypeOf(backend)[name] as (...a: unknown[]) => unknown;
    const { result, ms } = await timeCall(() => original.apply(backend, args));
    freeResult(result);
    const key = keyOf(name, args);
    const row = rows.get(key) ?? { calls: 0, ms: 0 };
    row.calls++;
    row.ms += ms;
    rows.set(key, row);
  }
  for (const s of deferred) free(s);
}

step();
await backend.sync();
const t0 = performance.now();
step();
await backend.sync();
const stepMs = performance.now() - t0;
await profileStep();

const total = [...rows.values()].reduce((s, r) => s + r.ms, 0);
console.log(`backend: ${backend.name} (${backend.description})`);
console.log(
  `model: ${cfg.nLayer} layers, width ${cfg.nEmbd}, batch ${B}×${T}; ` +
    `unprofiled step ${stepMs.toFixed(0)} ms (${(B * T / stepMs * 1000).toFixed(0)} tokens/s); ` +
    `kernels in isolation ${total.toFixed(0)} ms; empty sync ${syncMs.toFixed(1)} ms`,
);
console.log(
  `${"kernel".padEnd(56)} ${"calls".padStart(5)} ${"ms".padStart(9)} ${"share".padStart(6)}`,
);
for (const [key, r] of [...rows].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(
    `${key.padEnd(56)} ${String(r.calls).padStart(5)} ${r.ms.toFixed(1).padStart(9)} ${
      (100 * r.ms / total).toFixed(1).padStart(5)
    }%`,
  );
}
