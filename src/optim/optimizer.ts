// The optimizer base: parameters and per-parameter state keyed by the parameter's path (never by
// position), a learning rate that may be a schedule, and state save/load for checkpoints.

import { NnlabError } from "../core/errors.js";
import { keep, noGrad, tidy } from "../core/engine.js";
import type { TypedArray } from "../core/dtype.js";
import * as ops from "../core/ops.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import type { Schedule } from "./schedule.js";

/** Saved optimizer state: its step count and every state tensor as `path -> name -> values`. */
export interface OptimizerState {
  step: number;
  tensors: Record<string, Record<string, { shape: number[]; data: TypedArray }>>;
}

export abstract class Optimizer {
  /** Number of steps taken. */
  stepCount = 0;
  protected readonly params: Map<string, Tensor>;
  protected readonly state = new Map<string, Record<string, Tensor>>();
  lr: number | Schedule;

  constructor(params: Iterable<[string, Tensor]>, lr: number | Schedule) {
    this.params = new Map(params);
    this.lr = lr;
  }

  /** The learning rate of the next step. */
  currentLr(): number {
    return this.lrAt(this.stepCount);
  }

  /** The learning rate of step `step` (counting from 0), by the schedule. */
  lrAt(step: number): number {
    return typeof this.lr === "number" ? this.lr : this.lr(step);
  }

  /** The new value of one parameter (at `path`) given its gradient; may update `state` (tensors kept by the base). */
  protected abstract update(p: Tensor, g: Tensor, state: Record<string, Tensor>, lr: number, path: string): Tensor;

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    const lr = this.currentLr();
    noGrad(() => {
      for (const [path, p] of this.params) {
        if (!p.grad) continue;
        let state = this.state.get(path);
        if (!state) this.state.set(path, (state = {}));
        const s = state;
        tidy(() => {
          const before = { ...s };
          p.assign(this.update(p, p.grad!, s, lr, path));
          for (const [k, t] of Object.entries(s)) {
            if (before[k] !== t) {
              keep(t);
              before[k]?.dispose();
            }
          }
        });
      }
    });
    this.stepCount++;
  }

  /** Drops every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params.values()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  getState(): OptimizerState {
    const tensors: OptimizerState["tensors"] = {};
    for (const [path, s] of this.state) {
      tensors[path] = {};
      for (const [k, t] of Object.entries(s)) tensors[path][k] = { shape: [...t.shape], data: t.toArray() };
    }
    return { step: this.stepCount, tensors };
  }

  setState(saved: OptimizerState, source = "optimizer state"): void {
    this.stepCount = saved.step;
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
    for (const [path, entries] of Object.entries(saved.tensors)) {
      const p = this.params.get(path);
      if (!p) throw NnlabError.problem({ subject: source, expected: "state for this model's parameters", found: `state for unknown parameter "${path}"` });
      const s: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(entries)) {
        if (!shapesEqual(v.shape, p.shape)) throw NnlabError.problem({ subject: `${source}: ${path}.${k}`, expected: formatShape(p.shape), found: formatShape(v.shape) });
        s[k] = keep(ops.tensor(v.data, v.shape, p.dtype));
      }
      this.state.set(path, s);
    }
  }
}
