// Fused ops: one kernel for what a composite does in several primitives, where the backend provides
// one (the wasm backend does; js does not). Each entry keeps its composite, which runs wherever the
// backend has no kernel and is the oracle the fused kernel is tested against. A fused op's gradient is
// written with public ops (and fused backward ops) like a primitive's; backward passes run without
// recording, so backward-only ops (`sigmoidGrad`) need no gradient of their own.

import type { FusedKernels } from "./backend.js";
import { applyFused } from "./engine.js";
import { ShapeError } from "./errors.js";
import * as ops from "./ops.js";
import type { ArgInfo } from "./prims.js";
import { formatShape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Parameters of each fused op. */
export interface FusedParams {
  /** σ(x) = ½·tanh(x/2) + ½. */
  sigmoid: {};
  /** g·s·(1 − s) for s = σ(x): the gradient of sigmoid given its output. */
  sigmoidGrad: {};
  /** x·Wᵀ + b: x [N, in], weight [out, in], bias [out] → [N, out] (a layer: matmul plus bias in one pass). */
  linear: {};
}

export type FusedOp = keyof FusedParams;

export interface FusedDef<F extends FusedOp> {
  infer(inputs: readonly ArgInfo[], params: FusedParams[F]): ArgInfo;
  /** The same function from primitives: the fallback and the test oracle. */
  composite(inputs: readonly Tensor[], params: FusedParams[F]): Tensor;
  vjp?: (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: FusedParams[F]) => (Tensor | null)[];
}

function sameShape(op: string, inputs: readonly ArgInfo[]): ArgInfo {
  const [a, b] = inputs;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]) || a.dtype !== b.dtype) {
    throw new ShapeError(`${op}: expected two tensors of one shape and dtype, found ${formatShape(a.shape)} ${a.dtype} and ${formatShape(b.shape)} ${b.dtype}`);
  }
  return a;
}

export const fusedOps: { readonly [F in FusedOp]: FusedDef<F> } = {
  sigmoid: {
    infer: ([x]) => x,
    composite: ([x]) => ops.add(ops.mul(ops.tanh(ops.mul(x, 0.5)), 0.5), 0.5),
    vjp: (g, _x, out) => [fused("sigmoidGrad", [g, out], {})],
  },
  sigmoidGrad: {
    infer: (inputs) => sameShape("sigmoidGrad", inputs),
    composite: ([g, s]) => ops.mul(g, ops.mul(s, ops.sub(1, s))),
  },
  linear: {
    infer: ([x, w, b]) => {
      if (x.shape.length !== 2 || w.shape.length !== 2 || b.shape.length !== 1 || x.shape[1] !== w.shape[1] || b.shape[0] !== w.shape[0]) {
        throw new ShapeError(`linear: expected x [N, in], weight [out, in], bias [out], found ${formatShape(x.shape)}, ${formatShape(w.shape)}, ${formatShape(b.shape)}`);
      }
      if (x.dtype !== w.dtype || x.dtype !== b.dtype) throw new ShapeError(`linear: inputs must share a dtype, found ${x.dtype}, ${w.dtype}, ${b.dtype}`);
      return { shape: [x.shape[0], w.shape[0]], dtype: x.dtype };
    },
    composite: ([x, w, b]) => ops.add(ops.matmul(x, w, { transB: true }), b),
    // y = x·Wᵀ + b: dx = g·W, dW = gᵀ·x, db = Σ_rows g
    vjp: (g, [x, w, b]) => [
      x.requiresGrad ? ops.matmul(g, w) : null,
      w.requiresGrad ? ops.matmul(g, x, { transA: true }) : null,
      b.requiresGrad ? ops.sum(g, [0]) : null,
    ],
  },
};

/** Runs fused op `op`: the backend's kernel when it has one, else the composite. */
export function fused<F extends FusedOp>(op: F, inputs: readonly Tensor[], params: FusedParams[F]): Tensor {
  const def = fusedOps[op];
  const kernel = (inputs[0].backend.fused as FusedKernels | undefined)?.[op];
  return kernel ? applyFused(op, def, kernel, inputs, params) : def.composite(inputs, params);
}
