// Finite-difference gradient checks in float64: compares autograd's vector-Jacobian products with
// central differences of sum(f(x) · u) for a random upstream u.

import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";

export interface GradCheckResult {
  /** Largest |analytic − numeric| over all inputs and elements. */
  maxError: number;
  /** Per input: largest error. */
  perInput: number[];
}

/**
 * Checks `f`'s gradients at float64 inputs `values` (flat arrays with shapes). Inputs listed in
 * `constant` get no gradient check (e.g. integer ids are passed by closure instead).
 */
export function gradCheck(
  f: (xs: Tensor[]) => Tensor,
  inputs: { shape: number[]; data: number[] | Float64Array }[],
  opts: { eps?: number; seed?: number } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-6;
  const rng = new Rng(opts.seed ?? 7);
  return tidy(() => {
    const xs = inputs.map((x) => ops.tensor(Float64Array.from(x.data), x.shape, "float64").requireGrad());
    const out = f(xs);
    const upstream = ops.randn(out.shape, rng, { dtype: "float64" });
    out.backward(upstream);
    const u = upstream.toArray();
    const objective = (vals: Float64Array[]): number =>
      tidy(() =>
        noGrad(() => {
          const y = f(vals.map((v, i) => ops.tensor(v, inputs[i].shape, "float64"))).toArray();
          let s = 0;
          for (let i = 0; i < y.length; i++) s += y[i] * u[i];
          return s;
        }),
      );
    const base = xs.map((x) => Float64Array.from(x.toArray()));
    const perInput = xs.map((x, k) => {
      const analytic = x.grad ? x.grad.toArray() : new Float64Array(x.size);
      let worst = 0;
      for (let i = 0; i < x.size; i++) {
        const plus = base.map((b) => b.slice());
        const minus = base.map((b) => b.slice());
        plus[k][i] += eps;
        minus[k][i] -= eps;
        const numeric = (objective(plus) - objective(minus)) / (2 * eps);
        worst = Math.max(worst, Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric)));
      }
      return worst;
    });
    return { maxError: Math.max(0, ...perInput), perInput };
  });
}
