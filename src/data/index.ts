// The data layer's public API: IDX and MNIST loading, mini-batches, PNG in/out and MNIST-style
// preprocessing of any digit picture. Plain typed arrays only; depends on core/errors and core/rng.

export { parseIdx, isGzip, IDX_MAX_DIMS, type IdxArray, type IdxData, type IdxDtype } from "./idx.js";
export { readIdxFile, IDX_MAX_GUNZIP_BYTES } from "./idx-file.js";
export {
  loadMnist,
  loadIdxDataset,
  datasetFromIdx,
  mnistDataDir,
  MNIST_FILES,
  type Dataset,
  type MnistOptions,
  type IdxDatasetOptions,
} from "./mnist.js";
export {
  epochOrder,
  gatherBatch,
  gatherPixels,
  allocBatch,
  batches,
  batchCount,
  featureCount,
  oneHot,
  subset,
  splitAt,
  type Batch,
  type BatchBuffer,
  type BatchesOptions,
} from "./batches.js";
export { grayImage, resize, type GrayImage } from "./image.js";
export {
  normalizeInk,
  borderMedian,
  inkBoundingBox,
  crop,
  cropToInk,
  scaleToFit,
  centerOfMass,
  centerByMass,
  toMnistInput,
  MIN_INK_CONTRAST,
  DEFAULT_INK_THRESHOLD,
  type Box,
  type InkNormalization,
  type NormalizeOptions,
  type MnistInput,
  type MnistInputOptions,
} from "./preprocess.js";
export { decodePng, readPng, readPngDigit, readPngHeader, encodePng, PNG_MAX_SIDE, PNG_MAX_PIXELS, type PngHeader } from "./png.js";
export { readFileBytes, type ReadBytesContext } from "./files.js";
