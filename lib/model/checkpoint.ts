/**
 * Checkpoints: a directory holding everything needed to resume or sample.
 *
 *     model.safetensors      weights by dotted parameter name (F32), SHA-256 of the data inside
 *     config.json            the model config (GptConfig, or LlamaConfig: decoder.ts)
 *     tokenizer.json         the tokenizer, as given
 *     optimizer.safetensors  AdamW moments m.<name>, v.<name>; the step in the metadata
 *     state.json             step, seeds, training config, metrics (anything JSON)
 *     checksums.json         SHA-256 of every file above; written last, so it marks a whole copy
 *
 * Saving survives a crash at any point. The new copy is written (and fsynced) to
 * `<dir>.tmp-<pid>/`, the previous one renamed to `<dir>.old/`, the new one renamed to `<dir>`,
 * and `<dir>.old/` removed. Whatever the crash left, {@linkcode findCheckpoint} finds a complete
 * copy (`<dir>`, else a `<dir>.tmp-*` whose checksums verify, else `<dir>.old`), and
 * {@linkcode recoverCheckpoint} (called by every save, and by the trainers before resuming)
 * puts it back in place and removes the leftovers.
 *
 * Loading validates every file and fails with a one-line {@linkcode CheckpointError} naming the
 * file; it never writes. A weight file without its SHA-256 is refused unless
 * `allowMissingChecksum` is set (a file edited by hand, or written by another program).
 *
 * @module
 */
import { ConfigError } from "../util/config.ts";
import type { AdamW } from "../engine/optim/adamw.ts";
import type { Tensor } from "../engine/tensor.ts";
import type { GPT } from "./gpt.ts";
import type { Llama } from "./llama.ts";
import { type ModelConfig, newDecoder, resolveModelConfig } from "./decoder.ts";
import {
  CheckpointError,
  decodeSafetensors,
  encodeSafetensors,
  type StTensor,
} from "./safetensors.ts";
import { exists } from "../util/fs.ts";
import {
  findCheckpoint,
  join,
  MANIFEST,
  type SaveStage,
  sha256Hex,
  writeCheckpointFiles,
} from "./checkpoint_swap.ts";

export { findCheckpoint, recoverCheckpoint, type SaveStage } from "./checkpoint_swap.ts";

export { CheckpointError } from "./safetensors.ts";

/** A loaded checkpoint. */
export interface Checkpoint {
  /** The model with the saved weights, on the default backend. */
  model: GPT | Llama;
  modelConfig: ModelConfig;
  tokenizerJson: unknown;
  /** AdamW moments in `model.namedParameters()` order, and the step count. */
  optimizer?: { m: Float32Array[]; v: Float32Array[]; step: number };
  /** Step, rng seeds, training config, metrics. */
  state: Record<string, unknown>;
}

const FILES = {
  model: "model.safetensors",
  config: "config.json",
  tokenizer: "tokenizer.json",
  optimizer: "optimizer.safetensors",
  state: "state.json",
} as const;

function f32(t: Float32Array | Int32Array, name: string): StTensor {
  if (!(t instanceof Float32Array)) throw new Error(`saveCheckpoint: ${name} is not f32`);
  return { dtype: "F32", shape: [t.length], data: t };
}

/**
 * Saves a checkpoint to `dir` (see the module doc for the files and the crash-safe replace).
 *
 * @param ck `optimizer`'s parameters must be the model's (matched by identity).
 * @param opts `onStage` is called at each {@linkcode SaveStage} (tests kill the process there).
 */
export async function saveCheckpoint(
  dir: string,
  ck: {
    model: GPT | Llama;
    tokenizerJson: unknown;
    optimizer?: AdamW;
    state: Record<string, unknown>;
  },
  opts: { onStage?: (stage: SaveStage) => void | Promise<void> } = {},
): Promise<void> {
  // Serialise everything before touching the disk: a failure here writes nothing.
  const named = ck.model.namedParameters();
  const weights: [string, StTensor][] = [];
  for (const { name, tensor } of named) {
    weights.push([name, { dtype: "F32", shape: [...tensor.shape], data: await readF32(tensor) }]);
  }
  const files: [string, Uint8Array][] = [
    [FILES.model, await encodeSafetensors(weights, { format: "pt" })],
    [FILES.config, json(ck.model.config, FILES.config)],
    [FILES.tokenizer, json(ck.tokenizerJson ?? null, FILES.tokenizer)],
    [FILES.state, json(ck.state, FILES.state)],
  ];
  if (ck.optimizer !== undefined) {
    const opt = ck.optimizer;
    const index = new Map(named.map((p, i) => [p.tensor, i]));
    const m: [string, StTensor][] = [];
    const v: [string, StTensor][] = [];
    for (let i = 0; i < opt.params.length; i++) {
      const k = index.get(opt.params[i]);
      if (k === undefined) {
        throw new Error(`saveCheckpoint: optimizer parameter ${i} is not a parameter of the model`);
      }
      const { name, tensor } = named[k];
      m.push([`m.${name}`, { ...f32(await readF32(opt.m[i]), name), shape: [...tensor.shape] }]);
      v.push([`v.${name}`, { ...f32(await readF32(opt.v[i]), name), shape: [...tensor.shape] }]);
    }
    files.push([
      FILES.optimizer,
      await encodeSafetensors([...m, ...v], { step: String(opt.stepCount) }),
    ]);
  }
  await writeCheckpointFiles(dir, files, opts.onStage);
}

async function readF32(t: Tensor): Promise<Float32Array> {
  const data = await t.toArray();
  if (!(data instanceof Float32Array)) throw new Error("saveCheckpoint: expected f32 tensors");
  return data.slice(); // own the bytes
}

function json(value: unknown, file: string): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (e) {
    throw new Error(`saveCheckpoint: ${file}: cannot serialise (${(e as Error).message})`);
  }
  return new TextEncoder().encode((text ?? "null") + "\n");
}

// ---- loading -----------------------------------------------------------------------------------

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "missing" : "cannot read";
    throw new CheckpointError(`${file}: ${why} (${(e as Error).message.split("\n")[0]})`);
  }
}

function parseJson(bytes: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CheckpointError(`${file}: invalid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

/** Options of {@linkcode loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** `true`: the optimizer file is required; `false`: skipped; default: read when present. */
  optimizer?: boolean;
  /** Load weight files that carry no SHA-256 in their metadata (default: refuse them). */
  allowMissingChecksum?: boolean;
}

/**
 * Loads a checkpoint; the model is created on the default backend. An interrupted save is
 * looked through ({@linkcode findCheckpoint}): the complete copy it left is loaded, nothing is
 * moved. Every file is checked against `checksums.json` when the copy has one.
 *
 * @throws {CheckpointError} `<file>: <what is wrong>` for a missing, truncated or corrupted file.
 */
export async function loadCheckpoint(
  dir: string,
  opts: LoadCheckpointOptions = {},
): Promise<Checkpoint> {
  const found = await findCheckpoint(dir);
  if (found === null) throw new CheckpointError(`${dir}: no checkpoint here (missing directory)`);
  dir = found;
  const file = (name: string) => join(dir, name);
  // a copy with a manifest is verified file by file at the end; without one, the weight files'
  // own checksums are all there is
  const verified = await exists(file(MANIFEST));
  const checksumOk = { ...opts, allowMissingChecksum: verified || opts.allowMissingChecksum };
  const bytes = new Map<string, Uint8Array>();
  const read = async (name: string) => {
    const b = await readBytes(file(name));
    bytes.set(name, b);
    return b;
  };
  let modelConfig: ModelConfig;
  try {
    modelConfig = resolveModelConfig(
      parseJson(await read(FILES.config), file(FILES.config)),
      "model",
    );
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(`${file(FILES.config)}: ${e.message}`);
    throw e;
  }
  const tokenizerJson = parseJson(await read(FILES.tokenizer), file(FILES.tokenizer));
  const state = parseJson(await read(FILES.state), file(FILES.state));
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new CheckpointError(`${file(FILES.state)}: expected a JSON object`);
  }
  const weightsFile = file(FILES.model);
  const weights = await decodeSafetensors(await read(FILES.model), weightsFile);
  requireChecksum(weights.metadata, weightsFile, checksumOk);

  let optimizer: Checkpoint["optimizer"];
  const optFile = file(FILES.optimizer);
  const wantOpt = opts.optimizer ?? (await exists(optFile));
  const model = newDecoder(modelConfig);
  try {
    const named = model.namedParameters();
    const data = matchTensors(named, weights.tensors, "", weightsFile);
    named.forEach((p, i) => p.tensor.backend.write(p.tensor.view.storage, data[i]));
    if (wantOpt) {
      const st = await decodeSafetensors(await read(FILES.optimizer), optFile);
      requireChecksum(st.metadata, optFile, checksumOk);
      const step = Number(st.metadata.step);
      if (!Number.isInteger(step) || step < 0) {
        throw new CheckpointError(`${optFile}: invalid step ${JSON.stringify(st.metadata.step)}`);
      }
      optimizer = {
        m: matchTensors(named, st.tensors, "m.", optFile, true),
        v: matchTensors(named, st.tensors, "v.", optFile, true),
        step,
      };
    }
    await checkManifest(dir, bytes);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    model,
    modelConfig,
    tokenizerJson,
    optimizer,
    state: state as Record<string, unknown>,
  };
}

/** A weight file of ours carries the SHA-256 of its data; one without is refused unless allowed. */
function requireChecksum(
  metadata: Record<string, string>,
  file: string,
  opts: LoadCheckpointOptions,
): void {
  if (typeof metadata.sha256 === "string" || opts.allowMissingChecksum === true) return;
  throw new CheckpointError(
    `${file}: no data checksum (sha256) in its metadata, so corruption cannot be detected ` +
      `(load it with allowMissingChecksum, or --allow-missing-checksum, if you trust it)`,
  );
}

/**
 * The SHA-256 of a checkpoint's weights as its `checksums.json` records it, or null (no such
 * directory, or one without checksums, e.g. a Hugging Face download): the identity of a
 * checkpoint's model, read without loading it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { weightsDigest } from "./checkpoint.ts";
 * assert.match((await weightsDigest("checkpoints/base"))!, /^[0-9a-f]{64}$/);
 * assert.equal(await weightsDigest("no/such/dir"), null);
 * ```
 */
export async function weightsDigest(dir: string): Promise<string | null> {
  const digest = (await readManifest(dir))?.["model.safetensors"];
  return typeof digest === "string" ? digest : null;
}

/** The copy's `checksums.json` as an object, or null when it has none. */
async function readManifest(dir: string): Promise<Record<string, unknown> | null> {
  const manifestFile = join(dir, MANIFEST);
  if (!(await exists(manifestFile))) return null; // written before manifests, or by hand
  const sums = parseJson(await readBytes(manifestFile), manifestFile);
  if (typeof sums !== "object" || sums === null || Array.isArray(sums)) {
    throw new CheckpointError(`${manifestFile}: expected a JSON object of SHA-256 sums`);
  }
  return sums as Record<string, unknown>;
}

/** Checks the files read (`bytes`) against the copy's `checksums.json`, when it has one. */
async function checkManifest(dir: string, bytes: Map<string, Uint8Array>): Promise<void> {
  const sums = await readManifest(dir);
  if (sums === null) return;
  for (const [name, b] of bytes) {
    const expected = sums[name];
    if (expected === undefined) continue; // e.g. optimizer.safetensors copied in by hand
    if (await sha256Hex(b) !== expected) {
      throw new CheckpointError(
        `${join(dir, name)}: corrupted: SHA-256 does not match ${MANIFEST}`,
      );
    }
  }
}

/** The tensors `prefix + name` for every parameter, checked for dtype and shape; no extras. */
function matchTensors(
  named: ReadonlyArray<{ name: string; tensor: Tensor }>,
  tensors: Map<string, StTensor>,
  prefix: string,
  file: string,
  partOfFile = false,
): Float32Array[] {
  const out = named.map(({ name, tensor }) => {
    const key = prefix + name;
    const t = tensors.get(key);
    if (t === undefined) throw new CheckpointError(`${file}: missing tensor "${key}"`);
    if (t.dtype !== "F32" || t.data.length !== tensor.size) {
      throw new CheckpointError(
        `${file}: tensor "${key}" is ${t.dtype} [${t.shape}], expected F32 [${tensor.shape}]`,
      );
    }
    return t.data as Float32Array;
  });
  const expected = partOfFile ? 2 * named.length : named.length;
  if (tensors.size !== expected) {
    const known = new Set(named.map((p) => p.name));
    const extra = [...tensors.keys()].find((k) =>
      !known.has(partOfFile ? k.replace(/^[mv]\./, "") : k)
    );
    throw new CheckpointError(`${file}: unexpected tensor "${extra}" (not a model parameter)`);
  }
  return out;
}

/**
 * Copies the checkpoint's AdamW moments and step count into `opt`, whose parameters are
 * `ck.model`'s (matched by identity) or the same list in `namedParameters()` order.
 */
export function loadOptimizerState(opt: AdamW, ck: Checkpoint): void {
  if (ck.optimizer === undefined) {
    throw new CheckpointError("loadOptimizerState: the checkpoint has no optimizer state");
  }
  const index = new Map(ck.model.parameters().map((p, i) => [p, i]));
  opt.params.forEach((p, i) => {
    const k = index.get(p) ?? i;
    const m = ck.optimizer!.m[k];
    const v = ck.optimizer!.v[k];
    if (m === undefined || m.length !== p.size) {
      throw new CheckpointError(
        `loadOptimizerState: parameter ${i} [${p.shape}] has no matching moments in the checkpoint`,
      );
    }
    opt.m[i].backend.write(opt.m[i].view.storage, m);
    opt.v[i].backend.write(opt.v[i].view.storage, v);
  });
  opt.stepCount = ck.optimizer.step;
}
