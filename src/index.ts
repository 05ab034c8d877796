// The nnlab library: `import { init, tensor, nn, optim } from "nnlab"`. PyTorch-like names so what a
// learner reads elsewhere maps onto this code.

export { init, BACKENDS, type InitOptions } from "./backend/index.js";
export { backendNames, getBackend, setBackend, tidy, noGrad, keep, memory } from "./core/engine.js";
export { Tensor } from "./core/tensor.js";
export { tensor, scalar, zeros, ones, full, zerosLike, randn, rand, arange, tril, concat, split, where } from "./core/ops.js";
export * as ops from "./core/ops.js";
export { Rng, type RngState } from "./core/rng.js";
export { NnlabError, ShapeError } from "./core/errors.js";
export type { DType, TypedArray } from "./core/dtype.js";
export type { Backend, Kernels, Storage } from "./core/backend.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { MLP, mlpParameterCount, type MlpConfig, type MlpCapture } from "./models/mlp.js";
export * as data from "./data/index.js";
export { MnistTrainer, type TrainEvent, type EpochRecord } from "./train/trainer.js";
export { makeConfig, PRESETS, PRESET_CONFIGS, type MnistTrainConfig } from "./train/config.js";
export { evaluate, outputActivations } from "./train/metrics.js";
export { saveCheckpoint, loadModel, restoreCheckpoint } from "./train/checkpoint.js";
export * as gpt from "./models/gpt/index.js";
export { loadGptDir, saveGptDir, type LoadedGpt } from "./train/gpt-checkpoint.js";
