/**
 * Saves a tiny checkpoint with `state.step = <step>` to `<dir>` and ends the process at the save
 * stage `<stage>` (`Deno.exit` skips every `finally` and cleanup, as a `kill -9` would), for the
 * crash tests of `checkpoint_swap_test.ts`: `deno run -A _crash_save.ts <dir> <step> <stage>`.
 *
 * @module
 */
import { saveCheckpoint } from "../../lib/model/checkpoint.ts";
import { GPT } from "../../lib/model/gpt.ts";
import { tinyConfig } from "../_helpers/tiny_model.ts";

const [dir, step, stage] = Deno.args;
const model = new GPT(tinyConfig({ seed: Number(step) }));
await saveCheckpoint(dir!, { model, tokenizerJson: null, state: { step: Number(step) } }, {
  onStage: (s) => {
    if (s === stage) Deno.exit(9);
  },
});
