// Functional building blocks of networks, composed from primitives: linear layers, the lessons' costs,
// layer norm, embeddings and GPT-2's causal self-attention. Modules in nn/ call these.

import { ShapeError } from "../core/errors.js";
import { fused } from "../core/fused.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { formatShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";

/**
 * y = x·Wᵀ + b, PyTorch's layout: weight [out, in], bias [out]. Leading axes of x are flattened into
 * one batch for a single matrix multiplication ("a layer is one matrix multiplication", lesson 1).
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inFeatures = weight.shape[1];
  if (x.shape[x.rank - 1] !== inFeatures) {
    throw new ShapeError(`linear: input has ${x.shape[x.rank - 1]} features (shape ${formatShape(x.shape)}), the weight ${formatShape(weight.shape)} expects ${inFeatures}`);
  }
  const lead = x.shape.slice(0, -1);
  const flat = x.rank === 2 ? x : ops.reshape(x, [-1, inFeatures]); // (N, in)
  const y = bias ? fused("linear", [flat, weight, bias], {}) : ops.matmul(flat, weight, { transB: true }); // (N, out)
  return x.rank === 2 ? y : ops.reshape(y, [...lead, weight.shape[0]]);
}

function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: prediction ${formatShape(a.shape)} and target ${formatShape(b.shape)} must have the same shape`);
  }
}

/**
 * The lesson's cost (Nielsen's C): the mean over examples (rows) of ½‖a − y‖². For one example this is
 * ½ Σⱼ (aⱼ − yⱼ)², the "sum of the squares of the differences" of lesson 2 (halved, so its gradient is a − y).
 */
export function quadraticCost(a: Tensor, y: Tensor): Tensor {
  checkSameShape("quadraticCost", a, y);
  const examples = a.rank >= 2 ? a.shape[0] : 1;
  const d = ops.sub(a, y);
  return ops.div(ops.sum(ops.mul(d, d)), 2 * examples);
}

/** Mean squared error over all elements: mean((a − b)²). */
export function mseLoss(a: Tensor, b: Tensor): Tensor {
  checkSameShape("mseLoss", a, b);
  const d = ops.sub(a, b);
  return ops.div(ops.sum(ops.mul(d, d)), a.size);
}

/** Cross-entropy of logits [N, C] against int32 class targets [N]: mean of −log softmax(logits)[target]. */
export function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  if (logits.rank !== 2 || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`crossEntropy: expected logits [N, C] and targets [N], found ${formatShape(logits.shape)} and ${formatShape(targets.shape)}`);
  }
  return fused("crossEntropy", [logits, targets], {}); // log-softmax + NLL, composite in core/fused.ts
}

/** Layer norm over the last axis: (x − mean) / √(var + eps) · weight + bias, biased variance. */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  if (weight && bias) return fused("layerNorm", [x, weight, bias], { eps });
  const xc = ops.sub(x, x.mean(-1, true));
  const variance = ops.mul(xc, xc).mean(-1, true);
  let y = ops.div(xc, ops.sqrt(ops.add(variance, eps)));
  if (weight) y = ops.mul(y, weight);
  if (bias) y = ops.add(y, bias);
  return y;
}

/** Embedding lookup: rows of `weight` [V, d] for int32 `ids` [...] -> [..., d]. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return ops.gather(weight, ids);
}

/** What one attention call exposes for introspection (lesson 6): the pattern, per head. */
export interface AttentionCapture {
  /** softmax(q kᵀ / √hs) after the causal mask: (B, nh, T, T) */
  pattern?: Tensor;
}

/**
 * The attention core: softmax(q kᵀ / √hs) v with an optional causal mask. q (B, nh, Tq, hs) attends to
 * k, v (B, nh, Tk, hs) -> (B, nh, Tq, hs). With Tq < Tk (a KV cache: the queries are the last Tq of Tk
 * positions) the causal mask lets query i see keys j <= i + (Tk − Tq). `scale: false` drops the 1/√hs
 * (to see what it changes); `dropPattern` (dropout while training) is applied to the pattern. When
 * `capture` is given, the pattern is stored in it.
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: { causal?: boolean; scale?: boolean; capture?: AttentionCapture; dropPattern?: (pattern: Tensor) => Tensor } = {},
): Tensor {
  const causal = opts.causal ?? true;
  const scale = opts.scale ?? true;
  const Tq = q.shape[q.rank - 2];
  const Tk = k.shape[k.rank - 2];
  if (causal && scale && !opts.capture && !opts.dropPattern && Tq === Tk) return fused("causalAttention", [q, k, v], {}); // one kernel where the backend has it
  const hs = q.shape[q.rank - 1];
  let scores = ops.matmul(q, k, { transB: true }); // (B, nh, Tq, Tk)
  if (scale) scores = ops.mul(scores, 1 / Math.sqrt(hs));
  if (causal) scores = ops.where(causalMask(Tq, Tk, scores.dtype), scores, -Infinity);
  const pattern = scores.softmax(-1);
  if (opts.capture) opts.capture.pattern = pattern;
  return ops.matmul(opts.dropPattern ? opts.dropPattern(pattern) : pattern, v); // (B, nh, Tq, hs)
}

/** 1 where query i (the last Tq of Tk positions) may see key j, i.e. j <= i + Tk − Tq: (Tq, Tk). */
function causalMask(Tq: number, Tk: number, dtype: Tensor["dtype"]): Tensor {
  if (Tq === Tk) return ops.tril(Tq, dtype);
  if (Tq > Tk) throw new ShapeError(`attention: ${Tq} queries but only ${Tk} keys`);
  const mask = new Float32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) mask.fill(1, i * Tk, i + Tk - Tq + 1 + i * Tk);
  return ops.cast(ops.tensor(mask, [Tq, Tk]), dtype);
}

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1 − p). */
export function dropout(x: Tensor, p: number, rng: Rng): Tensor {
  if (p <= 0) return x;
  const keepMask = ops.greater(ops.rand(x.shape, rng, { dtype: x.dtype }), p); // 1 with probability 1 − p
  return ops.mul(x, ops.mul(keepMask, 1 / (1 - p)));
}

/** Splits the channels of x (B, T, C) into heads: (B, nh, T, hs). */
export function splitHeads(x: Tensor, nHead: number): Tensor {
  const [B, T, C] = x.shape;
  if (C % nHead !== 0) throw new ShapeError(`splitHeads: ${C} channels do not divide into ${nHead} heads`);
  return ops.permute(ops.reshape(x, [B, T, nHead, C / nHead]), [0, 2, 1, 3]);
}

/** Joins heads back: (B, nh, T, hs) -> (B, T, C). */
export function mergeHeads(x: Tensor): Tensor {
  const [B, nh, T, hs] = x.shape;
  return ops.reshape(ops.permute(x, [0, 2, 1, 3]), [B, T, nh * hs]);
}

/**
 * GPT-2's causal self-attention on x (B, T, C), with weights in PyTorch's [out, in] layout:
 * cAttn [3C, C] / cAttnBias [3C] make q, k, v; cProj [C, C] / cProjBias [C] mix the heads.
 */
export function causalSelfAttention(
  x: Tensor,
  w: { cAttn: Tensor; cAttnBias: Tensor | null; cProj: Tensor; cProjBias: Tensor | null },
  nHead: number,
  capture?: AttentionCapture,
): Tensor {
  const C = x.shape[2];
  const qkv = linear(x, w.cAttn, w.cAttnBias); // (B, T, 3C)
  if (!capture) return linear(packedCausalAttention(qkv, nHead), w.cProj, w.cProjBias);
  const [q, k, v] = ops.split(qkv, [C, C, C], -1).map((t) => splitHeads(t, nHead)); // (B, nh, T, hs)
  const y = scaledDotProductAttention(q, k, v, { causal: true, capture });
  return linear(mergeHeads(y), w.cProj, w.cProjBias); // (B, T, C)
}

/**
 * Causal self-attention straight from c_attn's output: qkv (B, T, 3C), each position's query, key and
 * value side by side, -> (B, T, C) with the heads merged. The same as splitting the heads out
 * (splitHeads), scaledDotProductAttention and mergeHeads; where the backend has the kernel, it reads
 * the heads in place and copies none of them.
 */
export function packedCausalAttention(qkv: Tensor, nHead: number): Tensor {
  return fused("packedAttention", [qkv], { heads: nHead });
}
