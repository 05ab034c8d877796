// Weight initialisations: Gaussian N(0, 1) as in Nielsen's network.py (the lessons' network), Xavier /
// Glorot, Kaiming / He, and PyTorch's default for Linear.

import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";

export const INITS = ["normal", "xavier", "kaiming", "pytorch"] as const;
export type Init = (typeof INITS)[number];

/**
 * A weight [out, in] drawn by `scheme`:
 * - `normal`: N(0, 1) (Nielsen's chapter 1; large weights saturate sigmoids, which lesson 2's net lives with);
 * - `xavier`: U(±√(6/(in+out))), for sigmoid/tanh;
 * - `kaiming`: N(0, 2/in), for ReLU;
 * - `pytorch`: U(±1/√in), torch.nn.Linear's default.
 */
export function initWeight(scheme: Init, outFeatures: number, inFeatures: number, rng: Rng): Tensor {
  const shape = [outFeatures, inFeatures];
  switch (scheme) {
    case "normal":
      return ops.randn(shape, rng);
    case "xavier": {
      const a = Math.sqrt(6 / (inFeatures + outFeatures));
      return ops.rand(shape, rng, { lo: -a, hi: a });
    }
    case "kaiming":
      return ops.randn(shape, rng, { std: Math.sqrt(2 / inFeatures) });
    case "pytorch": {
      const a = 1 / Math.sqrt(inFeatures);
      return ops.rand(shape, rng, { lo: -a, hi: a });
    }
    default:
      throw NnlabError.problem({ subject: "init", expected: INITS.join(" | "), found: String(scheme) });
  }
}

/** A bias [out]: N(0, 1) for the `normal` scheme (as Nielsen), U(±1/√in) for `pytorch`, zeros otherwise. */
export function initBias(scheme: Init, outFeatures: number, inFeatures: number, rng: Rng): Tensor {
  if (scheme === "normal") return ops.randn([outFeatures], rng);
  if (scheme === "pytorch") {
    const a = 1 / Math.sqrt(inFeatures);
    return ops.rand([outFeatures], rng, { lo: -a, hi: a });
  }
  return ops.zeros([outFeatures]);
}
