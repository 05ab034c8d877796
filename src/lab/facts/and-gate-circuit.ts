// Lesson 7's one-neuron picture of a fact in an MLP: a row of W↑ asks "is this Michael AND Jordan?"
// (directions Michael + Jordan, bias −1, ReLU), a column of W↓ writes "basketball" into the residual
// stream. Built by hand, checked on every combination of the named directions, and learned from examples
// by gradient descent. Node-free (engine ops only): the web lab runs it too.

import { keep, tidy } from "../../core/engine.js";
import * as ops from "../../core/ops.js";
import type { Rng } from "../../core/rng.js";
import { AdamW } from "../../optim/adam.js";

/** The named directions of the residual space: the fact's subject, its attribute, and distractors. */
export const NAMED = ["Michael", "Jordan", "basketball", "Phelps", "Barack"] as const;
export type Named = (typeof NAMED)[number];

/** A residual space of `d` dimensions with a unit vector per name (orthonormal to each other). */
export interface ResidualSpace {
  readonly d: number;
  readonly directions: Readonly<Record<Named, Float32Array>>;
}

/** One MLP neuron: its row of W↑ (`up`), its bias, and its column of W↓ (`down`), each `d` long. */
export interface Neuron {
  readonly up: Float32Array;
  readonly bias: number;
  readonly down: Float32Array;
}

/** The AND the neuron should compute: write basketball only when both Michael and Jordan are present. */
export function shouldWriteBasketball(present: readonly Named[]): boolean {
  return present.includes("Michael") && present.includes("Jordan");
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Random orthonormal directions for the names (Gram–Schmidt on Gaussian vectors) in `d` ≥ 5 dimensions. */
export function residualSpace(d: number, rng: Rng): ResidualSpace {
  const made: Float32Array[] = [];
  for (let k = 0; k < NAMED.length; k++) {
    const v = Float32Array.from({ length: d }, () => rng.normal());
    for (const u of made) {
      const c = dot(u, v);
      for (let i = 0; i < d; i++) v[i] -= c * u[i];
    }
    const norm = Math.sqrt(dot(v, v));
    for (let i = 0; i < d; i++) v[i] /= norm;
    made.push(v);
  }
  return { d, directions: Object.fromEntries(NAMED.map((name, k) => [name, made[k]])) as Record<Named, Float32Array> };
}

/** The residual vector holding the given names: the sum of their directions. */
export function residualOf(space: ResidualSpace, present: readonly Named[]): Float32Array {
  const x = new Float32Array(space.d);
  for (const name of present) for (let i = 0; i < space.d; i++) x[i] += space.directions[name][i];
  return x;
}

/**
 * A neuron whose row reads Michael with weight `michael` and Jordan with weight `jordan`, with `bias`,
 * and whose column writes basketball: the lesson's neuron is (1, 1, −1). The web lab's sliders set these.
 */
export function andGateNeuron(space: ResidualSpace, weights: { michael: number; jordan: number; bias: number }): Neuron {
  const { Michael, Jordan, basketball } = space.directions;
  return { up: Float32Array.from(Michael, (v, i) => weights.michael * v + weights.jordan * Jordan[i]), bias: weights.bias, down: Float32Array.from(basketball) };
}

/** The lesson's neuron: row = Michael + Jordan, bias −1, column = basketball. */
export function handBuiltNeuron(space: ResidualSpace): Neuron {
  return andGateNeuron(space, { michael: 1, jordan: 1, bias: -1 });
}

/** The neuron's nonlinearity: the lesson's ReLU, or GPT-2's GELU, which the lesson says works as well. */
export type GateActivation = "relu" | "gelu";

/** ReLU(z), or GELU(z) in GPT-2's tanh form ½z(1 + tanh(√(2/π)(z + 0.044715z³))), as Tensor.gelu("tanh"). */
export function activate(z: number, activation: GateActivation = "relu"): number {
  if (activation === "relu") return Math.max(0, z);
  return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
}

/**
 * The neuron on residual vector x: its pre-activation z = row·x + bias, its activation (ReLU by
 * default), and how much its output (activation × column) points along basketball.
 */
export function fire(neuron: Neuron, space: ResidualSpace, x: Float32Array, activation: GateActivation = "relu"): { z: number; neuron: number; basketballScore: number } {
  const z = dot(neuron.up, x) + neuron.bias;
  const a = activate(z, activation);
  return { z, neuron: a, basketballScore: a * dot(neuron.down, space.directions.basketball) };
}

/** The components of a vector along each named direction (what a picture of the residual stream shows). */
export function alongNamed(space: ResidualSpace, v: ArrayLike<number>): Record<Named, number> {
  return Object.fromEntries(NAMED.map((name) => [name, dot(v, space.directions[name])])) as Record<Named, number>;
}

/** One row of the truth table. */
export interface TruthRow {
  /** The names present in the residual vector. */
  inputs: Named[];
  /** The neuron's activation. */
  neuron: number;
  /** The MLP output's component along the basketball direction. */
  basketball_score: number;
  /** Should basketball be written (Michael AND Jordan)? */
  expected: boolean;
  /** Whether the score says what was expected: above 0.5 exactly when expected. */
  correct: boolean;
}

/** Where a basketball score counts as "written": half of the hand-built neuron's score for Michael Jordan. */
export const WRITTEN_ABOVE = 0.5;

/** Every subset of the named directions (2⁵ = 32 rows), in binary order, through the neuron. */
export function truthTable(neuron: Neuron, space: ResidualSpace): TruthRow[] {
  const rows: TruthRow[] = [];
  for (let mask = 0; mask < 1 << NAMED.length; mask++) {
    const inputs = NAMED.filter((_, k) => mask & (1 << k));
    const { neuron: a, basketballScore } = fire(neuron, space, residualOf(space, inputs));
    const expected = shouldWriteBasketball(inputs);
    rows.push({ inputs, neuron: a, basketball_score: basketballScore, expected, correct: basketballScore > WRITTEN_ABOVE === expected });
  }
  return rows;
}

/** Settings of {@link learnNeuron}. */
export interface LearnOptions {
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  /** AdamW's decoupled weight decay: prefers the smallest weights that do the job. */
  readonly weightDecay: number;
  /** Standard deviation of the Gaussian noise added to each coordinate of an example (other features). */
  readonly noise: number;
  readonly rng: Rng;
  onStep?(step: number, loss: number): void;
}

/**
 * Learns one neuron from examples: each example holds each name with probability ½ plus noise, and the
 * target output is the basketball direction when Michael and Jordan are both present, else zero. Loss:
 * squared error of the neuron's output vector ReLU(row·x + bias) × column.
 */
export function learnNeuron(space: ResidualSpace, opts: LearnOptions): Neuron {
  const { d } = space;
  const up = keep(ops.tensor(Float32Array.from({ length: d }, () => opts.rng.normal(0, 1 / Math.sqrt(d))), [d, 1])).requireGrad();
  const bias = keep(ops.full([1], 0.1)).requireGrad(); // a small positive start keeps the neuron alive
  // the column starts at zero: a random one would only add error, and the quickest fix for that is
  // silencing the neuron for good (a dead ReLU)
  const down = keep(ops.zeros([1, d])).requireGrad();
  const optimizer = new AdamW([["up", up], ["bias", bias], ["down", down]], { lr: opts.lr, weightDecay: opts.weightDecay });
  try {
    for (let step = 0; step < opts.steps; step++) {
      const x = new Float32Array(opts.batch * d);
      const y = new Float32Array(opts.batch * d);
      for (let e = 0; e < opts.batch; e++) {
        const present = NAMED.filter(() => opts.rng.random() < 0.5);
        const r = residualOf(space, present);
        for (let i = 0; i < d; i++) x[e * d + i] = r[i] + opts.rng.normal(0, opts.noise);
        if (shouldWriteBasketball(present)) y.set(space.directions.basketball, e * d);
      }
      const loss = tidy(() => {
        const a = ops.tensor(x, [opts.batch, d]).matmul(up).add(bias).relu(); // (B, 1)
        const err = a.matmul(down).sub(ops.tensor(y, [opts.batch, d])); // (B, d)
        const l = err.mul(err).sum().div(opts.batch);
        l.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return l.item();
      });
      opts.onStep?.(step, loss);
    }
    return { up: up.toArray() as Float32Array, bias: bias.item(), down: down.toArray() as Float32Array };
  } finally {
    for (const t of [up, bias, down]) t.dispose();
    optimizer.setState({ step: 0, tensors: {} }); // releases AdamW's moment tensors
  }
}

/** How a neuron reads and writes the named directions: its row's and column's component along each. */
export interface NeuronReadout {
  /** row·direction for each name (the hand-built neuron: 1 for Michael and Jordan, 0 for the rest). */
  row: Record<Named, number>;
  bias: number;
  /** column·direction for each name (the hand-built neuron: 1 for basketball, 0 for the rest). */
  column: Record<Named, number>;
  /** Share of the row's and the column's squared length that lies in the named directions' span. */
  row_in_span: number;
  column_in_span: number;
}

/**
 * The neuron's row and column along each named direction, after moving a common scale between them
 * (ReLU(c·z)·v/c is the same function for c > 0) so that column·basketball is 1 when it is positive, as
 * in the hand-built neuron: the numbers are then comparable with the lesson's 1, 1, −1 and 1.
 */
export function readNeuron(neuron: Neuron, space: ResidualSpace): NeuronReadout {
  const along = (v: Float32Array) => alongNamed(space, v);
  const rawColumn = along(neuron.down);
  const c = rawColumn.basketball > 0 ? rawColumn.basketball : 1; // activation × c, column ÷ c
  const row = along(neuron.up);
  const inSpan = (v: Float32Array, parts: Record<Named, number>) => NAMED.reduce((s, name) => s + parts[name] ** 2, 0) / Math.max(dot(v, v), 1e-30);
  return {
    row: Object.fromEntries(NAMED.map((name) => [name, row[name] * c])) as Record<Named, number>,
    bias: neuron.bias * c,
    column: Object.fromEntries(NAMED.map((name) => [name, rawColumn[name] / c])) as Record<Named, number>,
    row_in_span: inSpan(neuron.up, row),
    column_in_span: inSpan(neuron.down, rawColumn),
  };
}

/** Cosine similarity of two vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot(a, b) / Math.sqrt(Math.max(dot(a, a) * dot(b, b), 1e-30));
}
