import assert from "node:assert/strict";
import {
  type GroundTruth,
  groundTruthAt,
  lastBoxed,
  matchReward,
  parseCompletion,
  REWARD,
} from "../../lib/rmt/reward_match.ts";
import { makeCodec } from "../_helpers/codec.ts";

const codec = makeCodec([" para", "graph", " =", "ing"]);
const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (text: string) => parseCompletion(codec.encode(text), codec);

Deno.test("parseCompletion() takes ℓ before </think> and the last \\boxed{} after it (§1.3)", () => {
  const p = parse("so x = 2</think>first \\boxed{1}, final \\boxed{ 2}<|endoftext|>");
  assert.equal(p.reasoningLength, codec.encode("so x = 2").length);
  assert.equal(p.closedThinking, true);
  assert.equal(p.answer, " 2");
  assert.deepEqual(p.answerBytes, bytes(" 2"));
});

Deno.test("parseCompletion() counts tokens, not bytes, in ℓ", () => {
  const p = parse(" para graph</think>\\boxed{x}");
  assert.equal(p.reasoningLength, 3); // " para", " ", "graph"
});

Deno.test("parseCompletion() keeps nested braces inside the box", () => {
  assert.equal(parse("</think>\\boxed{\\frac{1}{2}}").answer, "\\frac{1}{2}");
  assert.equal(parse("</think>\\boxed{{a}{b}}").answer, "{a}{b}");
  // a box inside a box belongs to the outer one
  assert.equal(parse("</think>\\boxed{\\boxed{7}}").answer, "\\boxed{7}");
});

Deno.test("parseCompletion() with a missing, empty or unclosed box", () => {
  assert.equal(parse("r</think>the answer is 3<|endoftext|>").answer, null);
  assert.equal(parse("r</think>\\boxed{}<|endoftext|>").answer, "");
  assert.equal(parse("r</think>\\boxed{3").answer, null);
  assert.equal(parse("r</think>\\boxed{3} \\boxed{4").answer, "3"); // last *complete* box
  assert.equal(parse("r</think>\\boxed{3}}").answer, "3");
});

Deno.test("parseCompletion() ignores boxes before </think>", () => {
  const p = parse("maybe \\boxed{1}</think>\\boxed{2}");
  assert.equal(p.answer, "2");
  assert.equal(parse("maybe \\boxed{1}</think>no box").answer, null);
});

Deno.test("parseCompletion() without </think> counts all generated tokens and has no answer (§8.4)", () => {
  const truncated = parse("thinking \\boxed{3} and more");
  assert.equal(truncated.closedThinking, false);
  assert.equal(truncated.reasoningLength, codec.encode("thinking \\boxed{3} and more").length);
  assert.equal(truncated.answer, null);
  assert.equal(truncated.answerBytes, null);
  // generation ends at <|endoftext|> or <|pad|>: the tokens after it are not counted
  const ended = parse("abc<|endoftext|><|pad|><|pad|>");
  assert.deepEqual([ended.reasoningLength, ended.closedThinking], [3, false]);
  assert.equal(parse("abc<|pad|></think>\\boxed{1}").closedThinking, false);
  assert.deepEqual(parseCompletion([], codec), {
    reasoningLength: 0,
    closedThinking: false,
    answer: null,
    answerBytes: null,
  });
});

Deno.test("parseCompletion() returns exact bytes for a token that is part of a UTF-8 character", () => {
  const e = bytes("é"); // [0xc3, 0xa9]: two byte tokens
  const ids = [...codec.encode("r</think>\\boxed{"), e[0]!, ...codec.encode("}")];
  const p = parseCompletion(ids, codec);
  assert.deepEqual(p.answerBytes, new Uint8Array([0xc3]));
  assert.equal(p.answer, "\ufffd");
  const gt: GroundTruth = {
    tokenBytes: new Uint8Array([0xc3]),
    continuationBytes: e,
    boundaries: [1, 2],
  };
  assert.equal(matchReward(p.answerBytes, gt, "exact"), 1);
  assert.equal(matchReward(p.answer, gt, "exact"), 0); // the string lost the byte
});

Deno.test("lastBoxed() on an empty input and on text without a box", () => {
  assert.equal(lastBoxed(new Uint8Array()), null);
  assert.equal(lastBoxed(bytes("\\boxed")), null);
  assert.equal(lastBoxed(bytes("\\boxed x")), null);
});

Deno.test("groundTruthAt() gives τ_pos bytes, the continuation and cumulative boundaries", () => {
  const doc = codec.encode("a paragraph =");
  // tokens: "a", " para", "graph", " ="
  assert.equal(doc.length, 4);
  const gt = groundTruthAt(doc, 1, codec);
  assert.deepEqual(gt.tokenBytes, bytes(" para"));
  assert.deepEqual(gt.continuationBytes, bytes(" paragraph ="));
  assert.deepEqual(gt.boundaries, [5, 10, 12]);
  const short = groundTruthAt(doc, 1, codec, 2);
  assert.deepEqual(short.continuationBytes, bytes(" paragraph"));
  assert.deepEqual(short.boundaries, [5, 10]);
  assert.deepEqual(groundTruthAt(doc, 3, codec, 0).boundaries, [2]); // at least τ_pos
  assert.throws(() => groundTruthAt(doc, 4, codec), /pos must be in \[0, 4\), got 4/);
});

Deno.test("matchReward() exact mode compares bytes of τ_pos, leading space included (§1.4)", () => {
  const gt = groundTruthAt(codec.encode("a paragraph"), 1, codec);
  assert.equal(matchReward(" para", gt, "exact"), 1);
  assert.equal(matchReward("para", gt, "exact"), 0); // missing leading space
  assert.equal(matchReward(" para ", gt, "exact"), 0); // no trimming
  assert.equal(matchReward(" par", gt, "exact"), 0);
  assert.equal(matchReward(" paragraph", gt, "exact"), 0); // two tokens
  assert.equal(matchReward("", gt, "exact"), 0);
  assert.equal(matchReward(null, gt, "exact"), 0);
  assert.equal(matchReward(bytes(" para"), gt, "exact"), 1);
});

Deno.test("matchReward() prefix mode accepts prefixes ending on a token boundary (RPT Eq. 3)", () => {
  const gt = groundTruthAt(codec.encode("a paragraph ="), 1, codec);
  assert.equal(matchReward(" para", gt, "prefix"), 1); // l = 5 ∈ L_gt
  assert.equal(matchReward(" paragraph", gt, "prefix"), 1); // spans two tokens, l = 10
  assert.equal(matchReward(" paragraph =", gt, "prefix"), 1); // whole continuation
  assert.equal(matchReward(" par", gt, "prefix"), 0); // l = 4 is inside a token
  assert.equal(matchReward(" paragra", gt, "prefix"), 0);
  assert.equal(matchReward("paragraph", gt, "prefix"), 0); // leading space matters
  assert.equal(matchReward(" paragraph = x", gt, "prefix"), 0); // longer than the continuation
  assert.equal(matchReward(" pXragrXph", gt, "prefix"), 0); // right length, wrong bytes
  assert.equal(matchReward("", gt, "prefix"), 0);
  assert.equal(matchReward(null, gt, "prefix"), 0);
});

Deno.test("matchReward() prefix mode accepts a string that is no single token of the vocabulary", () => {
  // "12" is two byte tokens in the document and no token of the vocabulary
  const doc = codec.encode("x=12;");
  const gt = groundTruthAt(doc, 2, codec);
  assert.deepEqual(gt.boundaries, [1, 2, 3]);
  assert.equal(matchReward("12", gt, "prefix"), 1);
  assert.equal(matchReward("12", gt, "exact"), 0);
  assert.equal(matchReward("1", gt, "exact"), 1);
});

Deno.test("matchReward() end to end: completion → parse → reward", () => {
  const doc = codec.encode("a paragraph");
  const gt = groundTruthAt(doc, 1, codec);
  const score = (completion: string, mode: "exact" | "prefix") =>
    matchReward(parse(completion).answerBytes, gt, mode);
  assert.equal(score("hmm</think>\\boxed{ para}<|endoftext|>", "exact"), 1);
  assert.equal(score("hmm</think>\\boxed{ paragraph}<|endoftext|>", "prefix"), 1);
  assert.equal(score("hmm \\boxed{ para}", "exact"), 0); // no </think>: r_pos = 0
  assert.equal(score("hmm</think>\\boxed{}", "exact"), 0);
});

Deno.test("REWARD.resolve() accepts exact and prefix only", () => {
  assert.equal(REWARD.resolve(undefined).mode, "exact");
  assert.equal(REWARD.resolve({ mode: "prefix" }).mode, "prefix");
  assert.throws(
    () => REWARD.resolve({ mode: "first-token" }),
    /rmt.reward.mode: expected "exact" or "prefix", got "first-token"/,
  );
  assert.throws(() => REWARD.resolve({ mode: 1 }), /rmt.reward.mode: expected a string/);
});
