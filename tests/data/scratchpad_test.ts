import assert from "node:assert/strict";
import { generateReasoningDocuments } from "../../lib/data/corpus_reasoning.ts";
import { generateMathDocuments } from "../../lib/data/corpus_math.ts";
import { DocBuilder, E, factAt, type MathDocument } from "../../lib/data/math_doc.ts";
import { canDerive, pickResultCut, scratchpad, solution } from "../../lib/data/scratchpad.ts";
import { generateQuestions } from "../../lib/data/questions.ts";
import { Tokenizer } from "../../lib/data/tokenizer.ts";
import { mulberry32 } from "../../lib/util/rng.ts";
import { falseStatements } from "./_arith.ts";

const docs: MathDocument[] = [
  ...generateReasoningDocuments(300, 11),
  ...generateMathDocuments(200, 11, { workedFraction: 0 }),
];

/** Every digit of every derivable fact: the cuts the scratch-pads are for. */
function* resultCuts(): Generator<[MathDocument, number]> {
  for (const doc of docs) {
    for (const f of doc.facts) {
      if (canDerive(f.expr)) { for (let c = f.start; c < f.end; c++) yield [doc, c]; }
    }
  }
}

/** Statements the shared checker does not parse: reading a digit off the result. */
function readOffErrors(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(/digit (\d+) of (\d+), which is (\d)/g)) {
    if (m[2][Number(m[1]) - 1] !== m[3]) bad.push(m[0]);
  }
  return bad;
}

Deno.test("scratchpad() derivations are right and end with the true next token", () => {
  const rng = mulberry32(1);
  let n = 0;
  for (const [doc, cut] of resultCuts()) {
    const truth = doc.text[cut];
    const f = factAt(doc, cut)!;
    for (const style of ["concise", "verbose"] as const) {
      const pad = scratchpad(doc, cut, style, rng)!;
      assert.equal(pad.answer, truth);
      assert.equal(pad.correct, true);
      assert.deepEqual(falseStatements(pad.reasoning), [], pad.reasoning);
      assert.deepEqual(readOffErrors(pad.reasoning), [], pad.reasoning);
      const last = pad.reasoning.split("\n").at(-1)!;
      assert.match(last, style === "concise" ? /^written (\d+|nothing), next \d$/ : /is \d\.$/);
      assert.equal(last.at(style === "concise" ? -1 : -2), truth);
      assert.ok(pad.reasoning.includes(` = ${f.value}`), pad.reasoning);
      const written = doc.text.slice(f.start, cut);
      if (style === "concise") assert.ok(last.startsWith(`written ${written || "nothing"},`));
    }
    n++;
  }
  assert.ok(n > 3000, `${n} cuts`);
});

Deno.test("scratchpad() with a slip changes exactly the needed digit, visibly", () => {
  const rng = mulberry32(5);
  let n = 0;
  for (const [doc, cut] of resultCuts()) {
    if (rng() > 0.3) continue;
    const f = factAt(doc, cut)!, k = cut - f.start, truth = String(f.value);
    for (const style of ["concise", "verbose"] as const) {
      const pad = scratchpad(doc, cut, style, rng, true)!;
      assert.equal(pad.correct, false);
      assert.notEqual(pad.answer, truth[k]);
      assert.match(pad.answer, /^\d$/);
      assert.ok(falseStatements(pad.reasoning).length > 0, pad.reasoning);
      const claimed = [...pad.reasoning.matchAll(/ = (\d+)\n/g)].at(-1)![1];
      assert.equal(claimed.length, truth.length, `${truth} -> ${claimed}`);
      for (let i = 0; i < truth.length; i++) assert.equal(claimed[i] !== truth[i], i === k);
      assert.ok(!pad.reasoning.includes("Check:"));
    }
    n++;
  }
  assert.ok(n > 500, `${n} cuts`);
});

Deno.test("scratchpad() concise form of a difference with borrows, verbatim", () => {
  const b = new DocBuilder().g(402).t(" - ").g(85).t(" = ").n(E.sub(402, 85), false);
  const doc = { text: b.text, facts: b.facts, difficulty: 3, kinds: [] };
  assert.equal(
    scratchpad(doc, 11, "concise", mulberry32(0))!.reasoning,
    [
      "402 - 85 = ?",
      "ones: 2 - 5 needs a borrow, 12 - 5 = 7",
      "tens: 0 - 8 - 1 needs a borrow, 10 - 8 - 1 = 1",
      "hundreds: 4 - 0 - 1 = 3",
      "402 - 85 = 317",
      "written nothing, next 3",
    ].join("\n"),
  );
});

Deno.test("scratchpad() verbose form is at least 3x the concise one in tokens", () => {
  const rng = mulberry32(2);
  const pairs: [string, string][] = [];
  for (const [doc, cut] of resultCuts()) {
    if (rng() > 0.2) continue;
    pairs.push([
      scratchpad(doc, cut, "concise", rng)!.reasoning,
      scratchpad(doc, cut, "verbose", rng)!.reasoning,
    ]);
  }
  // A tokenizer trained on both forms, as pre-training's is on its demonstrations.
  const tok = Tokenizer.train([...docs.map((d) => d.text), ...pairs.flat()], { vocabSize: 512 });
  let worst = Infinity;
  for (const [c, v] of pairs) worst = Math.min(worst, tok.encode(v).length / tok.encode(c).length);
  assert.ok(pairs.length > 500);
  assert.ok(worst >= 3, `smallest verbose/concise token ratio ${worst.toFixed(2)}`);
});

Deno.test("scratchpad() is undefined off computed numbers and for column facts", () => {
  const [worked] = generateMathDocuments(1, 5, { kinds: ["addition"], workedFraction: 1 });
  const rng = mulberry32(3);
  assert.equal(scratchpad(worked, 0, "concise", rng), undefined); // "Add ..."
  const column = worked.facts.find((f) => f.op === "ones")!;
  assert.equal(scratchpad(worked, column.start, "verbose", rng), undefined);
  const total = worked.facts.at(-1)!;
  assert.notEqual(scratchpad(worked, total.start, "concise", rng), undefined);
});

Deno.test("pickResultCut() draws digits of derivable facts only", () => {
  const rng = mulberry32(4);
  for (const doc of docs) {
    const cut = pickResultCut(doc, rng);
    if (cut === undefined) {
      assert.ok(doc.facts.every((f) => !canDerive(f.expr)));
      continue;
    }
    assert.ok(canDerive(factAt(doc, cut)!.expr));
    assert.match(doc.text[cut], /\d/);
  }
  const user = { text: "no numbers", facts: [], difficulty: 0, kinds: [] };
  assert.equal(pickResultCut(user, rng), undefined);
});

Deno.test("solution() derives the whole value of every derivable question, in both forms", () => {
  const rng = mulberry32(3);
  let n = 0;
  for (const q of generateQuestions(400, 21)) {
    if (!canDerive(q.expr!)) continue;
    for (const style of ["concise", "verbose"] as const) {
      const s = solution(q.expr!, style, rng)!;
      assert.equal(s.answer, q.answer, q.question);
      assert.equal(s.correct, true);
      assert.deepEqual(falseStatements(s.reasoning), [], s.reasoning);
      const last = s.reasoning.split("\n").at(-1)!;
      assert.ok(
        style === "concise"
          ? last.endsWith(`= ${q.answer}`)
          : last === `The answer is ${q.answer}.`,
      );
      assert.ok(!/next (digit|token)/.test(s.reasoning), s.reasoning); // no next-token reading
    }
    n++;
  }
  assert.ok(n > 300, `${n} questions`);
  assert.equal(solution({ op: "mul", args: [12, 35] }, "concise", rng), undefined);
});

Deno.test("solution() with a slip gets one digit of the answer wrong, visibly", () => {
  const rng = mulberry32(8);
  let n = 0;
  for (const q of generateQuestions(200, 22)) {
    if (!canDerive(q.expr!)) continue;
    const s = solution(q.expr!, n % 2 === 0 ? "concise" : "verbose", rng, true)!;
    assert.equal(s.correct, false);
    assert.notEqual(s.answer, q.answer);
    assert.ok(falseStatements(s.reasoning).length > 0, s.reasoning);
    const wrong = [...s.answer].filter((d, i) => d !== q.answer[i]).length;
    assert.ok(s.answer.length !== q.answer.length || wrong === 1, `${q.answer} -> ${s.answer}`);
    n++;
  }
  assert.ok(n > 150);
});
