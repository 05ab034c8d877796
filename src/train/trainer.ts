// The training loop for the digit network: seeded shuffles, mini-batch SGD/Adam steps inside a memory
// scope, typed events (batch, epoch, checkpoint) that the CLI and the web lab both consume.

import { tidy } from "../core/engine.js";
import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import { Rng, type RngState } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { allocBatch, epochOrder, gatherBatch, subset } from "../data/batches.js";
import type { Dataset } from "../data/dataset.js";
import { buildDigitModel, requireMlp, type DigitModel } from "../models/digits.js";
import { MLP, type MlpCapture } from "../models/mlp.js";
import * as F from "../nn/functional.js";
import { Adam } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { constant, warmupCosine } from "../optim/schedule.js";
import { SGD } from "../optim/sgd.js";
import type { MnistTrainConfig } from "./config.js";
import { fusedStepFor, fusedStepsFor, type FusedStep, type FusedSteps } from "./fused-step.js";
import { evaluate, type Evaluation } from "./metrics.js";

export interface EpochRecord {
  epoch: number;
  /** Mean cost over the epoch's mini-batches (as measured while training). */
  train_cost: number;
  /** Share of training images classified correctly while training (running, before each step). */
  train_accuracy: number;
  test_accuracy: number;
  /** Seconds of the training pass (evaluation excluded). */
  seconds: number;
}

export type TrainEvent =
  | { type: "batch"; epoch: number; batch: number; batches: number; cost: number; runningCost: number; runningAccuracy: number }
  | { type: "epoch"; record: EpochRecord; evaluation: Evaluation }
  | { type: "checkpoint"; epoch: number; dir: string };

export interface TrainData {
  train: Dataset;
  test: Dataset;
}

/** The data a config trains and tests on (the first `trainLimit` / `testLimit` images when set). */
export function limitData(config: MnistTrainConfig, data: TrainData): TrainData {
  return {
    train: config.trainLimit && config.trainLimit < data.train.count ? subset(data.train, config.trainLimit) : data.train,
    test: config.testLimit && config.testLimit < data.test.count ? subset(data.test, config.testLimit) : data.test,
  };
}

/**
 * The cost became NaN or infinite: the weights have blown up (almost always a learning rate too high
 * for this network and cost). The message names the step; runTraining adds what was kept on disk.
 */
export class Diverged extends NnlabError {
  constructor(readonly step: number, readonly epoch: number, readonly batch: number, readonly cost: number, lr: number) {
    super(
      `training diverged: the cost became ${cost} at step ${step.toLocaleString("en-US")} (epoch ${epoch}, mini-batch ${batch}); ` +
        `the learning rate (--lr ${lr}) is likely too high for this network and cost. Lower --lr (try ${lr / 10}) and start again`,
    );
    this.name = "Diverged";
  }
}

/** One step's numbers. */
export interface StepResult {
  cost: number;
  correct: number;
}

/** The cost of `a` against labels, as configured: quadratic on one-hot targets, or cross-entropy on logits. */
export function costOf(config: MnistTrainConfig, out: Tensor, labels: Tensor): Tensor {
  return config.cost === "quadratic" ? F.quadraticCost(out, ops.oneHot(labels, out.shape[1])) : F.crossEntropy(out, labels);
}

export function makeOptimizer(config: MnistTrainConfig, model: DigitModel, batchesPerEpoch: number): Optimizer {
  const total = config.epochs * batchesPerEpoch;
  const lr = config.schedule === "cosine" ? warmupCosine(config.lr, total) : constant(config.lr);
  const params = model.namedParameters();
  return config.optimizer === "adam"
    ? new Adam(params, { lr, weightDecay: config.weightDecay })
    : new SGD(params, { lr, momentum: config.momentum, weightDecay: config.weightDecay });
}

/**
 * Batches per call of the fused steps in an epoch: about a millisecond of the lesson's net, so progress
 * events keep flowing, and far more than the call costs.
 */
const STEPS_PER_CALL = 100;

/** Trains a digit network (an MLP, or a CNN when the config has `conv`) on MNIST-like data. Drive it epoch by epoch (`trainEpoch`) or step by step (`step`). */
export class MnistTrainer {
  readonly model: DigitModel;
  readonly optimizer: Optimizer;
  readonly rng: Rng;
  /** Completed epochs. */
  epoch = 0;
  readonly history: EpochRecord[] = [];
  readonly batchesPerEpoch: number;
  /** The backend's fused step where it covers this run (see fused-step.ts), else null: the composite step runs. */
  readonly fusedStep: FusedStep | null;
  /** The same for many steps in one call, which epochs use on data read from bytes (MNIST), else null. */
  readonly fusedSteps: FusedSteps | null;

  constructor(readonly config: MnistTrainConfig, readonly data: TrainData) {
    this.rng = new Rng(config.seed);
    this.model = buildDigitModel(config.model, config.conv, this.rng);
    this.batchesPerEpoch = Math.ceil(data.train.count / config.batch);
    this.optimizer = makeOptimizer(config, this.model, this.batchesPerEpoch);
    this.fusedStep = this.model instanceof MLP ? fusedStepFor(config, this.model, this.optimizer) : null;
    this.fusedSteps = this.model instanceof MLP ? fusedStepsFor(config, this.model, this.optimizer) : null;
  }

  /** The model as an MLP, for code that reads an MLP's layers (the lab's experiments); a NnlabError for a CNN. */
  get mlp(): MLP {
    return requireMlp(this.model, `the ${this.config.preset} net`);
  }

  /** RNG state to save in a checkpoint (the next epoch's shuffle is drawn from it). */
  rngState(): RngState {
    return this.rng.getState();
  }

  /**
   * One gradient-descent step on a mini-batch x [n·784] with labels: forward, cost, backward, update.
   * With `capture`, the forward pass records z and a of every layer (introspection on the training path).
   * Runs the backend's fused step where it covers this run and nothing is captured, else the composite.
   */
  step(x: Float32Array, labels: Uint8Array, n: number, capture?: MlpCapture): StepResult {
    if (this.fusedStep && !capture) return this.fusedStep(x, labels, n);
    return this.compositeStep(x, labels, n, capture);
  }

  /** The step op by op on the autograd tape: the readable path, and the fused step's oracle. */
  compositeStep(x: Float32Array, labels: Uint8Array, n: number, capture?: MlpCapture): StepResult {
    return tidy(() => {
      const input = ops.tensor(x.subarray(0, n * this.model.sizes[0]), [n, this.model.sizes[0]]);
      const target = ops.tensor(Int32Array.from(labels.subarray(0, n)), [n], "int32");
      const out = this.model.forward(input, capture);
      const cost = costOf(this.config, out, target);
      cost.backward();
      this.optimizer.step();
      this.optimizer.zeroGrad();
      const predicted = out.argmax(-1).toArray();
      let correct = 0;
      for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) correct++;
      return { cost: cost.item(), correct };
    });
  }

  /** One pass over the training set in a fresh seeded order, then an evaluation on the test set. */
  trainEpoch(onEvent?: (e: TrainEvent) => void): EpochRecord {
    const { train, test } = this.data;
    const { batch } = this.config;
    const order = epochOrder(train.count, this.rng);
    const epoch = this.epoch + 1;
    let costSum = 0;
    let correct = 0;
    let seen = 0;
    /** Books batch b (0-based) of the epoch; stops the run when its cost is not finite. */
    const account = (b: number, r: StepResult) => {
      const size = Math.min(batch, order.length - b * batch);
      if (!Number.isFinite(r.cost)) throw new Diverged(this.optimizer.stepCount, epoch, b + 1, r.cost, this.config.lr);
      costSum += r.cost * size;
      correct += r.correct;
      seen += size;
      onEvent?.({ type: "batch", epoch, batch: b + 1, batches: this.batchesPerEpoch, cost: r.cost, runningCost: costSum / seen, runningAccuracy: correct / seen });
    };
    const onBytes = this.fusedSteps !== null && train.pixels !== undefined;
    // data is made ready before the clock, not in epoch 1's time: floats made from bytes are built on
    // first use, and the fused steps take the bytes into the backend's memory on their first call (an
    // empty one here; the wasm backend builds the data set's sparse index then)
    if (!onBytes) void train.images;
    else this.fusedSteps!(train.pixels!, train.labels, new Int32Array(0), batch);
    const started = performance.now();
    if (onBytes) {
      // the fused steps on the images' bytes, kept by the backend: STEPS_PER_CALL batches a call
      for (let b = 0; b < this.batchesPerEpoch; b += STEPS_PER_CALL) {
        const r = this.fusedSteps!(train.pixels!, train.labels, order.subarray(b * batch, (b + STEPS_PER_CALL) * batch), batch);
        for (let k = 0; k < r.done; k++) account(b + k, { cost: r.costs[k], correct: r.correct[k] });
      }
    } else {
      const buffer = allocBatch(train, batch);
      for (let b = 0; b < this.batchesPerEpoch; b++) {
        const x = gatherBatch(train, order, b * batch, batch, buffer);
        account(b, this.step(x.x, x.y, x.size));
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const evaluation = evaluate(this.model, test);
    const record: EpochRecord = { epoch, train_cost: costSum / seen, train_accuracy: correct / seen, test_accuracy: evaluation.accuracy, seconds };
    this.epoch = epoch;
    this.history.push(record);
    onEvent?.({ type: "epoch", record, evaluation });
    return record;
  }
}
