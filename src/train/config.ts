// The typed configuration of an MNIST training run and its presets: the lesson's 784-16-16-10 net,
// Nielsen's 784-30-10 and a modern ReLU/Adam MLP. Shared by the CLI and the web lab.

import { NnlabError } from "../core/errors.js";
import { cnnFeatureCount, validateCnnConfig, type CnnConfig } from "../models/cnn.js";
import { validateMlpConfig, type MlpConfig } from "../models/mlp.js";
import type { Activation } from "../nn/layers.js";

export const PRESETS = ["3b1b", "nielsen", "modern", "cnn"] as const;
export type PresetName = (typeof PRESETS)[number];
export const COSTS = ["quadratic", "cross-entropy"] as const;
export type CostName = (typeof COSTS)[number];
export const OPTIMIZERS = ["sgd", "adam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface MnistTrainConfig {
  preset: PresetName;
  /** The dense layers: the whole net, or with `conv` the head on the flattened feature maps. */
  model: MlpConfig;
  /** Convolution blocks in front of `model` (absent: a plain MLP, as in every run saved before CNNs). */
  conv?: CnnConfig;
  cost: CostName;
  optimizer: OptimizerName;
  /** Learning rate (η). */
  lr: number;
  /** Mini-batch size. */
  batch: number;
  epochs: number;
  seed: number;
  /** SGD momentum (0 = plain SGD). */
  momentum: number;
  /** L2 weight decay. */
  weightDecay: number;
  /** "cosine" decays the learning rate to 0 over the run; "constant" keeps it. */
  schedule: "constant" | "cosine";
  /** Use only the first N training / test images (0 = all); for quick runs and tests. */
  trainLimit: number;
  testLimit: number;
}

/** The output layer follows the cost: sigmoid outputs for the quadratic cost, logits for cross-entropy. */
export function outputFor(cost: CostName): Activation {
  return cost === "cross-entropy" ? "linear" : "sigmoid";
}

const lesson = { cost: "quadratic", optimizer: "sgd", lr: 3.0, batch: 10, epochs: 30, momentum: 0, weightDecay: 0, schedule: "constant" } as const;

/** The presets' settings. */
export const PRESET_CONFIGS: Record<PresetName, Omit<MnistTrainConfig, "seed" | "trainLimit" | "testLimit">> = {
  // lesson 1–2's network: 784-16-16-10 sigmoid, quadratic cost, SGD mini-batch 10, η = 3.0, N(0,1) init
  "3b1b": { preset: "3b1b", model: { sizes: [784, 16, 16, 10], activation: "sigmoid", output: "sigmoid", init: "normal" }, ...lesson },
  // Nielsen's chapter 1 network (reports 95.42% after 30 epochs)
  nielsen: { preset: "nielsen", model: { sizes: [784, 30, 10], activation: "sigmoid", output: "sigmoid", init: "normal" }, ...lesson },
  // a plain modern MLP: ReLU, softmax cross-entropy, Adam with cosine decay
  modern: {
    preset: "modern",
    model: { sizes: [784, 256, 10], activation: "relu", output: "linear", init: "kaiming" },
    cost: "cross-entropy",
    optimizer: "adam",
    lr: 1e-3,
    batch: 64,
    epochs: 10,
    momentum: 0,
    weightDecay: 0,
    schedule: "cosine",
  },
  // a small LeNet-style CNN: 5×5 convolutions to 16 and 32 maps, each with ReLU and 2×2 max-pooling
  // (28 → 24 → 12 → 8 → 4), then a 512-128-10 ReLU head; Adam with cosine decay
  cnn: {
    preset: "cnn",
    conv: { blocks: [{ channels: 16, kernel: 5, padding: 0, pool: 2 }, { channels: 32, kernel: 5, padding: 0, pool: 2 }] },
    model: { sizes: [32 * 4 * 4, 128, 10], activation: "relu", output: "linear", init: "kaiming" },
    cost: "cross-entropy",
    optimizer: "adam",
    lr: 2e-3,
    batch: 64,
    epochs: 4,
    momentum: 0,
    weightDecay: 0,
    schedule: "cosine",
  },
};

/** Width of the dense layers' input: 784 pixels, or the CNN's flattened feature maps. */
export function denseInputs(conv: CnnConfig | undefined): number {
  return conv ? cnnFeatureCount(conv) : 784;
}

export interface ConfigOverrides {
  hidden?: number[];
  activation?: Activation;
  cost?: CostName;
  optimizer?: OptimizerName;
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  momentum?: number;
  weightDecay?: number;
  init?: MlpConfig["init"];
  schedule?: MnistTrainConfig["schedule"];
  trainLimit?: number;
  testLimit?: number;
}

/** A preset with flags applied on top; checks the result and names the offending flag. */
export function makeConfig(preset: PresetName, o: ConfigOverrides = {}): MnistTrainConfig {
  const base = PRESET_CONFIGS[preset];
  if (!base) throw NnlabError.problem({ subject: "--preset", expected: PRESETS.join(" | "), found: JSON.stringify(preset) });
  const cost = o.cost ?? base.cost;
  const sizes = o.hidden ? [denseInputs(base.conv), ...o.hidden, 10] : base.model.sizes;
  const config: MnistTrainConfig = {
    ...base,
    model: {
      sizes,
      activation: o.activation ?? base.model.activation,
      output: o.cost ? outputFor(cost) : base.model.output,
      init: o.init ?? base.model.init,
    },
    cost,
    optimizer: o.optimizer ?? base.optimizer,
    lr: o.lr ?? base.lr,
    batch: o.batch ?? base.batch,
    epochs: o.epochs ?? base.epochs,
    seed: o.seed ?? 1,
    momentum: o.momentum ?? base.momentum,
    weightDecay: o.weightDecay ?? base.weightDecay,
    schedule: o.schedule ?? base.schedule,
    trainLimit: o.trainLimit ?? 0,
    testLimit: o.testLimit ?? 0,
  };
  return validateTrainConfig(config);
}

function check(ok: boolean, subject: string, expected: string, found: unknown): void {
  if (!ok) throw NnlabError.problem({ subject, expected, found: JSON.stringify(found) ?? "nothing" });
}

/** Checks every field (for configs from flags or from a checkpoint's config.json, where any value may be anything). */
export function validateTrainConfig(c: MnistTrainConfig, source = ""): MnistTrainConfig {
  const at = (flag: string) => (source ? `${source}: ${flag}` : `--${flag}`);
  check(typeof c === "object" && c !== null && !Array.isArray(c), source || "config", "an object of training settings", c);
  check(PRESETS.includes(c.preset), at("preset"), PRESETS.join(" | "), c.preset);
  const m = c.model as unknown;
  check(typeof m === "object" && m !== null && !Array.isArray(m), at("model"), "an object with sizes, activation, output and init", m);
  validateMlpConfig(c.model, source ? `${source}: model` : "--hidden/--activation");
  if (c.conv !== undefined) validateCnnConfig(c.conv, source || "--preset");
  const inputs = denseInputs(c.conv);
  check(c.model.sizes[0] === inputs && c.model.sizes[c.model.sizes.length - 1] === 10, at("hidden"), `a network from ${inputs} inputs to 10 outputs`, c.model.sizes);
  check(COSTS.includes(c.cost), at("cost"), COSTS.join(" | "), c.cost);
  check(OPTIMIZERS.includes(c.optimizer), at("optimizer"), OPTIMIZERS.join(" | "), c.optimizer);
  check(c.cost !== "cross-entropy" || c.model.output === "linear", at("cost"), "logits (a linear output layer) with cross-entropy", c.model.output);
  check(typeof c.lr === "number" && Number.isFinite(c.lr) && c.lr > 0 && c.lr <= 1000, at("lr"), "a learning rate > 0 and <= 1000", c.lr);
  check(Number.isInteger(c.batch) && c.batch >= 1 && c.batch <= 60000, at("batch"), "a whole number from 1 to 60000", c.batch);
  check(Number.isInteger(c.epochs) && c.epochs >= 1 && c.epochs <= 10000, at("epochs"), "a whole number from 1 to 10000", c.epochs);
  check(Number.isInteger(c.seed) && c.seed >= 0 && c.seed < 2 ** 32, at("seed"), "a whole number from 0 to 4294967295", c.seed);
  check(typeof c.momentum === "number" && Number.isFinite(c.momentum) && c.momentum >= 0 && c.momentum < 1, at("momentum"), "a number in [0, 1)", c.momentum);
  check(typeof c.weightDecay === "number" && Number.isFinite(c.weightDecay) && c.weightDecay >= 0, at("weight-decay"), "a number >= 0", c.weightDecay);
  check(c.schedule === "constant" || c.schedule === "cosine", at("schedule"), "constant | cosine", c.schedule);
  check(Number.isInteger(c.trainLimit) && c.trainLimit >= 0 && c.trainLimit <= 60000, at("train-limit"), "a whole number from 0 to 60000", c.trainLimit);
  check(Number.isInteger(c.testLimit) && c.testLimit >= 0 && c.testLimit <= 10000, at("test-limit"), "a whole number from 0 to 10000", c.testLimit);
  return c;
}

/** Weights and biases of an MLP with these layer sizes (Σ nₗ₋₁·nₗ + nₗ). */
function parameters(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  return n;
}

/**
 * Bytes a run needs in the engine: every parameter with its gradient and optimizer moments (Adam 2,
 * momentum 1), plus a mini-batch's activations and their gradients (z, a, δ per layer); for inference only
 * the parameters and one batch of 1,000 activations. An estimate within a small factor, for refusing
 * sizes that cannot fit before allocating anything.
 */
export function engineBytes(c: MnistTrainConfig, training = true): number {
  const p = parameters(c.model.sizes);
  const moments = c.optimizer === "adam" ? 2 : c.momentum > 0 ? 1 : 0;
  const units = c.model.sizes.reduce((a, b) => a + b, 0);
  return training ? 4 * (p * (2 + moments) + 3 * c.batch * units) : 4 * (p + 1000 * units);
}

/** Whether the backend's tensors live in WebAssembly memory (wasm, and native, which shares it): 2 GiB at most. */
export function inWasmMemory(backend: string): boolean {
  return backend === "wasm" || backend === "native";
}

/** Bytes as GiB for messages: "0.50 GiB", "12.0 GiB". */
export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;
}

/**
 * Refuses a network whose parameters (and training state) cannot fit in the backend's memory, before
 * anything is allocated (an allocation of tens of GB fails late and obscurely).
 * @param limit bytes the backend's tensors may use (see memoryLimit in checkpoint.ts).
 * @param source config.json when the sizes come from a file; the flags otherwise.
 */
export function checkFitsInMemory(c: MnistTrainConfig, backend: string, limit: number, source = "", training = true): void {
  const need = engineBytes(c, training);
  if (need <= limit) return;
  throw NnlabError.problem({
    subject: source ? `${source}: model.sizes ${c.model.sizes.join(",")}` : `--hidden ${c.model.sizes.slice(1, -1).join(",")}`,
    expected: `a network that fits in the ${backend} backend's memory (${gib(limit)}${inWasmMemory(backend) ? ", WebAssembly's limit" : ""})`,
    found: `${parameters(c.model.sizes).toLocaleString("en-US")} weights and biases needing about ${gib(need)}${training ? " with gradients, optimizer state and a mini-batch" : ""}`,
    fix: "Use smaller hidden layers (the lesson's net is 16,16).",
  });
}
