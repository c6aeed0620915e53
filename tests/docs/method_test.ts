/**
 * `docs/method.md` is what the code cites as `§N` / `§N.M`: every such citation must resolve to a
 * heading of that page, each heading number must be unique, and nothing in the repository may
 * point at a shared folder outside the clone (a user's clone does not have it).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const METHOD = "docs/method.md";
/** Where citations live (directories are walked recursively). */
const CITING = [
  "lib",
  "tests",
  "bench",
  "configs",
  "kernels",
  "cli.ts",
  "mod.ts",
  "README.md",
  "docs",
];
/** Paths never scanned: the cited page itself and generated results. */
const SKIPPED = [METHOD, "docs/results"];
/** Files not read as text. */
const BINARY_EXTENSIONS = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".gz", ".zip", ".bin"];
const CITATION = /§(\d+(?:\.\d+)*)/g;
/** A heading whose first token after the hashes is `§N(.M)*`, followed by a space. */
const HEADING = /^#{1,6} §(\d+(?:\.\d+)*) \S/;

function isSkipped(rel: string): boolean {
  return SKIPPED.some((s) => rel === s || rel.startsWith(`${s}/`));
}

function isText(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 || !BINARY_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** Relative paths of the text files under `rel` (a file or a directory), skipping SKIPPED. */
async function textFiles(rel: string): Promise<string[]> {
  if (isSkipped(rel)) return [];
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(new URL(rel, ROOT));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  if (info.isFile) return isText(rel) ? [rel] : [];
  if (!info.isDirectory) return [];
  const out: string[] = [];
  const entries: string[] = [];
  for await (const entry of Deno.readDir(new URL(`${rel}/`, ROOT))) entries.push(entry.name);
  for (const name of entries.sort()) out.push(...await textFiles(`${rel}/${name}`));
  return out;
}

async function readText(rel: string): Promise<string> {
  return await Deno.readTextFile(new URL(rel, ROOT));
}

/** The § numbers of the headings of docs/method.md, in order (duplicates kept). */
async function methodHeadings(): Promise<string[]> {
  const text = await readText(METHOD);
  const numbers: string[] = [];
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.trimStart().startsWith("```")) fenced = !fenced;
    if (fenced) continue;
    const m = HEADING.exec(line);
    if (m) numbers.push(m[1]);
  }
  return numbers;
}

Deno.test("docs/method.md has a heading for every § the code cites", async () => {
  const headings = new Set(await methodHeadings());
  const missing = new Map<string, string>(); // § number → first file citing it
  for (const root of CITING) {
    for (const rel of await textFiles(root)) {
      for (const m of (await readText(rel)).matchAll(CITATION)) {
        if (!headings.has(m[1]) && !missing.has(m[1])) missing.set(m[1], rel);
      }
    }
  }
  const list = [...missing].map(([n, file]) => `§${n} (cited in ${file})`).join(", ");
  assert.equal(missing.size, 0, `${METHOD} has no heading for: ${list}`);
});

Deno.test("docs/method.md numbers its headings uniquely", async () => {
  const numbers = await methodHeadings();
  const duplicates = numbers.filter((n, i) => numbers.indexOf(n) !== i);
  assert.deepEqual(duplicates, [], `duplicate § headings: ${duplicates.map((n) => `§${n}`)}`);
  // The sections the code is known to cite must all be there.
  for (const required of ["1", "1.4", "2.3", "3.3", "4.3", "6.6", "8.16", "9", "11.4"]) {
    assert.ok(numbers.includes(required), `missing heading §${required}`);
  }
});

/** A path into a folder beside the clone; split so that this file does not contain it. */
const FORBIDDEN = "../" + "shared";

Deno.test(`no file in the repository contains ${FORBIDDEN}`, async () => {
  const offending: string[] = [];
  for (const root of [...CITING, ".ci", "deno.json"]) {
    for (const rel of await textFiles(root)) {
      if ((await readText(rel)).includes(FORBIDDEN)) offending.push(rel);
    }
  }
  // The cited page itself is skipped by textFiles; check it explicitly.
  if ((await readText(METHOD)).includes(FORBIDDEN)) offending.push(METHOD);
  assert.deepEqual(offending, [], `files mentioning ${FORBIDDEN}: ${offending.join(", ")}`);
});
