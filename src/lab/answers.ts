// How a trained net answers a set of images: its outputs in batches, and how confident it is (the top
// output's distribution, the digits it picks); noise images to feed it. The measures of `nnlab lab noise`,
// which the web lab's worker also runs.

import type { Rng } from "../core/rng.js";
import type { MLP } from "../models/mlp.js";
import { outputActivations } from "../train/metrics.js";

/**
 * The net's answers (output activations, or softmax probabilities for a logits net) for every image of
 * `images` [count·784], computed 1,000 images at a time; (count, outputs) row-major.
 */
export function answersOf(model: MLP, images: Float32Array): Float32Array {
  const features = model.sizes[0];
  const count = images.length / features;
  const out = new Float32Array(count * model.sizes[model.sizes.length - 1]);
  for (let s = 0; s < count; s += 1000) {
    const n = Math.min(1000, count - s);
    const a = outputActivations(model, images.subarray(s * features, (s + n) * features), n);
    out.set(a, (s * out.length) / count);
  }
  return out;
}

/** How a net answers one set of images. */
export interface AnswerStats {
  name: string;
  count: number;
  /** Mean of the largest output (activation, or softmax probability for a cross-entropy net). */
  mean_top: number;
  median_top: number;
  /** Share of images whose largest output is above 0.9 ("confident"). */
  confident_share: number;
  /** Share of images with any output above 0.5 (a sigmoid net's "yes, this is a …"). */
  any_above_half: number;
  /** Histogram of the top output over 10 bins [0, 0.1), …, [0.9, 1]. */
  histogram: number[];
  /** How often each digit is the answer, as shares. */
  digit_shares: number[];
}

/** Uniform noise: every pixel independently in [0, 1]. */
export function uniformNoise(count: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: count * 784 }, () => rng.random());
}

/** Gaussian noise with MNIST's own pixel mean and standard deviation, clipped to [0, 1]. */
export function gaussianNoise(count: number, rng: Rng, mean: number, std: number): Float32Array {
  return Float32Array.from({ length: count * 784 }, () => Math.min(1, Math.max(0, rng.normal(mean, std))));
}

/** The top output of each image, batch by batch, summarised. */
export function answerStats(name: string, outputs: Float32Array, classes = 10): AnswerStats {
  const count = outputs.length / classes;
  const tops: number[] = [];
  const histogram = new Array<number>(10).fill(0);
  const digits = new Array<number>(classes).fill(0);
  let anyHalf = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (outputs[i * classes + c] > outputs[i * classes + best]) best = c;
    const top = outputs[i * classes + best];
    tops.push(top);
    histogram[Math.min(9, Math.floor(top * 10))]++;
    digits[best]++;
    if (top > 0.5) anyHalf++;
  }
  tops.sort((a, b) => a - b);
  return {
    name,
    count,
    mean_top: tops.reduce((s, t) => s + t, 0) / count,
    median_top: tops[Math.floor(count / 2)],
    confident_share: tops.filter((t) => t > 0.9).length / count,
    any_above_half: anyHalf / count,
    histogram: histogram.map((h) => h / count),
    digit_shares: digits.map((d) => d / count),
  };
}

/** Mean and standard deviation of all pixels of a set of images. */
export function pixelMoments(images: Float32Array): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (const v of images) {
    s += v;
    s2 += v * v;
  }
  const mean = s / images.length;
  return { mean, std: Math.sqrt(s2 / images.length - mean * mean) };
}
