// First-layer weight tiles (each hidden neuron's 784 incoming weights as a 28×28 picture) and how smooth,
// edge-like, they are against the untrained start: the measures of `nnlab lab hidden-features`, which the
// web lab's worker also runs.

import { Rng } from "../core/rng.js";
import type { Dataset } from "../data/dataset.js";
import { MLP } from "../models/mlp.js";
import type { MnistTrainConfig } from "../train/config.js";
import { correlation } from "./common.js";

/** Tile measures of one first layer, averaged over its neurons. */
export interface TileStats {
  name: string;
  neurons: number;
  /**
   * Spatial smoothness: the correlation between each weight and its right and lower neighbours, over
   * pixels where digits have ink (lag-1 autocorrelation; 0 for white noise, near 1 for smooth strokes).
   */
  smoothness: number;
  /** The same for the change W − W₀ that training made (what was learned, without the initial noise). */
  change_smoothness: number | null;
  /** Correlation of each tile with its own initial weights (1 = still the random start). */
  correlation_with_init: number | null;
  /** ‖W − W₀‖ / ‖W₀‖ over the inked pixels. */
  relative_change: number | null;
}

/** Pixels that carry ink (> 0.5) in at least 1% of the first 10,000 training images. */
export function inkMask(ds: Dataset): Uint8Array {
  const n = Math.min(ds.count, 10000);
  const counts = new Uint32Array(784);
  for (let i = 0; i < n; i++) for (let p = 0; p < 784; p++) if (ds.images[i * 784 + p] > 0.5) counts[p]++;
  return Uint8Array.from(counts, (c) => (c >= 0.01 * n ? 1 : 0));
}

/** Lag-1 spatial autocorrelation of a 28×28 tile over the masked pixels (right and lower neighbours pooled). */
export function tileSmoothness(tile: ArrayLike<number>, mask: Uint8Array): number {
  const a: number[] = [];
  const b: number[] = [];
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const p = y * 28 + x;
      if (!mask[p]) continue;
      if (x < 27 && mask[p + 1]) a.push(tile[p]), b.push(tile[p + 1]);
      if (y < 27 && mask[p + 28]) a.push(tile[p]), b.push(tile[p + 28]);
    }
  }
  return correlation(a, b);
}

/** The first layer's weights as one 784-value tile per neuron. */
export function firstLayerTiles(model: MLP): Float32Array[] {
  const w = model.layers[0].weight.toArray() as Float32Array;
  return Array.from({ length: model.layers[0].outFeatures }, (_, j) => w.slice(j * 784, (j + 1) * 784));
}

/** Smoothness and change measures of trained tiles against their initial ones. */
export function tileStats(name: string, tiles: Float32Array[], init: Float32Array[] | null, mask: Uint8Array): TileStats {
  const mean = (f: (t: Float32Array, i: number) => number) => tiles.reduce((s, t, i) => s + f(t, i), 0) / tiles.length;
  const masked = (t: ArrayLike<number>) => Array.from(t).filter((_, p) => mask[p]);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return {
    name,
    neurons: tiles.length,
    smoothness: mean((t) => tileSmoothness(t, mask)),
    change_smoothness: init ? mean((t, i) => tileSmoothness(t.map((v, p) => v - init[i][p]), mask)) : null,
    correlation_with_init: init ? mean((t, i) => correlation(masked(t), masked(init[i]))) : null,
    relative_change: init ? mean((t, i) => norm(masked(t.map((v, p) => v - init[i][p]))) / norm(masked(init[i]))) : null,
  };
}

/** The untrained network a config starts from (the trainer draws its weights first from Rng(seed)). */
export function initialModel(config: MnistTrainConfig): MLP {
  return new MLP(config.model, new Rng(config.seed));
}
