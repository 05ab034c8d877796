// The toy model of Anthropic's "Toy Models of Superposition" (Elhage et al. 2022): n sparse features
// with importances, squeezed into m < n hidden dimensions h = W x and read back as x' = ReLU(Wᵀh + b).
// Trains one independent model per feature density at once (an instance axis, as the paper does) and
// measures each feature's norm and interference. Node-free (engine ops only): the web lab runs it too.

import { keep, noGrad, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { Adam } from "../../optim/adam.js";

/** Settings of {@link trainToyModels}. */
export interface ToyConfig {
  /** Features n and hidden dimensions m. */
  readonly n: number;
  readonly m: number;
  /** Importance of each feature (n values): the weight of its squared error in the loss. */
  readonly importances: readonly number[];
  /** Feature density 1 − S of each model: the chance that a feature is non-zero in an example. */
  readonly densities: readonly number[];
  readonly steps: number;
  readonly batch: number;
  /** Adam's learning rate (the paper: 1e-3). */
  readonly lr: number;
  readonly rng: Rng;
  /** Called after each step with the mean loss of the models. */
  onStep?(step: number, loss: number): void;
}

/** One trained toy model. */
export interface ToyModel {
  readonly density: number;
  /** W (m × n, row-major): column i is feature i's direction in the hidden space. */
  readonly w: Float32Array;
  /** b (n). */
  readonly b: Float32Array;
  /** Importance-weighted squared error per example over the last tenth of training. */
  readonly loss: number;
}

/** n importances decaying geometrically from 1: the paper's 0.7^i (or 1 for equal importance). */
export function geometricImportances(n: number, decay: number): number[] {
  return Array.from({ length: n }, (_, i) => decay ** i);
}

/**
 * A batch of sparse features for each model, (models, batch, n) row-major: each feature is 0 except with
 * probability `density`, then uniform in [0, 1]. The gaps between non-zero features are drawn as
 * geometric numbers, so a sparse batch costs a few random draws rather than one per feature.
 */
export function sparseFeatures(densities: readonly number[], batch: number, n: number, rng: Rng): Float32Array {
  const per = batch * n;
  const x = new Float32Array(densities.length * per);
  densities.forEach((p, inst) => {
    const base = inst * per;
    if (p >= 1) {
      for (let j = 0; j < per; j++) x[base + j] = rng.random();
      return;
    }
    const logQ = Math.log(1 - p);
    for (let j = Math.floor(Math.log(1 - rng.random()) / logQ); j < per; j += 1 + Math.floor(Math.log(1 - rng.random()) / logQ)) x[base + j] = rng.random();
  });
  return x;
}

/** x' = ReLU(Wᵀ W x + b) for every model: x (I, B, n), w (I, m, n), b (I, 1, n) → (I, B, n). */
export function toyForward(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const h = x.matmul(w, { transB: true }); // (I, B, m): h = W x
  return h.matmul(w).add(b).relu(); // (I, B, n)
}

/**
 * Trains one toy model per density, all at once: W starts Xavier-normal, b at 0, and Adam minimises the
 * importance-weighted squared error Σᵢ Iᵢ(xᵢ − x'ᵢ)² averaged over each batch, summed over the models
 * (which share nothing, so each gets exactly its own gradient).
 */
export function trainToyModels(cfg: ToyConfig): ToyModel[] {
  const { n, m, batch } = cfg;
  const models = cfg.densities.length;
  const init = new Float32Array(models * m * n);
  const std = Math.sqrt(2 / (n + m));
  for (let i = 0; i < init.length; i++) init[i] = cfg.rng.normal(0, std);
  const w = keep(ops.tensor(init, [models, m, n])).requireGrad();
  const b = keep(ops.zeros([models, 1, n])).requireGrad();
  const importance = keep(ops.tensor(Float32Array.from(cfg.importances), [1, 1, n]));
  const optimizer = new Adam([["w", w], ["b", b]], { lr: cfg.lr });
  const tail = Math.max(1, Math.floor(cfg.steps / 10));
  const tailLoss = new Float64Array(models);
  try {
    for (let step = 0; step < cfg.steps; step++) {
      const perModel = tidy(() => {
        const x = ops.tensor(sparseFeatures(cfg.densities, batch, n, cfg.rng), [models, batch, n]);
        const err = toyForward(x, w, b).sub(x);
        const loss = err.mul(err).mul(importance).sum([1, 2]).div(batch); // (I): each model's loss per example
        loss.sum().backward();
        optimizer.step();
        optimizer.zeroGrad();
        return Array.from(loss.toArray());
      });
      if (step >= cfg.steps - tail) perModel.forEach((l, i) => (tailLoss[i] += l / tail));
      cfg.onStep?.(step, perModel.reduce((s, l) => s + l, 0) / models);
    }
    const wAll = w.toArray() as Float32Array;
    const bAll = b.toArray() as Float32Array;
    return cfg.densities.map((density, i) => ({
      density,
      w: wAll.slice(i * m * n, (i + 1) * m * n),
      b: bAll.slice(i * n, (i + 1) * n),
      loss: tailLoss[i],
    }));
  } finally {
    for (const t of [w, b, importance]) t.dispose();
    optimizer.setState({ step: 0, tensors: {} }); // releases Adam's moment tensors
  }
}

/** What a trained toy model does with each feature. */
export interface FeatureStats {
  /** ‖Wᵢ‖ per feature: about 1 when it is represented, about 0 when dropped. */
  readonly norms: number[];
  /** Σⱼ≠ᵢ (Ŵᵢ·Wⱼ)² per feature: how much the others leak into its direction (0 = it has a dimension to itself). */
  readonly interference: number[];
  /** Features with ‖Wᵢ‖ > 0.5. */
  readonly represented: number;
  /** m / ‖W‖²_F: hidden dimensions per represented feature (1 without superposition, 0.4 for a pentagon in 2 dimensions). */
  readonly dimsPerFeature: number;
  /** WᵀW (n × n, row-major): which features share directions. */
  readonly gram: number[];
}

/** Norms, interference and WᵀW of a toy model's W (m × n, row-major). Plain arithmetic, no engine. */
export function featureStats(w: Float32Array, m: number, n: number): FeatureStats {
  const gram = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < m; d++) s += w[d * n + i] * w[d * n + j];
      gram[i * n + j] = s;
    }
  }
  const norms = Array.from({ length: n }, (_, i) => Math.sqrt(gram[i * n + i]));
  const interference = norms.map((norm, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += (gram[i * n + j] / Math.max(norm, 1e-9)) ** 2;
    return s;
  });
  const frobenius = norms.reduce((s, v) => s + v * v, 0);
  return { norms, interference, represented: norms.filter((v) => v > 0.5).length, dimsPerFeature: m / Math.max(frobenius, 1e-9), gram };
}

/** Angles (degrees, 0–360) of the represented features' (‖Wᵢ‖ > 0.5) directions when m = 2 (W is 2 × n, row-major). */
export function anglesOf(w: Float32Array, n: number, norms: number[]): number[] {
  return norms.flatMap((norm, i) => (norm > 0.5 ? [(((Math.atan2(w[n + i], w[i]) * 180) / Math.PI) + 360) % 360] : []));
}

/** The importance-weighted squared error per example of a trained model on fresh samples (no gradients). */
export function toyLoss(model: ToyModel, cfg: Pick<ToyConfig, "n" | "m" | "importances">, samples: number, rng: Rng): number {
  const { n, m } = cfg;
  return tidy(() =>
    noGrad(() => {
      const x = ops.tensor(sparseFeatures([model.density], samples, n, rng), [1, samples, n]);
      const err = toyForward(x, ops.tensor(model.w, [1, m, n]), ops.tensor(model.b, [1, 1, n])).sub(x);
      return err.mul(err).mul(ops.tensor(Float32Array.from(cfg.importances), [1, 1, n])).sum().item() / samples;
    }),
  );
}
