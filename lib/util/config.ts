/**
 * Typed configuration: one commented defaults object per component, overridden by YAML files
 * and CLI flags. Unknown keys and values of the wrong type are rejected with a one-line
 * {@linkcode ConfigError} that names the offending field (DEVELOPERS.md, "Configuration").
 *
 * @module
 */
import { parse as parseYaml } from "yaml";
import type { BackendKind } from "../engine/tensor.ts";

/** A bad configuration value: the message names the field and what was expected. */
export class ConfigError extends Error {
  /** @param message One line: `<field>: expected <what>, got <value>`. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A plain configuration object: numbers, strings, booleans, arrays and nested objects. */
export type ConfigValue =
  | number
  | string
  | boolean
  | null
  | ConfigValue[]
  | { [key: string]: ConfigValue };

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array ${JSON.stringify(value)}`;
  if (typeof value === "object") return "object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Returns `defaults` with `overrides` applied, key by key and recursively. A key that is not in
 * `defaults` or a value whose type differs from the default's is rejected. A default of `null`
 * accepts any value (an optional setting); a numeric-array default accepts a numeric array.
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
 * Throws a {@linkcode ConfigError} naming `field` unless `ok` holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { check } from "./config.ts";
 * assert.throws(() => check(false, "rmt.gamma", "a number in (0, 1)", 2), /rmt.gamma: expected a number in \(0, 1\), got 2/);
 * ```
 */
export function check(ok: boolean, field: string, expected: string, got: unknown): void {
  if (!ok) throw new ConfigError(`${field}: expected ${expected}, got ${JSON.stringify(got)}`);
}

/**
 * Throws a {@linkcode ConfigError} naming `field` unless `value` is an integer ≥ 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPositiveInteger } from "./config.ts";
 * assert.throws(() => checkPositiveInteger(0, "train.steps"), /train.steps: expected an integer ≥ 1, got 0/);
 * ```
 */
export function checkPositiveInteger(value: number, field: string): void {
  check(Number.isInteger(value) && value >= 1, field, "an integer ≥ 1", value);
}

/** The backend kinds a config or flag may name (`BackendKind` of `lib/engine/tensor.ts`). */
export const BACKEND_KINDS: readonly BackendKind[] = ["auto", "cpu", "webgpu"];

/**
 * Throws a one-line `ConfigError` unless `value` is a backend kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBackendKind } from "./config.ts";
 * checkBackendKind("cpu", "train.backend");
 * assert.throws(() => checkBackendKind("gpu", "train.backend"),
 *   /^ConfigError: train.backend: expected auto, cpu or webgpu, got "gpu"$/);
 * ```
 */
export function checkBackendKind(value: unknown, field: string): asserts value is BackendKind {
  check(BACKEND_KINDS.includes(value as BackendKind), field, "auto, cpu or webgpu", value);
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
