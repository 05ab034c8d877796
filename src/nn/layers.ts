// Layers: Linear, Embedding, LayerNorm and the activation functions as named choices.

import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import * as F from "./functional.js";
import { initBias, initWeight, type Init } from "./init.js";
import { Module } from "./module.js";

/** y = x·Wᵀ + b with W [out, in] (row j holds neuron j's incoming weights, as lesson 1 draws them). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: { rng: Rng; init?: Init; bias?: boolean }) {
    super();
    const init = opts.init ?? "pytorch";
    this.weight = this.addParameter("weight", initWeight(init, outFeatures, inFeatures, opts.rng));
    this.bias = opts.bias === false ? null : this.addParameter("bias", initBias(init, outFeatures, inFeatures, opts.rng));
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

/** A table of `count` learned vectors of width `dim` (lesson 5's W_E). */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(count: number, dim: number, opts: { rng: Rng; std?: number }) {
    super();
    this.weight = this.addParameter("weight", ops.randn([count, dim], opts.rng, { std: opts.std ?? 1 }));
  }
  forward(ids: Tensor): Tensor {
    return F.embedding(this.weight, ids);
  }
}

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(dim: number, readonly eps = 1e-5) {
    super();
    this.weight = this.addParameter("weight", ops.ones([dim]));
    this.bias = this.addParameter("bias", ops.zeros([dim]));
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export const ACTIVATIONS = ["sigmoid", "relu", "tanh", "gelu", "linear"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Applies a named activation ("linear" = identity). */
export function activate(name: Activation, z: Tensor): Tensor {
  switch (name) {
    case "sigmoid":
      return z.sigmoid();
    case "relu":
      return z.relu();
    case "tanh":
      return z.tanh();
    case "gelu":
      return z.gelu("tanh");
    case "linear":
      return z;
    default:
      throw NnlabError.problem({ subject: "activation", expected: ACTIVATIONS.join(" | "), found: String(name) });
  }
}
