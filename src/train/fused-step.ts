// The trainer's fast path: where the backend has a fused training step for dense MLPs (wasm does) and
// the run is one that step covers (plain SGD, or Adam), a training step is one kernel call instead of
// some forty ops on the autograd tape. Everywhere else MnistTrainer.step runs the composite step, which
// stays the oracle the fused one is tested against (test/train/fused-step.test.ts).

import type { DenseAdam, DenseStep, DenseStepsResult } from "../core/backend.js";
import type { Tensor } from "../core/tensor.js";
import type { MLP } from "../models/mlp.js";
import { Adam } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { MnistTrainConfig } from "./config.js";

/**
 * A fused training step on the first n examples of x (784 values each, row after row) and their labels;
 * x may be the bytes the values came from (value = byte / 255), a quarter of the memory to move.
 */
export type FusedStep = (x: Float32Array | Uint8Array, labels: ArrayLike<number>, n: number) => { cost: number; correct: number };

/** The fused step's head for this config, or null when the output and cost are not a pair it covers. */
function headOf(config: MnistTrainConfig): DenseStep["head"] | null {
  const { output } = config.model;
  if (output === "sigmoid" && config.cost === "quadratic") return "sigmoid-quadratic";
  if (output === "linear" && config.cost === "cross-entropy") return "linear-cross-entropy";
  return null;
}

/**
 * Fused steps over a data set of bytes: the batches of `order` (the last may be short), one after the
 * other, in one backend call; stops after a step whose cost is not finite. `done` steps ran.
 */
export type FusedSteps = (pixels: Uint8Array, labels: Uint8Array, order: Int32Array, batch: number) => DenseStepsResult;

/** What the fused steps need of a run: the fixed part, and Adam's part of step `t` (1 on the first). */
interface FusedRun {
  readonly fixed: Pick<DenseStep, "layers" | "hidden" | "head">;
  readonly adamAt: ((t: number) => DenseAdam) | null;
}

/**
 * Adam's part of the fused steps, or null where they cannot take it: the moments are the optimizer's
 * own state tensors (made on first use, read again every call, as a checkpoint may replace them), and
 * weight decay must be the same for every parameter.
 */
function adamOf(optimizer: Adam, model: MLP): ((t: number) => DenseAdam) | null {
  const pathOf = new Map<Tensor, string>(model.namedParameters().map(([path, p]) => [p, path]));
  const paths = model.layers.map((l) => ({ weight: pathOf.get(l.weight), bias: l.bias && pathOf.get(l.bias) }));
  if (paths.some((p) => !p.weight || !p.bias)) return null;
  const decays = paths.flatMap((p) => [optimizer.decayOf(p.weight!), optimizer.decayOf(p.bias!)]);
  if (decays.some((d) => d !== decays[0])) return null;
  const { beta1, beta2, eps } = optimizer;
  return (t) => ({
    beta1, beta2, eps, weightDecay: decays[0], decoupled: optimizer.isDecoupled, t,
    moments: paths.map((p) => ({ weight: optimizer.moments(p.weight!), bias: optimizer.moments(p.bias!) })),
  });
}

/** What the fused steps need of a run, or null when the composite step must run (see fusedStepFor). */
function fusedRun(config: MnistTrainConfig, model: MLP, optimizer: Optimizer): FusedRun | null {
  const head = headOf(config);
  const { activation } = config.model;
  const hidden = activation === "sigmoid" || activation === "relu" ? activation : null;
  const plainSgd = config.optimizer === "sgd" && config.momentum === 0 && config.weightDecay === 0;
  const adamAt = config.optimizer === "adam" && optimizer instanceof Adam ? adamOf(optimizer, model) : null;
  const layers = model.layers.map((l) => ({ weight: l.weight, bias: l.bias! }));
  const float32 = layers.every((l) => l.bias && l.weight.dtype === "float32" && l.bias.dtype === "float32");
  if (!head || !(plainSgd || adamAt) || !float32 || (!hidden && layers.length > 1)) return null;
  return { fixed: { layers, hidden: hidden ?? "sigmoid", head }, adamAt };
}

/**
 * The fused step for this run, or null when the composite step must run: the backend has no fused
 * step, or the run uses SGD with momentum or weight decay, a hidden activation other than sigmoid or
 * ReLU, or an output/cost pair other than sigmoid + quadratic and logits + cross-entropy. Like the
 * optimizer's step, it takes the learning rate from the optimizer's schedule and counts the step.
 */
export function fusedStepFor(config: MnistTrainConfig, model: MLP, optimizer: Optimizer): FusedStep | null {
  const backend = model.layers[0].weight.backend;
  const run = fusedRun(config, model, optimizer);
  if (!backend.denseStep || !run) return null;
  const step = backend.denseStep.bind(backend);
  return (x, labels, n) => {
    const adam = run.adamAt?.(optimizer.stepCount + 1);
    const result = step({ ...run.fixed, adam, lr: optimizer.currentLr(), x, labels, n });
    optimizer.stepCount++;
    return result;
  };
}

/** Like {@link fusedStepFor}, for many steps in one call (null where the backend has no such call). */
export function fusedStepsFor(config: MnistTrainConfig, model: MLP, optimizer: Optimizer): FusedSteps | null {
  const backend = model.layers[0].weight.backend;
  const run = fusedRun(config, model, optimizer);
  if (!backend.denseSteps || !run) return null;
  const steps = backend.denseSteps.bind(backend);
  return (pixels, labels, order, batch) => {
    const lrs = Float64Array.from({ length: Math.ceil(order.length / batch) }, (_, s) => optimizer.lrAt(optimizer.stepCount + s));
    const adam = run.adamAt?.(optimizer.stepCount + 1);
    const result = steps({ ...run.fixed, adam, pixels, labels, order, batch, lrs });
    optimizer.stepCount += result.done;
    return result;
  };
}
