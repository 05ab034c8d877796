// `nnlab lab backprop` — lessons 3 and 4 on one real training image: the nudges the cost wants on the
// outputs, each weight's share of the change, the wish passed back to the previous layer, the
// chain-rule factors of one chosen weight checked against a finite difference, and lesson 4's toy chain
// of one neuron per layer. Every number comes from the engine's capture (z, a) and autograd (.grad).

import { noGrad, tidy } from "../core/engine.js";
import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import { MLP, type MlpCapture } from "../models/mlp.js";
import { activate, type Activation } from "../nn/layers.js";
import { makeConfig, type MnistTrainConfig } from "../train/config.js";
import { costOf } from "../train/trainer.js";
import { fmt, intFlagOf, intListFlagOf, labRng, table } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { imageGridPng, weightTilesPng } from "./figures.js";
import { describeNet, labNet } from "./lab-net.js";

/** One layer l = 1..L of the backward pass for one example (lesson 3's vocabulary; "nudge" = −∂C/∂·). */
export interface BackpropLayer {
  /** Layer number l (1 = first hidden layer). */
  layer: number;
  activation: Activation;
  /** W⁽ˡ⁾ [out][in] and b⁽ˡ⁾ as the network has them. */
  weights: number[][];
  biases: number[];
  /** z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = σ(z⁽ˡ⁾). */
  z: number[];
  a: number[];
  /** ∂a/∂z per neuron (σ′(z) for sigmoid). */
  da_dz: number[];
  /** The desired nudge of each activation: −∂C/∂a⁽ˡ⁾. */
  nudge_a: number[];
  /** The desired nudge of each weighted sum: −∂C/∂z⁽ˡ⁾ = ∂a/∂z · nudge_a. */
  nudge_z: number[];
  /** Each weight's share of the change, a⁽ˡ⁻¹⁾ₖ · nudge_zⱼ = −∂C/∂wⱼₖ, [out][in]. */
  weight_nudges: number[][];
  /** −∂C/∂bⱼ = nudge_zⱼ. */
  bias_nudges: number[];
  /** What neuron j wishes of previous neuron k, wⱼₖ · nudge_zⱼ, [out][in]; its column sums are `wish`. */
  wish_by_neuron: number[][];
  /** The wish passed back: −∂C/∂a⁽ˡ⁻¹⁾ = Σⱼ wⱼₖ · nudge_zⱼ (for l = 1: a wish on the pixels). */
  wish: number[];
}

/** The chain rule for one weight: ∂C/∂w = ∂z/∂w · ∂a/∂z · ∂C/∂a, against autograd and a finite difference. */
export interface ChainRule {
  layer: number;
  /** Neuron j of layer l and neuron k of layer l−1: the weight wⱼₖ⁽ˡ⁾. */
  j: number;
  k: number;
  weight: number;
  /** ∂z/∂w = a⁽ˡ⁻¹⁾ₖ */
  dz_dw: number;
  /** ∂a/∂z = σ′(zⱼ) */
  da_dz: number;
  /** ∂C/∂aⱼ (from autograd on the captured activation) */
  dC_da: number;
  /** dz_dw · da_dz · dC_da */
  product: number;
  /** ∂C/∂w as autograd filled it into W.grad */
  autograd: number;
  /** (C(w+ε) − C(w−ε)) / 2ε, running the same forward pass */
  finite_difference: number;
  epsilon: number;
  /** |product − finite_difference| / max(|finite_difference|, 1e-12) */
  relative_error: number;
}

/** One example taken apart: forward values, cost, and every layer's backward numbers. */
export interface ExampleBackprop {
  cost: number;
  /** The desired output y (one-hot of the label for the quadratic cost). */
  target: number[];
  /** The input a⁽⁰⁾ (784 pixels). */
  input: number[];
  layers: BackpropLayer[];
}

/** Lesson 4's toy: a chain of one neuron per layer. */
export interface ToyChain {
  /** The input a⁽⁰⁾ and the desired output y. */
  input: number;
  target: number;
  cost: number;
  /** Per layer: w, b, z, a and the chain-rule check of its one weight. */
  layers: { layer: number; w: number; b: number; z: number; a: number; dC_db: number; dC_da_prev: number; chain: ChainRule }[];
}

/** result.json of `lab backprop` — the web lab draws lessons 3–4 from it. */
export interface BackpropResult {
  experiment: "backprop";
  network: string;
  sizes: number[];
  cost_function: MnistTrainConfig["cost"];
  image: { index: number; label: number; predicted: number };
  example: ExampleBackprop;
  /** The chosen weight (default: the last layer's weight with the largest |∂C/∂w|). */
  chain: ChainRule;
  toy: ToyChain;
}

const rows = (t: Float32Array | number[], cols: number): number[][] => Array.from({ length: t.length / cols }, (_, r) => Array.from(t.slice(r * cols, (r + 1) * cols)));
const arr = (t: Tensor | null): number[] => (t ? Array.from(t.toArray()) : []);

/** ∂a/∂z of an elementwise activation at z, by autograd through the activation itself. */
function activationDerivative(name: Activation, z: number[]): number[] {
  return tidy(() => {
    const zz = ops.tensor(Float32Array.from(z), [z.length]).requireGrad();
    activate(name, zz).sum().backward();
    return arr(zz.grad);
  });
}

/** The cost of one example with the model as it is now (no gradients). */
function costNow(model: MLP, config: MnistTrainConfig, x: Float32Array, label: number): number {
  return tidy(() => noGrad(() => costOf(config, model.forward(ops.tensor(x, [1, x.length])), ops.tensor(Int32Array.of(label), [1], "int32")).item()));
}

/** Runs forward (with capture) and backward on one example and reads every layer's numbers. */
export function backpropExample(model: MLP, config: MnistTrainConfig, x: Float32Array, label: number): ExampleBackprop {
  const result = tidy(() => {
    const input = ops.tensor(x, [1, x.length]).requireGrad();
    const capture: MlpCapture = { z: [], a: [] };
    const out = model.forward(input, capture);
    for (const t of [...capture.z, ...capture.a.slice(1)]) t.retainGrad();
    const target = ops.tensor(Int32Array.of(label), [1], "int32");
    const cost = costOf(config, out, target);
    cost.backward();
    const classes = model.sizes[model.sizes.length - 1];
    const layers: BackpropLayer[] = model.layers.map((layer, i) => {
      const name = i === model.layers.length - 1 ? config.model.output : config.model.activation;
      const prev = arr(capture.a[i]);
      const z = arr(capture.z[i]);
      const w = layer.weight.toArray() as Float32Array;
      const nudgeZ = arr(capture.z[i].grad).map((g) => -g);
      const nIn = layer.inFeatures;
      const weightNudges: number[][] = [];
      const wishByNeuron: number[][] = [];
      for (let j = 0; j < layer.outFeatures; j++) {
        weightNudges.push(prev.map((ak) => ak * nudgeZ[j]));
        wishByNeuron.push(Array.from(w.subarray(j * nIn, (j + 1) * nIn), (wjk) => wjk * nudgeZ[j]));
      }
      return {
        layer: i + 1,
        activation: name,
        weights: rows(w, nIn),
        biases: arr(layer.bias),
        z,
        a: arr(capture.a[i + 1]),
        da_dz: activationDerivative(name, z),
        nudge_a: arr(capture.a[i + 1].grad).map((g) => -g),
        nudge_z: nudgeZ,
        weight_nudges: weightNudges,
        bias_nudges: nudgeZ,
        wish_by_neuron: wishByNeuron,
        wish: arr(i === 0 ? input.grad : capture.a[i].grad).map((g) => -g),
      };
    });
    const target1h = Array.from({ length: classes }, (_, c) => (c === label ? 1 : 0));
    return { cost: cost.item(), target: target1h, input: Array.from(x), layers };
  });
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
  return result;
}

/** The chain-rule factors of weight wⱼₖ⁽ˡ⁾ from an example's backward pass, checked by a central difference. */
export function chainRule(model: MLP, config: MnistTrainConfig, x: Float32Array, label: number, ex: ExampleBackprop, layer: number, j: number, k: number, epsilon = 1e-2): ChainRule {
  const L = ex.layers[layer - 1];
  const lin = model.layers[layer - 1];
  const prevA = layer === 1 ? ex.input : ex.layers[layer - 2].a;
  const dz_dw = prevA[k];
  const da_dz = L.da_dz[j];
  const dC_da = -L.nudge_a[j];
  const autograd = -L.weight_nudges[j][k];
  const original = lin.weight.toArray() as Float32Array;
  const costWith = (delta: number): number => {
    const changed = Float32Array.from(original);
    changed[j * lin.inFeatures + k] += delta;
    lin.weight.assign(ops.tensor(changed, lin.weight.shape));
    return costNow(model, config, x, label);
  };
  const finite = (costWith(epsilon) - costWith(-epsilon)) / (2 * epsilon);
  lin.weight.assign(ops.tensor(original, lin.weight.shape));
  const product = dz_dw * da_dz * dC_da;
  return {
    layer, j, k, weight: L.weights[j][k], dz_dw, da_dz, dC_da, product, autograd, finite_difference: finite, epsilon,
    relative_error: Math.abs(product - finite) / Math.max(Math.abs(finite), 1e-12),
  };
}

/** Lesson 4's chain a⁽⁰⁾ → a⁽¹⁾ → a⁽²⁾ → a⁽³⁾ with one sigmoid neuron per layer, run through the same MLP code. */
export function toyChain(seed: number): ToyChain {
  const config: MnistTrainConfig = { ...makeConfig("3b1b", { seed }), model: { sizes: [1, 1, 1, 1], activation: "sigmoid", output: "sigmoid", init: "normal" } };
  const model = new MLP(config.model, labRng(seed, 41));
  const x = Float32Array.of(0.8);
  const ex = backpropExample(model, config, x, 0); // label 0 of one class: the desired output y = 1
  return {
    input: x[0],
    target: 1,
    cost: ex.cost,
    layers: ex.layers.map((L, i) => ({
      layer: i + 1, w: L.weights[0][0], b: L.biases[0], z: L.z[0], a: L.a[0],
      dC_db: -L.bias_nudges[0], dC_da_prev: -L.wish[0],
      chain: chainRule(model, config, x, 0, ex, i + 1, 0, 0, 1e-3),
    })),
  };
}

/** The weight of `layer` whose |∂C/∂w| is largest. */
function steepestWeight(ex: ExampleBackprop, layer: number): { j: number; k: number } {
  let best = { j: 0, k: 0, g: -1 };
  ex.layers[layer - 1].weight_nudges.forEach((row, j) => row.forEach((g, k) => { if (Math.abs(g) > best.g) best = { j, k, g: Math.abs(g) }; }));
  return { j: best.j, k: best.k };
}

async function runBackprop(ctx: LabContext): Promise<LabOutput<BackpropResult>> {
  const { train } = ctx.data;
  const index = intFlagOf(ctx, "index", 0, 0, train.count - 1);
  const chosen = ctx.flags.weight === undefined ? undefined : intListFlagOf(ctx, "weight", [], 3, 0, 1_000_000);
  const net = await labNet(ctx, "3b1b", ctx.quick ? { epochs: 1, trainLimit: 2000, testLimit: 1000 } : { epochs: 2 });
  const { model, config } = net;
  const f = train.rows * train.cols;
  const x = train.images.slice(index * f, (index + 1) * f);
  const label = train.labels[index];
  const ex = backpropExample(model, config, x, label);
  const L = model.layers.length;
  const w = chosen ? { layer: chosen[0], j: chosen[1], k: chosen[2] } : { layer: L, ...steepestWeight(ex, L) };
  const lin = model.layers[w.layer - 1];
  if (!lin || w.j < 0 || w.j >= lin.outFeatures || w.k < 0 || w.k >= lin.inFeatures) {
    throw NnlabError.problem({ subject: "--weight", expected: `LAYER,J,K with layer 1..${L}, j < its width, k < the previous width (sizes ${model.sizes.join("-")})`, found: `${w.layer},${w.j},${w.k}` });
  }
  const chain = chainRule(model, config, x, label, ex, w.layer, w.j, w.k);
  const toy = toyChain(ctx.seed);
  const last = ex.layers[L - 1];
  const predicted = last.a.indexOf(Math.max(...last.a));
  const result: BackpropResult = {
    experiment: "backprop", network: describeNet(net), sizes: model.sizes, cost_function: config.cost,
    image: { index: index, label, predicted }, example: ex, chain, toy,
  };
  const first = ex.layers[0];
  const figures: LabFigure[] = [
    { file: "image.png", caption: `Training image ${index}`, data: imageGridPng([x], 28, 1, 6) },
    // what the cost wishes the pixels were (−∂C/∂a⁽⁰⁾) and the first layer's weight nudges per neuron
    { file: "pixel-wish.png", caption: "The wish passed back to the pixels", data: weightTilesPng([first.wish], 28, 1, 6) },
    { file: "layer1-weight-nudges.png", caption: "First-layer weight nudges per neuron", data: weightTilesPng(first.weight_nudges, 28, 8, 3) },
  ];
  const chainRow = (c: ChainRule) => [c.layer, `w[${c.j}][${c.k}]`, c.dz_dw, c.da_dz, c.dC_da, c.product, c.autograd, c.finite_difference, c.relative_error];
  const chainHeader = ["layer", "weight", "∂z/∂w", "∂a/∂z", "∂C/∂a", "product", "autograd", "finite difference", "rel. error"];
  const report = [
    `Network: ${result.network}. Image ${index} is a ${label}; the network answers ${predicted}. Cost C = ${fmt(ex.cost)} (${config.cost}).`,
    "",
    "![the image](image.png)",
    "",
    "## The nudges the cost wants on the outputs (−∂C/∂a⁽ᴸ⁾)",
    "",
    table(["digit", "a", "desired y", "nudge −∂C/∂a", "∂a/∂z", "nudge on z"], last.a.map((a, d) => [d, a, ex.target[d], last.nudge_a[d], last.da_dz[d], last.nudge_z[d]])),
    "",
    "## Each weight's share of the change (last layer)",
    "",
    "The change each weight wants is the previous activation times the desired nudge on z: −∂C/∂wⱼₖ = aₖ⁽ᴸ⁻¹⁾ · (−∂C/∂zⱼ). " +
      "Neurons that fire brightly get the biggest say (\"neurons that fire together wire together\"). The ten largest:",
    "",
    table(["j (digit)", "k (prev neuron)", "a_k", "nudge z_j", "share"], topShares(last, ex.layers[L - 2]?.a ?? ex.input)),
    "",
    "## The wish passed back to the previous layer (−∂C/∂a⁽ᴸ⁻¹⁾ = Σⱼ wⱼₖ · nudge zⱼ)",
    "",
    table(["k", "a_k", "wish"], (ex.layers[L - 2]?.a ?? []).map((a, k) => [k, a, last.wish[k]])),
    "",
    "Passed all the way back, the wish on the 784 pixels (green: more ink wanted, red: less), and every first-layer neuron's weight nudges:",
    "",
    "![pixel wish](pixel-wish.png) ![first-layer weight nudges](layer1-weight-nudges.png)",
    "",
    "## The chain rule for one weight (lesson 4)",
    "",
    table(chainHeader, [chainRow(chain)]),
    "",
    `The product of the three factors equals autograd's ∂C/∂w and the central finite difference (ε = ${chain.epsilon}, float32) to a relative error of ${fmt(chain.relative_error, 2)}.`,
    "",
    "## Lesson 4's toy: one neuron per layer",
    "",
    `Input a⁽⁰⁾ = ${fmt(toy.input)}, desired output y = ${toy.target}, cost C = ½(a⁽³⁾ − y)² = ${fmt(toy.cost)} (nnlab's quadratic cost carries the ½).`,
    "",
    table(["layer", "w", "b", "z", "a", "∂z/∂w = a⁽ˡ⁻¹⁾", "∂a/∂z", "∂C/∂a", "∂C/∂w", "finite diff.", "∂C/∂b", "∂C/∂a⁽ˡ⁻¹⁾"],
      toy.layers.map((t) => [t.layer, t.w, t.b, t.z, t.a, t.chain.dz_dw, t.chain.da_dz, t.chain.dC_da, t.chain.product, t.chain.finite_difference, t.dC_db, t.dC_da_prev])),
    "",
    "result.json carries every number above and, per layer, z, a, ∂a/∂z, the nudges, all weight nudges and the wishes (type `BackpropResult` in src/lab/backprop.ts).",
    "",
  ].join("\n");
  const summary = [
    `image ${index} (a ${label}, answered ${predicted}), cost ${fmt(ex.cost)}`,
    `chain rule for layer ${chain.layer} w[${chain.j}][${chain.k}]: ${fmt(chain.dz_dw)} · ${fmt(chain.da_dz)} · ${fmt(chain.dC_da)} = ${fmt(chain.product)}; finite difference ${fmt(chain.finite_difference)} (relative error ${fmt(chain.relative_error, 2)})`,
  ];
  return { result, summary, report, figures };
}

/** The ten largest |a_k · nudge z_j| of a layer, as table rows. */
function topShares(layer: BackpropLayer, prevA: number[]): (number | string)[][] {
  const all = layer.weight_nudges.flatMap((row, j) => row.map((s, k) => ({ j, k, s })));
  all.sort((p, q) => Math.abs(q.s) - Math.abs(p.s));
  return all.slice(0, 10).map(({ j, k, s }) => [j, k, prevA[k], layer.nudge_z[j], s]);
}

export const backprop: Experiment<BackpropResult> = {
  name: "backprop",
  summary: "Lessons 3–4: the nudges, each weight's share, the wish passed back and the chain rule on one training image",
  takesModel: true,
  flags: [
    { name: "index", valueName: "N", description: "The training image to take apart (default 0)" },
    { name: "weight", valueName: "L,J,K", description: "The weight w[j][k] of layer L (1 = first hidden) for the chain rule (default: the last layer's steepest)" },
  ],
  run: runBackprop,
};
