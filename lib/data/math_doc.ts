/**
 * The document model of the generated math corpora (`corpus_math.ts`, `corpus_reasoning.ts`): a
 * text plus the spans that explain it. Every computed number is a {@linkcode MathFact} (its span,
 * value and the expression that produces it, enough to explain any of its digits; the
 * demonstrations write scratch-pads from it); every freshly drawn piece of text (a given operand,
 * a name) is a `drawn` span. `position_kinds.ts` turns both into per-token tags.
 *
 * @module
 */
import { evalExpr, type MathExpr, type MathOp } from "./arith.ts";

/** A half-open character range `[start, end)` of a document's text. */
export type Span = [start: number, end: number];

/**
 * A computed number in a document's text.
 *
 * `text.slice(start, end) === String(value)` and `value === evalExpr(expr)`.
 */
export interface MathFact {
  /** Index of the number's first character in the document text. */
  start: number;
  /** Index one past its last character. */
  end: number;
  /** The number's value (a non-negative integer). */
  value: number;
  /** The top-level operation: `add`, `sub`, `mul`, `ones` (written digit), `tens` (carry). */
  op: MathOp;
  /** The values of the operation's arguments (for `sub`: first minus the rest). */
  operands: number[];
  /** The full expression tree (nested for multi-step problems, e.g. `(12 + 35) * 4`). */
  expr: MathExpr;
  /**
   * True when the text shows the steps that produce it just before it (the final line of a
   * worked solution, a digit or carry read off the column sum just written); false when it
   * must be computed from its operands (a column sum, a result stated directly).
   */
  worked: boolean;
}

/** A generated document; `K` names its problem kinds (`ProblemKind` for `corpus_math.ts`). */
export interface MathDocument<K extends string = string> {
  /** The document text (one or more problems separated by newlines). */
  text: string;
  /** Every computed number in `text`, in order of position (spans never overlap). */
  facts: MathFact[];
  /** Difficulty grade (operand sizes; see `docs/corpus.md`); 0 for user text. */
  difficulty: number;
  /** Kind of each problem in the document, in order. */
  kinds: K[];
  /**
   * Spans of text drawn at random by the generator (digits of given numbers, first mentions of
   * names), in order; absent for user text. No model can predict them (an entropy floor).
   */
  drawn?: Span[];
}

/** Accumulates text, the facts of the computed numbers and the drawn spans written into it. */
export class DocBuilder {
  text = "";
  facts: MathFact[] = [];
  drawn: Span[] = [];

  /** Appends literal text. */
  t(s: string | number): this {
    this.text += String(s);
    return this;
  }

  /** Appends freshly drawn text (a given number, a name) and records its span. */
  g(s: string | number): this {
    const start = this.text.length;
    this.text += String(s);
    this.drawn.push([start, this.text.length]);
    return this;
  }

  /** Appends a computed number and records it as a fact. */
  n(expr: MathExpr, worked: boolean): this {
    if (typeof expr === "number") throw new Error("DocBuilder.n: a fact needs an operation");
    const value = evalExpr(expr);
    const start = this.text.length;
    this.text += String(value);
    this.facts.push({
      start,
      end: this.text.length,
      value,
      op: expr.op,
      operands: expr.args.map(evalExpr),
      expr,
      worked,
    });
    return this;
  }

  /** Appends another builder's text, facts and drawn spans after `sep`. */
  append(other: DocBuilder, sep: string): void {
    if (this.text.length > 0) this.text += sep;
    const offset = this.text.length;
    this.text += other.text;
    for (const f of other.facts) {
      this.facts.push({ ...f, start: f.start + offset, end: f.end + offset });
    }
    for (const [s, e] of other.drawn) this.drawn.push([s + offset, e + offset]);
  }
}

/** Expression constructors: `E.add(12, E.mul(3, 4))` is `12 + 3 * 4`. */
export const E = {
  add: (...args: MathExpr[]): MathExpr => ({ op: "add", args }),
  sub: (...args: MathExpr[]): MathExpr => ({ op: "sub", args }),
  mul: (...args: MathExpr[]): MathExpr => ({ op: "mul", args }),
  ones: (x: number): MathExpr => ({ op: "ones", args: [x] }),
  tens: (x: number): MathExpr => ({ op: "tens", args: [x] }),
};

/**
 * The computed number whose span contains character offset `pos`, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DocBuilder, E, factAt } from "./math_doc.ts";
 * const b = new DocBuilder().t("12 + 35 = ").n(E.add(12, 35), false).t(".");
 * const doc = { text: b.text, facts: b.facts, difficulty: 1, kinds: [] };
 * assert.equal(factAt(doc, 10)?.value, 47);
 * assert.equal(factAt(doc, 11)?.value, 47);
 * assert.equal(factAt(doc, 12), undefined);
 * ```
 */
export function factAt(doc: MathDocument, pos: number): MathFact | undefined {
  let lo = 0, hi = doc.facts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = doc.facts[mid];
    if (pos < f.start) hi = mid - 1;
    else if (pos >= f.end) lo = mid + 1;
    else return f;
  }
  return undefined;
}
