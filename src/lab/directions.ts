// Directions in weight space for drawing the cost landscape (Li et al. 2018, "Visualizing the Loss
// Landscape of Neural Nets": filter normalisation scales each neuron's direction row to the norm of its
// weight row), the arithmetic of weights along them, and the cost there. Used by `nnlab lab landscape` and
// by the web lab's worker.

import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { TypedArray } from "../core/dtype.js";
import type { Dataset } from "../data/dataset.js";
import type { MLP } from "../models/mlp.js";
import type { MnistTrainConfig } from "../train/config.js";
import { costOf } from "../train/trainer.js";

/** Weights by parameter name, as `MLP.stateDict()` gives them; also a direction in weight space. */
export type WeightState = Record<string, { shape: number[]; data: TypedArray }>;

/** A random direction with filter normalisation: each weight row scaled to its weight row's norm; biases 0. */
export function filterNormalisedDirection(model: MLP, rng: Rng): WeightState {
  const out: WeightState = {};
  for (const [name, p] of model.namedParameters()) {
    const w = p.toArray() as Float32Array;
    const d = new Float32Array(w.length);
    if (p.shape.length === 2) {
      const cols = p.shape[1];
      for (let r = 0; r < p.shape[0]; r++) {
        let dn = 0;
        let wn = 0;
        for (let c = 0; c < cols; c++) {
          d[r * cols + c] = rng.normal();
          dn += d[r * cols + c] ** 2;
          wn += w[r * cols + c] ** 2;
        }
        const scale = Math.sqrt(wn / (dn || 1));
        for (let c = 0; c < cols; c++) d[r * cols + c] *= scale;
      }
    }
    out[name] = { shape: [...p.shape], data: d };
  }
  return out;
}

/** w + a·d₁ + b·d₂: the weights at (a, b) in the plane through w spanned by d₁ and d₂. */
export function combine(base: WeightState, d1: WeightState, d2: WeightState, a: number, b: number): WeightState {
  const out: WeightState = {};
  for (const name of Object.keys(base)) out[name] = { shape: base[name].shape, data: Float32Array.from(base[name].data, (v, i) => v + a * d1[name].data[i] + b * d2[name].data[i]) };
  return out;
}

/** The dot product of two weight states (over every parameter). */
export function dot(x: WeightState, y: WeightState): number {
  let s = 0;
  for (const name of Object.keys(x)) for (let i = 0; i < x[name].data.length; i++) s += x[name].data[i] * y[name].data[i];
  return s;
}

/** x − y, parameter by parameter. */
export function minus(x: WeightState, y: WeightState): WeightState {
  const out: WeightState = {};
  for (const name of Object.keys(x)) out[name] = { shape: x[name].shape, data: Float32Array.from(x[name].data, (v, i) => v - y[name].data[i]) };
  return out;
}

/** The cost of `model` (as configured) on the images of `ds`, without gradients. */
export function costOn(model: MLP, config: MnistTrainConfig, ds: Dataset): number {
  return tidy(() => noGrad(() => costOf(config, model.forward(ops.tensor(ds.images, [ds.count, 784])), ops.tensor(Int32Array.from(ds.labels), [ds.count], "int32")).item()));
}

/** Least-squares coordinates of `v` in span(d₁, d₂) and the share of |v| left outside the plane. */
export function project(v: WeightState, d1: WeightState, d2: WeightState): { a: number; b: number; off: number } {
  const g11 = dot(d1, d1);
  const g12 = dot(d1, d2);
  const g22 = dot(d2, d2);
  const r1 = dot(d1, v);
  const r2 = dot(d2, v);
  const det = g11 * g22 - g12 * g12;
  const a = (g22 * r1 - g12 * r2) / det;
  const b = (g11 * r2 - g12 * r1) / det;
  const vv = dot(v, v);
  const inPlane = a * a * g11 + 2 * a * b * g12 + b * b * g22;
  return { a, b, off: vv > 0 ? Math.sqrt(Math.max(0, vv - inPlane) / vv) : 0 };
}

/** `n` evenly spaced coordinates from −1 to 1. */
export const grid = (n: number) => Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
