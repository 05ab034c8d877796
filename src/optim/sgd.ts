// Stochastic gradient descent (lesson 2's "step downhill"), optionally with momentum and L2 weight decay.

import * as ops from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import { Optimizer } from "./optimizer.js";
import type { Schedule } from "./schedule.js";

export interface SgdOptions {
  lr: number | Schedule;
  /** Heavy-ball momentum μ: v ← μv + g; p ← p − lr·v (PyTorch's convention). */
  momentum?: number;
  /** L2 penalty λ added to the gradient: g ← g + λp. */
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  constructor(params: Iterable<[string, Tensor]>, opts: SgdOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  protected update(p: Tensor, g: Tensor, state: Record<string, Tensor>, lr: number): Tensor {
    let d = this.weightDecay ? ops.add(g, ops.mul(p, this.weightDecay)) : g;
    if (this.momentum) {
      d = state.velocity ? ops.add(ops.mul(state.velocity, this.momentum), d) : ops.mul(d, 1);
      state.velocity = d;
    }
    return ops.sub(p, ops.mul(d, lr));
  }
}
