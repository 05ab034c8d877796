// Evaluating a digit network: output activations in batches, accuracy and the 10×10 confusion matrix.

import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import type { Dataset } from "../data/dataset.js";
import type { DigitModel } from "../models/digits.js";

/**
 * The network's answer for a batch of images x [n·784]: the output activations for a sigmoid output
 * layer, softmax probabilities for a logits (cross-entropy) one. Shape (n, 10), row-major.
 */
export function outputActivations(model: DigitModel, x: Float32Array, n: number): Float32Array {
  return tidy(() =>
    noGrad(() => {
      const out = model.forward(ops.tensor(x, [n, model.sizes[0]]));
      const a = model.config.output === "linear" ? out.softmax(-1) : out;
      return a.toArray() as Float32Array;
    }),
  );
}

export interface Evaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Per test image: the predicted class. */
  predictions: Uint8Array;
  /** Per test image: the largest output activation (or probability). */
  confidence: Float32Array;
}

/** Accuracy and confusion matrix of `model` on `ds`, in batches of `batch` images. */
export function evaluate(model: DigitModel, ds: Dataset, batch = 1000): Evaluation {
  const classes = model.sizes[model.sizes.length - 1];
  const features = ds.rows * ds.cols;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions = new Uint8Array(ds.count);
  const confidence = new Float32Array(ds.count);
  let correct = 0;
  for (let start = 0; start < ds.count; start += batch) {
    const n = Math.min(batch, ds.count - start);
    const a = outputActivations(model, ds.images.subarray(start * features, (start + n) * features), n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (a[i * classes + c] > a[i * classes + best]) best = c;
      const label = ds.labels[start + i];
      predictions[start + i] = best;
      confidence[start + i] = a[i * classes + best];
      confusion[label][best]++;
      if (best === label) correct++;
    }
  }
  return { accuracy: ds.count ? correct / ds.count : 0, correct, count: ds.count, confusion, predictions, confidence };
}
