import assert from "node:assert/strict";
import { exists } from "../../lib/util/fs.ts";

Deno.test("exists() is true for files, directories and broken links, false for nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "x");
    await Deno.symlink(`${dir}/missing`, `${dir}/broken`);
    assert.equal(await exists(`${dir}/a.txt`), true);
    assert.equal(await exists(dir), true);
    assert.equal(await exists(`${dir}/broken`), true, "a link counts, even a broken one");
    assert.equal(await exists(`${dir}/missing`), false);
    assert.equal(await exists(`${dir}/missing/deeper`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exists() throws errors other than not-found instead of reporting absence", async () => {
  if (Deno.build.os === "windows" || Deno.uid() === 0) return; // root reads everything
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/closed`);
    await Deno.writeTextFile(`${dir}/closed/f`, "x");
    await Deno.chmod(`${dir}/closed`, 0o000);
    await assert.rejects(() => exists(`${dir}/closed/f`), Deno.errors.PermissionDenied);
  } finally {
    await Deno.chmod(`${dir}/closed`, 0o755);
    await Deno.remove(dir, { recursive: true });
  }
});
