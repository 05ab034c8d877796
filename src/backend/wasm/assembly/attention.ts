// Causal self-attention for each head: softmax(q·kᵀ·scale, masked to j ≤ i)·v, reusing the matmul
// kernel. The backward pass (src/core/fused.ts) recomputes the pattern with `attentionPattern` and
// runs matmuls and the softmax gradient, so no T×T pattern is kept between forward and backward.

import { matmul } from "./matmul";
import { exp4, madd } from "./simd";

/** The largest of a vector's four lanes. */
@inline
export function maxLanes(v: v128): f32 {
  return Mathf.max(Mathf.max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), Mathf.max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** The sum of a vector's four lanes. */
@inline
function sumLanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Scales row i of s [t, t], softmaxes it over columns j ≤ i and zeroes columns j > i (four columns at a time). */
function causalSoftmax(s: usize, t: i32, scale: f32): void {
  const vscale = f32x4.splat(scale);
  for (let i = 0; i < t; i++) {
    const row = s + (<usize>(i * t) << 2);
    const n = i + 1;
    const n4 = n & ~3;
    let mv = f32x4.splat(-Infinity);
    for (let j = 0; j < n4; j += 4) {
      const p = row + (<usize>j << 2);
      const v = f32x4.mul(v128.load(p), vscale);
      v128.store(p, v);
      mv = f32x4.max(mv, v);
    }
    let m = maxLanes(mv);
    for (let j = n4; j < n; j++) {
      const p = row + (<usize>j << 2);
      const v = load<f32>(p) * scale;
      store<f32>(p, v);
      m = Mathf.max(m, v);
    }
    const vm = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) {
      const p = row + (<usize>j << 2);
      const e = exp4(f32x4.sub(v128.load(p), vm));
      v128.store(p, e);
      sv = f32x4.add(sv, e);
    }
    let total = sumLanes(sv);
    for (let j = n4; j < n; j++) {
      const p = row + (<usize>j << 2);
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(p) - m)), 0);
      store<f32>(p, e);
      total += e;
    }
    const vt = f32x4.splat(total);
    for (let j = 0; j < n4; j += 4) {
      const p = row + (<usize>j << 2);
      v128.store(p, f32x4.div(v128.load(p), vt));
    }
    for (let j = n4; j < n; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, load<f32>(p) / total);
    }
    for (let j = n; j < t; j++) store<f32>(row + (<usize>j << 2), 0);
  }
}

/** p[h] = causal softmax(q[h]·k[h]ᵀ·scale) for each of `heads` heads; q, k [heads, t, hs], p [heads, t, t]. */
export function attentionPattern(p: usize, q: usize, k: usize, heads: i32, t: i32, hs: i32, scale: f32, scratch: usize): void {
  const qkBytes = <usize>(t * hs) << 2;
  const ppBytes = <usize>(t * t) << 2;
  for (let h = 0; h < heads; h++) {
    const ph = p + <usize>h * ppBytes;
    matmul(ph, q + <usize>h * qkBytes, k + <usize>h * qkBytes, t, t, hs, false, true, scratch, 0, t);
    causalSoftmax(ph, t, scale);
  }
}

/** o[h] = causal softmax(q[h]·k[h]ᵀ·scale)·v[h]; `pattern` is t·t floats of scratch. */
export function attention(o: usize, q: usize, k: usize, v: usize, heads: i32, t: i32, hs: i32, scale: f32, pattern: usize, scratch: usize): void {
  const bytes = <usize>(t * hs) << 2;
  for (let h = 0; h < heads; h++) {
    const off = <usize>h * bytes;
    matmul(pattern, q + off, k + off, t, t, hs, false, true, scratch, 0, t);
    causalSoftmax(pattern, t, scale);
    matmul(o + off, pattern, v + off, t, hs, t, false, false, scratch, 0, t);
  }
}

/** dS = P∘(dP − rowsum(P∘dP))·scale on columns j ≤ i of each row i (zero above), in place of dP in d [t, t]. */
function causalSoftmaxGrad(d: usize, p: usize, t: i32, scale: f32): void {
  const vscale = f32x4.splat(scale);
  for (let i = 0; i < t; i++) {
    const pr = p + (<usize>(i * t) << 2);
    const dr = d + (<usize>(i * t) << 2);
    const n = i + 1;
    const n4 = n & ~3;
    let sv = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) sv = madd(v128.load(dr + (<usize>j << 2)), v128.load(pr + (<usize>j << 2)), sv);
    let dot = sumLanes(sv);
    for (let j = n4; j < n; j++) dot += load<f32>(dr + (<usize>j << 2)) * load<f32>(pr + (<usize>j << 2));
    const vdot = f32x4.splat(dot);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.mul(f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(dr + o), vdot)), vscale));
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, (load<f32>(pr + o) * (load<f32>(dr + o) - dot)) * scale);
    }
    for (let j = n; j < t; j++) store<f32>(dr + (<usize>j << 2), 0);
  }
}

/** causalSoftmax on each of `heads` [t, t] score matrices at s (the native backend's attention). */
export function causalSoftmaxHeads(s: usize, heads: i32, t: i32, scale: f32): void {
  const bytes = <usize>(t * t) << 2;
  for (let h = 0; h < heads; h++) causalSoftmax(s + <usize>h * bytes, t, scale);
}

/** causalSoftmaxGrad on each of `heads` [t, t] matrices (dP in d becomes dS; p holds the patterns). */
export function causalSoftmaxGradHeads(d: usize, p: usize, heads: i32, t: i32, scale: f32): void {
  const bytes = <usize>(t * t) << 2;
  for (let h = 0; h < heads; h++) causalSoftmaxGrad(d + <usize>h * bytes, p + <usize>h * bytes, t, scale);
}

/**
 * Gradients of causal attention for each head, in one pass per head: the pattern P is recomputed
 * (as in the forward pass) into `work` (2·t·t floats), then dS = P∘(g·vᵀ − rowsum(P∘g·vᵀ))·scale,
 * dq = dS·k, dk = dSᵀ·q, dv = Pᵀ·g. q, k, v, g, dq, dk, dv are [heads, t, hs].
 */
export function attentionBackward(dq: usize, dk: usize, dv: usize, g: usize, q: usize, k: usize, v: usize, heads: i32, t: i32, hs: i32, scale: f32, work: usize, scratch: usize): void {
  const bytes = <usize>(t * hs) << 2;
  const p = work;
  const d = work + (<usize>(t * t) << 2);
  for (let h = 0; h < heads; h++) {
    const off = <usize>h * bytes;
    matmul(p, q + off, k + off, t, t, hs, false, true, scratch, 0, t);
    causalSoftmax(p, t, scale);
    matmul(d, g + off, v + off, t, t, hs, false, true, scratch, 0, t); // dP = g·vᵀ
    causalSoftmaxGrad(d, p, t, scale);
    matmul(dq + off, d, k + off, t, hs, t, false, false, scratch, 0, t);
    matmul(dk + off, d, q + off, t, hs, t, true, false, scratch, 0, t);
    matmul(dv + off, p, g + off, t, hs, t, true, false, scratch, 0, t);
  }
}
