// "Imagine a digit": gradient ascent on the input image to maximise one output's weighted sum, with the
// gradient from the engine's backward pass. The method of `nnlab lab imagine`, which the web lab's worker
// also runs.

import { tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import type { MLP, MlpCapture } from "../models/mlp.js";

/** Penalty weights of the constrained ascent: pixels outside [0, 1] and squared neighbour differences. */
export const PENALTY = { range: 10, smooth: 0.3 } as const;

/**
 * Gradient ascent on ten images x [10, 784] (row k for digit k) to maximise Σₖ z⁽ᴸ⁾ₖₖ minus the penalty
 * when `penalised`. The gradient comes from the engine's backward pass through the captured z.
 */
export function ascend(model: MLP, steps: number, lr: number, penalised: boolean): Float32Array {
  const classes = model.sizes[model.sizes.length - 1];
  let x = new Float32Array(classes * 784).fill(0.1);
  const pick = ops.oneHot(ops.arange(classes), classes); // (10, 10) identity: row k picks z_k
  for (let s = 0; s < steps; s++) {
    x = tidy(() => {
      const input = ops.tensor(x, [classes, 784]).requireGrad();
      const capture: MlpCapture = { z: [], a: [] };
      model.forward(input, capture);
      let objective: Tensor = capture.z[capture.z.length - 1].mul(pick).sum();
      if (penalised) {
        const below = input.neg().relu();
        const above = input.sub(1).relu();
        const img = input.reshape([classes, 28, 28]);
        const dx = ops.slice(img, [0, 0, 1], [classes, 28, 28]).sub(ops.slice(img, [0, 0, 0], [classes, 28, 27]));
        const dy = ops.slice(img, [0, 1, 0], [classes, 28, 28]).sub(ops.slice(img, [0, 0, 0], [classes, 27, 28]));
        const range = below.mul(below).sum().add(above.mul(above).sum()).mul(PENALTY.range);
        const smooth = dx.mul(dx).sum().add(dy.mul(dy).sum()).mul(PENALTY.smooth);
        objective = objective.sub(range).sub(smooth);
      }
      objective.backward();
      const g = input.grad!.toArray() as Float32Array;
      return Float32Array.from(x, (v, i) => v + lr * g[i]);
    });
  }
  pick.dispose();
  return x;
}
