// The trainer's fast path: where the backend has a fused SGD step for dense MLPs (wasm does) and the run
// is one that step covers, a training step is one kernel call instead of some forty ops on the autograd
// tape. Everywhere else MnistTrainer.step runs the composite step, which stays the oracle the fused
// one is tested against (test/train/fused-step.test.ts).

import type { DenseSgdStep, DenseSgdStepsResult } from "../core/backend.js";
import type { MLP } from "../models/mlp.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { MnistTrainConfig } from "./config.js";

/**
 * A fused training step on the first n examples of x (784 values each, row after row) and their labels;
 * x may be the bytes the values came from (value = byte / 255), a quarter of the memory to move.
 */
export type FusedStep = (x: Float32Array | Uint8Array, labels: ArrayLike<number>, n: number) => { cost: number; correct: number };

/** The fused step's head for this config, or null when the output and cost are not a pair it covers. */
function headOf(config: MnistTrainConfig): DenseSgdStep["head"] | null {
  const { output } = config.model;
  if (output === "sigmoid" && config.cost === "quadratic") return "sigmoid-quadratic";
  if (output === "linear" && config.cost === "cross-entropy") return "linear-cross-entropy";
  return null;
}

/**
 * Fused steps over a data set of bytes: the batches of `order` (the last may be short), one after the
 * other, in one backend call; stops after a step whose cost is not finite. `done` steps ran.
 */
export type FusedSteps = (pixels: Uint8Array, labels: Uint8Array, order: Int32Array, batch: number) => DenseSgdStepsResult;

/** What the fused steps need of a run, or null when the composite step must run (see fusedStepFor). */
function fusedRun(config: MnistTrainConfig, model: MLP): Pick<DenseSgdStep, "layers" | "hidden" | "head"> | null {
  const head = headOf(config);
  const { activation } = config.model;
  const hidden = activation === "sigmoid" || activation === "relu" ? activation : null;
  const plainSgd = config.optimizer === "sgd" && config.momentum === 0 && config.weightDecay === 0;
  const layers = model.layers.map((l) => ({ weight: l.weight, bias: l.bias! }));
  const float32 = layers.every((l) => l.bias && l.weight.dtype === "float32" && l.bias.dtype === "float32");
  if (!head || !plainSgd || !float32 || (!hidden && layers.length > 1)) return null;
  return { layers, hidden: hidden ?? "sigmoid", head };
}

/**
 * The fused step for this run, or null when the composite step must run: the backend has no fused
 * step, or the run uses momentum, weight decay, Adam, a hidden activation other than sigmoid or ReLU,
 * or an output/cost pair other than sigmoid + quadratic and logits + cross-entropy. Like the optimizer's
 * step, it takes the learning rate from the optimizer's schedule and counts the step.
 */
export function fusedStepFor(config: MnistTrainConfig, model: MLP, optimizer: Optimizer): FusedStep | null {
  const backend = model.layers[0].weight.backend;
  const run = fusedRun(config, model);
  if (!backend.denseSgdStep || !run) return null;
  const step = backend.denseSgdStep.bind(backend);
  return (x, labels, n) => {
    const result = step({ ...run, lr: optimizer.currentLr(), x, labels, n });
    optimizer.stepCount++;
    return result;
  };
}

/** Like {@link fusedStepFor}, for many steps in one call (null where the backend has no such call). */
export function fusedStepsFor(config: MnistTrainConfig, model: MLP, optimizer: Optimizer): FusedSteps | null {
  const backend = model.layers[0].weight.backend;
  const run = fusedRun(config, model);
  if (!backend.denseSgdSteps || !run) return null;
  const steps = backend.denseSgdSteps.bind(backend);
  return (pixels, labels, order, batch) => {
    const lrs = Float32Array.from({ length: Math.ceil(order.length / batch) }, (_, s) => optimizer.lrAt(optimizer.stepCount + s));
    const result = steps({ ...run, pixels, labels, order, batch, lrs });
    optimizer.stepCount += result.done;
    return result;
  };
}
