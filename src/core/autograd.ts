// Reverse-mode autograd: a reverse topological walk from the output, calling each node's
// vector-Jacobian product and summing gradients that meet. (micrograd's backward(), for tensors.)

import { NnlabError } from "./errors.js";
import { noGrad } from "./engine.js";
import * as ops from "./ops.js";
import { formatShape, shapesEqual } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Tensors reachable from `root` through autograd nodes, inputs before outputs. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // iterative DFS: deep graphs (long training unrolls, many layers) must not overflow the stack
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

/**
 * Back-propagates from `root`: fills `.grad` on every leaf that requires it (adding to an existing
 * gradient, like PyTorch) and on non-leaves marked with `retainGrad()`. `grad` defaults to 1 for a
 * one-element root.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) throw new NnlabError("backward: this tensor does not require gradients (no parameter with requireGrad() led to it)");
  if (!grad && root.size !== 1) {
    throw new NnlabError(`backward: the output has shape ${formatShape(root.shape)}; pass its gradient, or reduce it to a scalar first (e.g. .mean())`);
  }
  if (grad && !shapesEqual(grad.shape, root.shape)) {
    throw new NnlabError(`backward: gradient shape ${formatShape(grad.shape)} differs from the output's ${formatShape(root.shape)}`);
  }
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, grad ?? ops.full(root.shape, 1, root.dtype));
    const order = topoOrder(root);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (!t.node || t.retainsGrad) storeGrad(t, g);
      if (!t.node) continue;
      const inputGrads = t.node.vjp(g);
      t.node.inputs.forEach((x, k) => {
        const gx = inputGrads[k];
        if (!gx || !x.requiresGrad) return;
        const prev = grads.get(x);
        grads.set(x, prev ? ops.add(prev, gx) : gx);
      });
    }
  });
}

function storeGrad(t: Tensor, g: Tensor): void {
  // gradients outlive the scope of the step that computed them
  // (a gradient tensor already stored on another tensor is copied, so each owns its own)
  const next = t.grad ? ops.add(t.grad, g) : g.kept || g.data === t.data ? ops.mul(g, 1) : g;
  if (t.grad) t.grad.dispose();
  next.kept = true;
  t.grad = next;
}
