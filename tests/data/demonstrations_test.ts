import assert from "node:assert/strict";
import {
  assembleDemonstration,
  makeDemonstration,
  makeDemonstrationDocuments,
  pickDemoCut,
} from "../../lib/data/demonstrations.ts";
import { factAt, generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import { pretokenize, Tokenizer } from "../../lib/data/tokenizer.ts";
import { falseStatements } from "./_arith.ts";

const docs = generateMathDocuments(300, 21);
const tok = Tokenizer.train(docs.map((d) => d.text), { vocabSize: 400 });
const PREFIX = "Predict the next token. Think for 40 tokens in <think></think>, " +
  "then give the token in \\boxed{}.\n### Context\n";
const SUFFIX = "\n### Next token\n";

/** The text of the token starting at character `cut` (cut must be a chunk boundary). */
function tokenAt(text: string, cut: number): string {
  const ids = tok.encode(text.slice(cut));
  return tok.decode(ids.slice(0, 1));
}

Deno.test("falseStatements() test helper catches wrong arithmetic", () => {
  assert.deepEqual(falseStatements("So 12 + 35 = 47. (12 + 35) * 4 = 188."), []);
  assert.equal(falseStatements("ones: 7 + 5 = 13, write 3, carry 1.").length, 1);
  assert.equal(falseStatements("= 12, write 3, carry 1.").length, 1);
  assert.equal(falseStatements("The carry of 17 is 7.").length, 1);
  assert.equal(falseStatements("digit 2 of 1024, 2.").length, 1);
  assert.deepEqual(falseStatements('context "7 + 5 = 1" restated'), []);
});

Deno.test("makeDemonstration() answers equal the given answer and scratch-pads are right when errorRate=0", () => {
  const rng = mulberry32(1);
  let computed = 0;
  for (const doc of docs) {
    // Every digit of every computed number, plus every chunk boundary.
    const cuts = new Set<number>();
    for (const f of doc.facts) for (let c = f.start; c < f.end; c++) cuts.add(c);
    let at = 0;
    for (const chunk of pretokenize(doc.text)) {
      cuts.add(at);
      at += chunk.length;
    }
    for (const cut of cuts) {
      const answer = tokenAt(doc.text, cut);
      const demo = makeDemonstration(doc, cut, answer, rng, { verbosity: 1, errorRate: 0 });
      assert.equal(demo.answer, answer);
      assert.equal(demo.correct, true);
      assert.deepEqual(falseStatements(demo.reasoning), [], demo.reasoning);
      assert.ok(!demo.reasoning.includes("<think>") && !demo.reasoning.includes("</think>"));
      assert.ok(demo.reasoning.endsWith(`The next token is ${JSON.stringify(answer)}.`));
      if (factAt(doc, cut)) {
        assert.equal(demo.kind, "computed");
        computed++;
        const f = factAt(doc, cut)!;
        assert.ok(demo.reasoning.includes(`= ${f.value}.`), demo.reasoning);
      } else {
        assert.equal(demo.kind, "generic");
      }
    }
  }
  assert.ok(computed > 1000);
});

Deno.test("makeDemonstration() with errorRate=1 makes a visible slip and a wrong answer", () => {
  const rng = mulberry32(2);
  let n = 0;
  for (const doc of docs) {
    for (const f of doc.facts) {
      for (let cut = f.start; cut < f.end; cut++) {
        const answer = doc.text[cut];
        const demo = makeDemonstration(doc, cut, answer, rng, { verbosity: 0, errorRate: 1 });
        assert.equal(demo.kind, "computed");
        assert.equal(demo.correct, false);
        assert.notEqual(demo.answer, answer);
        assert.match(demo.answer, /^\d$/);
        assert.ok(falseStatements(demo.reasoning).length > 0, demo.reasoning);
        n++;
      }
    }
    const generic = makeDemonstration(doc, 3, tokenAt(doc.text, 3), rng, {
      verbosity: 1,
      errorRate: 1,
    });
    assert.equal(generic.kind, "generic");
    assert.notEqual(generic.answer, tokenAt(doc.text, 3));
  }
  assert.ok(n > 1000);
});

Deno.test("makeDemonstration() errs at about the default rate of 0.2", () => {
  const rng = mulberry32(3);
  let wrong = 0;
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const doc = docs[i % docs.length];
    const cut = pickDemoCut(doc, rng);
    if (!makeDemonstration(doc, cut, tokenAt(doc.text, cut), rng, { verbosity: 1 }).correct) {
      wrong++;
    }
  }
  assert.ok(Math.abs(wrong / N - 0.2) < 0.03, `error rate ${wrong / N}`);
});

Deno.test("makeDemonstration() reasoning length grows with verbosity", () => {
  const meanLength = (verbosity: number) => {
    const rng = mulberry32(4);
    let total = 0;
    for (const doc of docs) {
      const cut = pickDemoCut(doc, rng);
      total += makeDemonstration(doc, cut, tokenAt(doc.text, cut), rng, { verbosity, errorRate: 0 })
        .reasoning.length;
    }
    return total / docs.length;
  };
  const [l0, l1, l3] = [meanLength(0), meanLength(1), meanLength(3)];
  assert.ok(l0 < l1 && l1 < l3, `${l0} ${l1} ${l3}`);
  assert.ok(l3 - l0 > 2 * 60 * 3 * 0.8, `${l0} ${l3}`); // about 3 * (60..200) chars added
});

Deno.test("makeDemonstration() is deterministic for a seeded rng and validates arguments", () => {
  const doc = docs[0];
  const a = makeDemonstration(doc, 10, tokenAt(doc.text, 10), mulberry32(9), { verbosity: 2 });
  const b = makeDemonstration(doc, 10, tokenAt(doc.text, 10), mulberry32(9), { verbosity: 2 });
  assert.deepEqual(a, b);
  assert.throws(
    () => makeDemonstration(doc, -1, "x", mulberry32(0), { verbosity: 1 }),
    /cut must be in/,
  );
  assert.throws(
    () => makeDemonstration(doc, 0, "x", mulberry32(0), { verbosity: -1 }),
    /verbosity/,
  );
});

Deno.test("pickDemoCut() prefers computed numbers half the time and cuts at chunk boundaries", () => {
  const rng = mulberry32(5);
  let inFact = 0;
  const N = 4000;
  for (let i = 0; i < N; i++) {
    const doc = docs[i % docs.length];
    const cut = pickDemoCut(doc, rng);
    assert.ok(cut > 0 && cut < doc.text.length);
    const prefix = pretokenize(doc.text.slice(0, cut)).join("|");
    const full = pretokenize(doc.text).join("|");
    assert.ok(full.startsWith(prefix + "|"), `cut ${cut} is not a chunk boundary`);
    if (factAt(doc, cut)) inFact++;
  }
  // 0.5 from the preference, plus chunk boundaries that happen to fall on computed digits.
  assert.ok(inFact / N > 0.5 && inFact / N < 0.85, `fraction ${inFact / N}`);
});

Deno.test("assembleDemonstration() writes the prompt format", () => {
  const demo = { reasoning: "R", answer: "4", correct: true, kind: "computed" as const };
  assert.equal(
    assembleDemonstration("12 + 30 = ", demo, PREFIX, SUFFIX),
    `${PREFIX}12 + 30 = ${SUFFIX}<think>R</think>\\boxed{4}<|endoftext|>`,
  );
});

Deno.test("makeDemonstrationDocuments() builds token-aligned demonstrations", () => {
  const out = makeDemonstrationDocuments(docs, tok, mulberry32(6), {
    count: 300,
    promptPrefix: PREFIX,
    promptSuffix: SUFFIX,
    verbosity: 1,
    errorRate: 0,
  });
  assert.equal(out.length, 300);
  const texts = docs.map((d) => d.text);
  const re = /^([\s\S]*)<think>([\s\S]*)<\/think>\\boxed\{([\s\S]*)\}<\|endoftext\|>$/;
  for (const s of out) {
    assert.ok(s.startsWith(PREFIX));
    const body = s.slice(PREFIX.length);
    const m = body.match(re);
    assert.ok(m, s);
    const [, contextAndSuffix, reasoning, answer] = m!;
    assert.ok(contextAndSuffix.endsWith(SUFFIX));
    const context = contextAndSuffix.slice(0, -SUFFIX.length);
    // The boxed answer is the tokenizer's next token after the context, in some document.
    const doc = texts.find((t) =>
      t.startsWith(context + answer) && tokenAt(t, context.length) === answer
    );
    assert.ok(
      doc !== undefined,
      `no document continues ${JSON.stringify(context.slice(-20))} with ${JSON.stringify(answer)}`,
    );
    assert.ok(reasoning.length > 0);
    // The whole demonstration tokenizes with the think specials as single tokens.
    const ids = tok.encode(s);
    assert.equal(ids.filter((id) => id === tok.specialId("thinkOpen")).length, 2); // prompt + reasoning
    assert.equal(ids.at(-1), tok.specialId("eot"));
  }
  assert.deepEqual(
    makeDemonstrationDocuments(docs, tok, mulberry32(6), {
      count: 300,
      promptPrefix: PREFIX,
      promptSuffix: SUFFIX,
      verbosity: 1,
      errorRate: 0,
    }),
    out,
  );
});

Deno.test("makeDemonstrationDocuments() works on user text wrapped without facts", () => {
  const user = ["The quick brown fox jumps over the lazy dog.", "Héllo wörld, 日本語 text 🙂 here."]
    .map((text) => ({ text, facts: [], difficulty: 0, kinds: [] }));
  const utok = Tokenizer.train(user.map((d) => d.text), { vocabSize: 280 });
  const out = makeDemonstrationDocuments(user, utok, mulberry32(8), {
    count: 50,
    promptPrefix: PREFIX,
    promptSuffix: SUFFIX,
    verbosity: 1,
    errorRate: 0,
  });
  assert.equal(out.length, 50);
  for (const s of out) {
    const m = s.match(
      /^[\s\S]*### Context\n([\s\S]*)\n### Next token\n<think>[\s\S]*\\boxed\{([\s\S]*)\}<\|endoftext\|>$/,
    );
    assert.ok(m, s);
    assert.ok(user.some((d) => d.text.startsWith(m![1] + m![2])));
  }
});
