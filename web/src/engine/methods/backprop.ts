// Lessons 3 and 4 in the worker: one training image's backward pass taken apart, one example's gradient
// against a mini-batch's mean and the full batch's, descent paths in a slice of weight space, lesson 4's
// one-neuron chain, and the chain rule for any weight of the real network with the matrix form beside it.
// The numbers come from src/lab (backward-pass.ts, directions.ts, descent-paths.ts) on the engine.

import { noGrad, tidy } from "../../../../src/core/engine.js";
import * as ops from "../../../../src/core/ops.js";
import { Rng } from "../../../../src/core/rng.js";
import { epochOrder, gatherBatch, subset } from "../../../../src/data/batches.js";
import type { Dataset } from "../../../../src/data/dataset.js";
import {
  backpropExample,
  chainRule,
  cosine,
  gradientOf,
  matrixForm,
  steepestWeight,
  toyChainAt,
  type ChainRule,
  type ExampleBackprop,
  type MatrixLayer,
  type ToyChain,
  type ToyParams,
} from "../../../../src/lab/backward-pass.js";
import { PLANE_LR, sgdPath, type Plane, type SgdPath } from "../../../../src/lab/descent-paths.js";
import { combine, costOn, filterNormalisedDirection, grid } from "../../../../src/lab/directions.js";
import type { MLP } from "../../../../src/models/mlp.js";
import type { MnistTrainConfig } from "../../../../src/train/config.js";
import type { MethodContext, MethodTable } from "../protocol.js";
import { engineReady, mnist, state } from "../state.js";

export type { ChainRule, ExampleBackprop, MatrixLayer, ToyChain };

/** Training image `index` taken apart by one forward and backward pass. */
export interface ImageBackprop {
  index: number;
  pixels: Float32Array;
  label: number;
  prediction: number;
  example: ExampleBackprop;
}

/** One example's gradient and a mini-batch's mean gradient, each compared with the full batch's. */
export interface BatchGradients {
  batch: number;
  /** How many images the full-batch gradient averages (the whole training set). */
  fullImages: number;
  /** The desired change of the first layer's weights, −∂C/∂W⁽¹⁾ (rows of 784, one per neuron), three ways. */
  firstLayer: { example: Float32Array; batch: Float32Array; full: Float32Array };
  /** Cosine of each gradient (all weights and biases) with the full batch's. */
  cosine: { example: number; batch: number };
}

/** Full-batch and mini-batch descent in a 2-D slice w* + α·d₁ + β·d₂ through the trained weights. */
export interface DescentPaths {
  images: number;
  /** Cost on the images at the grid points: surface[i][j] at (axis[i], axis[j]). */
  axis: number[];
  surface: number[][];
  start: [number, number];
  steps: number;
  learningRate: number;
  planeLearningRate: number;
  /** Per batch size: one path held in the slice and one free in all weights. */
  paths: SgdPath[];
}

/** One weight of the real network: its chain-rule factors and the matrix form for the same image. */
export interface WeightChain {
  index: number;
  label: number;
  cost: number;
  sizes: number[];
  chain: ChainRule;
  matrix: MatrixLayer[];
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** Training image `index` (0..59,999) through the current network, forward and backward. */
    backpropImage: { params: { index: number }; result: ImageBackprop };
    /**
     * The first training image from `from` on that the current network gets wrong (a wrong answer asks
     * for big nudges; a right one, for almost none); `from` itself when it gets all of them right.
     */
    firstWrong: { params: { from: number }; result: { index: number; label: number; prediction: number } };
    /** Image `index`'s gradient and the mean over `batch` random training images (draw `draw`), against the full batch. */
    batchGradients: { params: { index: number; batch: number; draw: number }; result: BatchGradients };
    /** SGD with each of `batches` from one point of a random slice (seed `seed`) over the first `images` training images. */
    descentPaths: { params: { images: number; batches: number[]; steps: number; seed: number }; result: DescentPaths };
    /** Lesson 4's one-neuron-per-layer chain at these values; each weight checked by a central difference of ±ε. */
    toyChain: { params: ToyParams & { epsilon: number }; result: ToyChain };
    /**
     * The chain rule for weight wⱼₖ of `layer` (1 = first hidden) on training image `index`; j or k < 0
     * picks the layer's steepest weight.
     */
    weightChain: { params: { index: number; layer: number; j: number; k: number; epsilon: number }; result: WeightChain };
  }
  interface EngineEvents {
    /** Progress of a long backprop job: `done` of `total` units of `task`. */
    "backprop.progress": { task: string; done: number; total: number };
  }
}

const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

/** The current network, or an error the page can show. */
function network(): { model: MLP; config: MnistTrainConfig } {
  const { model, config } = state;
  if (!model || !config) throw new Error("no network yet: train one or load a run first");
  return { model, config };
}

async function trainImage(index: number): Promise<{ train: Dataset; x: Float32Array; label: number }> {
  const { train } = await mnist();
  if (!Number.isInteger(index) || index < 0 || index >= train.count) throw new Error(`training image index must be 0..${train.count - 1}, got ${index}`);
  const f = train.rows * train.cols;
  return { train, x: train.images.slice(index * f, (index + 1) * f), label: train.labels[index] };
}

function argmax(v: number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** The full-batch gradient, once per network: 60,000 images in chunks, yielding between them. */
const fullGradients = new WeakMap<MLP, Float32Array>();

async function fullGradient(model: MLP, config: MnistTrainConfig, train: Dataset, ctx: MethodContext): Promise<Float32Array> {
  const known = fullGradients.get(model);
  if (known) return known;
  const chunk = 2000;
  const f = train.rows * train.cols;
  let sum: Float64Array | null = null;
  for (let s = 0; s < train.count; s += chunk) {
    const n = Math.min(chunk, train.count - s);
    const g = gradientOf(model, config, train.images.subarray(s * f, (s + n) * f), train.labels.subarray(s, s + n), n);
    sum ??= new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) sum[i] += g[i] * n; // the mean over all images, weighted by chunk size
    ctx.emit("backprop.progress", { task: "full-batch gradient", done: s + n, total: train.count });
    await yieldToMessages();
  }
  const full = Float32Array.from(sum!, (v) => v / train.count);
  fullGradients.set(model, full);
  return full;
}

/** −(the first layer's weight gradient): the first sizes[0]·sizes[1] entries of a flat gradient. */
function firstLayerNudges(model: MLP, g: Float32Array): Float32Array {
  return Float32Array.from(g.subarray(0, model.sizes[0] * model.sizes[1]), (v) => -v);
}

export const backpropMethods: MethodTable = {
  async backpropImage({ index }) {
    await engineReady();
    const { model, config } = network();
    const { x, label } = await trainImage(index);
    const example = backpropExample(model, config, x, label);
    return { index, pixels: x, label, prediction: argmax(example.layers[example.layers.length - 1].a), example };
  },

  async firstWrong({ from }) {
    await engineReady();
    const { model } = network();
    const { train } = await trainImage(from);
    const f = train.rows * train.cols;
    const chunk = 256;
    for (let s = from; s < train.count; s += chunk) {
      const n = Math.min(chunk, train.count - s);
      const predicted = tidy(() => noGrad(() => ops.argmax(model.forward(ops.tensor(train.images.subarray(s * f, (s + n) * f), [n, f])), 1).toArray() as ArrayLike<number>)); // (n,)
      for (let i = 0; i < n; i++) if (predicted[i] !== train.labels[s + i]) return { index: s + i, label: train.labels[s + i], prediction: predicted[i] };
    }
    return { index: from, label: train.labels[from], prediction: train.labels[from] };
  },

  async batchGradients({ index, batch, draw }, ctx) {
    await engineReady();
    const { model, config } = network();
    const { train, x, label } = await trainImage(index);
    if (!Number.isInteger(batch) || batch < 1 || batch > train.count) throw new Error(`batch size must be 1..${train.count}, got ${batch}`);
    const full = await fullGradient(model, config, train, ctx);
    const one = gradientOf(model, config, x, [label], 1);
    // a random mini-batch: the first `batch` images of a seeded shuffle
    const b = gatherBatch(train, epochOrder(train.count, new Rng(draw)), 0, batch);
    const mean = gradientOf(model, config, b.x, b.y, b.size);
    const firstLayer = { example: firstLayerNudges(model, one), batch: firstLayerNudges(model, mean), full: firstLayerNudges(model, full) };
    ctx.transfer.push(firstLayer.example.buffer, firstLayer.batch.buffer, firstLayer.full.buffer);
    return { batch, fullImages: train.count, firstLayer, cosine: { example: cosine(one, full), batch: cosine(mean, full) } };
  },

  async descentPaths({ images, batches, steps, seed }, ctx) {
    await engineReady();
    const { model, config } = network();
    const { train } = await mnist();
    const ds = subset(train, images);
    const rng = new Rng(seed);
    const origin = model.stateDict();
    const plane: Plane = { origin, d1: filterNormalisedDirection(model, rng), d2: filterNormalisedDirection(model, rng) };
    const axis = grid(15);
    const total = axis.length + 2 * batches.length;
    const surface: number[][] = [];
    try {
      for (const a of axis) {
        surface.push(
          axis.map((b) => {
            model.loadStateDict(combine(origin, plane.d1, plane.d2, a, b));
            return costOn(model, config, ds);
          }),
        );
        ctx.emit("backprop.progress", { task: "cost over the slice", done: surface.length, total });
        await yieldToMessages();
      }
    } finally {
      model.loadStateDict(origin);
    }
    const start: [number, number] = [0.6, 0.6];
    const paths: SgdPath[] = [];
    for (const inPlane of [true, false]) {
      for (const batch of batches) {
        paths.push(sgdPath(config, ds, plane, { start, steps, batch, inPlane }));
        ctx.emit("backprop.progress", { task: "descent paths", done: axis.length + paths.length, total });
        await yieldToMessages();
      }
    }
    return { images: ds.count, axis, surface, start, steps, learningRate: config.lr, planeLearningRate: PLANE_LR, paths };
  },

  async toyChain({ epsilon, ...params }) {
    await engineReady();
    return toyChainAt(params, epsilon);
  },

  async weightChain({ index, layer, j, k, epsilon }) {
    await engineReady();
    const { model, config } = network();
    const { x, label } = await trainImage(index);
    const L = model.layers.length;
    if (!Number.isInteger(layer) || layer < 1 || layer > L) throw new Error(`layer must be 1..${L}, got ${layer}`);
    const lin = model.layers[layer - 1];
    const ex = backpropExample(model, config, x, label);
    const w = j < 0 || k < 0 ? steepestWeight(ex, layer) : { j, k };
    if (w.j >= lin.outFeatures || w.k >= lin.inFeatures) throw new Error(`layer ${layer} has weights w[0..${lin.outFeatures - 1}][0..${lin.inFeatures - 1}], got w[${w.j}][${w.k}]`);
    return { index, label, cost: ex.cost, sizes: [...model.sizes], chain: chainRule(model, config, x, label, ex, layer, w.j, w.k, epsilon), matrix: matrixForm(model, ex) };
  },
};
