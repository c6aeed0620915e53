/**
 * The trainer's documents (`lib/apps/train/documents.ts`): window-sized pieces with nothing
 * dropped, a corpus file or the base checkpoint's recorded documents, and one-line errors.
 */
import assert from "node:assert/strict";
import { trainingDocuments, windows } from "../../../lib/apps/train/documents.ts";
import { makeCodec } from "../../_helpers/codec.ts";
import { tinyConfig } from "../../_helpers/tiny_train.ts";

const codec = makeCodec(); // byte-level: one id per ASCII character

Deno.test("windows() splits ids into consecutive pieces of at most the window, none dropped", () => {
  const ids = Array.from({ length: 10 }, (_, i) => i);
  assert.deepEqual(windows(ids, 5), [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
  assert.deepEqual(windows(ids, 4), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.deepEqual(windows(ids, 10), [ids]);
  assert.deepEqual(windows([], 3), [[]]);
  for (const w of [1, 3, 7]) assert.deepEqual(windows(ids, w).flat(), ids);
});

Deno.test("trainingDocuments() splits long file documents, drops 1-token pieces and counts both", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmt-train-docs-" });
  const file = `${dir}/c.txt`;
  await Deno.writeTextFile(file, "abcdefghi\n\nxy\n\nz\n\nlast one\n");
  const cfg = tinyConfig({ data: { source: file, documents: 3 } });
  const got = trainingDocuments(cfg, codec, {}, 4);
  const text = (ids: number[]) => String.fromCharCode(...ids);
  // "abcdefghi" → abcd, efgh, i (1 token: left out); "xy"; "z" (left out); "last one" not read
  assert.deepEqual(got.docs.map(text), ["abcd", "efgh", "xy"]);
  assert.deepEqual({ read: got.read, split: got.split, source: got.source }, {
    read: 3,
    split: 1,
    source: file,
  });
  await Deno.writeTextFile(file, "a\n\nb\n");
  assert.throws(
    () => trainingDocuments(cfg, codec, {}, 4),
    new RegExp(`^ConfigError: train\\.data\\.source: no document of 2 tokens or more in ${file}$`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("trainingDocuments() with data.source base reads the base's recorded documents or says it has none", () => {
  const cfg = tinyConfig({ baseCheckpoint: "runs/base", data: { source: "base", documents: 4 } });
  const data = { source: "math", trainDocs: 6, heldOutDocs: 2, maxDocChars: 40, vocabSize: 260 };
  const fromBase = trainingDocuments(cfg, codec, { corpus: { data } }, 64);
  assert.equal(fromBase.read, 4);
  assert.equal(fromBase.source, "the base checkpoint's training documents (math)");
  const older = trainingDocuments(cfg, codec, { config: { data } }, 64);
  assert.deepEqual(older.docs, fromBase.docs, "older states record { config: { data } }");
  assert.throws(
    () => trainingDocuments(cfg, codec, { step: 3 }, 64),
    /^ConfigError: train\.data\.source: the base checkpoint runs\/base records no data config; set data\.source/,
  );
});
