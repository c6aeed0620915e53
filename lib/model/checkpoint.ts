/**
 * Checkpoints: a directory holding everything needed to resume or sample.
 *
 *     model.safetensors      weights by dotted parameter name (F32)
 *     config.json            the model config (GptConfig)
 *     tokenizer.json         the tokenizer, as given
 *     optimizer.safetensors  AdamW moments m.<name>, v.<name>; the step in the metadata
 *     state.json             step, seeds, training config, metrics (anything JSON)
 *
 * Saving is atomic at the directory level: everything is written to a temporary directory
 * beside the target, and only then the old directory (if any) is moved aside and the new one
 * renamed into place. Loading validates every file and fails with a one-line
 * {@linkcode CheckpointError} naming the file; it never writes.
 *
 * @module
 */
import { ConfigError } from "../util/config.ts";
import type { AdamW } from "../engine/optim/adamw.ts";
import type { Tensor } from "../engine/tensor.ts";
import { GPT, type GptConfig, resolveGptConfig } from "./gpt.ts";
import {
  CheckpointError,
  decodeSafetensors,
  encodeSafetensors,
  type StTensor,
} from "./safetensors.ts";
import { exists } from "../util/fs.ts";

export { CheckpointError } from "./safetensors.ts";

/** A loaded checkpoint. */
export interface Checkpoint {
  /** The model with the saved weights, on the default backend. */
  model: GPT;
  modelConfig: GptConfig;
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

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

function splitPath(dir: string): { parent: string; base: string } {
  const trimmed = dir.replace(/\/+$/, "");
  const i = trimmed.lastIndexOf("/");
  return i < 0
    ? { parent: ".", base: trimmed }
    : { parent: i === 0 ? "/" : trimmed.slice(0, i), base: trimmed.slice(i + 1) };
}

function f32(t: Float32Array | Int32Array, name: string): StTensor {
  if (!(t instanceof Float32Array)) throw new Error(`saveCheckpoint: ${name} is not f32`);
  return { dtype: "F32", shape: [t.length], data: t };
}

/**
 * Saves a checkpoint to `dir` (see the module doc for the files and the atomic replace).
 *
 * @param ck `optimizer`'s parameters must be the model's (matched by identity).
 */
export async function saveCheckpoint(
  dir: string,
  ck: { model: GPT; tokenizerJson: unknown; optimizer?: AdamW; state: Record<string, unknown> },
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

  const { parent, base } = splitPath(dir);
  const tag = `${Date.now()}-${Math.floor(Math.random() * 1e9)}`;
  const tmp = join(parent, `.${base}.tmp-${tag}`);
  const old = join(parent, `.${base}.old-${tag}`);
  await Deno.mkdir(parent, { recursive: true });
  await Deno.mkdir(tmp);
  try {
    for (const [name, bytes] of files) await Deno.writeFile(join(tmp, name), bytes);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  // The new directory is complete: swap it in. (POSIX cannot rename over a non-empty
  // directory, so the old one is moved aside first and removed last.)
  const hadOld = await exists(dir);
  if (hadOld) await Deno.rename(dir, old);
  try {
    await Deno.rename(tmp, dir);
  } catch (e) {
    if (hadOld) await Deno.rename(old, dir).catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  if (hadOld) await Deno.remove(old, { recursive: true });
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

async function readJson(file: string): Promise<unknown> {
  const bytes = await readBytes(file);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CheckpointError(`${file}: invalid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

/**
 * Loads a checkpoint; the model is created on the default backend. With `optimizer: true` the
 * optimizer file is required, with `false` it is skipped, and by default it is read when present.
 *
 * @throws {CheckpointError} `<file>: <what is wrong>` for a missing, truncated or corrupted file.
 */
export async function loadCheckpoint(
  dir: string,
  opts: { optimizer?: boolean } = {},
): Promise<Checkpoint> {
  const file = (name: string) => join(dir, name);
  let modelConfig: GptConfig;
  try {
    modelConfig = resolveGptConfig(await readJson(file(FILES.config)), "model");
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(`${file(FILES.config)}: ${e.message}`);
    throw e;
  }
  const tokenizerJson = await readJson(file(FILES.tokenizer));
  const state = await readJson(file(FILES.state));
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new CheckpointError(`${file(FILES.state)}: expected a JSON object`);
  }
  const weightsFile = file(FILES.model);
  const { tensors } = await decodeSafetensors(await readBytes(weightsFile), weightsFile);

  let optimizer: Checkpoint["optimizer"];
  const optFile = file(FILES.optimizer);
  const wantOpt = opts.optimizer ?? (await exists(optFile));
  const model = new GPT(modelConfig);
  try {
    const named = model.namedParameters();
    const data = matchTensors(named, tensors, "", weightsFile);
    named.forEach((p, i) => p.tensor.backend.write(p.tensor.view.storage, data[i]));
    if (wantOpt) {
      const st = await decodeSafetensors(await readBytes(optFile), optFile);
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
