/** `lib/model/safetensors.ts`: the standard file layout and validated offsets. */
import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors } from "../../lib/model/safetensors.ts";

Deno.test("safetensors: the standard layout, validated offsets", async () => {
  const bytes = await encodeSafetensors([
    ["a", { dtype: "F32", shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
    ["b", { dtype: "I32", shape: [3], data: Int32Array.from([-1, 0, 7]) }],
  ], { note: "x" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header.a, { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
  assert.deepEqual(header.b, { dtype: "I32", shape: [3], data_offsets: [16, 28] });
  assert.equal(header.__metadata__.note, "x");
  assert.equal(bytes.length, 8 + n + 28);
  const { tensors } = await decodeSafetensors(bytes, "t.safetensors");
  assert.deepEqual([...tensors.get("a")!.data], [1, 2, 3, 4]);
  assert.deepEqual([...tensors.get("b")!.data], [-1, 0, 7]);
  // A header whose offsets overlap or disagree with the shape.
  const forge = async (h: unknown) => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + 28);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return await decodeSafetensors(out, "f.safetensors");
  };
  await assert.rejects(
    () =>
      forge({
        a: { dtype: "F32", shape: [4], data_offsets: [0, 16] },
        b: { dtype: "F32", shape: [4], data_offsets: [12, 28] },
      }),
    /f.safetensors: tensor "b": data_offsets \[12, 28\] leave a gap or overlap/,
  );
  await assert.rejects(
    () => forge({ a: { dtype: "F32", shape: [5], data_offsets: [0, 28] } }),
    /needs 20 bytes/,
  );
  await assert.rejects(
    () => forge({ a: { dtype: "F16", shape: [14], data_offsets: [0, 28] } }),
    /unsupported dtype "F16"/,
  );
});
