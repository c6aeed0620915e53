/**
 * Reading Hugging Face weight files: safetensors with F32, F16 or BF16 tensors, converted to f32,
 * one file or several shards listed by `model.safetensors.index.json`. The header of every file
 * is read and validated first (length, JSON, dtypes, shapes, offsets inside the file, no gaps or
 * overlaps), then the caller checks names and shapes against the model, and only then are the
 * tensors read, one at a time, from their offsets (a shard is never read whole into memory).
 * (`safetensors.ts` reads this project's own checkpoints, F32/I32 with a checksum, from bytes.)
 *
 * @module
 */
import { CheckpointError } from "./safetensors.ts";

/** Stored dtypes that convert to f32, with their sizes in bytes. */
const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/** A tensor of a safetensors header: where its bytes are, not the bytes. */
export interface StEntry {
  /** The file holding it. */
  file: string;
  dtype: "F32" | "F16" | "BF16";
  shape: number[];
  /** Absolute byte offsets in the file. */
  begin: number;
  end: number;
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** Opens `path` for reading; a missing file is a one-line {@linkcode CheckpointError}. */
async function open(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true });
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "missing" : "cannot read";
    throw new CheckpointError(`${path}: ${why} (${(e as Error).message.split("\n")[0]})`);
  }
}

async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let at = 0;
  while (at < length) {
    const n = await file.read(out.subarray(at));
    if (n === null) break;
    at += n;
  }
  if (at !== length) throw new Error(`short read: ${at} of ${length} bytes`);
  return out;
}

/**
 * Reads and validates the header of the safetensors file `path` without reading its data.
 *
 * @throws {CheckpointError} `<path>: <what is wrong>`.
 */
export async function readSafetensorsHeader(path: string): Promise<Map<string, StEntry>> {
  const bad = (what: string) => new CheckpointError(`${path}: ${what}`);
  const file = await open(path);
  try {
    const size = (await file.stat()).size;
    if (size < 8) throw bad(`truncated: ${size} bytes, expected at least 8`);
    const n = new DataView((await readAt(file, 0, 8)).buffer).getBigUint64(0, true);
    if (n > BigInt(size - 8)) {
      throw bad(`truncated: header length ${n} exceeds the ${size - 8} bytes after it`);
    }
    const headerEnd = 8 + Number(n);
    let header: unknown;
    try {
      const text = new TextDecoder("utf-8", { fatal: true })
        .decode(await readAt(file, 8, Number(n)));
      header = JSON.parse(text);
    } catch (e) {
      throw bad(`invalid header JSON (${(e as Error).message.split("\n")[0]})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header)) {
      throw bad("invalid header: expected a JSON object");
    }
    const dataLength = size - headerEnd;
    const out = new Map<string, StEntry>();
    const spans: [number, number, string][] = [];
    for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
      if (name === "__metadata__") continue;
      const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
      if (e === null || typeof e !== "object") throw bad(`tensor "${name}": invalid header entry`);
      const bytes = DTYPE_BYTES[e.dtype as string];
      if (typeof e.dtype !== "string" || bytes === undefined) {
        throw bad(
          `tensor "${name}": unsupported dtype ${JSON.stringify(e.dtype)} (F32, F16, BF16)`,
        );
      }
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw bad(`tensor "${name}": invalid shape ${JSON.stringify(shape)}`);
      }
      const offs = e.data_offsets;
      if (
        !Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o)) ||
        offs[0] < 0 || offs[1] < offs[0]
      ) {
        throw bad(`tensor "${name}": invalid data_offsets ${JSON.stringify(offs)}`);
      }
      const [begin, end] = offs as [number, number];
      const count = (shape as number[]).reduce((p, d) => p * d, 1);
      if (end - begin !== count * bytes) {
        throw bad(
          `tensor "${name}": ${e.dtype} [${shape}] needs ${
            count * bytes
          } bytes, data_offsets span ${end - begin}`,
        );
      }
      if (end > dataLength) {
        throw bad(`truncated: tensor "${name}" ends at byte ${end} of ${dataLength} data bytes`);
      }
      spans.push([begin, end, name]);
      out.set(name, {
        file: path,
        dtype: e.dtype as StEntry["dtype"],
        shape: shape as number[],
        begin: headerEnd + begin,
        end: headerEnd + end,
      });
    }
    spans.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    for (const [begin, end, name] of spans) {
      if (begin < covered) {
        throw bad(`tensor "${name}": data_offsets [${begin}, ${end}] overlap another tensor`);
      }
      covered = end;
    }
    return out;
  } finally {
    file.close();
  }
}

/**
 * The headers of a model directory's weights: `model.safetensors`, or the shards named by
 * `model.safetensors.index.json` (each a plain file name inside `dir`; every tensor of the
 * index must be in its shard).
 *
 * @throws {CheckpointError} naming the file: missing weights, a shard path that leaves the
 * directory, a tensor missing from its shard, or a bad header.
 */
export async function readWeightHeaders(dir: string): Promise<Map<string, StEntry>> {
  const single = join(dir, "model.safetensors");
  const indexPath = join(dir, "model.safetensors.index.json");
  const hasIndex = await Deno.stat(indexPath).then(() => true, () => false);
  if (!hasIndex) return await readSafetensorsHeader(single);
  let index: unknown;
  try {
    index = JSON.parse(await Deno.readTextFile(indexPath));
  } catch (e) {
    throw new CheckpointError(
      `${indexPath}: invalid JSON (${(e as Error).message.split("\n")[0]})`,
    );
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new CheckpointError(`${indexPath}: expected an object "weight_map" { tensor: file }`);
  }
  const shards = new Map<string, Map<string, StEntry>>();
  for (const name of new Set(Object.values(map as Record<string, unknown>))) {
    if (typeof name !== "string" || !isPlainFileName(name)) {
      throw new CheckpointError(
        `${indexPath}: shard ${JSON.stringify(name)} is not a plain file name inside ${dir}`,
      );
    }
    shards.set(name, await readSafetensorsHeader(join(dir, name)));
  }
  const out = new Map<string, StEntry>();
  for (const [tensor, shard] of Object.entries(map as Record<string, string>)) {
    const entry = shards.get(shard)!.get(tensor);
    if (entry === undefined) {
      throw new CheckpointError(
        `${join(dir, shard)}: missing tensor "${tensor}" (listed in the index)`,
      );
    }
    out.set(tensor, entry);
  }
  return out;
}

/** A file name with no directory part: not empty, no `/` or `\`, not `.` or `..`. */
export function isPlainFileName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\\0]/.test(name);
}

/**
 * Reads the tensors `entries` (validated headers) as f32, grouped by file, each file opened
 * once; `visit` receives each tensor's data in the order given.
 */
export async function readTensorsF32(
  entries: ReadonlyArray<StEntry>,
  visit: (i: number, data: Float32Array) => void,
): Promise<void> {
  const files = new Map<string, Deno.FsFile>();
  try {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      let f = files.get(e.file);
      if (f === undefined) files.set(e.file, f = await open(e.file));
      let bytes: Uint8Array;
      try {
        bytes = await readAt(f, e.begin, e.end - e.begin);
      } catch (err) {
        throw new CheckpointError(`${e.file}: cannot read (${(err as Error).message})`);
      }
      visit(i, toF32(bytes, e.dtype));
    }
  } finally {
    for (const f of files.values()) f.close();
  }
}

/** Little-endian F32, F16 or BF16 bytes → f32 (exact: every F16 and BF16 value is an f32). */
export function toF32(bytes: Uint8Array, dtype: StEntry["dtype"]): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === "F32") {
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const n = bytes.byteLength / 2;
  const out = new Float32Array(n);
  if (dtype === "BF16") {
    // A bfloat16 is the top half of an f32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = f16ToF32(view.getUint16(2 * i, true));
  return out;
}

/** An IEEE half-precision bit pattern → its value. */
function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
