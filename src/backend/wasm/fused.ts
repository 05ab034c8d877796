// Host side of the fused kernels (src/core/fused.ts lists the ops and their composites;
// assembly/fused.ts and assembly/rows.ts have the loops). Row-wise ops see x as [rows, d], d the last axis.

import type { FusedKernels, KernelArg } from "../../core/backend.js";
import { NnlabError } from "../../core/errors.js";
import { matmulOne } from "./matmul.js";
import { TASK } from "./pool.js";
import { ptrOf, type WasmContext } from "./storage.js";

/** [heads, t, hs] of q [..., t, hs] (every leading axis counts as a head), and the score scale 1/√hs. */
function headsOf(q: KernelArg): [number, number, number, number] {
  const t = q.shape[q.shape.length - 2];
  const hs = q.shape[q.shape.length - 1];
  return [q.storage.size / (t * hs), t, hs, Math.fround(1 / Math.sqrt(hs))];
}

/** [rows, d] of a tensor viewed along its last axis. */
function rowsOf(x: KernelArg): [number, number] {
  const d = x.shape[x.shape.length - 1];
  return [d === 0 ? 0 : x.storage.size / d, d];
}

export function fusedKernels(ctx: WasmContext): FusedKernels {
  const wasm = ctx.exports;
  const checkTargets = (targets: KernelArg, rows: number, d: number) => {
    const bad = wasm.badTarget(ptrOf(targets), rows, d);
    if (bad >= 0) throw new NnlabError(`crossEntropy: target ${ctx.heap.i32()[(ptrOf(targets) >> 2) + bad]} (row ${bad}) is out of range; expected 0 <= target < ${d}`);
  };
  return {
    sigmoid: (out, [x]) => wasm.sigmoid(ptrOf(out), ptrOf(x), out.storage.size),
    sigmoidGrad: (out, [g, s]) => wasm.sigmoidGrad(ptrOf(out), ptrOf(g), ptrOf(s), out.storage.size),
    linear: (out, [x, w, b]) => {
      const [rows, cols] = out.shape;
      const k = x.shape[1];
      if (k > 0) matmulOne(ctx, ptrOf(out), ptrOf(x), ptrOf(w), rows, cols, k, 0, 1);
      wasm.addBias(ptrOf(out), ptrOf(b), rows, cols);
    },
    softmax: (out, [x], p) => wasm.softmax(ptrOf(out), ptrOf(x), ...rowsOf(x), p.temperature),
    softmaxGrad: (out, [g, y], p) => wasm.softmaxGrad(ptrOf(out), ptrOf(g), ptrOf(y), ...rowsOf(y), p.temperature),
    logSoftmax: (out, [x]) => wasm.logSoftmax(ptrOf(out), ptrOf(x), ...rowsOf(x)),
    logSoftmaxGrad: (out, [g, y]) => wasm.logSoftmaxGrad(ptrOf(out), ptrOf(g), ptrOf(y), ...rowsOf(y)),
    crossEntropy: (out, [logits, targets]) => {
      const [rows, d] = logits.shape;
      checkTargets(targets, rows, d);
      wasm.crossEntropy(ptrOf(out), ptrOf(logits), ptrOf(targets), rows, d);
    },
    crossEntropyGrad: (out, [logits, targets, g]) => {
      const [rows, d] = logits.shape;
      checkTargets(targets, rows, d);
      wasm.crossEntropyGrad(ptrOf(out), ptrOf(logits), ptrOf(targets), ctx.heap.f32()[ptrOf(g) >> 2], rows, d);
    },
    layerNorm: (out, [x, w, b], p) => wasm.layerNorm(ptrOf(out), ptrOf(x), ptrOf(w), ptrOf(b), ...rowsOf(x), p.eps, ctx.meta),
    normalize: (out, [x], p) => wasm.layerNorm(ptrOf(out), ptrOf(x), 0, 0, ...rowsOf(x), p.eps, ctx.meta),
    layerNormGradX: (out, [g, x, w], p) => wasm.layerNormGradX(ptrOf(out), ptrOf(g), ptrOf(x), ptrOf(w), ...rowsOf(x), p.eps, ctx.meta),
    attentionPattern: (out, [q, k]) => wasm.attentionPattern(ptrOf(out), ptrOf(q), ptrOf(k), ...headsOf(q), ctx.scratch),
    causalAttention: (out, [q, k, v]) => {
      const [heads, t, hs, scale] = headsOf(q);
      if (hs === 0) return; // the output arrives zero-filled
      // runs of heads per thread, each with its own t×t pattern buffer
      const pool = ctx.pool && heads > 1 && 4 * heads * t * t * hs >= 1 << 22 ? ctx.pool : null;
      const parts = pool ? Math.min(heads, pool.size + 1) : 1;
      const per = Math.ceil(heads / parts);
      const patterns = Array.from({ length: parts }, () => ctx.heap.alloc(t * t * 4));
      const at = (h: number) => h * t * hs * 4;
      for (let w = 1; w < parts; w++) {
        const [h0, h1] = [w * per, Math.min(heads, (w + 1) * per)];
        if (h0 < h1) pool!.post(w - 1, TASK.attention, [ptrOf(out) + at(h0), ptrOf(q) + at(h0), ptrOf(k) + at(h0), ptrOf(v) + at(h0), h1 - h0, t, hs, patterns[w]], scale);
      }
      wasm.attention(ptrOf(out), ptrOf(q), ptrOf(k), ptrOf(v), Math.min(per, heads), t, hs, scale, patterns[0], ctx.scratch);
      for (let w = 1; w < parts; w++) if (w * per < heads) pool!.join(w - 1);
      for (const p of patterns) ctx.heap.free(p, t * t * 4);
    },
    gelu: (out, [x], p) => wasm.gelu(ptrOf(out), ptrOf(x), out.storage.size, p.approximate === "tanh" ? 1 : 0),
    geluGrad: (out, [g, x], p) => wasm.geluGrad(ptrOf(out), ptrOf(g), ptrOf(x), out.storage.size, p.approximate === "tanh" ? 1 : 0),
  };
}
