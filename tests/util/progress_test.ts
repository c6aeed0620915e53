import assert from "node:assert/strict";
import { formatDuration, ProgressBar } from "../../lib/util/progress.ts";

Deno.test("formatDuration() writes seconds, minutes and hours, and ? for no estimate", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(59.4), "59s");
  assert.equal(formatDuration(60), "1m00s");
  assert.equal(formatDuration(3599), "59m59s");
  assert.equal(formatDuration(3600), "1h00m");
  assert.equal(formatDuration(-1), "?");
  assert.equal(formatDuration(NaN), "?");
});

Deno.test("ProgressBar extrapolates the ETA from the steps done since `start`", () => {
  const lines: string[] = [];
  let t = 0;
  // a resumed run: steps 0..4 were done before, 5..10 now
  const bar = new ProgressBar(10, 5, { inPlace: false, write: (s) => lines.push(s), now: () => t });
  t = 2000; // 2 s for steps 5 → 7: 1 s per step, 3 steps left
  bar.update(7, { loss: "1.5" });
  assert.equal(lines[0], " 7/10 [#################-------] loss 1.5 ETA 3s\n");
  t = 5000;
  bar.update(10);
  assert.equal(lines[1], "10/10 [########################] ETA 0s\n");
});

Deno.test("ProgressBar off a terminal prints every `lineEvery` steps and the last", () => {
  const lines: string[] = [];
  const bar = new ProgressBar(5, 0, {
    inPlace: false,
    write: (s) => lines.push(s),
    lineEvery: 2,
    now: () => 0,
  });
  for (let step = 1; step <= 5; step++) bar.update(step);
  assert.deepEqual(lines.map((l) => l.trim().split(" ")[0]), ["2/5", "4/5", "5/5"]);
});

Deno.test("ProgressBar on a terminal redraws in place; log() keeps the bar; done() ends its line", () => {
  const out: string[] = [];
  const bar = new ProgressBar(4, 0, {
    inPlace: true,
    width: 4,
    write: (s) => out.push(s),
    now: () => 0,
  });
  bar.update(2);
  bar.log("checkpoint saved");
  bar.update(4);
  bar.done();
  assert.deepEqual(out, [
    "\r2/4 [##--] ETA 0s\x1b[K",
    "\r\x1b[Kcheckpoint saved\n",
    "\r4/4 [####] ETA 0s\x1b[K",
    "\n",
  ]);
});
