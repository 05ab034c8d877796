// Gradient-descent paths in a 2-D slice of weight space (lessons 2 and 3): plain SGD with any batch size
// from a point w* + α·d₁ + β·d₂, either free in all weights (its position projected into the slice) or
// held in the slice (SGD on the coordinates α, β: the ball rolling on the drawn surface). Node-free:
// `nnlab lab landscape` and the web lab's worker both use it.

import { epochOrder, gatherBatch } from "../data/batches.js";
import type { Dataset } from "../data/dataset.js";
import type { MnistTrainConfig } from "../train/config.js";
import { MnistTrainer } from "../train/trainer.js";
import { combine, costOn, dot, minus, project, type WeightState } from "./directions.js";

export interface SgdPath {
  batch: number;
  /** Whether SGD ran on the slice's coordinates (α, β) with mini-batch gradients — the ball on the drawn surface — or free in all weights. */
  in_plane: boolean;
  /** Coordinates (α, β) of each step's weights in the plane (least-squares projection of w − w*). */
  alpha: number[];
  beta: number[];
  /** Cost on the evaluation images after each step. */
  cost: number[];
  /** |part of the path's displacement w_end − w_start outside the plane| / |w_end − w_start|. */
  off_plane: number;
}

/** The slice w* + α·d₁ + β·d₂. */
export interface Plane {
  origin: WeightState;
  d1: WeightState;
  d2: WeightState;
}

/** Learning rate of SGD on the slice's own coordinates: (α, β) ← (α, β) − η·(∂C/∂α, ∂C/∂β). */
export const PLANE_LR = 0.05;

/** Where a path starts, how long it runs and how. */
export interface PathOptions {
  start: [number, number];
  steps: number;
  batch: number;
  /** true: SGD on (α, β) with learning rate PLANE_LR; false: SGD free in all weights, projected. */
  inPlane: boolean;
}

/**
 * One SGD path (plain SGD at `config`'s learning rate, no momentum) over the images of `ds`, which are
 * also the images its cost is measured on after every step; `onStep(s)` after step s.
 */
export function sgdPath(config: MnistTrainConfig, ds: Dataset, plane: Plane, o: PathOptions, onStep?: (step: number) => void): SgdPath {
  const { origin, d1, d2 } = plane;
  const { start, steps, batch, inPlane } = o;
  const trainer = new MnistTrainer({ ...config, batch, optimizer: "sgd", momentum: 0, weightDecay: 0, schedule: "constant" }, { train: ds, test: ds });
  const w0 = combine(origin, d1, d2, start[0], start[1]);
  trainer.model.loadStateDict(w0);
  const path: SgdPath = { batch, in_plane: inPlane, alpha: [start[0]], beta: [start[1]], cost: [costOn(trainer.mlp, config, ds)], off_plane: 0 };
  let order = epochOrder(ds.count, trainer.rng);
  let at = 0;
  for (let s = 0; s < steps; s++) {
    if (at + batch > ds.count) {
      order = epochOrder(ds.count, trainer.rng);
      at = 0;
    }
    const b = gatherBatch(ds, order, at, batch);
    at += batch;
    const before = inPlane ? trainer.model.stateDict() : null;
    trainer.step(b.x, b.y, b.size);
    let p = project(minus(trainer.model.stateDict(), origin), d1, d2);
    if (before) {
      // the step was −η·g; its components along d₁, d₂ give ∂C/∂α = g·d₁ and ∂C/∂β = g·d₂
      const step = minus(trainer.model.stateDict(), before);
      const a = path.alpha[s] + (PLANE_LR * dot(step, d1)) / config.lr;
      const bb = path.beta[s] + (PLANE_LR * dot(step, d2)) / config.lr;
      trainer.model.loadStateDict(combine(origin, d1, d2, a, bb));
      p = { a, b: bb, off: 0 };
    }
    path.alpha.push(p.a);
    path.beta.push(p.b);
    path.cost.push(costOn(trainer.mlp, config, ds));
    onStep?.(s + 1);
  }
  path.off_plane = project(minus(trainer.model.stateDict(), w0), d1, d2).off;
  return path;
}
