// Long short-term memory (Hochreiter & Schmidhuber 1997), PyTorch's nn.LSTM: per step, gates from the
// input and the previous hidden state, then the cell step (one fused kernel where the backend has it;
// its composite from primitives otherwise, see lstmCell in src/core/fused.ts), so autograd runs through
// the whole unrolled sequence (backpropagation through time).

import { ShapeError } from "../core/errors.js";
import { fused, fusedOps } from "../core/fused.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { formatShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { linear } from "./functional.js";
import { Module } from "./module.js";

/** One layer's weights in PyTorch's layout: weightIh [4H, in], weightHh [4H, H], biases [4H]; gates in the order i, f, g, o. */
export interface LstmLayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** Hidden and cell states of every layer: h, c (L, B, H). */
export interface LstmState {
  h: Tensor;
  c: Tensor;
}

/**
 * One cell step: gate pre-activations (B, 4H) and the cell state c (B, H) → the new h and c (B, H):
 * c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
 */
export function lstmCell(gates: Tensor, c: Tensor): LstmState {
  fusedOps.lstmCell.infer([gates, c], {}); // the shape check, also where the composite runs
  const step = fused("lstmCell", [gates, c], {}); // (2, B, H)
  const [, b, h] = step.shape;
  const half = (k: number) => ops.reshape(ops.slice(step, [k, 0, 0], [k + 1, b, h]), [b, h]);
  return { h: half(0), c: half(1) };
}

/**
 * Runs a stack of LSTM layers over x (B, T, in), batch first, from `state` (zeros when absent): returns
 * the last layer's hidden states at every step, output (B, T, H), and each layer's final state.
 * (Each step's input is a slice of x; when x needs gradients, each slice's gradient is x-sized, so a
 * caller with long sequences passes the steps themselves to {@link lstmSteps}, as CharLSTM does.)
 */
export function lstm(x: Tensor, layers: readonly LstmLayerWeights[], state?: LstmState): { output: Tensor; state: LstmState } {
  if (x.rank !== 3) throw new ShapeError(`lstm: expected x [B, T, in], found ${formatShape(x.shape)}`);
  const [B, T, I] = x.shape;
  const steps = Array.from({ length: T }, (_, t) => ops.reshape(ops.slice(x, [0, t, 0], [B, t + 1, I]), [B, I])); // T × (B, in)
  const r = lstmSteps(steps, layers, state);
  return { output: ops.concat(r.outputs.map((h) => ops.reshape(h, [B, 1, -1])), 1), state: r.state }; // (B, T, H)
}

/**
 * The LSTM over a sequence given step by step, inputs[t] (B, in): the last layer's hidden state at each
 * step (B, H) and each layer's final state h, c (L, B, H). Layer l + 1 reads layer l's steps as they
 * are, so no tensor is sliced T times (its gradient would be summed from T tensors of its full size).
 * With `projected`, inputs[t] is already layer 0's input share of the gates, x_t·W_ihᵀ + b_ih (B, 4H).
 */
export function lstmSteps(
  inputs: readonly Tensor[],
  layers: readonly LstmLayerWeights[],
  state?: LstmState,
  opts: { projected?: boolean } = {},
): { outputs: Tensor[]; state: LstmState } {
  if (inputs.length === 0 || inputs.some((x) => x.rank !== 2 || x.shape[0] !== inputs[0].shape[0] || x.shape[1] !== inputs[0].shape[1])) {
    throw new ShapeError(`lstm: expected one or more steps of one shape [B, in], found ${inputs.map((x) => formatShape(x.shape)).join(", ") || "none"}`);
  }
  const [B, I] = inputs[0].shape;
  const H = layers[0].weightHh.shape[1];
  if (opts.projected && I !== 4 * H) throw new ShapeError(`lstm: expected projected steps [B, ${4 * H}], found [${B}, ${I}]`);
  for (const [l, w] of layers.entries()) {
    const inSize = l === 0 ? (opts.projected ? w.weightIh.shape[1] : I) : H;
    if (w.weightIh.rank !== 2 || w.weightIh.shape[0] !== 4 * H || w.weightIh.shape[1] !== inSize || w.weightHh.rank !== 2 || w.weightHh.shape[0] !== 4 * H || w.weightHh.shape[1] !== H) {
      throw new ShapeError(`lstm: layer ${l} expects weight_ih [${4 * H}, ${inSize}] and weight_hh [${4 * H}, ${H}], found ${formatShape(w.weightIh.shape)} and ${formatShape(w.weightHh.shape)}`);
    }
  }
  const L = layers.length;
  if (state && [state.h, state.c].some((s) => s.rank !== 3 || s.shape[0] !== L || s.shape[1] !== B || s.shape[2] !== H)) {
    throw new ShapeError(`lstm: expected states h and c [${L}, ${B}, ${H}], found ${formatShape(state.h.shape)} and ${formatShape(state.c.shape)}`);
  }
  const layerState = (s: Tensor | undefined, l: number) => (s ? ops.reshape(ops.slice(s, [l, 0, 0], [l + 1, B, H]), [B, H]) : ops.zeros([B, H], inputs[0].dtype)); // (B, H)
  let steps: readonly Tensor[] = inputs;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (const [l, w] of layers.entries()) {
    let h = layerState(state?.h, l);
    let c = layerState(state?.c, l);
    const outputs: Tensor[] = [];
    for (const x of steps) {
      const fromInput = l === 0 && opts.projected ? x : linear(x, w.weightIh, w.biasIh); // (B, 4H)
      const gates = ops.add(fromInput, linear(h, w.weightHh, w.biasHh)); // (B, 4H)
      ({ h, c } = lstmCell(gates, c));
      outputs.push(h);
    }
    steps = outputs;
    hs.push(ops.reshape(h, [1, B, H]));
    cs.push(ops.reshape(c, [1, B, H]));
  }
  return { outputs: [...steps], state: { h: ops.concat(hs, 0), c: ops.concat(cs, 0) } }; // h, c (L, B, H)
}

/**
 * A stack of LSTM layers with PyTorch's parameter names (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
 * `bias_hh_l0`, …) and initialisation U(±1/√H), batch first: forward(x (B, T, in)) → output (B, T, H).
 */
export class LSTM extends Module {
  readonly layers: LstmLayerWeights[] = [];
  constructor(readonly inputSize: number, readonly hiddenSize: number, opts: { rng: Rng; numLayers?: number }) {
    super();
    const a = 1 / Math.sqrt(hiddenSize);
    const uniform = (shape: number[]) => ops.rand(shape, opts.rng, { lo: -a, hi: a });
    for (let l = 0; l < (opts.numLayers ?? 1); l++) {
      this.layers.push({
        weightIh: this.addParameter(`weight_ih_l${l}`, uniform([4 * hiddenSize, l === 0 ? inputSize : hiddenSize])),
        weightHh: this.addParameter(`weight_hh_l${l}`, uniform([4 * hiddenSize, hiddenSize])),
        biasIh: this.addParameter(`bias_ih_l${l}`, uniform([4 * hiddenSize])),
        biasHh: this.addParameter(`bias_hh_l${l}`, uniform([4 * hiddenSize])),
      });
    }
  }

  forward(x: Tensor, state?: LstmState): { output: Tensor; state: LstmState } {
    return lstm(x, this.layers, state);
  }

  /** The sequence step by step: inputs[t] (B, in) → the last layer's h at each step (B, H), and the final state. */
  forwardSteps(inputs: readonly Tensor[], state?: LstmState, opts: { projected?: boolean } = {}): { outputs: Tensor[]; state: LstmState } {
    return lstmSteps(inputs, this.layers, state, opts);
  }
}
