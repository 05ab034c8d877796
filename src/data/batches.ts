// Seeded shuffling (of examples and of labels), mini-batches, one-hot targets, subsets and concatenation
// of a Dataset. All randomness comes from the Rng passed in, so the same seed gives the same epochs, batch
// after batch.

import { NnlabError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import type { Dataset } from "./dataset.js";

/** A mini-batch: `size` images of `features` values each, row after row, and their labels. */
export interface Batch {
  /** `size * features` pixel values (features = rows * cols). */
  x: Float32Array;
  /** `size` labels. */
  y: Uint8Array;
  /** Number of examples in this batch (the last batch of an epoch may be short). */
  size: number;
}

/** Storage a caller owns and lends to {@link gatherBatch} so a training loop allocates nothing per step. */
export interface BatchBuffer {
  x: Float32Array;
  y: Uint8Array;
}

/** Number of values per example (rows * cols). */
export function featureCount(ds: Dataset): number {
  return ds.rows * ds.cols;
}

/** The visiting order of one epoch: a seeded random permutation of 0..count-1. */
export function epochOrder(count: number, rng: Rng): Int32Array {
  return rng.permutation(count);
}

/** Number of batches in an epoch of `count` examples (the short last one counts unless `dropLast`). */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  checkBatchSize(batchSize);
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** Allocates a {@link BatchBuffer} big enough for `batchSize` examples of `ds`. */
export function allocBatch(ds: Dataset, batchSize: number): BatchBuffer {
  checkBatchSize(batchSize);
  return { x: new Float32Array(batchSize * featureCount(ds)), y: new Uint8Array(batchSize) };
}

/**
 * Copies the examples `indices[start .. start+size)` of `ds` (fewer at the end of `indices`) into a batch.
 * With `buffer`, rows go into it and the result's arrays are views of it, valid until the next call that
 * reuses the buffer; without it, fresh arrays are allocated.
 */
export function gatherBatch(ds: Dataset, indices: ArrayLike<number>, start: number, size: number, buffer?: BatchBuffer): Batch {
  checkBatchSize(size);
  if (!Number.isInteger(start) || start < 0 || start > indices.length) {
    throw NnlabError.problem({ subject: "gatherBatch start", expected: `an integer in 0..${indices.length}`, found: `${start}` });
  }
  const n = Math.min(size, indices.length - start);
  const f = featureCount(ds);
  let x: Float32Array;
  let y: Uint8Array;
  if (buffer) {
    if (buffer.x.length < n * f || buffer.y.length < n) {
      throw NnlabError.problem({
        subject: "gatherBatch buffer",
        expected: `room for ${n} examples of ${f} values`,
        found: `x of ${buffer.x.length} values and y of ${buffer.y.length} labels`,
        fix: "Allocate it with allocBatch(ds, batchSize).",
      });
    }
    x = buffer.x.subarray(0, n * f);
    y = buffer.y.subarray(0, n);
  } else {
    x = new Float32Array(n * f);
    y = new Uint8Array(n);
  }
  for (let b = 0; b < n; b++) {
    const i = checkIndex(ds, indices[start + b]);
    x.set(ds.images.subarray(i * f, (i + 1) * f), b * f);
    y[b] = ds.labels[i];
  }
  return { x, y, size: n };
}

/** Options for {@link batches}. */
export interface BatchesOptions {
  /** Skip the last batch when it is shorter than `batchSize` (default false). */
  dropLast?: boolean;
  /** Reuse one buffer for every batch: each yielded batch is overwritten by the next (default false). */
  reuse?: boolean;
}

/**
 * Yields the mini-batches of one epoch in the given order (e.g. from {@link epochOrder}); with
 * `order` omitted, examples come in dataset order.
 */
export function* batches(ds: Dataset, batchSize: number, order?: ArrayLike<number>, options: BatchesOptions = {}): Generator<Batch> {
  const indices = order ?? identityOrder(ds.count);
  const total = batchCount(indices.length, batchSize, options.dropLast ?? false);
  const buffer = options.reuse ? allocBatch(ds, batchSize) : undefined;
  for (let k = 0; k < total; k++) yield gatherBatch(ds, indices, k * batchSize, batchSize, buffer);
}

/**
 * One-hot encodes `labels`: a `labels.length * classes` array with a 1 at `[i, labels[i]]` and zeros
 * elsewhere. Writes into `out` (which must have that length) when given.
 */
export function oneHot(labels: ArrayLike<number>, classes: number, out?: Float32Array): Float32Array {
  if (!Number.isInteger(classes) || classes < 1) {
    throw NnlabError.problem({ subject: "oneHot classes", expected: "a positive integer", found: `${classes}` });
  }
  const size = labels.length * classes;
  if (out && out.length !== size) {
    throw NnlabError.problem({ subject: "oneHot out", expected: `${size} values (${labels.length} × ${classes})`, found: `${out.length}` });
  }
  const result = out ?? new Float32Array(size);
  result.fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw NnlabError.problem({ subject: "oneHot labels", expected: `labels in 0..${classes - 1}`, found: `${label} at index ${i}` });
    }
    result[i * classes + label] = 1;
  }
  return result;
}

/**
 * A new dataset holding copies of some examples of `ds`: the first `which` examples when it is a number,
 * else the examples at the given indices, in that order.
 */
export function subset(ds: Dataset, which: number | ArrayLike<number>): Dataset {
  if (typeof which === "number") {
    if (!Number.isInteger(which) || which < 0 || which > ds.count) {
      throw NnlabError.problem({ subject: "subset count", expected: `an integer in 0..${ds.count}`, found: `${which}` });
    }
    const f = featureCount(ds);
    const pixels = ds.pixels?.slice(0, which * f);
    return { images: ds.images.slice(0, which * f), ...(pixels && { pixels }), labels: ds.labels.slice(0, which), count: which, rows: ds.rows, cols: ds.cols };
  }
  const { x, y, size } = gatherBatch(ds, which, 0, Math.max(1, which.length));
  const pixels = ds.pixels && new Uint8Array(x.length);
  if (pixels) gatherPixels(ds, which, 0, size, pixels);
  return { images: x, ...(pixels && { pixels }), labels: y, count: size, rows: ds.rows, cols: ds.cols };
}

/**
 * The bytes of examples `indices[start .. start+size)` (fewer at the end of `indices`) of a dataset that
 * has them, into `out`, row after row; returns how many examples were copied. The byte twin of
 * {@link gatherBatch}, for steps that take bytes (the fused step): a quarter of the memory traffic.
 */
export function gatherPixels(ds: Dataset, indices: ArrayLike<number>, start: number, size: number, out: Uint8Array): number {
  const pixels = ds.pixels;
  if (!pixels) throw NnlabError.problem({ subject: "gatherPixels", expected: "a dataset read from bytes (with `pixels`)", found: "a dataset without them" });
  const n = Math.min(size, indices.length - start);
  const f = featureCount(ds);
  if (out.length < n * f) throw NnlabError.problem({ subject: "gatherPixels buffer", expected: `room for ${n} examples of ${f} bytes`, found: `${out.length} bytes` });
  for (let b = 0; b < n; b++) {
    const i = checkIndex(ds, indices[start + b]);
    out.set(pixels.subarray(i * f, (i + 1) * f), b * f);
  }
  return n;
}

/** A new dataset holding the examples of `a` followed by those of `b` (copies; same image size). */
export function concatDatasets(a: Dataset, b: Dataset): Dataset {
  const f = featureCount(a);
  if (featureCount(b) !== f) {
    throw NnlabError.problem({ subject: "concatDatasets", expected: `images of ${a.rows}×${a.cols} in both datasets`, found: `${b.rows}×${b.cols} in the second` });
  }
  const images = new Float32Array((a.count + b.count) * f);
  images.set(a.images.subarray(0, a.count * f));
  images.set(b.images.subarray(0, b.count * f), a.count * f);
  const labels = new Uint8Array(a.count + b.count);
  labels.set(a.labels.subarray(0, a.count));
  labels.set(b.labels.subarray(0, b.count), a.count);
  let pixels: Uint8Array | undefined;
  if (a.pixels && b.pixels) {
    pixels = new Uint8Array((a.count + b.count) * f);
    pixels.set(a.pixels.subarray(0, a.count * f));
    pixels.set(b.pixels.subarray(0, b.count * f), a.count * f);
  }
  return { images, ...(pixels && { pixels }), labels, count: a.count + b.count, rows: a.rows, cols: a.cols };
}

/**
 * Labels with a share `p` shuffled: that share of the images (chosen at random) get their labels
 * permuted among themselves, so the label counts stay those of the data (Zhang et al.'s "partially
 * corrupted labels" keep the marginal the same way).
 */
export function shuffleLabels(labels: Uint8Array, p: number, rng: Rng): Uint8Array {
  const out = Uint8Array.from(labels);
  const chosen = Array.from(rng.permutation(labels.length)).slice(0, Math.round(p * labels.length));
  const permuted = rng.permutation(chosen.length);
  chosen.forEach((i, n) => (out[i] = labels[chosen[permuted[n]]]));
  return out;
}

/**
 * Splits `ds` into its first `count` examples and the rest (copies), e.g. 50,000 training and 10,000
 * validation images as in Nielsen's book. Shuffle first with `subset(ds, epochOrder(...))` for a random split.
 */
export function splitAt(ds: Dataset, count: number): [Dataset, Dataset] {
  if (!Number.isInteger(count) || count < 0 || count > ds.count) {
    throw NnlabError.problem({ subject: "splitAt count", expected: `an integer in 0..${ds.count}`, found: `${count}` });
  }
  const f = featureCount(ds);
  const pixels = ds.pixels?.slice(count * f);
  const rest: Dataset = { images: ds.images.slice(count * f), ...(pixels && { pixels }), labels: ds.labels.slice(count), count: ds.count - count, rows: ds.rows, cols: ds.cols };
  return [subset(ds, count), rest];
}

function identityOrder(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

function checkBatchSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) {
    throw NnlabError.problem({ subject: "batch size", expected: "a positive integer", found: `${size}`, fix: "Pass e.g. --batch-size 32." });
  }
}

function checkIndex(ds: Dataset, i: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= ds.count) {
    throw NnlabError.problem({ subject: "example index", expected: `an integer in 0..${ds.count - 1}`, found: `${i}` });
  }
  return i;
}
