import assert from "node:assert/strict";
import { generateReasoningDocuments } from "../../lib/data/corpus_reasoning.ts";
import { canDerive, scratchpad } from "../../lib/data/scratchpad.ts";
import {
  derivationStage,
  readScratchpad,
  scratchpadTarget,
} from "../../lib/data/scratchpad_read.ts";
import type { MathDocument } from "../../lib/data/math_doc.ts";
import { mulberry32 } from "../../lib/util/rng.ts";

const docs: MathDocument[] = generateReasoningDocuments(200, 5);

/** Every digit of every derivable fact. */
function* resultCuts(): Generator<[MathDocument, number]> {
  for (const doc of docs) {
    for (const f of doc.facts) {
      if (canDerive(f.expr)) { for (let c = f.start; c < f.end; c++) yield [doc, c]; }
    }
  }
}

Deno.test("readScratchpad() reads back the problem and value of every scratch-pad, both forms, nested ones too", () => {
  const rng = mulberry32(3);
  let n = 0, nested = 0;
  for (const [doc, cut] of resultCuts()) {
    const target = scratchpadTarget(doc, cut)!;
    assert.equal(target.digit, doc.text[cut]);
    if (/[()]/.test(target.problem)) nested++;
    for (const style of ["concise", "verbose"] as const) {
      const pad = scratchpad(doc, cut, style, rng)!;
      assert.deepEqual(readScratchpad(pad.reasoning), {
        problem: target.problem,
        result: target.value,
      }, `${style} at ${cut} of ${JSON.stringify(doc.text)}`);
      assert.equal(derivationStage(pad.reasoning, pad.answer, target), "right");
      n++;
    }
  }
  assert.ok(n > 500 && nested > 10, `${n} scratch-pads, ${nested} nested`);
});

Deno.test("derivationStage() is wrongResult for every scratch-pad with a deliberate slip", () => {
  const rng = mulberry32(4);
  let n = 0;
  for (const [doc, cut] of resultCuts()) {
    if (n >= 300) break;
    const target = scratchpadTarget(doc, cut)!;
    for (const style of ["concise", "verbose"] as const) {
      const pad = scratchpad(doc, cut, style, rng, true)!;
      assert.equal(derivationStage(pad.reasoning, pad.answer, target), "wrongResult");
      n++;
    }
  }
});

Deno.test("derivationStage() names the first failure: no problem, another problem, a wrong digit", () => {
  const target = { problem: "9247 - 408", value: "8839", digit: "3" };
  const guess = 'The context ends with "...9247, 88".\nThe next token is "3".';
  assert.equal(derivationStage(guess, "3", target), "noDerivation");
  const miscopied = "The context stops in the middle of a number: 88 is written so far.\n" +
    "Which number is it? Looking back at the context, it is the result of 9437 - 408.\n" +
    "So 9437 - 408 = 9029.";
  assert.equal(derivationStage(miscopied, "2", target), "wrongProblem");
  const misread = "9247 - 408 = ?\n9247 - 408 = 8839\nwritten 88, next 9";
  assert.equal(derivationStage(misread, "9", target), "wrongDigit");
  assert.equal(derivationStage("9247 - 408 = ?\n9247 - 408 = 8849", "4", target), "wrongResult");
  assert.equal(
    derivationStage("9247 - 408 = ?\nones: 7 - 8 needs a borrow", null, target),
    "wrongResult",
  );
});

Deno.test("scratchpadTarget() is undefined off derivable digits", () => {
  let off = 0;
  for (const doc of docs.slice(0, 20)) {
    for (let c = 0; c < doc.text.length; c++) {
      if (!/\d/.test(doc.text[c])) {
        assert.equal(scratchpadTarget(doc, c), undefined);
        off++;
      }
    }
  }
  assert.ok(off > 100);
});
