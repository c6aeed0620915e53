/**
 * The safetensors format (huggingface/safetensors), F32 and I32 only: an 8-byte little-endian
 * header length n, n bytes of JSON header `{ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__": { string: string } }` padded with spaces to a multiple of 8, then the data
 * (offsets relative to its start). Reading validates every length and offset, and a SHA-256 of
 * the data stored in the metadata (when present) detects corrupted bytes.
 *
 * @module
 */

/** A bad or unreadable checkpoint file: one line naming the file and what is wrong. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

/** One tensor of a safetensors file. */
export interface StTensor {
  dtype: "F32" | "I32";
  shape: number[];
  data: Float32Array | Int32Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const CHECKSUM_KEY = "sha256";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Serialises named tensors (in the given order) with string metadata; adds a data checksum. */
export async function encodeSafetensors(
  tensors: ReadonlyArray<[string, StTensor]>,
  metadata: Record<string, string> = {},
): Promise<Uint8Array> {
  if (!LITTLE_ENDIAN) throw new Error("safetensors: big-endian hosts are not supported");
  let size = 0;
  const header: Record<string, unknown> = {};
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [size, size + bytes] };
    size += bytes;
  }
  const data = new Uint8Array(size);
  let at = 0;
  for (const [, t] of tensors) {
    data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  header.__metadata__ = { ...metadata, [CHECKSUM_KEY]: await sha256Hex(data) };
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + size);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/**
 * Parses and validates a safetensors file's bytes; `file` names it in errors.
 *
 * @throws {CheckpointError} `<file>: <what is wrong>` for a truncated file, a bad header, offsets
 * out of range or overlapping, a shape that does not match its byte length, or a bad checksum.
 */
export async function decodeSafetensors(
  bytes: Uint8Array,
  file: string,
): Promise<{ tensors: Map<string, StTensor>; metadata: Record<string, string> }> {
  const bad = (what: string) => new CheckpointError(`${file}: ${what}`);
  if (bytes.length < 8) throw bad(`truncated: ${bytes.length} bytes, expected at least 8`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw bad(`truncated: header length ${n} exceeds the ${bytes.length - 8} bytes after it`);
  }
  const headerEnd = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, headerEnd)),
    );
  } catch (e) {
    throw bad(`invalid header JSON (${(e as Error).message.split("\n")[0]})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw bad("invalid header: expected a JSON object");
  }
  const dataLength = bytes.length - headerEnd;
  const tensors = new Map<string, StTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== "object") throw bad(`tensor "${name}": invalid header entry`);
    if (e.dtype !== "F32" && e.dtype !== "I32") {
      throw bad(`tensor "${name}": unsupported dtype ${JSON.stringify(e.dtype)} (F32, I32)`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw bad(`tensor "${name}": invalid shape ${JSON.stringify(shape)}`);
    }
    const offs = e.data_offsets;
    if (
      !Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o)) ||
      offs[0] < 0 || offs[1] < offs[0]
    ) {
      throw bad(`tensor "${name}": invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    const count = (shape as number[]).reduce((p, d) => p * d, 1);
    if (end - begin !== count * 4) {
      throw bad(
        `tensor "${name}": shape [${shape}] needs ${count * 4} bytes, data_offsets span ${
          end - begin
        }`,
      );
    }
    if (end > dataLength) {
      throw bad(`truncated: tensor "${name}" ends at byte ${end} of ${dataLength} data bytes`);
    }
    spans.push([begin, end, name]);
    const slice = bytes.slice(headerEnd + begin, headerEnd + end); // a copy: aligned, owned
    const data = e.dtype === "F32" ? new Float32Array(slice.buffer) : new Int32Array(slice.buffer);
    tensors.set(name, { dtype: e.dtype, shape: shape as number[], data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== covered) {
      throw bad(`tensor "${name}": data_offsets [${begin}, ${end}] leave a gap or overlap`);
    }
    covered = end;
  }
  if (covered !== dataLength) {
    throw bad(`${dataLength - covered} trailing bytes after the last tensor`);
  }
  const expected = metadata[CHECKSUM_KEY];
  if (typeof expected === "string") {
    const actual = await sha256Hex(bytes.subarray(headerEnd));
    if (actual !== expected) throw bad("corrupted: data checksum (sha256) does not match");
  }
  return { tensors, metadata };
}
