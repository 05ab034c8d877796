// A labelled image set as plain typed arrays, and its checked construction from parsed IDX files. No
// Node built-ins: the CLI and the web lab's worker share it.

import { NnlabError } from "../core/errors.js";
import type { IdxArray } from "./idx.js";

/** A labelled image set, kept as plain typed arrays so it stays independent of the tensor engine. */
export interface Dataset {
  /** `count * rows * cols` pixel values in [0, 1] (byte / 255), image after image, row-major; 1 = ink. */
  images: Float32Array;
  /**
   * The bytes the images were read from, where they were: `images[i]` is `pixels[i] / 255` rounded to
   * float32, for every i. Optional (data sets made in code have none); code that makes a dataset with
   * other images must not carry it over. The fused training step reads these, a quarter of the bytes.
   */
  pixels?: Uint8Array;
  /** `count` class labels (0..9 for MNIST). */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels (28 for MNIST). */
  rows: number;
  /** Image width in pixels (28 for MNIST). */
  cols: number;
}

/** Options for {@link loadIdxDataset} and {@link datasetFromIdx}. */
export interface IdxDatasetOptions {
  /** Labels must lie in 0..classes-1 (default 10). */
  classes?: number;
  /** Required image height, if any (MNIST: 28). */
  rows?: number;
  /** Required image width, if any (MNIST: 28). */
  cols?: number;
}

/**
 * Checks a parsed image/label pair and converts it to a {@link Dataset} (pixels / 255, labels copied).
 * `names` are the file names used in error messages.
 */
export function datasetFromIdx(
  images: IdxArray,
  labels: IdxArray,
  names: { images: string; labels: string },
  options: IdxDatasetOptions = {},
): Dataset {
  const classes = options.classes ?? 10;
  const pixels = images.data;
  if (!(pixels instanceof Uint8Array) || images.dims.length !== 3) {
    throw NnlabError.problem({
      subject: names.images,
      expected: "uint8 images with 3 dimensions [count, rows, cols]",
      found: `${images.dtype} data with dims [${images.dims.join(", ")}]`,
      fix: "Pass an image file such as train-images-idx3-ubyte.",
    });
  }
  const [count, rows, cols] = images.dims;
  if (rows === 0 || cols === 0 || (options.rows !== undefined && rows !== options.rows) || (options.cols !== undefined && cols !== options.cols)) {
    const want = options.rows !== undefined || options.cols !== undefined ? `${options.rows ?? "any"}×${options.cols ?? "any"}` : "non-empty";
    throw NnlabError.problem({
      subject: names.images,
      expected: `${want} images`,
      found: `${rows}×${cols} images`,
      fix: "Pass the image file of the matching data set.",
    });
  }
  const labelBytes = labels.data;
  if (!(labelBytes instanceof Uint8Array) || labels.dims.length !== 1) {
    throw NnlabError.problem({
      subject: names.labels,
      expected: "uint8 labels with 1 dimension [count]",
      found: `${labels.dtype} data with dims [${labels.dims.join(", ")}]`,
      fix: "Pass a label file such as train-labels-idx1-ubyte.",
    });
  }
  if (labels.dims[0] !== count) {
    throw NnlabError.problem({
      subject: names.labels,
      expected: `${count} labels, one per image in ${names.images}`,
      found: `${labels.dims[0]} labels`,
      fix: "Pair the image and label files of the same split (train with train, t10k with t10k).",
    });
  }
  for (let i = 0; i < count; i++) {
    if (labelBytes[i] >= classes) {
      throw NnlabError.problem({
        subject: names.labels,
        expected: `labels in 0..${classes - 1}`,
        found: `label ${labelBytes[i]} at index ${i}`,
        fix: "The file is damaged or belongs to another data set.",
      });
    }
  }
  return withLazyImages({ pixels, labels: labelBytes.slice(), count, rows, cols });
}

/**
 * The dataset with `images` made from `pixels` on first read (then kept): a training run that only reads
 * the bytes (the fused steps) never builds the 188 MB float copy of MNIST's training images, nor waits
 * for it (about half a second here).
 */
function withLazyImages(ds: Omit<Dataset, "images"> & { pixels: Uint8Array }): Dataset {
  let images: Float32Array | null = null;
  return Object.defineProperty(ds, "images", {
    get: () => (images ??= bytesToUnit(ds.pixels)),
    enumerable: true,
  }) as Dataset;
}

/** byte → byte / 255 in a single pass through a 256-entry table (exactly v / 255 rounded to float32). */
export function bytesToUnit(bytes: Uint8Array): Float32Array {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = v / 255;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  return out;
}
