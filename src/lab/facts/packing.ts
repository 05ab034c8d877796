// Nearly orthogonal directions (lesson 7): pack k unit vectors into n dimensions by gradient descent on
// their pairwise cosines, measure the angles between them, and the Welch bound that limits any packing.
// Node-free (engine ops only): the web lab's worker runs it too.

import { keep, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import type { Tensor } from "../../core/tensor.js";
import { Adam } from "../../optim/adam.js";
import { warmupCosine } from "../../optim/schedule.js";

/**
 * How pairs are punished for not being orthogonal:
 * - `"margin"`: the lesson's loss, mean of relu(|cos| − margin) (its code uses margin 0.01): every pair
 *   beyond the margin is pushed towards 90° with the same force;
 * - `"exp"`: mean of exp(α·|cos|): the push grows exponentially with |cos|, so the worst pairs dominate,
 *   a smooth stand-in for minimising the largest |cos|.
 */
export type PackingPenalty = "margin" | "exp";

/** The penalty's constants: the lesson's margin and the exponential's α. */
export const PENALTY_DEFAULTS = { margin: 0.01, alpha: 20 } as const;

/** Settings of {@link packVectors}. */
export interface PackOptions {
  readonly penalty: PackingPenalty;
  /** Optimizer steps. */
  readonly steps: number;
  /** Adam's peak learning rate (cosine decay to 5% of it over the steps); default 0.01, the lesson's. */
  readonly lr?: number;
  /**
   * Vectors whose cosines with all k vectors are taken per step (default all k: the full Gram matrix).
   * With fewer, each step takes a fresh slice of a random permutation, so every vector still moves each
   * step (as a column) and is a row once per k / rowsPerStep steps: a stochastic gradient of the same loss.
   */
  readonly rowsPerStep?: number;
  readonly margin?: number;
  readonly alpha?: number;
  /** Stops early once every pair has |cos| ≤ this (checked on full-Gram steps only). */
  readonly stopBelow?: number;
  /** Draws the row slices. */
  readonly rng: Rng;
  /** Called after each step with its loss (for progress bars and loss curves). */
  onStep?(step: number, loss: number): void;
}

/** What {@link packVectors} returns. */
export interface Packing {
  /** k unit vectors, row-major (k × n). */
  readonly vectors: Float32Array;
  /** Loss of each step taken. */
  readonly losses: number[];
  /** Steps taken (fewer than asked when `stopBelow` was reached). */
  readonly steps: number;
}

/** k random unit vectors in n dimensions (Gaussian, normalised), row-major (k × n). */
export function randomUnitVectors(k: number, n: number, rng: Rng): Float32Array {
  const v = new Float32Array(k * n);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  normaliseRows(v, k, n);
  return v;
}

/** Scales each of the k rows of `v` (k × n) to unit length, in place. */
export function normaliseRows(v: Float32Array, k: number, n: number): void {
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let d = 0; d < n; d++) s += v[i * n + d] ** 2;
    const inv = 1 / Math.sqrt(s || 1);
    for (let d = 0; d < n; d++) v[i * n + d] *= inv;
  }
}

/**
 * The Welch bound: any k unit vectors in n dimensions (k > n) have some pair with
 * |cos| ≥ √((k − n) / (n(k − 1))) (Welch 1974). 0 when k ≤ n (an orthonormal set fits).
 */
export function welchBound(k: number, n: number): number {
  return k <= n ? 0 : Math.sqrt((k - n) / (n * (k - 1)));
}

/** An angle in degrees from its cosine. */
export function degreesOf(cos: number): number {
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}

/** The loss of one step: penalty of the cosines between `rows` (their indices `idx`) and all vectors. */
function packingLoss(v: Tensor, idx: Tensor | null, k: number, opts: PackOptions): { loss: Tensor; maxAbsCos: Tensor } {
  const unit = v.div(v.mul(v).sum(1, true).sqrt()); // (k, n), rows of length 1
  const rows = idx ? ops.gather(unit, idx) : unit; // (s, n)
  const self = ops.oneHot(idx ?? ops.arange(k), k); // (s, k): 1 where a row meets itself
  const cos = rows.matmul(unit, { transB: true }).mul(self.neg().add(1)).abs(); // (s, k) |cos|, 0 on the diagonal
  const loss = opts.penalty === "margin"
    ? cos.sub(opts.margin ?? PENALTY_DEFAULTS.margin).relu().mean()
    : cos.mul(opts.alpha ?? PENALTY_DEFAULTS.alpha).exp().mean();
  return { loss, maxAbsCos: cos.max() };
}

/**
 * Gradient descent (Adam) on k vectors in n dimensions, one step at a time, so that their pairwise
 * cosines approach 0: the vectors are free parameters, normalised inside the loss, so only their
 * directions matter. `opts.steps` is the length of the learning-rate schedule. {@link packVectors} runs
 * it to the end; the web lab steps it live and looks at the vectors in between. Call `dispose()` when done.
 */
export class Packer {
  private readonly v: Tensor;
  private readonly optimizer: Adam;
  private readonly rowsPerStep: number;
  private order: Int32Array;
  private at = 0;
  /** Steps taken. */
  steps = 0;
  /** Loss of each step taken. */
  readonly losses: number[] = [];
  /** Set once a full-Gram step found every pair within `opts.stopBelow`. */
  stopped = false;

  constructor(initial: Float32Array, readonly k: number, readonly n: number, readonly opts: PackOptions) {
    this.rowsPerStep = Math.min(k, opts.rowsPerStep ?? k);
    this.v = keep(ops.tensor(Float32Array.from(initial), [k, n])).requireGrad();
    const lr = opts.lr ?? 0.01;
    this.optimizer = new Adam([["vectors", this.v]], { lr: warmupCosine(lr, opts.steps, { minLr: lr * 0.05 }) });
    this.order = opts.rng.permutation(k);
  }

  /** Takes one step and returns its loss; null (no step) when done: the schedule's end or `stopBelow` reached. */
  step(): number | null {
    const { k, opts, rowsPerStep } = this;
    if (this.stopped || this.steps >= opts.steps) return null;
    let rowIds: Int32Array | null = null;
    if (rowsPerStep < k) {
      if (this.at + rowsPerStep > k) {
        this.order = opts.rng.permutation(k);
        this.at = 0;
      }
      rowIds = this.order.slice(this.at, this.at + rowsPerStep);
      this.at += rowsPerStep;
    }
    const loss = tidy(() => {
      const idx = rowIds ? ops.tensor(rowIds, [rowsPerStep], "int32") : null;
      const { loss, maxAbsCos } = packingLoss(this.v, idx, k, opts);
      // a full-Gram step sees every pair: stop before updating once all are within the target
      if (opts.stopBelow !== undefined && idx === null && maxAbsCos.item() <= opts.stopBelow) return null;
      loss.backward();
      this.optimizer.step();
      this.optimizer.zeroGrad();
      return loss.item();
    });
    if (loss === null) {
      this.stopped = true;
      return null;
    }
    this.losses.push(loss);
    opts.onStep?.(this.steps, loss);
    this.steps++;
    return loss;
  }

  /** The current directions as unit vectors (a copy, k × n row-major). */
  vectors(): Float32Array {
    const vectors = this.v.toArray() as Float32Array;
    normaliseRows(vectors, this.k, this.n);
    return vectors;
  }

  /** Frees the vectors and Adam's moment tensors. */
  dispose(): void {
    this.v.dispose();
    this.optimizer.setState({ step: 0, tensors: {} });
  }
}

/**
 * Gradient descent (Adam) on k vectors in n dimensions so that their pairwise cosines approach 0 (a
 * {@link Packer} run to the end of its schedule). Returns the final directions as unit vectors.
 */
export function packVectors(initial: Float32Array, k: number, n: number, opts: PackOptions): Packing {
  const packer = new Packer(initial, k, n, opts);
  try {
    while (packer.step() !== null);
    return { vectors: packer.vectors(), losses: packer.losses, steps: packer.steps };
  } finally {
    packer.dispose();
  }
}

/** The angles between all pairs of a set of unit vectors. */
export interface AngleStats {
  /** Number of pairs, k(k − 1)/2. */
  readonly pairs: number;
  /** The smallest and largest angle of any pair, in degrees. */
  readonly minAngle: number;
  readonly maxAngle: number;
  /** The largest |cos| of any pair (what the Welch bound limits). */
  readonly maxAbsCos: number;
  /** √(mean cos²) over pairs: 1/√n for random vectors, ≥ √((k − n)/(n(k − 1))) for any set. */
  readonly rmsCos: number;
  /** Share of pairs within 1° of perpendicular (89°–91°), the lesson's picture. */
  readonly shareWithin1deg: number;
  /** Histogram of the angles: `counts[b]` pairs in [b·binWidth, (b + 1)·binWidth) degrees. */
  readonly histogram: { readonly binWidth: number; readonly counts: number[] };
}

/**
 * Angle statistics of k unit vectors (k × n, row-major) over all k(k − 1)/2 pairs, the Gram matrix taken
 * a block of rows at a time with the engine's matmul so 10,000 vectors never need a 10k × 10k matrix.
 */
export function angleStats(vectors: Float32Array, k: number, n: number, binWidth = 0.5): AngleStats {
  const counts = new Array<number>(Math.ceil(180 / binWidth)).fill(0);
  const within = Math.sin((1 * Math.PI) / 180); // |cos| < sin 1° ⇔ angle within 1° of 90°
  let maxAbsCos = 0;
  let maxCos = -1;
  let minCos = 1;
  let sumSq = 0;
  let near = 0;
  const block = Math.max(1, Math.floor(4_000_000 / k));
  const all = ops.tensor(vectors, [k, n]);
  try {
    for (let start = 0; start < k; start += block) {
      const rows = Math.min(block, k - start);
      const gram = tidy(() => ops.slice(all, [start, 0], [start + rows, n]).matmul(all, { transB: true }).toArray()); // (rows, k)
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        for (let j = i + 1; j < k; j++) {
          const c = gram[r * k + j];
          if (c > maxCos) maxCos = c;
          if (c < minCos) minCos = c;
          sumSq += c * c;
          if (Math.abs(c) < within) near++;
          counts[Math.min(counts.length - 1, Math.floor(degreesOf(c) / binWidth))]++;
        }
      }
    }
  } finally {
    all.dispose();
  }
  maxAbsCos = Math.max(Math.abs(maxCos), Math.abs(minCos));
  const pairs = (k * (k - 1)) / 2;
  return {
    pairs,
    minAngle: degreesOf(maxCos),
    maxAngle: degreesOf(minCos),
    maxAbsCos,
    rmsCos: Math.sqrt(sumSq / pairs),
    shareWithin1deg: near / pairs,
    histogram: { binWidth, counts },
  };
}

/**
 * How many random unit vectors in n dimensions can be drawn, one after another, before one makes an
 * angle outside the band (|cos| > maxAbsCos) with an earlier one: the count before that one. Plain
 * arithmetic, no engine.
 */
export function randomFitCount(n: number, maxAbsCos: number, rng: Rng, limit = 100_000): number {
  const kept: Float32Array[] = [];
  while (kept.length < limit) {
    const v = randomUnitVectors(1, n, rng);
    for (const u of kept) {
      let c = 0;
      for (let d = 0; d < n; d++) c += u[d] * v[d];
      if (Math.abs(c) > maxAbsCos) return kept.length;
    }
    kept.push(v);
  }
  return limit;
}

/** One attempt of {@link largestPacking}: k vectors, and whether all their pairs ended within the band. */
export interface PackingTrial {
  readonly k: number;
  readonly fits: boolean;
  readonly steps: number;
  readonly maxAbsCos: number;
}

/**
 * The largest k on the grid n, n·√2, 2n, … for which gradient descent (the lesson's margin loss with the
 * margin at the band's edge: zero exactly when every pair is inside) packs k unit vectors in n dimensions
 * with every |cos| ≤ maxAbsCos within `steps` full-Gram steps; the grid stops at the first k that fails
 * or at `maxK`.
 */
export function largestPacking(n: number, maxAbsCos: number, opts: { steps: number; rng: Rng; maxK: number; lr?: number; onTrial?(trial: PackingTrial): void }): { k: number; trials: PackingTrial[] } {
  const trials: PackingTrial[] = [];
  let best = 0;
  for (let e = 0; ; e++) {
    const k = Math.round(n * Math.SQRT2 ** e);
    if (k > opts.maxK) break;
    const packed = packVectors(randomUnitVectors(k, n, opts.rng), k, n, { penalty: "margin", margin: maxAbsCos, steps: opts.steps, stopBelow: maxAbsCos, lr: opts.lr ?? 0.01, rng: opts.rng });
    const worst = angleStats(packed.vectors, k, n).maxAbsCos;
    const trial = { k, fits: worst <= maxAbsCos, steps: packed.steps, maxAbsCos: worst };
    trials.push(trial);
    opts.onTrial?.(trial);
    if (!trial.fits) break;
    best = k;
  }
  return { k: best, trials };
}
