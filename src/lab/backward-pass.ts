// The backward pass of one example taken apart, for lessons 3 and 4: the nudges the cost wants, each
// weight's share, the wishes passed back, the chain rule of one weight against a finite difference, the
// matrix form δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ σ′(z⁽ˡ⁾) against autograd, lesson 4's one-neuron chain, and mini-batch
// gradients. Node-free: `nnlab lab backprop` and the web lab's worker both use it. Every number comes
// from the engine's capture (z, a) and autograd (.grad).

import { noGrad, tidy } from "../core/engine.js";
import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { MLP, type MlpCapture } from "../models/mlp.js";
import { activate, type Activation } from "../nn/layers.js";
import { makeConfig, type MnistTrainConfig } from "../train/config.js";
import { costOf } from "../train/trainer.js";

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

const rowsOf = (t: Float32Array | number[], cols: number): number[][] => Array.from({ length: t.length / cols }, (_, r) => Array.from(t.slice(r * cols, (r + 1) * cols)));
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
        weights: rowsOf(w, nIn),
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
  clearGrads(model);
  return result;
}

/** Drops the gradients a backward pass left on the model's parameters. */
function clearGrads(model: MLP): void {
  for (const p of model.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
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

/** The free numbers of lesson 4's toy chain: the input a⁽⁰⁾ and each layer's one weight and bias. */
export interface ToyParams {
  input: number;
  w: number[];
  b: number[];
}

/** The toy's desired output: label 0 of a one-class net, so its one-hot target is y = 1. */
export const TOY_TARGET = 1;

/** The toy's training config: the 3b1b net's cost and activations, one sigmoid neuron per layer. */
export function toyConfig(layers: number): MnistTrainConfig {
  return { ...makeConfig("3b1b", { seed: 0 }), model: { sizes: Array.from({ length: layers + 1 }, () => 1), activation: "sigmoid", output: "sigmoid", init: "normal" } };
}

/**
 * Lesson 4's chain a⁽⁰⁾ → a⁽¹⁾ → … → a⁽ᴸ⁾ with one sigmoid neuron per layer, at the given weights and
 * biases, run through the same MLP code as the digit net; every layer's weight gets its chain-rule check.
 */
export function toyChainAt(params: ToyParams, epsilon = 1e-3): ToyChain {
  const { input, w, b } = params;
  if (w.length < 1 || w.length !== b.length) throw new NnlabError(`toy chain: expected as many weights as biases (at least one), found ${w.length} weights and ${b.length} biases`);
  const config = toyConfig(w.length);
  const model = new MLP(config.model, new Rng(0));
  const state: Record<string, { shape: number[]; data: Float32Array }> = {};
  w.forEach((wl, i) => {
    state[`layers.${i}.weight`] = { shape: [1, 1], data: Float32Array.of(wl) };
    state[`layers.${i}.bias`] = { shape: [1], data: Float32Array.of(b[i]) };
  });
  model.loadStateDict(state, "toy chain");
  const x = Float32Array.of(input);
  const ex = backpropExample(model, config, x, 0);
  return {
    input: x[0],
    target: TOY_TARGET,
    cost: ex.cost,
    layers: ex.layers.map((L, i) => ({
      layer: i + 1, w: L.weights[0][0], b: L.biases[0], z: L.z[0], a: L.a[0],
      dC_db: -L.bias_nudges[0], dC_da_prev: -L.wish[0],
      chain: chainRule(model, config, x, 0, ex, i + 1, 0, 0, epsilon),
    })),
  };
}

/** The weight of `layer` whose |∂C/∂w| is largest. */
export function steepestWeight(ex: ExampleBackprop, layer: number): { j: number; k: number } {
  let best = { j: 0, k: 0, g: -1 };
  ex.layers[layer - 1].weight_nudges.forEach((row, j) => row.forEach((g, k) => { if (Math.abs(g) > best.g) best = { j, k, g: Math.abs(g) }; }));
  return { j: best.j, k: best.k };
}

/** One layer of backpropagation's matrix form for one example (column vectors, layer sizes nₗ). */
export interface MatrixLayer {
  layer: number;
  /** What arrives from above, ∂C/∂a⁽ˡ⁾: ∇ₐC for the last layer, (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ below it. */
  incoming: number[];
  /** σ′(z⁽ˡ⁾) */
  da_dz: number[];
  /** δ⁽ˡ⁾ = incoming ⊙ σ′(z⁽ˡ⁾), which should be ∂C/∂z⁽ˡ⁾. */
  delta: number[];
  /** max |δ⁽ˡ⁾ − autograd's ∂C/∂z⁽ˡ⁾| */
  delta_error: number;
  /** max |δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ − autograd's ∂C/∂W⁽ˡ⁾|, and the largest |∂C/∂W⁽ˡ⁾| for scale. */
  weight_grad_error: number;
  weight_grad_max: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Backpropagation as matrices (lesson 4's closing formulas), run with engine ops on an example's forward
 * values: δ⁽ᴸ⁾ = ∇ₐC ⊙ σ′(z⁽ᴸ⁾), δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ σ′(z⁽ˡ⁾), ∂C/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ, each checked
 * against autograd's gradients in `ex`. ∇ₐC is autograd's gradient on the outputs (a − y for the
 * quadratic cost ½‖a − y‖²).
 */
export function matrixForm(model: MLP, ex: ExampleBackprop): MatrixLayer[] {
  const column = (v: number[]) => ops.tensor(Float32Array.from(v), [v.length, 1]);
  const negated = (v: number[]) => v.map((g) => -g);
  return tidy(() => {
    const out: MatrixLayer[] = [];
    const L = ex.layers.length;
    let incoming = column(negated(ex.layers[L - 1].nudge_a)); // ∇ₐC, (n_L, 1)
    for (let l = L; l >= 1; l--) {
      const layer = ex.layers[l - 1];
      const delta = incoming.mul(column(layer.da_dz)); // (nₗ, 1)
      const prev = column(l === 1 ? ex.input : ex.layers[l - 2].a); // a⁽ˡ⁻¹⁾, (nₗ₋₁, 1)
      const dW = delta.matmul(prev, { transB: true }).toArray(); // δa⁽ˡ⁻¹⁾ᵀ, (nₗ, nₗ₋₁)
      const autogradW = layer.weight_nudges.flat().map((g) => -g);
      const d = Array.from(delta.toArray());
      out.push({
        layer: l,
        incoming: Array.from(incoming.toArray()),
        da_dz: layer.da_dz,
        delta: d,
        delta_error: maxAbsDiff(d, negated(layer.nudge_z)),
        weight_grad_error: maxAbsDiff(dW, autogradW),
        weight_grad_max: autogradW.reduce((m, g) => Math.max(m, Math.abs(g)), 0),
      });
      incoming = model.layers[l - 1].weight.matmul(delta, { transA: true }); // (W⁽ˡ⁾)ᵀδ⁽ˡ⁾, (nₗ₋₁, 1)
    }
    return out.reverse();
  });
}

/**
 * ∇C of the mean cost over `n` examples (x [n·features], their labels), by autograd: every parameter's
 * gradient in the order of `model.parameters()` (W⁽¹⁾ row by row first), flattened into one vector.
 */
export function gradientOf(model: MLP, config: MnistTrainConfig, x: Float32Array, labels: ArrayLike<number>, n: number): Float32Array {
  const params = model.parameters();
  const flat = new Float32Array(params.reduce((s, p) => s + p.size, 0));
  const features = model.sizes[0];
  tidy(() => {
    const out = model.forward(ops.tensor(x.subarray(0, n * features), [n, features]));
    costOf(config, out, ops.tensor(Int32Array.from({ length: n }, (_, i) => labels[i]), [n], "int32")).backward();
    let at = 0;
    for (const p of params) {
      flat.set(p.grad!.toArray(), at);
      at += p.size;
    }
  });
  clearGrads(model);
  return flat;
}

/** Cosine of the angle between two vectors (0 when either is zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
