/**
 * Typed configuration: one commented defaults object per component, overridden by YAML files
 * and CLI flags. A component declares each field once, with its default and its range check,
 * through {@linkcode defineConfig}; `resolve(overrides)` then applies the overrides, rejects
 * unknown keys and values of the wrong type, and runs the checks. Every failure is a one-line
 * {@linkcode ConfigError} naming the field: `rmt.budget.gamma: expected a number in (0, 1), got 1`.
 *
 * @example A component's settings: defaults, overrides, checks
 * ```ts
 * import assert from "node:assert/strict";
 * import { above, defineConfig, integer } from "./config.ts";
 * const SCHEDULE = defineConfig("train", {
 *   // T: optimiser steps
 *   steps: { default: 40, check: integer(1) },
 *   // peak learning rate
 *   lr: { default: 1e-4, check: above(0) },
 * });
 * assert.deepEqual(SCHEDULE.resolve({ steps: 10 }), { steps: 10, lr: 1e-4 });
 * assert.throws(() => SCHEDULE.resolve({ steps: 0 }), /^ConfigError: train.steps: expected an integer ≥ 1, got 0$/);
 * assert.throws(() => SCHEDULE.resolve({ step: 1 }), /train.step: unknown key \(expected one of: steps, lr\)/);
 * assert.throws(() => SCHEDULE.resolve({ lr: "1e-4" }), /train.lr: expected a number, got string "1e-4"/);
 * ```
 *
 * @module
 */
import { parse as parseYaml } from "yaml";

/** A bad configuration value: the message names the field and what was expected. */
export class ConfigError extends Error {
  /** @param message One line: `<field>: expected <what>, got <value>`. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array ${JSON.stringify(value)}`;
  if (typeof value === "object") return "object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- the mechanism: one schema per component --------------------------------------------------

/**
 * A range or type check of one field: `true` when `value` is acceptable, else what was expected,
 * as a phrase ("an integer ≥ 1"). `cfg` is the whole (sibling) object, for checks across fields.
 */
export type Check<V, T = unknown> = (value: V, cfg: T) => true | string;

/** One field of a schema: its default and its check (none: any value of the default's type). */
export interface Field<V, T = unknown> {
  /** The default value; its type is the field's type (`null`: any value, an optional setting). */
  default: V;
  /** The range check, run after the overrides are applied. */
  check?: Check<V, T>;
}

/** A component's settings: its defaults and how to resolve overrides onto them. */
export interface ConfigSpec<T> {
  /** The section name, prefix of every error message (e.g. `rmt.budget`). */
  readonly path: string;
  /** The default settings. */
  readonly defaults: Readonly<T>;
  /** A copy of the defaults with `overrides` (YAML, flags) applied and every check passed. */
  resolve(overrides?: unknown, path?: string): T;
  /** Runs every check on a complete object (e.g. one built by spreading the defaults). */
  validate(cfg: T, path?: string): T;
  /** The same section with some defaults replaced and the same checks (e.g. a smaller model). */
  withDefaults(changes: Partial<T>): ConfigSpec<T>;
}

/** The settings object a {@linkcode ConfigSpec} resolves to. */
export type ConfigOf<S> = S extends ConfigSpec<infer T> ? T : never;

/** Every field of `T`, each a {@linkcode Field} or a nested section's {@linkcode ConfigSpec}. */
export type Schema<T> = { [K in keyof T]: Field<T[K], T> | ConfigSpec<T[K]> };

function isSpec(field: unknown): field is ConfigSpec<object> {
  return isPlainObject(field) && typeof field.resolve === "function";
}

/**
 * Declares a component's settings: each field's default and check, in one object. Nested
 * sections are fields whose value is another component's spec. Checks run in field order, then
 * `across` (checks between sections, written with {@linkcode check}).
 *
 * @param path Section name used in error messages (`resolve` may be given another).
 * @param schema One entry per field: `{ default, check }`, or a nested spec.
 * @param across Checks that involve several sections, run last with the section's path.
 * @returns The spec: `defaults`, `resolve(overrides)` and `validate(cfg)`.
 */
export function defineConfig<T extends object>(
  path: string,
  schema: Schema<T>,
  across?: (cfg: T, path: string) => void,
): ConfigSpec<T> {
  const entries = Object.entries(schema) as [string, Field<unknown, T> | ConfigSpec<object>][];
  const defaults = Object.fromEntries(
    entries.map(([key, f]) => [key, isSpec(f) ? f.defaults : f.default]),
  ) as T;
  const validate = (cfg: T, at = path): T => {
    for (const [key, f] of entries) {
      const value = (cfg as Record<string, unknown>)[key];
      if (isSpec(f)) f.validate(value as object, `${at}.${key}`);
      else if (f.check !== undefined) {
        const ok = f.check(value, cfg);
        if (ok !== true) throw new ConfigError(`${at}.${key}: expected ${ok}, got ${show(value)}`);
      }
    }
    across?.(cfg, at);
    return cfg;
  };
  const resolve = (overrides?: unknown, at = path): T => {
    const cfg = resolveConfig(defaults, overrides, at) as Record<string, unknown>;
    for (const [key, f] of entries) {
      // a nested section resolves its own overrides (its own unknown keys, its own checks)
      if (isSpec(f)) cfg[key] = f.resolve(pick(overrides, key), `${at}.${key}`);
    }
    return validate(cfg as T, at);
  };
  const withDefaults = (changes: Partial<T>): ConfigSpec<T> => {
    const changed = entries.map(([key, f]) => {
      if (!(key in changes)) return [key, f];
      const value = (changes as Record<string, unknown>)[key];
      return [key, isSpec(f) ? f.withDefaults(value as object) : { ...f, default: value }];
    });
    return defineConfig(path, Object.fromEntries(changed) as Schema<T>, across);
  };
  return { path, defaults, resolve, validate, withDefaults };
}

/**
 * A section whose checks are one validate function, for a component not declared with
 * {@linkcode defineConfig}, so that it can be nested in a schema.
 *
 * @param path Section name used in error messages.
 * @param defaults The section's defaults.
 * @param validate Throws a `ConfigError` naming the field (under the path it is given).
 */
export function sectionOf<T extends object>(
  path: string,
  defaults: T,
  validate: (cfg: T, path: string) => unknown,
): ConfigSpec<T> {
  const checked = (cfg: T, at = path): T => {
    validate(cfg, at);
    return cfg;
  };
  return {
    path,
    defaults,
    resolve: (overrides, at = path) => checked(resolveConfig(defaults, overrides, at), at),
    validate: checked,
    withDefaults: (changes) => sectionOf(path, { ...defaults, ...changes }, validate),
  };
}

function pick(overrides: unknown, key: string): unknown {
  return isPlainObject(overrides) ? overrides[key] : undefined;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

// ---- checks, each naming what it expects -------------------------------------------------------

/** A check from a predicate and the phrase it expects (a phrase, or one built from `cfg`). */
export function that<V, T = unknown>(
  ok: (value: V, cfg: T) => boolean,
  expected: string | ((cfg: T) => string),
): Check<V, T> {
  return (value, cfg) =>
    ok(value, cfg) || (typeof expected === "string" ? expected : expected(cfg));
}

/** An integer ≥ `min` (any integer when `min` is omitted). */
export function integer(min?: number): Check<number> {
  return min === undefined
    ? that(Number.isInteger, "an integer")
    : that((v) => Number.isInteger(v) && v >= min, `an integer ≥ ${min}`);
}

/** A number ≥ `lo`. */
export function atLeast(lo: number): Check<number> {
  return that((v) => v >= lo, `a number ≥ ${lo}`);
}

/** A number > `lo`. */
export function above(lo: number): Check<number> {
  return that((v) => v > lo, `a number > ${lo}`);
}

/**
 * A number in an interval; `ends` says which ends are open, as in the notation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { within } from "./config.ts";
 * assert.equal(within(0, 1, "[)")(1, {}), "a number in [0, 1)");
 * assert.equal(within(0, 1, "[)")(0, {}), true);
 * ```
 */
export function within(lo: number, hi: number, ends: "()" | "[]" | "[)" | "(]"): Check<number> {
  const [open, close] = [ends[0] === "(", ends[1] === ")"];
  return that(
    (v) => (open ? v > lo : v >= lo) && (close ? v < hi : v <= hi),
    `a number in ${ends[0]}${lo}, ${hi}${ends[1]}`,
  );
}

/**
 * One of a list of strings, quoted in the message: `"exact" or "prefix"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneOf } from "./config.ts";
 * assert.equal(oneOf<string>(["a", "b", "c"])("d", {}), '"a", "b" or "c"');
 * ```
 */
export function oneOf<V extends string>(values: readonly V[]): Check<V> {
  const quoted = values.map((v) => `"${v}"`);
  const expected = quoted.length > 1
    ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`
    : quoted.join("");
  return that((v) => values.includes(v), expected);
}

/** A non-empty string (a path, a name); `what` says which. */
export function nonEmpty(what: string): Check<string> {
  return that((v) => v.length > 0, what);
}

// ---- the generic merge, and the checks used outside a schema -----------------------------------

/**
 * Returns `defaults` with `overrides` applied, key by key and recursively. A key that is not in
 * `defaults` or a value whose type differs from the default's is rejected. A default of `null`
 * accepts any value (an optional setting), a default of `{}` any mapping (free-form overrides),
 * a numeric-array default a numeric array.
 * {@linkcode defineConfig}'s `resolve` runs this first, then the checks.
 *
 * @param defaults The component's defaults object (its shape is the schema).
 * @param overrides Values from YAML or flags; may be partial.
 * @param path Name of the section, used as the prefix of error messages.
 * @returns A new, fully resolved object of the defaults' type.
 * @throws {ConfigError} On an unknown key or a type mismatch.
 *
 * @example Override one field, keep the rest
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./config.ts";
 * const cfg = resolveConfig({ lr: 1e-4, steps: 10 }, { steps: 20 }, "train");
 * assert.deepEqual(cfg, { lr: 1e-4, steps: 20 });
 * assert.throws(() => resolveConfig({ lr: 1e-4 }, { lR: 1 }, "train"), /train.lR: unknown key/);
 * ```
 */
export function resolveConfig<T extends object>(
  defaults: T,
  overrides: unknown,
  path: string,
): T {
  if (overrides === undefined || overrides === null) return structuredClone(defaults);
  if (!isPlainObject(overrides)) {
    throw new ConfigError(
      `${path}: expected a mapping of keys to values, got ${describe(overrides)}`,
    );
  }
  const out: Record<string, unknown> = structuredClone(defaults) as Record<string, unknown>;
  const known = Object.keys(defaults);
  for (const [key, value] of Object.entries(overrides)) {
    const field = `${path}.${key}`;
    if (!(key in defaults)) {
      throw new ConfigError(`${field}: unknown key (expected one of: ${known.join(", ")})`);
    }
    const base = (defaults as Record<string, unknown>)[key];
    out[key] = mergeValue(base, value, field);
  }
  return out as T;
}

function mergeValue(base: unknown, value: unknown, field: string): unknown {
  if (base === null) return value;
  // an empty mapping is free-form (overrides of another section, checked where they are used)
  if (isPlainObject(base) && Object.keys(base).length === 0) {
    if (value === null) return {};
    if (!isPlainObject(value)) {
      throw new ConfigError(`${field}: expected a mapping, got ${describe(value)}`);
    }
    return structuredClone(value);
  }
  if (isPlainObject(base)) return resolveConfig(base, value, field);
  if (Array.isArray(base)) {
    if (!Array.isArray(value)) {
      throw new ConfigError(`${field}: expected an array, got ${describe(value)}`);
    }
    const elementType = base.length > 0 ? typeof base[0] : undefined;
    if (elementType !== undefined && value.some((v) => typeof v !== elementType)) {
      throw new ConfigError(
        `${field}: expected an array of ${elementType}s, got ${describe(value)}`,
      );
    }
    return structuredClone(value);
  }
  if (typeof value !== typeof base) {
    throw new ConfigError(`${field}: expected a ${typeof base}, got ${describe(value)}`);
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new ConfigError(`${field}: expected a finite number, got ${value}`);
  }
  return value;
}

/**
 * Throws a {@linkcode ConfigError} naming `field` unless `ok` holds (for checks that are not
 * part of a schema, e.g. across sections).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { check } from "./config.ts";
 * assert.throws(() => check(false, "rmt.gamma", "a number in (0, 1)", 2), /rmt.gamma: expected a number in \(0, 1\), got 2/);
 * ```
 */
export function check(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) throw new ConfigError(`${field}: expected ${expected}, got ${show(got)}`);
}

/**
 * Reads a YAML file into a plain object; a missing file or bad YAML gives a one-line error
 * naming the file.
 *
 * @param file Path of the YAML file.
 * @returns The parsed mapping (an empty object for an empty file).
 */
export function readYamlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    throw new ConfigError(`${file}: cannot read config file (${(e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    const first = (e as Error).message.split("\n")[0];
    throw new ConfigError(`${file}: invalid YAML (${first})`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new ConfigError(`${file}: expected a mapping at the top level, got ${describe(parsed)}`);
  }
  return parsed;
}
