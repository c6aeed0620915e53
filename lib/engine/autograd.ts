/**
 * Reverse-mode autograd: grad mode ({@linkcode noGrad}), the graph that differentiable ops record
 * and the backward walk over it. A tensor made by an op while grad mode is on and some input
 * requires a gradient gets a node (the op, its inputs, attributes and saved tensors); the graph
 * lives here, keyed by the output, so `tensor.ts` only calls {@linkcode record},
 * {@linkcode forget} and {@linkcode backpropagate}.
 *
 * @module
 */
import { isContiguous } from "./backend/backend.ts";
import { keep } from "./memory.ts";
import { fail, fmtShape, type Op, type OpContext, type Saved } from "./ops/_op.ts";
import type { Tensor } from "./tensor.ts";

// ---- grad mode ---------------------------------------------------------------------------------

let gradEnabled = true;

/**
 * Runs `fn` without recording the autograd graph (inference, optimizer updates).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noGrad, tensor } from "./tensor.ts";
 * const w = tensor([1, 2]).requireGrad();
 * const y = noGrad(() => w.mul(2));
 * assert.equal(y.requiresGrad, false);
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** True while the graph is being recorded (outside {@linkcode noGrad}). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

// ---- the graph ---------------------------------------------------------------------------------

/** The record of the op that produced a tensor. */
interface Node {
  op: Op<unknown, Saved>;
  inputs: readonly Tensor[];
  attrs: unknown;
  saved: Saved;
}

/** The node of every recorded output, until the output is disposed. */
const graph = new WeakMap<Tensor, Node>();

function disposeSaved(saved: Saved): void {
  if (saved !== undefined) { for (const t of Object.values(saved)) t.dispose(); }
}

/**
 * @internal Records `out = op(inputs)` for backward when grad mode is on and an input requires
 * a gradient (then `out` requires one too); otherwise disposes what the forward pass saved.
 */
export function record<A, S extends Saved>(
  out: Tensor,
  op: Op<A, S>,
  inputs: readonly Tensor[],
  attrs: A,
  saved: S,
): void {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    graph.set(out, { op: op as unknown as Op<unknown, Saved>, inputs, attrs, saved });
  } else {
    disposeSaved(saved);
  }
}

/** @internal Drops `t`'s node, disposing what its op saved (called when `t` is disposed). */
export function forget(t: Tensor): void {
  const node = graph.get(t);
  if (node === undefined) return;
  graph.delete(t);
  disposeSaved(node.saved);
}

// ---- backward ----------------------------------------------------------------------------------

/** The tensors that requiring-grad paths reach from `root`, inputs before outputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const visit = (t: Tensor) => {
    if (seen.has(t)) return;
    seen.add(t);
    if (t.disposed) {
      fail(
        "backward",
        `the graph reaches a disposed tensor ${
          fmtShape(t.shape)
        } (call backward() inside the tidy() that computed the loss)`,
      );
    }
    for (const input of graph.get(t)?.inputs ?? []) if (input.requiresGrad) visit(input);
    order.push(t);
  };
  visit(root);
  return order;
}

/**
 * @internal Back-propagates `seed`, the gradient of `root` (this call disposes it), and
 * accumulates `d root / d leaf` into `leaf.grad` for every leaf that requires a gradient. `ctx`
 * is the context of `root`'s backend, which holds the whole graph.
 */
export function backpropagate(root: Tensor, seed: Tensor, ctx: OpContext): void {
  noGrad(() => {
    const order = topologicalOrder(root);
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = graph.get(t);
      if (node === undefined) {
        accumulate(t, g, ctx);
        continue;
      }
      const inGrads = node.op.backward(ctx, g, node.inputs, t, node.attrs, node.saved);
      const handed = new Set<Tensor>();
      node.inputs.forEach((input, k) => {
        let gi = inGrads[k];
        if (!input.requiresGrad || gi === null || gi === undefined) return;
        // A gradient handed to two inputs (or equal to g) gets its own handle.
        if (gi === g || handed.has(gi)) gi = gi.detach();
        handed.add(gi);
        const previous = grads.get(input);
        if (previous === undefined) grads.set(input, gi);
        else {
          grads.set(input, previous.add(gi));
          previous.dispose();
          gi.dispose();
        }
      });
      g.dispose();
    }
  });
}

/** Adds `g` (owned by this call) to `leaf.grad`. */
function accumulate(leaf: Tensor, g: Tensor, ctx: OpContext): void {
  // A gradient owns a whole contiguous storage (the optimizer updates storages in place), not a
  // window of a larger one such as the slice of `concat`'s output gradient.
  const v = g.view;
  const whole = v.offset === 0 && v.storage.size === g.size && isContiguous(v);
  let grad = whole ? g : ctx.wrap(ctx.backend.cast(v, g.dtype), g.shape);
  if (grad !== g) g.dispose();
  if (leaf.grad !== null) {
    const sum = leaf.grad.add(grad);
    leaf.grad.dispose();
    grad.dispose();
    grad = sum;
  }
  leaf.grad = keep(grad);
}
