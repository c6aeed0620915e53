import assert from "node:assert/strict";
import { DocBuilder, E, type MathDocument } from "../../lib/data/math_doc.ts";
import {
  charKinds,
  countKinds,
  type KindTokenizer,
  type PositionKind,
  positionKinds,
} from "../../lib/data/position_kinds.ts";
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { generateReasoningDocuments } from "../../lib/data/corpus_reasoning.ts";
import { Tokenizer } from "../../lib/data/tokenizer.ts";

const short = (kinds: PositionKind[]) => kinds.map((k) => k[0]).join("");
const docOf = (b: DocBuilder): MathDocument => ({
  text: b.text,
  facts: b.facts,
  drawn: b.drawn,
  difficulty: 0,
  kinds: [],
});
const tok = Tokenizer.train(
  generateReasoningDocuments(300, 1).map((d) => d.text),
  { vocabSize: 400 },
);

/** A tokenizer with fixed pieces, to test tokens that span several characters of mixed kinds. */
function pieces(parts: string[]): KindTokenizer {
  const enc = new TextEncoder();
  return {
    encode: (text) => {
      assert.equal(parts.join(""), text);
      return parts.map((_, i) => i);
    },
    decodeBytes: (ids) => enc.encode(ids.map((i) => parts[i]).join("")),
  };
}

Deno.test("positionKinds() tags 47 + 38 = 85: operands unpredictable, the sum computable", () => {
  const doc = docOf(new DocBuilder().g(47).t(" + ").g(38).t(" = ").n(E.add(47, 38), false).t("."));
  const kinds = positionKinds(doc, tok);
  const texts = tok.encode(doc.text).map((id) => tok.decode([id]));
  assert.equal(texts.join(""), doc.text);
  const digits = texts.map((t, i) => [t, kinds[i]]).filter(([t]) => /^\d$/.test(t));
  assert.deepEqual(digits.map(([t, k]) => t + k[0]).join(" "), "4u 7u 3u 8u 8c 5c");
  assert.ok(texts.every((t, i) => /\d/.test(t) || kinds[i] === "other"));
});

Deno.test("positionKinds() gives a token the strongest tag of its characters", () => {
  const doc = docOf(new DocBuilder().g(47).t(" + ").g(38).t(" = ").n(E.add(47, 38), false).t("."));
  const split = pieces(["4", "7 +", " 38", " = 8", "5."]);
  assert.equal(short(positionKinds(doc, split)), "uuucc");
  const names = docOf(new DocBuilder().t("So").g(" Tom").t(" has ").n(E.mul(4, 3), false));
  assert.equal(short(positionKinds(names, pieces(["So", " Tom has", " 1", "2"]))), "oucc");
});

Deno.test("positionKinds() aligns through multi-byte characters", () => {
  const b = new DocBuilder().t("héllo 🙂 ").g(9).t(" * ").g(7).t(" = ").n(E.mul(9, 7), false);
  const doc = docOf(b);
  assert.equal(short(charKinds(doc)), "ooooooooo" + "u" + "ooo" + "u" + "ooo" + "cc");
  const bytes = Tokenizer.train([], { vocabSize: 260 });
  const kinds = positionKinds(doc, bytes);
  assert.equal(kinds.length, new TextEncoder().encode(doc.text).length); // one token per byte
  assert.equal(short(kinds), "o".repeat(6 + 1 + 4 + 1) + "u" + "ooo" + "u" + "ooo" + "cc");
});

Deno.test("positionKinds() on user text (no facts, no drawn spans) is all other", () => {
  const doc = { text: "The cat sat.", facts: [], difficulty: 0, kinds: [] };
  assert.equal(short(positionKinds(doc, tok)), "o".repeat(tok.encode(doc.text).length));
});

Deno.test("positionKinds() rejects a tokenizer whose tokens do not spell the text", () => {
  const doc = { text: "ab", facts: [], difficulty: 0, kinds: [] };
  const lower: KindTokenizer = { encode: () => [0], decodeBytes: () => new Uint8Array(3) };
  assert.throws(() => positionKinds(doc, lower), /spell 3 bytes but the document has 2/);
});

Deno.test("charKinds() on the embedded corpus: given numbers drawn, restated ones other", () => {
  const [doc] = generateMathDocuments(1, 3, { kinds: ["addition"], workedFraction: 1 });
  const kinds = charKinds(doc);
  const m = /^Add (\d+) and (\d+)\.\n/.exec(doc.text)!;
  const at = (s: string, from: number) => doc.text.indexOf(s, from);
  for (const s of [m[1], m[2]]) {
    const i = at(s, 4);
    assert.equal(short(kinds.slice(i, i + s.length)), "u".repeat(s.length));
  }
  // "So x + y = z.": x and y restated (other), z computed.
  const so = doc.text.lastIndexOf("So ");
  const line = doc.text.slice(so);
  const z = /= (\d+)\.$/.exec(line)!;
  assert.equal(short(kinds.slice(so, so + line.length - z[1].length - 1)).replace(/o/g, ""), "");
  assert.equal(short(kinds.slice(-z[1].length - 1, -1)), "c".repeat(z[1].length));
});

Deno.test("countKinds() skips position 0 and every digit of the reasoning corpus is tagged", () => {
  const docs = generateReasoningDocuments(100, 2);
  for (const d of docs) {
    const kinds = charKinds(d);
    [...d.text].forEach((ch, i) => {
      if (/\d/.test(ch)) assert.notEqual(kinds[i], "other", `${d.text} at ${i}`);
    });
  }
  const counts = countKinds(docs.map((d) => positionKinds(d, tok)));
  const total = counts.computable + counts.unpredictable + counts.other;
  assert.equal(total, docs.reduce((n, d) => n + tok.encode(d.text).length - 1, 0));
  assert.ok(counts.computable / total > 0.15, JSON.stringify(counts));
});

Deno.test("positionKinds() aligns with a Hugging Face byte-level BPE tokenizer", async () => {
  const { HfTokenizer } = await import("../../lib/data/hf_tokenizer.ts");
  const hf = await HfTokenizer.load("tests/fixtures/hf/qwen2");
  for (const doc of generateReasoningDocuments(30, 4)) {
    const kinds = positionKinds(doc, hf);
    const ids = hf.encode(doc.text);
    assert.equal(kinds.length, ids.length);
    const chars = charKinds(doc);
    let at = 0;
    ids.forEach((id, p) => {
      const text = hf.decode([id]);
      const own = chars.slice(at, at + text.length);
      const strongest = own.includes("unpredictable")
        ? "unpredictable"
        : own.includes("computable")
        ? "computable"
        : "other";
      assert.equal(kinds[p], strongest, `${JSON.stringify(text)} in ${doc.text}`);
      at += text.length;
    });
  }
});
