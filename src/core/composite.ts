// Composite ops: activations, softmax and friends written once in terms of primitives, so they get
// gradients and every backend for free. Those a backend may run as one fused kernel (sigmoid, GELU,
// softmax, log-softmax) keep their composite in fused.ts, where it is the fallback and the test oracle.

import { fused } from "./fused.js";
import * as ops from "./ops.js";
import { normAxes, normAxis } from "./shape.js";
import type { Tensor } from "./tensor.js";

/**
 * σ(x) = 1 / (1 + e^(−x)), computed as ½·tanh(x/2) + ½ so that neither value nor gradient overflows
 * (a fused kernel where the backend has one; see fused.ts).
 */
export function sigmoid(x: Tensor): Tensor {
  return fused("sigmoid", [x], {});
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  return ops.maximum(x, 0);
}

/** |x|. */
export function abs(x: Tensor): Tensor {
  return ops.maximum(x, ops.neg(x));
}

/**
 * GELU. `"none"`: the exact ½x(1 + erf(x/√2)); `"tanh"`: GPT-2's ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 */
export function gelu(x: Tensor, approximate: "tanh" | "none" = "none"): Tensor {
  return fused("gelu", [x], { approximate });
}

/** x^p; integer powers by repeated multiplication, others as exp(p·log x) (x > 0). */
export function pow(x: Tensor, p: number): Tensor {
  if (p === 1) return x;
  if (p === 2) return ops.mul(x, x);
  if (p === 0.5) return ops.sqrt(x);
  if (Number.isInteger(p) && p > 2 && p <= 8) {
    let y = x;
    for (let i = 1; i < p; i++) y = ops.mul(y, x);
    return y;
  }
  return ops.exp(ops.mul(ops.log(x), p));
}

/** Mean over `axes` (default: all). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normAxes(axes, x.rank, "mean");
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  return ops.div(ops.sum(x, ax, keepDims), count);
}

/**
 * softmax(x / T) along `axis`: e^(x_i/T) / Σ_j e^(x_j/T). Temperature T → 0 sharpens towards the arg-max,
 * T → ∞ flattens towards uniform (lesson 5).
 */
export function softmax(x: Tensor, axis = -1, temperature = 1): Tensor {
  return fused("softmax", [x], { axis: normAxis(axis, x.rank, "softmax"), temperature });
}

/** log(softmax(x)) along `axis`, computed stably as x − max − log Σ e^(x − max). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return fused("logSoftmax", [x], { axis: normAxis(axis, x.rank, "logSoftmax") });
}
