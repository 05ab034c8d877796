// Module: a named tree of parameters and sub-modules (PyTorch's nn.Module). Parameter paths such as
// `layers.0.weight` name weights in checkpoints, optimizer state and the web lab.

import { NnlabError } from "../core/errors.js";
import { keep } from "../core/engine.js";
import { formatShape, shapesEqual } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import type { TypedArray } from "../core/dtype.js";
import * as ops from "../core/ops.js";

export abstract class Module {
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  /** Training mode (dropout and friends behave differently in evaluation). */
  training = true;

  /** Registers a parameter: it is kept alive across scopes and receives gradients. */
  protected addParameter(name: string, t: Tensor): Tensor {
    this.params.set(name, keep(t.requireGrad()));
    return t;
  }

  /** Registers a sub-module under `name`. */
  protected addModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Every parameter with its dotted path, in registration order. */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.params) out.push([prefix + name, p]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of scalars in all parameters (the lesson's "13,002 weights and biases"). */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training (true) or evaluation (false) mode, recursively. */
  train(flag = true): this {
    this.training = flag;
    for (const child of this.children.values()) child.train(flag);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** A copy of every parameter's values, by path. */
  stateDict(): Record<string, { shape: number[]; data: TypedArray }> {
    const out: Record<string, { shape: number[]; data: TypedArray }> = {};
    for (const [name, p] of this.namedParameters()) out[name] = { shape: [...p.shape], data: p.toArray() };
    return out;
  }

  /** Loads parameter values by path; every parameter must be present with its exact shape. */
  loadStateDict(state: Record<string, { shape: readonly number[]; data: TypedArray }>, source = "state dict"): void {
    const named = this.namedParameters();
    for (const [name, p] of named) {
      const s = state[name];
      if (!s) throw NnlabError.problem({ subject: source, expected: `a tensor named "${name}"`, found: `only ${Object.keys(state).join(", ") || "nothing"}` });
      if (!shapesEqual(s.shape, p.shape)) {
        throw NnlabError.problem({ subject: `${source}: ${name}`, expected: `shape ${formatShape(p.shape)}`, found: formatShape(s.shape) });
      }
      p.assign(ops.tensor(s.data, s.shape, p.dtype));
    }
    const extra = Object.keys(state).filter((k) => !named.some(([n]) => n === k));
    if (extra.length) throw NnlabError.problem({ subject: source, expected: "only this model's parameters", found: `unexpected ${extra.join(", ")}` });
  }
}
