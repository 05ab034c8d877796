// Fused ops: one kernel for what a composite does in several primitives, where the backend provides
// one (the wasm backend does; js does not). Each entry keeps its composite, which runs wherever the
// backend has no kernel and is the oracle the fused kernel is tested against. A fused op's gradient is
// written with public ops (and fused backward ops) like a primitive's; backward passes run without
// recording, so backward-only ops (`sigmoidGrad`) need no gradient of their own.

import type { FusedKernels } from "./backend.js";
import { isFloat } from "./dtype.js";
import { applyFused, noGrad } from "./engine.js";
import { ShapeError } from "./errors.js";
import * as ops from "./ops.js";
import type { ArgInfo } from "./prims.js";
import { formatShape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Parameters of each fused op. */
export interface FusedParams {
  /** σ(x) = ½·tanh(x/2) + ½. */
  sigmoid: {};
  /** g·s·(1 − s) for s = σ(x): the gradient of sigmoid given its output. */
  sigmoidGrad: {};
  /** x·Wᵀ + b: x [N, in], weight [out, in], bias [out] → [N, out] (a layer: matmul plus bias in one pass). */
  linear: {};
  /** softmax(x / T) along `axis` (kernels: the last axis). */
  softmax: { axis: number; temperature: number };
  /** y·(g − Σ g·y) / T along the last axis, for y = softmax(x / T). */
  softmaxGrad: { temperature: number };
  /** log softmax(x) along `axis` (kernels: the last axis). */
  logSoftmax: { axis: number };
  /** g − e^out · Σ g along the last axis, for out = logSoftmax(x). */
  logSoftmaxGrad: {};
  /** Mean cross-entropy of logits [N, C] against int32 targets [N] (log-softmax + negative log-likelihood). */
  crossEntropy: {};
  /** (softmax(logits) − onehot(targets)) · g / N, for a scalar g. */
  crossEntropyGrad: {};
  /** Layer norm over the last axis with weight and bias: (x − mean) / √(var + eps) · w + b. */
  layerNorm: { eps: number };
  /** x̂ = (x − mean) / √(var + eps) over the last axis. */
  normalize: { eps: number };
  /** dx of layer norm given g, x and the weight: rstd · (ĝ − mean ĝ − x̂ · mean(ĝ·x̂)), ĝ = g·w. */
  layerNormGradX: { eps: number };
  /** Layer norm's weight gradient Σ g·x̂ over every row, for g and x [..., d]: [d]. */
  layerNormGradW: { eps: number };
  /** Causal self-attention softmax(q·kᵀ/√hs, masked to j ≤ i)·v; q, k, v [..., T, hs]. */
  causalAttention: {};
  /** The attention pattern: causal softmax(q·kᵀ/√hs) [..., T, T]. */
  attentionPattern: {};
  /** Gradients of causalAttention given g: dq, dk, dv stacked as [3, ..., T, hs]. */
  causalAttentionGrad: {};
  /**
   * causalAttention on `heads` heads read in place from c_attn's output: qkv [..., T, 3C] holds q, k and
   * v side by side (C = heads·hs each, head h at columns h·hs), the result is [..., T, C] with the heads
   * merged. The same as splitting the heads out, causalAttention and merging them, without the copies.
   */
  packedAttention: { heads: number };
  /** The gradient of packedAttention given g [..., T, C]: dqkv [..., T, 3C]. */
  packedAttentionGrad: { heads: number };
  /** GELU, exact (erf) or GPT-2's tanh approximation. */
  gelu: { approximate: "tanh" | "none" };
  /** g · GELU'(x). */
  geluGrad: { approximate: "tanh" | "none" };
  /**
   * One LSTM cell step from its gate pre-activations [N, 4H] (PyTorch's order i, f, g, o) and the cell
   * state c [N, H]: c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'), stacked as [2, N, H] (h' then c').
   */
  lstmCell: {};
  /**
   * Gradients of lstmCell given g [2, N, H] (of h' and c'), the gates, c and the step's output:
   * d gates [N, 4H] then d c [N, H], flattened and joined into one vector [N·5H].
   */
  lstmCellGrad: {};
}

export type FusedOp = keyof FusedParams;

export interface FusedDef<F extends FusedOp> {
  infer(inputs: readonly ArgInfo[], params: FusedParams[F]): ArgInfo;
  /** The same function from primitives: the fallback and the test oracle. */
  composite(inputs: readonly Tensor[], params: FusedParams[F]): Tensor;
  /** Whether kernels handle these arguments (default: always); the composite runs otherwise. */
  supports?(inputs: readonly Tensor[], params: FusedParams[F]): boolean;
  vjp?: (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: FusedParams[F]) => (Tensor | null)[];
}

/** The permutation that swaps the two axes before the last of a rank-`rank` tensor: (..., T, nh, hs) ↔ (..., nh, T, hs). */
function headAxes(rank: number): number[] {
  const axes = Array.from({ length: rank }, (_, i) => i);
  [axes[rank - 3], axes[rank - 2]] = [axes[rank - 2], axes[rank - 3]];
  return axes;
}

/** The last axis of qkv [..., T, 3·heads·hs], checked. */
function packedWidth(shape: readonly number[], heads: number): number {
  const width = shape[shape.length - 1];
  if (shape.length < 2 || !Number.isInteger(heads) || heads < 1 || width % (3 * heads) !== 0) {
    throw new ShapeError(`packedAttention: expected qkv [..., T, 3·heads·hs] for ${heads} heads, found ${formatShape(shape)}`);
  }
  return width;
}

/** q, k, v (..., nh, T, hs) out of qkv (..., T, 3C). */
function unpackHeads(qkv: Tensor, heads: number): Tensor[] {
  const width = packedWidth(qkv.shape, heads);
  const lead = qkv.shape.slice(0, -1);
  const C = width / 3;
  return [0, 1, 2].map((i) => {
    const part = ops.slice(qkv, [...lead.map(() => 0), i * C], [...lead, (i + 1) * C]); // (..., T, C)
    return ops.permute(ops.reshape(part, [...lead, heads, C / heads]), headAxes(qkv.rank + 1));
  });
}

/** (..., nh, T, hs) → (..., T, nh·hs). */
function mergePackedHeads(x: Tensor): Tensor {
  const merged = ops.permute(x, headAxes(x.rank)); // (..., T, nh, hs)
  return ops.reshape(merged, [...merged.shape.slice(0, -2), merged.shape[x.rank - 2] * merged.shape[x.rank - 1]]);
}

/** The maximum along `axis`, kept, outside the graph (the softmax shift; softmax does not depend on it). */
function shiftFor(x: Tensor, axis: number): Tensor {
  return noGrad(() => ops.max(x, axis, true));
}

const lastAxis = ([x]: readonly Tensor[], p: { axis: number }) => p.axis === x.rank - 1;

function floatInput(op: string, x: ArgInfo): ArgInfo {
  if (!isFloat(x.dtype)) throw new ShapeError(`${op}: expected a float tensor, found ${x.dtype}`);
  return x;
}

/** Checks that the trailing axis of each of `rest` matches x's last axis (weights and biases). */
function lastAxisParams(op: string, [x, ...rest]: readonly ArgInfo[]): ArgInfo {
  const d = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || rest.some((p) => p.shape.length !== 1 || p.shape[0] !== d || p.dtype !== x.dtype)) {
    throw new ShapeError(`${op}: expected x [..., D] and parameters [D], found ${[x, ...rest].map((t) => formatShape(t.shape)).join(", ")}`);
  }
  return floatInput(op, x);
}

function sameShape(op: string, inputs: readonly ArgInfo[]): ArgInfo {
  const [a, b] = inputs;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]) || a.dtype !== b.dtype) {
    throw new ShapeError(`${op}: expected two tensors of one shape and dtype, found ${formatShape(a.shape)} ${a.dtype} and ${formatShape(b.shape)} ${b.dtype}`);
  }
  return a;
}

export const fusedOps: { readonly [F in FusedOp]: FusedDef<F> } = {
  sigmoid: {
    infer: ([x]) => x,
    composite: ([x]) => ops.add(ops.mul(ops.tanh(ops.mul(x, 0.5)), 0.5), 0.5),
    vjp: (g, _x, out) => [fused("sigmoidGrad", [g, out], {})],
  },
  sigmoidGrad: {
    infer: (inputs) => sameShape("sigmoidGrad", inputs),
    composite: ([g, s]) => ops.mul(g, ops.mul(s, ops.sub(1, s))),
  },
  linear: {
    infer: ([x, w, b]) => {
      if (x.shape.length !== 2 || w.shape.length !== 2 || b.shape.length !== 1 || x.shape[1] !== w.shape[1] || b.shape[0] !== w.shape[0]) {
        throw new ShapeError(`linear: expected x [N, in], weight [out, in], bias [out], found ${formatShape(x.shape)}, ${formatShape(w.shape)}, ${formatShape(b.shape)}`);
      }
      if (x.dtype !== w.dtype || x.dtype !== b.dtype) throw new ShapeError(`linear: inputs must share a dtype, found ${x.dtype}, ${w.dtype}, ${b.dtype}`);
      return { shape: [x.shape[0], w.shape[0]], dtype: x.dtype };
    },
    composite: ([x, w, b]) => ops.add(ops.matmul(x, w, { transB: true }), b),
    // y = x·Wᵀ + b: dx = g·W, dW = gᵀ·x, db = Σ_rows g
    vjp: (g, [x, w, b]) => [
      x.requiresGrad ? ops.matmul(g, w) : null,
      w.requiresGrad ? ops.matmul(g, x, { transA: true }) : null,
      b.requiresGrad ? ops.sum(g, [0]) : null,
    ],
  },

  softmax: {
    infer: ([x]) => floatInput("softmax", x),
    composite: ([x], { axis, temperature }) => {
      const z = temperature === 1 ? x : ops.div(x, temperature);
      const e = ops.exp(ops.sub(z, shiftFor(z, axis)));
      return ops.div(e, ops.sum(e, axis, true));
    },
    supports: lastAxis,
    vjp: (g, _x, out, { temperature }) => [fused("softmaxGrad", [g, out], { temperature })],
  },
  softmaxGrad: {
    infer: (inputs) => sameShape("softmaxGrad", inputs),
    composite: ([g, y], { temperature }) => ops.div(ops.mul(y, ops.sub(g, ops.sum(ops.mul(g, y), -1, true))), temperature),
  },
  logSoftmax: {
    infer: ([x]) => floatInput("logSoftmax", x),
    composite: ([x], { axis }) => {
      const shifted = ops.sub(x, shiftFor(x, axis));
      return ops.sub(shifted, ops.log(ops.sum(ops.exp(shifted), axis, true)));
    },
    supports: lastAxis,
    vjp: (g, _x, out) => [fused("logSoftmaxGrad", [g, out], {})],
  },
  logSoftmaxGrad: {
    infer: (inputs) => sameShape("logSoftmaxGrad", inputs),
    composite: ([g, out]) => ops.sub(g, ops.mul(ops.exp(out), ops.sum(g, -1, true))),
  },

  crossEntropy: {
    infer: ([logits, targets]) => {
      if (logits.shape.length !== 2 || targets.shape.length !== 1 || targets.shape[0] !== logits.shape[0] || targets.dtype !== "int32") {
        throw new ShapeError(`crossEntropy: expected logits [N, C] and int32 targets [N], found ${formatShape(logits.shape)} and ${formatShape(targets.shape)} ${targets.dtype}`);
      }
      return { shape: [], dtype: floatInput("crossEntropy", logits).dtype };
    },
    composite: ([logits, targets]) => {
      const logp = fusedOps.logSoftmax.composite([logits], { axis: 1 });
      const picked = ops.sum(ops.mul(logp, ops.oneHot(targets, logits.shape[1], logits.dtype)), -1); // (N,)
      return ops.neg(ops.div(ops.sum(picked), logits.shape[0]));
    },
    vjp: (g, [logits, targets]) => [fused("crossEntropyGrad", [logits, targets, g], {}), null],
  },
  crossEntropyGrad: {
    infer: ([logits]) => logits,
    composite: ([logits, targets, g]) => {
      const p = fusedOps.softmax.composite([logits], { axis: 1, temperature: 1 });
      return ops.mul(ops.sub(p, ops.oneHot(targets, logits.shape[1], logits.dtype)), ops.div(g, logits.shape[0]));
    },
  },

  layerNorm: {
    infer: (inputs) => lastAxisParams("layerNorm", inputs),
    composite: ([x, w, b], { eps }) => ops.add(ops.mul(fusedOps.normalize.composite([x], { eps }), w), b),
    // y = x̂·w + b: dw and db sum over every axis but the last; dx through layerNormGradX
    vjp: (g, [x, w, b], _out, { eps }) => {
      const lead = Array.from({ length: x.rank - 1 }, (_, i) => i);
      return [
        x.requiresGrad ? fused("layerNormGradX", [g, x, w], { eps }) : null,
        w.requiresGrad ? fused("layerNormGradW", [g, x], { eps }) : null,
        b.requiresGrad ? ops.sum(g, lead) : null,
      ];
    },
  },
  normalize: {
    infer: (inputs) => lastAxisParams("normalize", inputs),
    composite: ([x], { eps }) => {
      const d = x.shape[x.rank - 1];
      const xc = ops.sub(x, ops.div(ops.sum(x, -1, true), d));
      const variance = ops.div(ops.sum(ops.mul(xc, xc), -1, true), d);
      return ops.div(xc, ops.sqrt(ops.add(variance, eps)));
    },
  },
  layerNormGradW: {
    infer: ([g, x]) => {
      const s = sameShape("layerNormGradW", [g, x]);
      if (s.shape.length < 1) throw new ShapeError("layerNormGradW: expected g and x [..., d]");
      return floatInput("layerNormGradW", { shape: [s.shape[s.shape.length - 1]], dtype: s.dtype });
    },
    composite: ([g, x], { eps }) => ops.sum(ops.mul(g, fusedOps.normalize.composite([x], { eps })), Array.from({ length: x.rank - 1 }, (_, i) => i)),
  },
  layerNormGradX: {
    infer: ([g, x, w]) => lastAxisParams("layerNormGradX", [sameShape("layerNormGradX", [g, x]), w]),
    composite: ([g, x, w], { eps }) => {
      const d = x.shape[x.rank - 1];
      const xc = ops.sub(x, ops.div(ops.sum(x, -1, true), d));
      const rstd = ops.div(1, ops.sqrt(ops.add(ops.div(ops.sum(ops.mul(xc, xc), -1, true), d), eps)));
      const xh = ops.mul(xc, rstd);
      const gh = ops.mul(g, w);
      const meanG = ops.div(ops.sum(gh, -1, true), d);
      const meanGX = ops.div(ops.sum(ops.mul(gh, xh), -1, true), d);
      return ops.mul(rstd, ops.sub(ops.sub(gh, meanG), ops.mul(xh, meanGX)));
    },
  },

  causalAttention: {
    infer: (inputs) => {
      const [q, k, v] = inputs;
      if (q.shape.length < 2) throw new ShapeError(`causalAttention: expected q, k, v [..., T, hs], found ${formatShape(q.shape)}`);
      sameShape("causalAttention", [q, k]);
      return floatInput("causalAttention", sameShape("causalAttention", [q, v]));
    },
    composite: ([q, k, v]) => ops.matmul(fusedOps.attentionPattern.composite([q, k], {}), v), // (..., T, hs)
    vjp: (g, [q, k, v]) => {
      const grads = fused("causalAttentionGrad", [g, q, k, v], {}); // (3, ..., T, hs)
      const part = (i: number, x: Tensor) => (x.requiresGrad ? ops.reshape(ops.slice(grads, [i, ...q.shape.map(() => 0)], [i + 1, ...q.shape]), q.shape) : null);
      return [part(0, q), part(1, k), part(2, v)];
    },
  },
  causalAttentionGrad: {
    infer: ([g, q, k, v]) => {
      const x = fusedOps.causalAttention.infer([q, k, v], {});
      sameShape("causalAttentionGrad", [g, x]);
      return { shape: [3, ...x.shape], dtype: x.dtype };
    },
    // with P = pattern, S = q·kᵀ/√hs: dv = Pᵀ·g, dS = softmax'(g·vᵀ)/√hs, dq = dS·k, dk = dSᵀ·q
    composite: ([g, q, k, v]) => {
      const hs = q.shape[q.rank - 1];
      const pattern = fused("attentionPattern", [q, k], {});
      const dScores = fused("softmaxGrad", [ops.matmul(g, v, { transB: true }), pattern], { temperature: Math.sqrt(hs) });
      const stack = (x: Tensor) => ops.reshape(x, [1, ...x.shape]); // (1, ..., T, hs)
      return ops.concat([stack(ops.matmul(dScores, k)), stack(ops.matmul(dScores, q, { transA: true })), stack(ops.matmul(pattern, g, { transA: true }))], 0);
    },
  },
  packedAttention: {
    infer: ([qkv], { heads }) => floatInput("packedAttention", { shape: [...qkv.shape.slice(0, -1), packedWidth(qkv.shape, heads) / 3], dtype: qkv.dtype }),
    composite: ([qkv], { heads }) => mergePackedHeads(fusedOps.causalAttention.composite(unpackHeads(qkv, heads), {})),
    // kernels: heads of a multiple of 8 floats (the 4×8 tiles' columns)
    supports: ([qkv], { heads }) => {
      const hs = qkv.shape[qkv.shape.length - 1] / (3 * heads);
      return hs > 0 && hs % 8 === 0;
    },
    vjp: (g, [qkv], _out, params) => [fused("packedAttentionGrad", [g, qkv], params)],
  },
  packedAttentionGrad: {
    infer: ([g, qkv], params) => {
      sameShape("packedAttentionGrad", [g, fusedOps.packedAttention.infer([qkv], params)]);
      return { shape: qkv.shape, dtype: qkv.dtype };
    },
    composite: ([g, qkv], { heads }) => {
      const [q, k, v] = unpackHeads(qkv, heads);
      const hs = q.shape[q.rank - 1];
      const gh = ops.permute(ops.reshape(g, [...g.shape.slice(0, -1), heads, hs]), headAxes(g.rank + 1)); // (..., nh, T, hs)
      const grads = fusedOps.causalAttentionGrad.composite([gh, q, k, v], {}); // (3, ..., nh, T, hs)
      const part = (i: number) => mergePackedHeads(ops.reshape(ops.slice(grads, [i, ...q.shape.map(() => 0)], [i + 1, ...q.shape]), q.shape));
      return ops.concat([part(0), part(1), part(2)], -1);
    },
    supports: ([, qkv], params) => fusedOps.packedAttention.supports!([qkv], params),
  },
  attentionPattern: {
    infer: ([q, k]) => {
      const T = q.shape[q.shape.length - 2];
      return { shape: [...sameShape("attentionPattern", [q, k]).shape.slice(0, -1), T], dtype: q.dtype };
    },
    composite: ([q, k]) => {
      const T = q.shape[q.rank - 2];
      const hs = q.shape[q.rank - 1];
      const scores = ops.mul(ops.matmul(q, k, { transB: true }), 1 / Math.sqrt(hs)); // (..., T, T)
      const masked = ops.where(ops.tril(T, scores.dtype), scores, -Infinity);
      return fusedOps.softmax.composite([masked], { axis: masked.rank - 1, temperature: 1 });
    },
  },

  gelu: {
    infer: ([x]) => floatInput("gelu", x),
    composite: ([x], { approximate }) => {
      if (approximate === "tanh") {
        const inner = ops.mul(ops.add(x, ops.mul(ops.mul(ops.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
        return ops.mul(ops.mul(x, 0.5), ops.add(ops.tanh(inner), 1));
      }
      return ops.mul(ops.mul(x, 0.5), ops.add(ops.erf(ops.mul(x, Math.SQRT1_2)), 1));
    },
    vjp: (g, [x], _out, params) => [fused("geluGrad", [g, x], params)],
  },
  geluGrad: {
    infer: (inputs) => sameShape("geluGrad", inputs),
    composite: ([g, x], { approximate }) => {
      if (approximate === "tanh") {
        // t = tanh(u), u = √(2/π)(x + 0.044715x³): ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
        const c = Math.sqrt(2 / Math.PI);
        const t = ops.tanh(ops.mul(ops.add(x, ops.mul(ops.mul(ops.mul(x, x), x), 0.044715)), c));
        const du = ops.mul(ops.add(ops.mul(ops.mul(x, x), 3 * 0.044715), 1), c);
        const d = ops.add(ops.mul(ops.add(t, 1), 0.5), ops.mul(ops.mul(ops.mul(x, 0.5), ops.sub(1, ops.mul(t, t))), du));
        return ops.mul(g, d);
      }
      // Φ(x) + x·φ(x)
      const cdf = ops.mul(ops.add(ops.erf(ops.mul(x, Math.SQRT1_2)), 1), 0.5);
      const pdf = ops.mul(ops.exp(ops.mul(ops.mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return ops.mul(g, ops.add(cdf, ops.mul(x, pdf)));
    },
  },

  lstmCell: {
    infer: ([gates, c]) => {
      const [n, h4] = gates.shape;
      if (gates.shape.length !== 2 || h4 % 4 !== 0 || c.shape.length !== 2 || c.shape[0] !== n || c.shape[1] * 4 !== h4 || c.dtype !== gates.dtype) {
        throw new ShapeError(`lstmCell: expected gates [N, 4H] and cell state [N, H], found ${formatShape(gates.shape)} and ${formatShape(c.shape)}`);
      }
      return { shape: [2, n, h4 / 4], dtype: floatInput("lstmCell", gates).dtype };
    },
    composite: ([gates, c]) => {
      const [i, f, g, o] = lstmGates(gates);
      const cNext = ops.add(ops.mul(f, c), ops.mul(i, g));
      const hNext = ops.mul(o, ops.tanh(cNext));
      const stack = (x: Tensor) => ops.reshape(x, [1, ...x.shape]); // (1, N, H)
      return ops.concat([stack(hNext), stack(cNext)], 0); // (2, N, H)
    },
    vjp: (g, [gates, c], out) => {
      const [n, h4] = gates.shape;
      const grads = fused("lstmCellGrad", [g, gates, c, out], {}); // (N·4H + N·H)
      return [
        gates.requiresGrad ? ops.reshape(ops.slice(grads, [0], [n * h4]), [n, h4]) : null,
        c.requiresGrad ? ops.reshape(ops.slice(grads, [n * h4], [grads.size]), [n, h4 / 4]) : null,
      ];
    },
  },
  lstmCellGrad: {
    infer: ([g, gates, c, out]) => {
      const step = fusedOps.lstmCell.infer([gates, c], {});
      sameShape("lstmCellGrad", [g, step]);
      sameShape("lstmCellGrad", [out, step]);
      return { shape: [gates.shape[0] * step.shape[2] * 5], dtype: step.dtype };
    },
    // with c' = f·c + i·g, h' = o·tanh(c'): dc' = gc' + gh'·o·(1 − tanh²c'), then each gate's share
    // times its activation's slope (σ' = σ(1 − σ), tanh' = 1 − tanh²)
    composite: ([grad, gates, c, out]) => {
      const [n, h4] = gates.shape;
      const h = h4 / 4;
      const [i, f, g, o] = lstmGates(gates);
      const part = (k: number) => ops.reshape(ops.slice(grad, [k, 0, 0], [k + 1, n, h]), [n, h]); // (N, H)
      const [gh, gc] = [part(0), part(1)];
      const tc = ops.tanh(ops.reshape(ops.slice(out, [1, 0, 0], [2, n, h]), [n, h]));
      const dc = ops.add(gc, ops.mul(ops.mul(gh, o), ops.sub(1, ops.mul(tc, tc))));
      const sigmoidSlope = (s: Tensor) => ops.mul(s, ops.sub(1, s));
      const dGates = ops.concat(
        [
          ops.mul(ops.mul(dc, g), sigmoidSlope(i)),
          ops.mul(ops.mul(dc, c), sigmoidSlope(f)),
          ops.mul(ops.mul(dc, i), ops.sub(1, ops.mul(g, g))),
          ops.mul(ops.mul(gh, tc), sigmoidSlope(o)),
        ],
        1,
      ); // (N, 4H)
      return ops.concat([ops.reshape(dGates, [-1]), ops.reshape(ops.mul(dc, f), [-1])], 0);
    },
  },
};

/** The activated gates σ(i), σ(f), tanh(g), σ(o) of an LSTM step's pre-activations [N, 4H], each [N, H]. */
function lstmGates(gates: Tensor): Tensor[] {
  const h = gates.shape[1] / 4;
  const [i, f, g, o] = ops.split(gates, [h, h, h, h], 1);
  const sigmoid = (x: Tensor) => fusedOps.sigmoid.composite([x], {});
  return [sigmoid(i), sigmoid(f), ops.tanh(g), sigmoid(o)];
}

/** Runs fused op `op`: the backend's kernel when it has one for these arguments, else the composite. */
export function fused<F extends FusedOp>(op: F, inputs: readonly Tensor[], params: FusedParams[F]): Tensor {
  const def = fusedOps[op] as FusedDef<F>;
  const kernel = (inputs[0].backend.fused as FusedKernels | undefined)?.[op];
  return kernel && (!def.supports || def.supports(inputs, params)) ? applyFused(op, def, kernel, inputs, params) : def.composite(inputs, params);
}
