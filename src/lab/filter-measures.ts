// What a first-layer unit detects, measured the same way for a CNN's k×k filters and an MLP's 28×28
// weight tiles: spatial smoothness, orientation selectivity on oriented gratings, and how much more it
// answers a pen stroke than the same ink scattered (the measures of `nnlab lab hidden-features --arch cnn`).

import { correlation } from "./common.js";
import type { Rng } from "../core/rng.js";

/** A first-layer unit's weights: a side×side picture (a conv filter, or an MLP neuron's tile). */
export interface Filter {
  side: number;
  weights: ArrayLike<number>;
}

/** Lag-1 spatial autocorrelation of a filter (right and lower neighbours pooled; 0 for white noise). */
export function filterSmoothness(f: Filter, mask?: Uint8Array): number {
  const { side, weights: w } = f;
  const a: number[] = [];
  const b: number[] = [];
  const on = (p: number) => !mask || mask[p] === 1;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const p = y * side + x;
      if (!on(p)) continue;
      if (x < side - 1 && on(p + 1)) a.push(w[p]), b.push(w[p + 1]);
      if (y < side - 1 && on(p + side)) a.push(w[p]), b.push(w[p + side]);
    }
  }
  return correlation(a, b);
}

/** Grating orientations (degrees, 0 = vertical bars varying along x) and spatial frequencies (cycles per pixel). */
export const ORIENTATIONS = Array.from({ length: 12 }, (_, i) => i * 15);
export const FREQUENCIES = [0.08, 0.12, 0.18, 0.25, 0.33];

/**
 * The unit's orientation tuning r(θ): for each orientation, the largest amplitude over spatial
 * frequencies of its linear response to a grating cos(2πf(x cosθ + y sinθ) + φ) over all phases φ
 * (√((w·cos)² + (w·sin)²), the amplitude of a quadrature pair).
 */
export function orientationTuning(f: Filter): number[] {
  const { side, weights: w } = f;
  const c = (side - 1) / 2;
  return ORIENTATIONS.map((deg) => {
    const t = (deg * Math.PI) / 180;
    let best = 0;
    for (const freq of FREQUENCIES) {
      let re = 0;
      let im = 0;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const phase = 2 * Math.PI * freq * ((x - c) * Math.cos(t) + (y - c) * Math.sin(t));
          re += w[y * side + x] * Math.cos(phase);
          im += w[y * side + x] * Math.sin(phase);
        }
      }
      best = Math.max(best, Math.hypot(re, im));
    }
    return best;
  });
}

/**
 * Orientation selectivity index 1 − circular variance: |Σ r(θ)·e^{2iθ}| / Σ r(θ). 0 when a unit answers
 * every orientation alike, 1 when it answers one orientation only.
 */
export function orientationSelectivity(tuning: readonly number[]): number {
  let re = 0;
  let im = 0;
  let total = 0;
  tuning.forEach((r, i) => {
    const t = (2 * ORIENTATIONS[i] * Math.PI) / 180;
    re += r * Math.cos(t);
    im += r * Math.sin(t);
    total += r;
  });
  return total > 0 ? Math.hypot(re, im) / total : 0;
}

/** Side of the images strokes are drawn on. */
const SIDE = 28;

/**
 * Pen strokes on a 28×28 canvas: straight segments 10 px long with a Gaussian cross-section (σ 0.8 px,
 * like MNIST's ~2 px lines), at 8 orientations and random positions near the centre; and each stroke's
 * pixels shuffled (the same ink, no stroke), as the control.
 */
export function strokeImages(rng: Rng, perOrientation = 6): { strokes: Float32Array[]; shuffled: Float32Array[] } {
  const strokes: Float32Array[] = [];
  const shuffled: Float32Array[] = [];
  for (let k = 0; k < 8; k++) {
    const t = (k * Math.PI) / 8;
    for (let r = 0; r < perOrientation; r++) {
      const cx = 14 + rng.uniform(-4, 4);
      const cy = 14 + rng.uniform(-4, 4);
      const [dx, dy] = [Math.cos(t), Math.sin(t)];
      const img = new Float32Array(SIDE * SIDE);
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          // distance from the pixel to the segment centre ± 5 px along (dx, dy)
          const along = Math.max(-5, Math.min(5, (x - cx) * dx + (y - cy) * dy));
          const d = Math.hypot(x - (cx + along * dx), y - (cy + along * dy));
          img[y * SIDE + x] = Math.exp(-(d * d) / (2 * 0.8 * 0.8));
        }
      }
      strokes.push(img);
      const perm = img.slice();
      for (let i = perm.length - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform(0, i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      shuffled.push(perm);
    }
  }
  return { strokes, shuffled };
}

/**
 * A unit's answer to a 28×28 image: a k×k filter's best match anywhere (the largest w·patch over every
 * position, as a convolution followed by global max-pooling sees it), a 28×28 tile's w·x.
 */
export function unitResponse(f: Filter, img: Float32Array): number {
  const { side, weights: w } = f;
  let best = -Infinity;
  for (let oy = 0; oy + side <= SIDE; oy++) {
    for (let ox = 0; ox + side <= SIDE; ox++) {
      let s = 0;
      for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) s += w[y * side + x] * img[(oy + y) * SIDE + ox + x];
      best = Math.max(best, s);
    }
  }
  return best;
}

/**
 * Stroke index d′: how far the unit's answers to strokes lie above its answers to the same ink
 * shuffled, in pooled standard deviations. A stroke or edge detector scores well above 0.
 */
export function strokeIndex(f: Filter, images: { strokes: Float32Array[]; shuffled: Float32Array[] }): number {
  const stats = (xs: number[]) => {
    const m = xs.reduce((s, v) => s + v, 0) / xs.length;
    return { m, v: xs.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, xs.length - 1) };
  };
  const s = stats(images.strokes.map((img) => unitResponse(f, img)));
  const c = stats(images.shuffled.map((img) => unitResponse(f, img)));
  const sd = Math.sqrt((s.v + c.v) / 2);
  return sd > 0 ? (s.m - c.m) / sd : 0;
}

/** The three measures of a set of first-layer units, averaged over units. */
export interface UnitStats {
  name: string;
  units: number;
  /** Lag-1 autocorrelation of the weights (over inked pixels for 28×28 tiles). */
  smoothness: number;
  /** The same for the change W − W₀ training made (null for untrained units). */
  change_smoothness: number | null;
  /** Mean orientation selectivity index (0 = untuned, 1 = one orientation). */
  orientation_selectivity: number;
  /** Mean stroke index d′ (strokes against the same ink shuffled). */
  stroke_index: number;
}

/**
 * Measures `filters` (trained from `init` when given); a mask (inked pixels) applies to 28×28 tiles,
 * whose other weights never train.
 */
export function unitStats(name: string, filters: Filter[], images: { strokes: Float32Array[]; shuffled: Float32Array[] }, mask?: Uint8Array, init?: Filter[]): UnitStats {
  const masked = filters.map((f) => (mask && f.side === SIDE ? { side: f.side, weights: Float32Array.from(f.weights, (v, p) => (mask[p] ? v : 0)) } : f));
  const mean = (g: (f: Filter, i: number) => number) => masked.reduce((s, f, i) => s + g(f, i), 0) / masked.length;
  return {
    name,
    units: filters.length,
    smoothness: mean((_, i) => filterSmoothness(filters[i], filters[i].side === SIDE ? mask : undefined)),
    change_smoothness: init
      ? mean((_, i) => filterSmoothness({ side: filters[i].side, weights: Array.from(filters[i].weights, (v, p) => v - init[i].weights[p]) }, filters[i].side === SIDE ? mask : undefined))
      : null,
    orientation_selectivity: mean((f) => orientationSelectivity(orientationTuning(f))),
    stroke_index: mean((f) => strokeIndex(f, images)),
  };
}
