// The CNN preset (`nnlab train mnist --preset cnn`) written in TF.js for the cnn bench: the same conv
// blocks (valid or zero-padded k×k convolutions, ReLU, max-pooling) and dense head, Adam, the same batches.

import type { Dataset } from "../../src/data/mnist.js";
import type { MnistTrainConfig } from "../../src/train/config.js";
import { tf } from "./tfjs.js";
import { tfjsTrainPass } from "./tfjs-mlp.js";

interface Params {
  convs: { w: tf.Variable; b: tf.Variable }[]; // w [k, k, in, out] (TF.js's layout)
  dense: { w: tf.Variable; b: tf.Variable }[]; // w [in, out]
}

function makeParams(config: MnistTrainConfig): Params {
  const blocks = config.conv?.blocks ?? [];
  let channels = 1;
  const convs = blocks.map((b, i) => {
    const fanIn = channels * b.kernel * b.kernel;
    const w = tf.variable(tf.randomNormal([b.kernel, b.kernel, channels, b.channels], 0, Math.sqrt(2 / fanIn), "float32", config.seed * 100 + i));
    channels = b.channels;
    return { w, b: tf.variable(tf.zeros([b.channels])) };
  });
  const sizes = config.model.sizes;
  const dense = sizes.slice(1).map((out, i) => ({
    w: tf.variable(tf.randomNormal([sizes[i], out], 0, Math.sqrt(2 / sizes[i]), "float32", config.seed * 100 + 50 + i)),
    b: tf.variable(tf.zeros([out])),
  }));
  return { convs, dense };
}

function forward(config: MnistTrainConfig, p: Params, x: tf.Tensor2D): tf.Tensor {
  const blocks = config.conv?.blocks ?? [];
  let a: tf.Tensor4D = tf.reshape(x, [x.shape[0], 28, 28, 1]);
  p.convs.forEach((c, i) => {
    const b = blocks[i];
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [b.padding, b.padding], [b.padding, b.padding], [0, 0]];
    a = tf.relu(tf.add(tf.conv2d(b.padding ? tf.pad(a, pad) : a, c.w as tf.Tensor4D, 1, "valid"), c.b));
    if (b.pool > 1) a = tf.maxPool(a, b.pool, b.pool, "valid");
  });
  // NHWC → NCHW before flattening, so the head sees nnlab's and PyTorch's feature order (same work either way)
  let h: tf.Tensor = tf.reshape(tf.transpose(a, [0, 3, 1, 2]), [a.shape[0], -1]);
  p.dense.forEach((l, i) => {
    const z = tf.add(tf.matMul(h, l.w), l.b);
    h = i === p.dense.length - 1 ? z : tf.relu(z);
  });
  return h;
}

/** One epoch of the CNN in TF.js on the current TF.js backend: seconds of the training pass and test accuracy. */
export function tfjsCnnEpoch(config: MnistTrainConfig, train: Dataset, test: Dataset): { seconds: number; accuracy: number } {
  const p = makeParams(config);
  const vars = [...p.convs, ...p.dense].flatMap((l) => [l.w, l.b]);
  const optimizer = tf.train.adam(config.lr, 0.9, 0.999, 1e-8);
  const seconds = tfjsTrainPass(config, train, optimizer, vars, (x, y) => tf.losses.softmaxCrossEntropy(y, forward(config, p, x)));
  let correct = 0;
  for (let s = 0; s < test.count; s += 1000) {
    const n = Math.min(1000, test.count - s);
    const predicted = tf.tidy(() => tf.argMax(forward(config, p, tf.tensor2d(test.images.subarray(s * 784, (s + n) * 784), [n, 784])), 1).dataSync());
    for (let i = 0; i < n; i++) if (predicted[i] === test.labels[s + i]) correct++;
  }
  optimizer.dispose();
  tf.dispose(vars);
  return { seconds, accuracy: correct / test.count };
}
