// Looking inside a GPT (lessons 5–6), every number from the model's own forward pass with a GptCapture:
// the attention pattern of each head, and the logit lens (the residual stream after every block
// unembedded by the model's own ln_f and W_U into its top tokens).

import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import { GptCapture, type GPT } from "../models/gpt/model.js";
import { topIndices } from "../models/gpt/sampling.js";

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
  return topIndices(row, k).map((id) => ({ id, logit: row[id], prob: Math.exp(row[id] - max) / sum }));
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

/** Lesson 6 for one token and one head: its query, every key and value, and how the pattern row comes about. */
export interface QueryKeyScores {
  layer: number;
  head: number;
  /** The attending token's position. */
  token: number;
  /** Its query q (hs). */
  query: Float32Array;
  /** Every token's key, row j = k_j: (T, hs) row-major. */
  keys: Float32Array;
  /** Every token's value, row j = v_j: (T, hs) row-major. */
  values: Float32Array;
  /** q · k_j for every j (T). */
  dots: Float64Array;
  /** What softmax sees: q · k_j / √d_k (or unscaled), −∞ where the causal mask hides a later token (T). */
  scores: Float64Array;
  /** The attention weights: this token's row of the pattern the forward pass computed (T). */
  weights: Float32Array;
  headSize: number;
}

/**
 * The query of token `token` in head `head` of block `layer`, the keys and values of every token, their
 * dot products, the scores softmax receives and the resulting weights, all captured on the model's own
 * forward pass (the weights are its pattern row, not recomputed).
 */
export function queryKeyScores(
  model: GPT,
  ids: readonly number[],
  at: { layer: number; head: number; token: number },
  options: { causal?: boolean; scale?: boolean } = {},
): QueryKeyScores {
  const causal = options.causal ?? true;
  const scale = options.scale ?? true;
  const T = ids.length;
  const hs = model.headSize;
  const { layer, head, token } = at;
  if (!(layer >= 0 && layer < model.config.nLayer && head >= 0 && head < model.config.nHead && token >= 0 && token < T)) {
    throw new RangeError(`queryKeyScores: block ${layer}, head ${head}, token ${token} outside ${model.config.nLayer} blocks, ${model.config.nHead} heads, ${T} tokens`);
  }
  return tidy(() =>
    noGrad(() => {
      const capture = new GptCapture(["q", "k", "v", "attention"]);
      model.forward(idsTensor(ids), { capture, causal, scale });
      const headRows = (t: Float32Array) => t.slice(head * T * hs, (head + 1) * T * hs); // (1, nh, T, hs) → head's (T, hs)
      const keys = headRows(capture.k[layer].toArray() as Float32Array);
      const values = headRows(capture.v[layer].toArray() as Float32Array);
      const query = headRows(capture.q[layer].toArray() as Float32Array).slice(token * hs, (token + 1) * hs);
      const pattern = capture.attention[layer].toArray() as Float32Array; // (1, nh, T, T)
      const weights = pattern.slice((head * T + token) * T, (head * T + token + 1) * T);
      const dots = new Float64Array(T);
      const scores = new Float64Array(T);
      for (let j = 0; j < T; j++) {
        let d = 0;
        for (let i = 0; i < hs; i++) d += query[i] * keys[j * hs + i];
        dots[j] = d;
        scores[j] = causal && j > token ? -Infinity : scale ? d / Math.sqrt(hs) : d;
      }
      return { layer, head, token, query, keys, values, dots, scores, weights, headSize: hs };
    }),
  );
}
