// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019: decoupled weight decay).

import { keep } from "../core/engine.js";
import * as ops from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import { Optimizer } from "./optimizer.js";
import type { Schedule } from "./schedule.js";

export interface AdamOptions {
  lr: number | Schedule;
  betas?: [number, number];
  eps?: number;
  /** Weight decay λ: added to the gradient (Adam) or applied as p ← p − lr·λ·p (AdamW). */
  weightDecay?: number;
  /**
   * Which parameters weight decay applies to (default: all). GPTs decay only matrices:
   * `decays: (_path, p) => p.rank >= 2` (nanoGPT's two parameter groups).
   */
  decays?: (path: string, p: Tensor) => boolean;
}

export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  private readonly decays: (path: string, p: Tensor) => boolean;

  constructor(params: Iterable<[string, Tensor]>, opts: AdamOptions) {
    super(params, opts.lr);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    this.decays = opts.decays ?? (() => true);
  }

  /** Whether this optimizer decouples weight decay from the gradient (AdamW). */
  get isDecoupled(): boolean {
    return this.decoupled;
  }

  /** The weight decay λ this optimizer applies to the parameter at `path` (0: none). */
  decayOf(path: string): number {
    const p = this.params.get(path);
    return p && this.weightDecay && this.decays(path, p) ? this.weightDecay : 0;
  }

  /**
   * The moments m and v of the parameter at `path`, made (zeros) where no step has made them yet: for
   * a fused training step that updates them in place (src/train/fused-step.ts).
   */
  moments(path: string): { m: Tensor; v: Tensor } {
    const p = this.params.get(path);
    if (!p) throw new Error(`Adam.moments: no parameter "${path}"`);
    let state = this.state.get(path);
    if (!state) this.state.set(path, (state = {}));
    state.m ??= keep(ops.zerosLike(p));
    state.v ??= keep(ops.zerosLike(p));
    return { m: state.m, v: state.v };
  }

  protected update(p: Tensor, g: Tensor, state: Record<string, Tensor>, lr: number, path: string): Tensor {
    const decay = this.decayOf(path);
    if (this.updateInPlace(p, g, state, lr, decay)) return p;
    const t = this.stepCount + 1;
    let grad = g;
    let param = p;
    if (decay && !this.decoupled) grad = ops.add(g, ops.mul(p, decay));
    if (decay && this.decoupled) param = ops.mul(p, 1 - lr * decay);
    // m ← β₁m + (1−β₁)g ;  v ← β₂v + (1−β₂)g²
    const m = state.m ? ops.add(ops.mul(state.m, this.beta1), ops.mul(grad, 1 - this.beta1)) : ops.mul(grad, 1 - this.beta1);
    const g2 = ops.mul(grad, grad);
    const v = state.v ? ops.add(ops.mul(state.v, this.beta2), ops.mul(g2, 1 - this.beta2)) : ops.mul(g2, 1 - this.beta2);
    state.m = m;
    state.v = v;
    // p ← p − lr · m̂ / (√v̂ + ε), with bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
    const mHat = ops.div(m, 1 - this.beta1 ** t);
    const vHat = ops.div(v, 1 - this.beta2 ** t);
    return ops.sub(param, ops.mul(ops.div(mHat, ops.add(ops.sqrt(vHat), this.eps)), lr));
  }

  /**
   * The same update as one backend kernel, in place (Backend.adamStep), where the backend has one and
   * no other tensor shares the buffers of p, m or v; false when the composite above must run.
   */
  private updateInPlace(p: Tensor, g: Tensor, state: Record<string, Tensor>, lr: number, weightDecay: number): boolean {
    const backend = p.backend;
    if (!backend.adamStep || p.dtype !== "float32" || g.dtype !== "float32" || g.backend !== backend || p.data.refs !== 1) return false;
    if ((state.m && state.m.data.refs !== 1) || (state.v && state.v.data.refs !== 1)) return false;
    state.m ??= ops.zerosLike(p);
    state.v ??= ops.zerosLike(p);
    const arg = (x: Tensor) => ({ storage: x.data.storage, shape: x.shape, dtype: x.dtype });
    backend.adamStep({
      param: arg(p), grad: arg(g), m: arg(state.m), v: arg(state.v),
      lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay, decoupled: this.decoupled, t: this.stepCount + 1,
    });
    return true;
  }
}

export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: Iterable<[string, Tensor]>, opts: AdamOptions) {
    super(params, { weightDecay: 0.01, ...opts });
  }
}
