/** `lib/apps/pretrain/config.ts`: bad keys and values are one-line errors naming the field. */
import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/util/config.ts";
import { loadPretrainConfig, resolvePretrainConfig } from "../../../lib/apps/pretrain/config.ts";

Deno.test("config: a bad key or value is a one-line ConfigError naming it", () => {
  const oneLine = (re: RegExp) => (e: Error) =>
    e instanceof ConfigError && re.test(e.message) && !e.message.includes("\n");
  assert.throws(
    () => resolvePretrainConfig({ data: { trainDoc: 10 } }),
    oneLine(/^pretrain\.data\.trainDoc: unknown key \(expected one of: source, /),
  );
  assert.throws(
    () => resolvePretrainConfig({ lr: "fast" }),
    oneLine(/^pretrain\.lr: expected a number/),
  );
  assert.throws(
    () => resolvePretrainConfig({ data: { demoFraction: 1.5 } }),
    oneLine(/^pretrain\.data\.demoFraction: expected a number in \[0, 1\)/),
  );
  assert.throws(
    () => resolvePretrainConfig({ model: { nHead: 3 } }),
    oneLine(/^pretrain\.model\.nHead: expected a divisor of nEmbd/),
  );
  const file = Deno.makeTempFileSync({ suffix: ".yaml" });
  Deno.writeTextFileSync(file, "steps: 3\nbatchsize: 2\n");
  assert.throws(
    () => loadPretrainConfig(file),
    oneLine(new RegExp(`^${file}\\.batchsize: unknown key`)),
  );
  Deno.removeSync(file);
});
