// The MNIST multilayer perceptron of W1 / W1b written in TF.js, from the same typed config nnlab trains
// with (sizes, activations, cost, optimizer, learning rate, batch, init), on the same batches.

import { Rng } from "../../src/core/rng.js";
import { allocBatch, epochOrder, gatherBatch } from "../../src/data/batches.js";
import type { Dataset } from "../../src/data/mnist.js";
import type { Activation } from "../../src/nn/layers.js";
import type { MnistTrainConfig } from "../../src/train/config.js";
import { tf } from "./tfjs.js";

function activate(name: Activation, z: tf.Tensor): tf.Tensor {
  switch (name) {
    case "sigmoid":
      return tf.sigmoid(z);
    case "relu":
      return tf.relu(z);
    case "linear":
      return z;
    default:
      throw new Error(`the TF.js peer has no ${name} activation`);
  }
}

interface Layer {
  w: tf.Variable; // [in, out] (TF.js's matMul layout)
  b: tf.Variable; // [out]
}

function makeLayers(config: MnistTrainConfig): Layer[] {
  const { sizes, init } = config.model;
  return sizes.slice(1).map((out, i) => {
    const fanIn = sizes[i];
    const seed = config.seed * 100 + i;
    const std = init === "normal" ? 1 : init === "kaiming" ? Math.sqrt(2 / fanIn) : NaN;
    if (Number.isNaN(std)) throw new Error(`the TF.js peer has no ${init} init`);
    const b = init === "normal" ? tf.randomNormal([out], 0, 1, "float32", seed + 50) : tf.zeros([out]);
    return { w: tf.variable(tf.randomNormal([fanIn, out], 0, std, "float32", seed)), b: tf.variable(b) };
  });
}

function forward(config: MnistTrainConfig, layers: Layer[], x: tf.Tensor): tf.Tensor {
  let a = x;
  layers.forEach((l, i) => {
    a = activate(i === layers.length - 1 ? config.model.output : config.model.activation, tf.add(tf.matMul(a, l.w), l.b));
  });
  return a;
}

/**
 * One training pass in TF.js over `train` in nnlab's seeded order: `cost(x [n, 784], y one-hot [n, 10], n)`
 * minimised batch by batch. Returns its seconds.
 */
export function tfjsTrainPass(config: MnistTrainConfig, train: Dataset, optimizer: tf.Optimizer, vars: tf.Variable[], cost: (x: tf.Tensor2D, y: tf.Tensor, n: number) => tf.Scalar): number {
  const order = epochOrder(train.count, new Rng(config.seed));
  const buffer = allocBatch(train, config.batch);
  const started = performance.now();
  for (let start = 0; start < train.count; start += config.batch) {
    const batch = gatherBatch(train, order, start, config.batch, buffer);
    tf.tidy(() => {
      const n = batch.size;
      const x = tf.tensor2d(batch.x.subarray(0, n * 784), [n, 784]);
      const y = tf.oneHot(tf.tensor1d(Int32Array.from(batch.y.subarray(0, n)), "int32"), 10);
      optimizer.minimize(() => cost(x, y, n), true, vars)?.dataSync();
    });
  }
  return (performance.now() - started) / 1000;
}

/** One epoch in TF.js on the current TF.js backend: seconds of the training pass and test accuracy. */
export function tfjsMlpEpoch(config: MnistTrainConfig, train: Dataset, test: Dataset): { seconds: number; accuracy: number } {
  const layers = makeLayers(config);
  const vars = layers.flatMap((l) => [l.w, l.b]);
  const optimizer = config.optimizer === "sgd" ? tf.train.sgd(config.lr) : tf.train.adam(config.lr, 0.9, 0.999, 1e-8);
  const seconds = tfjsTrainPass(config, train, optimizer, vars, (x, y, n) => {
    const out = forward(config, layers, x);
    // quadratic: mean over examples of ½‖a − y‖²; cross-entropy: mean over examples
    return config.cost === "quadratic" ? tf.div(tf.sum(tf.square(tf.sub(out, y))), 2 * n) : tf.losses.softmaxCrossEntropy(y, out);
  });
  const predicted = tf.tidy(() => tf.argMax(forward(config, layers, tf.tensor2d(test.images, [test.count, 784])), 1).dataSync());
  let correct = 0;
  for (let i = 0; i < test.count; i++) if (predicted[i] === test.labels[i]) correct++;
  optimizer.dispose();
  tf.dispose(vars);
  return { seconds, accuracy: correct / test.count };
}
