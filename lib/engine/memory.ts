/**
 * Lifetimes of tensors. A storage is shared by a tensor and its views and freed with the last
 * reference ({@linkcode SharedStorage}); {@linkcode tidy} disposes every tensor a function created
 * except what it returns; {@linkcode keep} exempts a tensor from the enclosing scopes.
 *
 * @module
 */
import type { Backend, Storage } from "./backend/backend.ts";
import { fail } from "./ops/_op.ts";
import type { Tensor } from "./tensor.ts";

/** @internal A storage shared by a tensor and its views; freed when the last one is disposed. */
export class SharedStorage {
  /** How many tensors hold this storage. */
  refs = 1;
  constructor(readonly backend: Backend, readonly storage: Storage) {}
  /** Drops one reference; the last frees the storage. */
  release(): void {
    if (--this.refs === 0) this.backend.free(this.storage);
  }
}

/** The open `tidy` scopes, innermost last: the tensors created in each. */
const scopes: Set<Tensor>[] = [];

/** @internal Registers a new tensor with the innermost open {@linkcode tidy} scope. */
export function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Adds to `into` the members of `scope` found in `value` (a tensor, or arrays and plain objects). */
function collectScoped(value: unknown, scope: Set<Tensor>, into: Set<Tensor>): void {
  if (scope.has(value as Tensor)) into.add(value as Tensor);
  else if (Array.isArray(value)) { for (const v of value) collectScoped(v, scope, into); }
  else if (
    value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const v of Object.values(value)) collectScoped(v, scope, into);
  }
}

/**
 * Runs a synchronous `fn` and disposes every tensor it created except those it returns (a
 * tensor, or arrays and plain objects of them) and those passed to {@linkcode keep}. Training
 * steps run inside `tidy` so that memory stays flat over thousands of steps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensor, tidy } from "./tensor.ts";
 * const x = tensor([1, 2, 3]);
 * let temp = x;
 * const y = tidy(() => { temp = x.mul(2); return temp.add(1); });
 * assert.equal(temp.disposed, true);
 * assert.deepEqual([...await y.toArray()], [3, 5, 7]);
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    fail("tidy", "expected a synchronous function, got one returning a Promise");
  }
  const kept = new Set<Tensor>();
  collectScoped(result, scope, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Exempts `t` from every enclosing {@linkcode tidy}: it lives until `dispose()`. */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of scopes) scope.delete(t);
  return t;
}
