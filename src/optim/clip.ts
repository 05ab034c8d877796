// Gradient clipping by global norm (GPT training uses 1.0).

import { noGrad } from "../core/engine.js";
import * as ops from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";

/** Scales all gradients so their joint L2 norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  return noGrad(() => {
    const list = [...params].filter((p) => p.grad);
    let sq = 0;
    for (const p of list) sq += ops.sum(ops.mul(p.grad!, p.grad!)).item();
    const norm = Math.sqrt(sq);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-6);
      for (const p of list) {
        const scaled = ops.mul(p.grad!, scale);
        p.grad!.dispose();
        scaled.kept = true;
        p.grad = scaled;
      }
    }
    return norm;
  });
}
