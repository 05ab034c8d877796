// The Node-free parts of lessons 3–4 that the web lab's worker runs: the matrix form of backpropagation
// against autograd, a mini-batch's gradient as the mean of its examples' gradients, and the toy chain at
// chosen weights.
import { test } from "node:test";
import assert from "node:assert/strict";
import { backpropExample, cosine, gradientOf, matrixForm, toyChainAt } from "../../src/lab/backward-pass.js";
import { MLP } from "../../src/models/mlp.js";
import { makeConfig } from "../../src/train/config.js";
import { Rng } from "../../src/core/rng.js";
import { quickContext } from "./helpers.js";

const config = makeConfig("3b1b", { seed: 3 });

test("matrix form: δ⁽ᴸ⁾ = ∇ₐC ⊙ σ′(z), δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾)ᵀδ⁽ˡ⁺¹⁾ ⊙ σ′(z) and δa⁽ˡ⁻¹⁾ᵀ agree with autograd", async () => {
  const { data } = await quickContext();
  const model = new MLP(config.model, new Rng(3));
  const x = data.train.images.slice(0, 784);
  const ex = backpropExample(model, config, x, data.train.labels[0]);
  const layers = matrixForm(model, ex);
  assert.deepEqual(layers.map((l) => l.layer), [1, 2, 3]);
  assert.deepEqual(layers.map((l) => l.delta.length), [16, 16, 10]);
  const last = layers[2];
  // the quadratic cost's ∇ₐC is a − y
  last.incoming.forEach((g, d) => assert.ok(Math.abs(g - (ex.layers[2].a[d] - ex.target[d])) < 1e-6));
  for (const l of layers) {
    assert.ok(l.delta_error < 1e-6, `layer ${l.layer} δ off by ${l.delta_error}`);
    assert.ok(l.weight_grad_max > 0, `layer ${l.layer} has a gradient`);
    assert.ok(l.weight_grad_error <= 1e-6 * Math.max(1, l.weight_grad_max), `layer ${l.layer} ∂C/∂W off by ${l.weight_grad_error}`);
  }
  // what arrives at layer 2 from layer 3 is the wish layer 3 passes back, with the sign of a gradient
  layers[1].incoming.forEach((g, k) => assert.ok(Math.abs(g + ex.layers[2].wish[k]) < 1e-6));
});

test("a mini-batch's gradient is the mean of its examples' gradients", async () => {
  const { data } = await quickContext();
  const model = new MLP(config.model, new Rng(4));
  const n = 5;
  const x = data.train.images.subarray(0, n * 784);
  const labels = data.train.labels.subarray(0, n);
  const batch = gradientOf(model, config, x, labels, n);
  const mean = new Float64Array(batch.length);
  for (let i = 0; i < n; i++) {
    const g = gradientOf(model, config, x.subarray(i * 784), labels.subarray(i), 1);
    g.forEach((v, j) => (mean[j] += v / n));
  }
  assert.equal(batch.length, model.parameterCount());
  let worst = 0;
  batch.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - mean[j]))));
  assert.ok(worst < 1e-5, `largest difference ${worst}`);
  assert.ok(cosine(batch, mean) > 0.9999);
  assert.ok(cosine(batch, gradientOf(model, config, x, labels, 1)) < 0.9999, "one example's gradient points elsewhere");
  assert.equal(model.parameters().every((p) => p.grad === null), true, "gradients are cleared");
});

test("toy chain at chosen weights: every factor multiplies to the central difference", () => {
  const toy = toyChainAt({ input: 0.6, w: [1.5, -0.8, 2], b: [0.1, 0.3, -0.5] });
  assert.equal(toy.layers.length, 3);
  assert.equal(toy.target, 1);
  const [l1, l2, l3] = toy.layers;
  assert.ok(Math.abs(l1.w - 1.5) < 1e-6 && Math.abs(l3.b + 0.5) < 1e-6);
  assert.ok(Math.abs(l1.z - (1.5 * 0.6 + 0.1)) < 1e-6);
  assert.ok(Math.abs(l2.chain.dz_dw - l1.a) < 1e-7, "∂z⁽²⁾/∂w⁽²⁾ = a⁽¹⁾");
  assert.ok(Math.abs(l3.chain.dC_da - (l3.a - 1)) < 1e-6, "∂C/∂a⁽³⁾ = a⁽³⁾ − y for C = ½(a − y)²");
  assert.ok(Math.abs(toy.cost - 0.5 * (l3.a - 1) ** 2) < 1e-7);
  for (const l of toy.layers) assert.ok(l.chain.relative_error < 1e-2, `layer ${l.layer}: ${l.chain.relative_error}`);
  assert.throws(() => toyChainAt({ input: 0, w: [1, 2], b: [0] }), /as many weights as biases/);
});
