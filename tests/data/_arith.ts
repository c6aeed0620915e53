/**
 * Test helper: finds false arithmetic statements in generated text (documents and
 * scratch-pads). Checked forms: `<expr> = <n>` (integers, + - * and parentheses),
 * `= <n>, write <d>[, carry <c>]`, `The ones digit of <n> is <d>`, `The carry of <n> is <c>`,
 * `digit <k> of <n>, <d>` and `digit <k> of <n> is <d>`. Quoted JSON strings (restated
 * context) are ignored.
 *
 * @module
 */

/** Evaluates an integer expression with + - * and parentheses. */
export function evaluate(expr: string): number {
  const tokens = expr.match(/\d+|[-+*()]/g) ?? [];
  let i = 0;
  const primary = (): number => {
    const t = tokens[i++];
    if (t === "(") {
      const v = sum();
      if (tokens[i++] !== ")") throw new Error(`unbalanced: ${expr}`);
      return v;
    }
    if (t === undefined || !/^\d+$/.test(t)) throw new Error(`bad expression: ${expr}`);
    return Number(t);
  };
  const product = (): number => {
    let v = primary();
    while (tokens[i] === "*") {
      i++;
      v *= primary();
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === "+" || tokens[i] === "-") {
      const op = tokens[i++];
      const r = product();
      v = op === "+" ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  if (i !== tokens.length) throw new Error(`trailing tokens: ${expr}`);
  return v;
}

/** Returns the false statements of `text` (empty when all checked arithmetic is right). */
export function falseStatements(text: string): string[] {
  const plain = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const bad: string[] = [];
  for (const m of plain.matchAll(/([\d(][\d()+\-* ]*[\d)]) = (\d+)/g)) {
    let lhs = m[1];
    // Drop unmatched leading "(" (never produced, but keep the checker robust).
    while ((lhs.match(/\(/g)?.length ?? 0) > (lhs.match(/\)/g)?.length ?? 0)) lhs = lhs.slice(1);
    if (!/[-+*]/.test(lhs)) continue;
    if (evaluate(lhs) !== Number(m[2])) bad.push(m[0]);
  }
  for (const m of plain.matchAll(/= (\d+), write (\d+)(?:, carry (\d+))?/g)) {
    const v = Number(m[1]);
    if (Number(m[2]) !== v % 10) bad.push(m[0]);
    if ((m[3] === undefined ? 0 : Number(m[3])) !== Math.floor(v / 10)) bad.push(m[0]);
  }
  for (const m of plain.matchAll(/ones digit of (\d+) is (\d+)/g)) {
    if (Number(m[1]) % 10 !== Number(m[2])) bad.push(m[0]);
  }
  for (const m of plain.matchAll(/carry of (\d+) is (\d+)/g)) {
    if (Math.floor(Number(m[1]) / 10) !== Number(m[2])) bad.push(m[0]);
  }
  for (const m of plain.matchAll(/digit (\d+) of (\d+)(?:,| is) (\d)/g)) {
    if (m[2][Number(m[1]) - 1] !== m[3]) bad.push(m[0]);
  }
  return bad;
}
