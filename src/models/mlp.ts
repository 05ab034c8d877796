// The multilayer perceptron of lessons 1–4: 784 → 16 → 16 → 10 by default. Each layer is one matrix
// multiplication a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾); optional capture exposes z and a of every layer on the
// same code path that trains.

import { NnlabError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { activate, ACTIVATIONS, Linear, type Activation } from "../nn/layers.js";
import { INITS, type Init } from "../nn/init.js";
import { Module } from "../nn/module.js";

// the counting is in its own import-free module, so a web page can count without bundling the engine
export { mlpLayerParameterCounts, mlpParameterCount, type LayerParameterCount } from "./parameter-count.js";

export interface MlpConfig {
  /** Layer widths from input to output, e.g. [784, 16, 16, 10]. */
  sizes: number[];
  /** Activation of the hidden layers. */
  activation: Activation;
  /** Activation of the output layer ("linear" gives logits for cross-entropy). */
  output: Activation;
  init: Init;
}

/** Weighted sums z⁽ˡ⁾ and activations a⁽ˡ⁾ of one forward pass; a[0] is the input. */
export interface MlpCapture {
  z: Tensor[];
  a: Tensor[];
}

/** Checks an MLP config and returns it; throws NnlabError naming the bad field. */
export function validateMlpConfig(c: MlpConfig, source = "model config"): MlpConfig {
  if (!Array.isArray(c.sizes) || c.sizes.length < 2 || c.sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 1_000_000)) {
    throw NnlabError.problem({ subject: `${source}: sizes`, expected: "at least two positive whole numbers (input, …, output)", found: JSON.stringify(c.sizes) });
  }
  for (const key of ["activation", "output"] as const) {
    if (!ACTIVATIONS.includes(c[key])) throw NnlabError.problem({ subject: `${source}: ${key}`, expected: ACTIVATIONS.join(" | "), found: JSON.stringify(c[key]) });
  }
  if (!INITS.includes(c.init)) throw NnlabError.problem({ subject: `${source}: init`, expected: INITS.join(" | "), found: JSON.stringify(c.init) });
  return c;
}

export class MLP extends Module {
  readonly layers: Linear[];
  constructor(readonly config: MlpConfig, rng: Rng) {
    super();
    validateMlpConfig(config);
    const { sizes, init } = config;
    this.layers = sizes.slice(1).map((out, i) => this.addModule(`layers.${i}`, new Linear(sizes[i], out, { rng, init })));
  }

  /** a⁽ᴸ⁾ for a batch x [N, sizes[0]]; fills `capture` with every z and a when given. */
  forward(x: Tensor, capture?: MlpCapture): Tensor {
    let a = x;
    capture?.a.push(a);
    this.layers.forEach((layer, i) => {
      const z = layer.forward(a); // z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, (N, out)
      a = activate(i === this.layers.length - 1 ? this.config.output : this.config.activation, z);
      if (capture) {
        capture.z.push(z);
        capture.a.push(a);
      }
    });
    return a;
  }

  get sizes(): number[] {
    return this.config.sizes;
  }
}
