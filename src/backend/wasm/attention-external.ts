// Causal attention where an external BLAS does the products (the native backend): every head's scores
// and products batched through it, the causal softmax and its gradient in wasm. Each function runs the
// heads h0 … h1 of q, k, v [heads, t, hs], so the calling thread and the pool's workers (worker.ts)
// can share the heads; `work` is that run's own scratch of t·t floats per head (two blocks of them for
// the backward pass).

import type { KernelExports } from "./loader.js";
import type { ExternalGemm } from "./storage.js";

/** out = softmax(mask(q·kᵀ·scale))·v for heads h0 … h1 (pointers to head 0 of each tensor). */
export function externalAttention(e: ExternalGemm, wasm: KernelExports, o: number, q: number, k: number, v: number, work: number, h0: number, h1: number, t: number, hs: number, scale: number): void {
  const heads = h1 - h0;
  const at = h0 * t * hs * 4;
  e.gemm(work, q + at, k + at, t, t, hs, 0, 1, heads, t * hs, t * hs, 0, t);
  wasm.causalSoftmaxHeads(work, heads, t, scale);
  e.gemm(o + at, work, v + at, t, hs, t, 0, 0, heads, t * t, t * hs, 0, t);
}

/**
 * dq, dk, dv of heads h0 … h1 from the output's gradient g: P recomputed, dP = g·vᵀ, dS through the
 * softmax, then dq = dS·k, dk = dSᵀ·q, dv = Pᵀ·g.
 */
export function externalAttentionBackward(
  e: ExternalGemm, wasm: KernelExports, dq: number, dk: number, dv: number, g: number, q: number, k: number, v: number,
  work: number, h0: number, h1: number, t: number, hs: number, scale: number,
): void {
  const heads = h1 - h0;
  const at = h0 * t * hs * 4;
  const p = work;
  const d = work + heads * t * t * 4;
  e.gemm(p, q + at, k + at, t, t, hs, 0, 1, heads, t * hs, t * hs, 0, t);
  wasm.causalSoftmaxHeads(p, heads, t, scale);
  e.gemm(d, g + at, v + at, t, t, hs, 0, 1, heads, t * hs, t * hs, 0, t);
  wasm.causalSoftmaxGradHeads(d, p, heads, t, scale);
  e.gemm(dq + at, d, k + at, t, hs, t, 0, 0, heads, t * t, t * hs, 0, t);
  e.gemm(dk + at, d, q + at, t, hs, t, 1, 0, heads, t * t, t * hs, 0, t);
  e.gemm(dv + at, p, g + at, t, hs, t, 1, 0, heads, t * t, t * hs, 0, t);
}
