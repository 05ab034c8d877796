// A character-level LSTM language model (Karpathy's char-rnn): an embedding of each token, a stack of
// LSTM layers, and a linear read-out to the next token's logits. Trained by the same loop as the GPT
// (src/train/gpt-trainer.ts) on the same text and tokenizer, for `nnlab lab lstm-vs-gpt`.

import { keep, noGrad, tidy } from "../core/engine.js";
import { NnlabError, ShapeError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { formatShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { linear } from "../nn/functional.js";
import { Embedding, Linear } from "../nn/layers.js";
import { LSTM, type LstmState } from "../nn/lstm.js";
import { Module } from "../nn/module.js";
import { sampleNext, validateSampling, type SamplingOptions } from "./gpt/sampling.js";

/** The shape of a char LSTM. */
export interface CharLstmConfig {
  vocabSize: number;
  /** Width of the token embedding (the LSTM's input). */
  nEmbd: number;
  /** Hidden units per LSTM layer (H). */
  hidden: number;
  /** Stacked LSTM layers. */
  layers: number;
}

/** Parameters of a char LSTM: embedding V·E, each layer 4H(in + H + 2), read-out H·V + V. */
export function charLstmParameterCount(c: CharLstmConfig): number {
  let n = c.vocabSize * c.nEmbd + c.hidden * c.vocabSize + c.vocabSize;
  for (let l = 0; l < c.layers; l++) n += 4 * c.hidden * ((l === 0 ? c.nEmbd : c.hidden) + c.hidden + 2);
  return n;
}

/** ids (B, T) → logits (B, T, V); the state carries over between calls when sampling. */
export class CharLSTM extends Module {
  readonly wte: Embedding;
  readonly lstm: LSTM;
  readonly lm_head: Linear;

  constructor(readonly config: CharLstmConfig, rng: Rng) {
    super();
    for (const [k, v] of Object.entries(config)) {
      if (!Number.isInteger(v) || v < 1) throw NnlabError.problem({ subject: `char LSTM ${k}`, expected: "a whole number >= 1", found: String(v) });
    }
    this.wte = this.addModule("wte", new Embedding(config.vocabSize, config.nEmbd, { rng, std: 0.1 }));
    this.lstm = this.addModule("lstm", new LSTM(config.nEmbd, config.hidden, { rng, numLayers: config.layers }));
    this.lm_head = this.addModule("lm_head", new Linear(config.hidden, config.vocabSize, { rng }));
  }

  /** Logits (B, T, V) for int32 ids (B, T), from a zero state (each training window starts afresh). */
  forward(ids: Tensor): Tensor {
    return this.step(ids).logits;
  }

  /** Logits (B, T, V) and the state after the last token, from `state` (zeros when absent). */
  step(ids: Tensor, state?: LstmState): { logits: Tensor; state: LstmState } {
    if (ids.rank !== 2 || ids.dtype !== "int32") throw new ShapeError(`CharLSTM: expected int32 token ids (B, T), found ${formatShape(ids.shape)} ${ids.dtype}`);
    const [B, T] = ids.shape;
    // an embedding followed by the first layer's input weights is one table, (W_E·W_ihᵀ + b_ih) (V, 4H):
    // each step looks up its rows, so the gradients of the steps are table-sized, not sequence-sized,
    // and W_ih gets its gradient from one matrix product
    const first = this.lstm.layers[0];
    const table = linear(this.wte.weight, first.weightIh, first.biasIh); // (V, 4H)
    const columns = ids.toArray();
    const steps = Array.from({ length: T }, (_, t) => {
      const column = Int32Array.from({ length: B }, (_, b) => columns[b * T + t]);
      return ops.gather(table, ops.tensor(column, [B], "int32")); // (B, 4H)
    });
    const { outputs, state: next } = this.lstm.forwardSteps(steps, state, { projected: true }); // T × (B, H)
    const output = ops.concat(outputs.map((h) => ops.reshape(h, [B, 1, -1])), 1); // (B, T, H)
    return { logits: this.lm_head.forward(output), state: next }; // (B, T, V)
  }
}

/**
 * Continues `prompt` (at least one token) by `count` tokens drawn from the model's predictions, the
 * state carried from token to token (no context limit). Evaluation mode, no gradients.
 */
export function generateLstm(model: CharLSTM, prompt: readonly number[], count: number, opts: SamplingOptions & { rng: Rng }): number[] {
  validateSampling(opts);
  if (prompt.length === 0) throw NnlabError.problem({ subject: "prompt", expected: "at least one token", found: "an empty prompt" });
  const out: number[] = [];
  noGrad(() => {
    let state: LstmState | undefined;
    let pending = [...prompt];
    for (let i = 0; i < count; i++) {
      const logits = tidy(() => {
        const r = model.step(ops.tensor(Int32Array.from(pending), [1, pending.length], "int32"), state);
        const [, T, V] = r.logits.shape;
        const previous = state;
        state = { h: keep(r.state.h), c: keep(r.state.c) };
        if (previous) [previous.h, previous.c].forEach((t) => t.dispose());
        return ops.reshape(ops.slice(r.logits, [0, T - 1, 0], [1, T, V]), [V]).toArray();
      });
      const { id } = sampleNext(logits, opts, opts.rng);
      out.push(id);
      pending = [id];
    }
    if (state) [state.h, state.c].forEach((t) => t.dispose());
  });
  return out;
}
