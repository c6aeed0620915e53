/**
 * WGSL assembly: a kernel's source is its `kernels/` file (or one `// @kernel <name>` section of
 * it) after the shared `kernels/_prelude.wgsl`, under a generated header that declares
 * `WORKGROUP_SIZE` and the bindings of its {@linkcode KernelSpec}, with `{{NAME}}` placeholders
 * filled at specialisation. The file's `struct Params` is the one declaration of the kernel's
 * uniform: {@linkcode paramsLayoutOf} parses it into the byte layout the host packs.
 *
 * @module
 */

/** Storage access of a binding. */
export type StorageAccess = "read" | "read_write";

/**
 * How a raw kernel binds a buffer: as storage, or (`window`) as a read-only uniform window into
 * the buffer at a per-dispatch dynamic offset.
 */
export type Access = StorageAccess | "window";

/** One storage-buffer binding of a kernel: `var<storage, access> name: array<type>`. */
export interface BindingSpec {
  /** WGSL variable name. */
  readonly name: string;
  /** `read` or `read_write`. */
  readonly access: StorageAccess;
  /** Element type (default `f32`); may be a `{{PLACEHOLDER}}` filled at specialisation. */
  readonly type?: string;
}

/** Everything `Pipelines.kernel` needs to build one kernel's pipeline. */
export interface KernelSpec {
  /** Unique kernel name; also the `// @kernel <name>` section of `file` that holds `main`. */
  readonly name: string;
  /** File under `kernels/`. */
  readonly file: string;
  /** Storage bindings in binding order; the uniform `params` binding is appended last. */
  readonly bindings: readonly BindingSpec[];
  /** Default workgroup size (1-D), emitted as `const WORKGROUP_SIZE: u32`. */
  readonly workgroupSize: number;
}

/** Types allowed in a `Params` struct. Arrays hold rank-8 shapes/strides as 2 × vec4. */
export type ParamType = "u32" | "i32" | "f32" | "array<vec4<u32>, 2>";

/** Value of one param: a number, or up to 8 numbers for `array<vec4<u32>, 2>`. */
export type ParamValue = number | readonly number[];

/** A kernel's uniform contents by `Params` field name. */
export type Params = Readonly<Record<string, ParamValue>>;

/** Bytes of the uniform window bound per dispatch; every `Params` struct must fit in it. */
export const PARAMS_WINDOW = 256;

const KERNEL_DIR = new URL("../../../../kernels/", import.meta.url);
const PRELUDE_FILE = "_prelude.wgsl";

const fileCache = new Map<string, string>();

/** Source text of a `kernels/` file (cached). */
export function kernelFile(file: string): string {
  let text = fileCache.get(file);
  if (text === undefined) {
    text = Deno.readTextFileSync(new URL(file, KERNEL_DIR));
    fileCache.set(file, text);
  }
  return text;
}

/** Splits a kernel file into its shared part and its `// @kernel <name>` sections. */
export function splitSections(text: string): { prelude: string; sections: Map<string, string> } {
  const parts = text.split(/^\/\/ @kernel (\w+)[^\n]*$/m);
  const sections = new Map<string, string>();
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i], parts[i + 1]);
  return { prelude: parts[0], sections };
}

/** Parses `struct Params { a: u32, b: array<vec4<u32>, 2>, }` into `[name, type]` pairs. */
export function parseParamsStruct(text: string): [string, string][] | null {
  const match = /struct\s+Params\s*\{([^}]*)\}/.exec(text);
  if (!match) return null;
  const body = match[1].replace(/\/\/[^\n]*/g, "");
  const fields: [string, string][] = [];
  let depth = 0;
  let current = "";
  for (const ch of body + ",") {
    if (ch === "<") depth++;
    if (ch === ">") depth--;
    if (ch === "," && depth === 0) {
      const field = current.trim();
      if (field) {
        const colon = field.indexOf(":");
        fields.push([
          field.slice(0, colon).trim(),
          field.slice(colon + 1).replace(/\s+/g, " ").trim(),
        ]);
      }
      current = "";
    } else current += ch;
  }
  return fields;
}

/** Byte layout of a `Params` struct (WGSL uniform layout rules). */
export interface ParamsLayout {
  /** Per field, in struct order: name, offset in 4-byte words, type. */
  readonly fields: readonly { name: string; word: number; type: ParamType }[];
  /** Struct size in bytes (a multiple of 16). */
  readonly bytes: number;
}

const PARAM_TYPES: readonly string[] = ["u32", "i32", "f32", "array<vec4<u32>, 2>"];

/** The uniform layout of `[name, type]` fields; `where` names the struct in errors. */
export function paramsLayout(
  fields: readonly (readonly [string, string])[],
  where = "Params",
): ParamsLayout {
  let offset = 0;
  const out: { name: string; word: number; type: ParamType }[] = [];
  for (const [name, type] of fields) {
    if (!PARAM_TYPES.includes(type)) throw new Error(`${where}: field ${name} has type ${type}`);
    const [align, size] = type === "array<vec4<u32>, 2>" ? [16, 32] : [4, 4];
    offset = Math.ceil(offset / align) * align;
    out.push({ name, word: offset / 4, type: type as ParamType });
    offset += size;
  }
  const layout = { fields: out, bytes: Math.max(16, Math.ceil(offset / 16) * 16) };
  if (layout.bytes > PARAMS_WINDOW) throw new Error(`${where}: Params too large`);
  return layout;
}

/** A `kernels/` file with its `// @include <file>` lines replaced by those files. */
function withIncludes(file: string): string {
  return kernelFile(file).replace(
    /^\/\/ @include (\S+)[^\n]*$/gm,
    (_, included: string) => kernelFile(included),
  );
}

const layoutCache = new Map<string, ParamsLayout>();

/** The layout of the `struct Params` declared in a `kernels/` file or a file it includes (cached). */
export function paramsLayoutOf(file: string): ParamsLayout {
  let layout = layoutCache.get(file);
  if (!layout) {
    const fields = parseParamsStruct(withIncludes(file));
    if (!fields) throw new Error(`kernels/${file}: no struct Params`);
    layout = paramsLayout(fields, `kernels/${file}`);
    layoutCache.set(file, layout);
  }
  return layout;
}

/**
 * Writes `params` (by field name; every field required but `_` padding, which defaults to 0) into `words` at word `base`, through
 * the three views of one buffer (u32, i32, f32).
 */
export function writeParams(
  layout: ParamsLayout,
  params: Params,
  u32: Uint32Array,
  i32: Int32Array,
  f32: Float32Array,
  base = 0,
): void {
  for (const { name, word, type } of layout.fields) {
    const value = params[name] ?? (name.startsWith("_") ? 0 : undefined);
    if (value === undefined) throw new Error(`Params: no value for field ${name}`);
    const w = base + word;
    if (typeof value === "number") {
      if (type === "f32") f32[w] = value;
      else if (type === "i32") i32[w] = value;
      else u32[w] = value;
    } else {
      for (let j = 0; j < 8; j++) u32[w + j] = value[j] ?? 0;
    }
  }
}

/** `params` packed as the uniform bytes of a `kernels/` file's `struct Params`. */
export function packParams(file: string, params: Params): ArrayBuffer {
  const layout = paramsLayoutOf(file);
  const bytes = new ArrayBuffer(layout.bytes);
  const f32 = new Float32Array(bytes);
  writeParams(layout, params, new Uint32Array(bytes), new Int32Array(bytes), f32);
  return bytes;
}

/** Replaces every `{{NAME}}` in `code`; a name without a value is an error naming `where`. */
export function fillPlaceholders(
  code: string,
  values: Readonly<Record<string, string | number>>,
  where: string,
): string {
  return code.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${where}: no value for ${whole}`);
    return String(value);
  });
}

/**
 * The complete WGSL of a kernel: generated header (workgroup size, bindings) + the shared
 * prelude + the file's shared part + the kernel's section, with `{{NAME}}` placeholders replaced
 * from `constants`.
 */
export function assembleKernel(
  spec: KernelSpec,
  constants: Readonly<Record<string, string | number>> = {},
  workgroupSize = spec.workgroupSize,
): string {
  const { prelude, sections } = splitSections(kernelFile(spec.file));
  const section = sections.size === 0 ? "" : sections.get(spec.name);
  if (section === undefined) throw new Error(`${spec.file}: no "// @kernel ${spec.name}" section`);
  const header = [
    `// Generated by lib/engine/backend/webgpu/wgsl.ts from the KernelSpec "${spec.name}".`,
    `const WORKGROUP_SIZE: u32 = ${workgroupSize}u;`,
    ...spec.bindings.map((b, i) =>
      `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type ?? "f32"}>;`
    ),
    `@group(0) @binding(${spec.bindings.length}) var<uniform> params: Params;`,
  ];
  const code = `${header.join("\n")}\n${kernelFile(PRELUDE_FILE)}\n${prelude}\n${section}`;
  return fillPlaceholders(code, constants, `kernel ${spec.name}`);
}

/**
 * Complete WGSL from a self-contained `kernels/` file (the matmul kernels), specialised with
 * `values`:
 * - `// @include <file>` lines are replaced by that file;
 * - `#if NAME` / `#else` / `#endif` lines keep one side, by the truth of `values[NAME]` (for code
 *   that cannot type-check in every layout, e.g. a vec4 array against a scalar one);
 * - `{{NAME}}` placeholders are filled from `values`;
 * - each loop `for (var v = 0u; v < BOUND; v++) { … }` on the line after a `// unroll` comment is
 *   written out once per v (v a literal in each copy; BOUND a constant expression of the
 *   file's `const` declarations), so that the arrays it indexes are indexed by constants.
 */
export function specialise(
  file: string,
  values: Readonly<Record<string, string | number | boolean>>,
): string {
  // Planning runs at every matmul: the specialised text is cached (unrolling costs milliseconds).
  const key = `${file}|${JSON.stringify(values)}`;
  let code = specialised.get(key);
  if (code === undefined) {
    code = specialiseUncached(file, values);
    specialised.set(key, code);
  }
  return code;
}

const specialised = new Map<string, string>();

function specialiseUncached(
  file: string,
  values: Readonly<Record<string, string | number | boolean>>,
): string {
  const where = `kernels/${file}`;
  const text = withIncludes(file);
  const strings = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  return unrollLoops(fillPlaceholders(keepIfBlocks(text, values, where), strings, where));
}

/**
 * The lines of `text` that its `#if NAME` / `#else` / `#endif` blocks keep, by the truth of
 * `values[NAME]` (see {@linkcode specialise}); `where` names the file in errors.
 */
export function keepIfBlocks(
  text: string,
  values: Readonly<Record<string, string | number | boolean>>,
  where: string,
): string {
  const kept: string[] = [];
  const stack: { keep: boolean; outer: boolean }[] = [];
  let keep = true;
  for (const line of text.split("\n")) {
    const directive = /^\s*#(if|else|endif)\b\s*(\w*)/.exec(line);
    if (!directive) {
      if (keep) kept.push(line);
      continue;
    }
    const [, word, name] = directive;
    if (word === "if") {
      if (!(name in values)) throw new Error(`${where}: #if ${name} has no value`);
      stack.push({ keep: values[name] === true || values[name] === "true", outer: keep });
    } else if (stack.length === 0) throw new Error(`${where}: #${word} without #if`);
    else if (word === "else") stack[stack.length - 1].keep = !stack[stack.length - 1].keep;
    else stack.pop();
    const top = stack[stack.length - 1];
    keep = top === undefined ? true : top.outer && top.keep;
  }
  if (stack.length > 0) throw new Error(`${where}: #if without #endif`);
  return kept.join("\n");
}

const UNROLL = /^([ \t]*)\/\/ unroll\n[ \t]*for \(var (\w+) = 0u; \2 < ([^;]+); \2\+\+\) \{\n/m;

/**
 * Evaluates a u32 constant expression of numbers (`4`, `4u`), names in `consts`, `+ - * /` and
 * parentheses, as WGSL does (integer division).
 */
export function evalConst(expr: string, consts: ReadonlyMap<string, number>): number {
  const tokens = expr.match(/\d+u?|\w+|[-+*/()]/g) ?? [];
  let at = 0;
  const fail = (): never => {
    throw new Error(`WGSL constant expression "${expr}" is not a u32 expression of known names`);
  };
  const factor = (): number => {
    const t = tokens[at++] ?? fail();
    if (t === "(") {
      const v = sum();
      if (tokens[at++] !== ")") fail();
      return v;
    }
    if (/^\d/.test(t)) return Number(t.replace(/u$/, ""));
    return consts.get(t) ?? fail();
  };
  const product = (): number => {
    let v = factor();
    while (tokens[at] === "*" || tokens[at] === "/") {
      const op = tokens[at++];
      const w = factor();
      v = op === "*" ? v * w : Math.floor(v / w);
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[at] === "+" || tokens[at] === "-") {
      v = tokens[at++] === "+" ? v + product() : v - product();
    }
    return v;
  };
  const value = sum();
  if (at !== tokens.length) fail();
  return value;
}

/**
 * Writes out the loops marked `// unroll` (see {@linkcode specialise}), outermost first. Loop
 * bounds may use the module's `const NAME: u32 = …;` declarations.
 */
export function unrollLoops(code: string): string {
  const consts = new Map<string, number>();
  for (const [, name, expr] of code.matchAll(/^const (\w+): u32 = ([^;]+);/gm)) {
    consts.set(name, evalConst(expr, consts));
  }
  for (let match = UNROLL.exec(code); match; match = UNROLL.exec(code)) {
    const [head, indent, v, bound] = match;
    const count = evalConst(bound, consts);
    // The loop's body ends at the brace that closes the one opened on the `for` line.
    const start = match.index + head.length;
    let depth = 1, end = start;
    for (; depth > 0; end++) {
      if (end >= code.length) throw new Error(`unroll: loop over ${v} is not closed`);
      if (code[end] === "{") depth++;
      if (code[end] === "}") depth--;
    }
    const body = code.slice(start, end - 1).replace(/\n[ \t]*$/, "\n");
    const copies = Array.from(
      { length: count },
      (_, i) => `${indent}{\n${body.replace(new RegExp(`\\b${v}\\b`, "g"), `${i}u`)}${indent}}\n`,
    );
    // Drop the rest of the closing brace's line too.
    const after = code.slice(end).replace(/^[^\n]*\n?/, "");
    code = code.slice(0, match.index) + copies.join("") + after;
  }
  return code;
}
