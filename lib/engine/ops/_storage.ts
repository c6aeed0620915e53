/**
 * Helpers for ops' forward passes: getting a contiguous storage out of a view (copying only when
 * needed) and releasing the temporary afterwards.
 *
 * @module
 */
import { type Backend, isContiguous, numel, type Storage, type View } from "../backend/backend.ts";

/** A contiguous storage holding `view`'s elements, and whether it is a temporary to free. */
export interface Packed {
  /** Storage laid out row-major from element 0. */
  storage: Storage;
  /** True when the storage was copied and must be freed by the caller. */
  temporary: boolean;
}

/** Returns `view` as a contiguous storage, copying (via `cast`) only when it is not one. */
export function packed(backend: Backend, view: View): Packed {
  const whole = view.offset === 0 && numel(view.shape) === view.storage.size;
  if (whole && isContiguous(view)) return { storage: view.storage, temporary: false };
  return { storage: backend.cast(view, view.storage.dtype), temporary: true };
}

/** Frees the temporaries among `items`. */
export function release(backend: Backend, ...items: Packed[]): void {
  for (const p of items) if (p.temporary) backend.free(p.storage);
}
