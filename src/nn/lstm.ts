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
 */
export function lstm(x: Tensor, layers: readonly LstmLayerWeights[], state?: LstmState): { output: Tensor; state: LstmState } {
  if (x.rank !== 3) throw new ShapeError(`lstm: expected x [B, T, in], found ${formatShape(x.shape)}`);
  const [B, T] = x.shape;
  const H = layers[0].weightHh.shape[1];
  for (const [l, w] of layers.entries()) {
    const inSize = l === 0 ? x.shape[2] : H;
    if (w.weightIh.rank !== 2 || w.weightIh.shape[0] !== 4 * H || w.weightIh.shape[1] !== inSize || w.weightHh.rank !== 2 || w.weightHh.shape[0] !== 4 * H || w.weightHh.shape[1] !== H) {
      throw new ShapeError(`lstm: layer ${l} expects weight_ih [${4 * H}, ${inSize}] and weight_hh [${4 * H}, ${H}], found ${formatShape(w.weightIh.shape)} and ${formatShape(w.weightHh.shape)}`);
    }
  }
  const L = layers.length;
  if (state && [state.h, state.c].some((s) => s.rank !== 3 || s.shape[0] !== L || s.shape[1] !== B || s.shape[2] !== H)) {
    throw new ShapeError(`lstm: expected states h and c [${L}, ${B}, ${H}], found ${formatShape(state.h.shape)} and ${formatShape(state.c.shape)}`);
  }
  const layerState = (s: Tensor | undefined, l: number) => (s ? ops.reshape(ops.slice(s, [l, 0, 0], [l + 1, B, H]), [B, H]) : ops.zeros([B, H], x.dtype)); // (B, H)
  let input = x;
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (const [l, w] of layers.entries()) {
    // the input's share of every step's gates in one matrix multiplication, time first to slice steps
    const fromInput = ops.permute(linear(input, w.weightIh, w.biasIh), [1, 0, 2]); // (T, B, 4H)
    let h = layerState(state?.h, l);
    let c = layerState(state?.c, l);
    const outputs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = ops.reshape(ops.slice(fromInput, [t, 0, 0], [t + 1, B, 4 * H]), [B, 4 * H]); // (B, 4H)
      const gates = ops.add(xt, linear(h, w.weightHh, w.biasHh)); // (B, 4H)
      ({ h, c } = lstmCell(gates, c));
      outputs.push(ops.reshape(h, [1, B, H]));
    }
    input = ops.permute(ops.concat(outputs, 0), [1, 0, 2]); // (B, T, H)
    hs.push(ops.reshape(h, [1, B, H]));
    cs.push(ops.reshape(c, [1, B, H]));
  }
  return { output: input, state: { h: ops.concat(hs, 0), c: ops.concat(cs, 0) } }; // h, c (L, B, H)
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
}
