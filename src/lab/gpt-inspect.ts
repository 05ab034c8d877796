// Looking inside a GPT (lessons 5–6), every number from the model's own forward pass with a GptCapture:
// the attention pattern of each head, and the logit lens (the residual stream after every block
// unembedded by the model's own ln_f and W_U into its top tokens).

import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import { GptCapture, type GPT } from "../models/gpt/model.js";

/** Attention patterns of every head for one token sequence. */
export interface AttentionPatterns {
  tokens: number[];
  causal: boolean;
  scale: boolean;
  /** patterns[l][h] is head h of block l: a T × T row-major matrix, row t = how much token t attends to each token. */
  patterns: Float32Array[][];
}

function idsTensor(ids: readonly number[]) {
  return ops.tensor(Int32Array.from(ids), [1, ids.length], "int32"); // (1, T)
}

/**
 * The attention pattern softmax(q·kᵀ/√d_k + mask) of every head of every block, as the forward pass
 * computes it. `causal: false` drops the mask, `scale: false` the 1/√d_k (lesson 6's "what if").
 */
export function attentionPatterns(model: GPT, ids: readonly number[], options: { causal?: boolean; scale?: boolean } = {}): AttentionPatterns {
  const causal = options.causal ?? true;
  const scale = options.scale ?? true;
  const T = ids.length;
  const nh = model.config.nHead;
  const patterns = tidy(() =>
    noGrad(() => {
      const capture = new GptCapture(["attention"]);
      model.forward(idsTensor(ids), { capture, causal, scale });
      return capture.attention.map((a) => {
        const data = a.toArray() as Float32Array; // (1, nh, T, T)
        return Array.from({ length: nh }, (_, h) => data.slice(h * T * T, (h + 1) * T * T));
      });
    }),
  );
  return { tokens: [...ids], causal, scale, patterns };
}

/** A token and its probability under the lens at one position. */
export interface LensToken {
  id: number;
  logit: number;
  prob: number;
}

/** The logit lens of one residual-stream snapshot: per position, its top tokens. */
export interface LensLayer {
  /** "embeddings" (before block 0) or "block L" (after block L). */
  name: string;
  /** top[t] = the top-k tokens at position t, most probable first. */
  top: LensToken[][];
}

/** The top `k` of one row of logits, with softmax probabilities over the whole row. */
export function topOfLogits(row: Float32Array, k: number): LensToken[] {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const ids = Array.from(row.keys()).sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
  return ids.map((id) => ({ id, logit: row[id], prob: Math.exp(row[id] - max) / sum }));
}

/**
 * The logit lens: the residual stream after the embeddings and after every block, unembedded with the
 * model's own `unembed` (ln_f then W_U), as if the model stopped there. The last layer is the model's
 * output. Also returns the final logits of the forward pass itself.
 */
export function logitLens(model: GPT, ids: readonly number[], k = 5): { layers: LensLayer[]; logits: Float32Array } {
  const T = ids.length;
  const V = model.config.vocabSize;
  return tidy(() =>
    noGrad(() => {
      const capture = new GptCapture(["embeddings", "residual"]);
      const logits = model.forward(idsTensor(ids), { capture }).toArray() as Float32Array; // (1, T, V)
      const snapshots = [capture.embeddings!, ...capture.residual];
      const layers = snapshots.map((x, i) => {
        const lens = model.unembed(x).toArray() as Float32Array; // (1, T, V)
        const top = Array.from({ length: T }, (_, t) => topOfLogits(lens.subarray(t * V, (t + 1) * V), k));
        return { name: i === 0 ? "embeddings" : `block ${i - 1}`, top };
      });
      return { layers, logits: Float32Array.from(logits) };
    }),
  );
}
