// Causal self-attention read in place from c_attn's output: qkv [B, T, 3C] holds each position's query,
// key and value side by side, head h's at columns h·hs, C + h·hs and 2C + h·hs. The heads are never
// copied out (no split, no permute) and the output lands with its heads merged, [B, T, C], ready for
// c_proj; the backward pass writes dq, dk, dv into one dqkv [B, T, 3C] the same way. Each (batch, head)
// unit is independent, so threads share the units.
//
// Every product is a 4×8 register tile over at most the causal half: row block i of the scores needs
// keys j ≤ i only, P·V reads only the pattern's nonzero columns, and the transposed products of the
// backward pass (dk = dSᵀ·q, dv = Pᵀ·g) start at their block's own row. The transposed operands need
// no transpose: rows j … j+3 of Pᵀ at step i are the four floats P[i, j … j+3], side by side.
//
// Work per unit, in floats (tp = T rounded up to 8): Kᵀ (and Vᵀ for the backward pass) packed as
// panels of 8 keys, hs·tp each; the pattern P, tp·tp; the backward's dS, tp·tp.

import { maxLanes } from "./attention";
import { packB } from "./matmul";
import { exp4, hsum, madd } from "./simd";

/** T rounded up to a multiple of 8: the row stride of the work matrices, and the packed key count. */
@inline
function padded(t: i32): i32 {
  return (t + 7) & ~7;
}

/** Floats of work one thread needs for `packedAttention` (backward: `packedAttentionBackward`). */
export function packedAttentionWork(t: i32, hs: i32, backward: bool): i32 {
  const tp = padded(t);
  return backward ? 2 * hs * tp + 2 * tp * tp : hs * tp + tp * tp;
}

/**
 * Packs rows 0 … t−1 of x (row stride `rs` floats, hs floats each) transposed as panels of 8 rows:
 * panel q holds x[8q … 8q+7, d] at dst + (q·hs + d)·8 floats, zero past row t (matmul's packB, with
 * x's rows as B's columns).
 */
@inline
function packTransposed(dst: usize, x: usize, rs: i32, t: i32, hs: i32): void {
  packB(dst, x, 1, rs, 0, hs, 0, t);
}

/** Lane indices 0, 1, 2, 3. */
const LANES = i32x4(0, 1, 2, 3);

/**
 * The causal softmax of rows 0 … t−1 of s [t, tp] (tp ≥ the row's length rounded up to 4): row i is
 * scaled and softmaxed over j ≤ i, zero after. Whole vectors, the last one masked, since every row has
 * room to its next multiple of 4.
 */
function causalSoftmaxPadded(s: usize, t: i32, tp: i32, scale: f32): void {
  const vscale = f32x4.splat(scale);
  const minusInf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  for (let i = 0; i < t; i++) {
    const row = s + (<usize>(i * tp) << 2);
    const vectors = (i + 4) >> 2; // ⌈(i + 1) / 4⌉
    const last = row + (<usize>(vectors - 1) << 4);
    const keep = i32x4.lt_s(LANES, i32x4.splat(i + 1 - 4 * (vectors - 1))); // the last vector's lanes j ≤ i
    let mv = minusInf;
    for (let p = row; p < last; p += 16) {
      const v = f32x4.mul(v128.load(p), vscale);
      v128.store(p, v);
      mv = f32x4.pmax(mv, v);
    }
    const tail = v128.bitselect(f32x4.mul(v128.load(last), vscale), minusInf, keep);
    mv = f32x4.pmax(mv, tail);
    const m = f32x4.splat(maxLanes(mv));
    let sv = zero;
    for (let p = row; p < last; p += 16) {
      const e = exp4(f32x4.sub(v128.load(p), m));
      v128.store(p, e);
      sv = f32x4.add(sv, e);
    }
    const e = v128.and(exp4(f32x4.sub(tail, m)), keep);
    v128.store(last, e);
    sv = f32x4.add(sv, e);
    const inv = f32x4.splat(1 / hsum(sv));
    for (let p = row; p <= last; p += 16) v128.store(p, f32x4.mul(v128.load(p), inv));
    const end = row + (<usize>tp << 2);
    for (let p = last + 16; p < end; p += 16) v128.store(p, zero);
  }
}

/**
 * dS = P∘(dP − rowsum(P∘dP))·scale in place of dP in d, for the pattern p from causalSoftmaxPadded
 * (zero right of the diagonal, so those lanes of dS come out zero); zero past each row's last vector.
 */
function causalSoftmaxGradPadded(d: usize, p: usize, t: i32, tp: i32, scale: f32): void {
  const vscale = f32x4.splat(scale);
  const zero = f32x4.splat(0);
  for (let i = 0; i < t; i++) {
    const at = <usize>(i * tp) << 2;
    const dr = d + at;
    const pr = p + at;
    const bytes = <usize>((i + 4) >> 2) << 4;
    let sv = zero;
    for (let o: usize = 0; o < bytes; o += 16) sv = madd(v128.load(dr + o), v128.load(pr + o), sv);
    const dot = f32x4.splat(hsum(sv));
    for (let o: usize = 0; o < bytes; o += 16) v128.store(dr + o, f32x4.mul(f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(dr + o), dot)), vscale));
    const end = <usize>tp << 2;
    for (let o = bytes; o < end; o += 16) v128.store(dr + o, zero);
  }
}

/** Stores the first `rows` rows of a 4×8 tile at c (row stride ldc bytes). */
@inline
function storeTile(c: usize, ldc: usize, rows: i32, c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  v128.store(c, c00);
  v128.store(c, c01, 16);
  if (rows < 2) return;
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  if (rows < 3) return;
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  if (rows < 4) return;
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * C[r, 0 … 7] = Σ_p A(r, p)·B(p, 0 … 7) for r < rows (≤ 4), p < kc, with A's rows at a0 … a3 (each
 * contiguous along p) and B's rows 8 contiguous floats, bs bytes apart.
 */
function tileRows(a0: usize, a1: usize, a2: usize, a3: usize, b: usize, bs: usize, kc: i32, c: usize, ldc: usize, rows: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = a0 + (<usize>kc << 2);
  while (a0 < end) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    b += bs;
  }
  storeTile(c, ldc, rows, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * The same tile with A transposed in memory: A(r, p) = a[p·as + r], the tile's four values of step p
 * side by side (rows j … j+3 of Pᵀ are P[i, j … j+3]).
 */
function tileCols(a: usize, as: usize, b: usize, bs: usize, kc: i32, c: usize, ldc: usize, rows: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a += as;
    b += bs;
  }
  storeTile(c, ldc, rows, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * s = x·yᵀ on the causal half, for x's rows (row stride xs floats) against the packed panels of y
 * (packTransposed): row block i gets the columns of keys ≤ its last row; s is [t, tp].
 */
function causalScores(s: usize, x: usize, xs: i32, panels: usize, t: i32, hs: i32): void {
  const tp = padded(t);
  const ldc = <usize>tp << 2;
  const rowBytes = <usize>xs << 2;
  const panelBytes = <usize>(hs * 8) << 2;
  for (let i = 0; i < t; i += 4) {
    const rows = min(4, t - i);
    const a0 = x + <usize>i * rowBytes;
    // rows past t repeat the last row (read, never stored)
    const a1 = rows > 1 ? a0 + rowBytes : a0;
    const a2 = rows > 2 ? a1 + rowBytes : a1;
    const a3 = rows > 3 ? a2 + rowBytes : a2;
    const last = i + rows - 1;
    for (let q = 0; q <= last >> 3; q++) {
      tileRows(a0, a1, a2, a3, panels + <usize>q * panelBytes, 32, hs, s + <usize>i * ldc + (<usize>q << 5), ldc, rows);
    }
  }
}

/**
 * o = P·y for the causal pattern P [t, tp] (zero right of the diagonal) and y's rows (row stride ys
 * floats), written at o with row stride os floats: row block i sums over positions ≤ its last row.
 */
function patternTimes(o: usize, os: i32, p: usize, y: usize, ys: i32, t: i32, hs: i32): void {
  const tp = padded(t);
  const pRow = <usize>tp << 2;
  const yRow = <usize>ys << 2;
  const oRow = <usize>os << 2;
  for (let i = 0; i < t; i += 4) {
    const rows = min(4, t - i);
    const kc = i + rows;
    const a0 = p + <usize>i * pRow;
    const a1 = rows > 1 ? a0 + pRow : a0;
    const a2 = rows > 2 ? a1 + pRow : a1;
    const a3 = rows > 3 ? a2 + pRow : a2;
    for (let d = 0; d < hs; d += 8) {
      tileRows(a0, a1, a2, a3, y + (<usize>d << 2), yRow, kc, o + <usize>i * oRow + (<usize>d << 2), oRow, rows);
    }
  }
}

/**
 * o = Pᵀ·y for the causal pattern P [t, tp]: row j of o sums P[i, j]·y[i] over i ≥ j (zero below).
 * Row strides: ys and os floats.
 */
function patternTransposedTimes(o: usize, os: i32, p: usize, y: usize, ys: i32, t: i32, hs: i32): void {
  const tp = padded(t);
  const pRow = <usize>tp << 2;
  const yRow = <usize>ys << 2;
  const oRow = <usize>os << 2;
  for (let j = 0; j < t; j += 4) {
    const rows = min(4, t - j);
    const a = p + <usize>j * pRow + (<usize>j << 2);
    for (let d = 0; d < hs; d += 8) {
      tileCols(a, pRow, y + <usize>j * yRow + (<usize>d << 2), yRow, t - j, o + <usize>j * oRow + (<usize>d << 2), oRow, rows);
    }
  }
}

/** Byte offset of unit u's head in a [B, T, width] tensor whose heads start at column `col` (floats). */
@inline
function unitAt(u: i32, heads: i32, t: i32, hs: i32, width: i32, col: i32): usize {
  const b = u / heads;
  const h = u - b * heads;
  return <usize>(b * t * width + col + h * hs) << 2;
}

/**
 * o [B, T, C] = causal softmax(q·kᵀ·scale)·v for units u0 … u1 (unit = batch·heads + head) of
 * qkv [B, T, 3C], C = heads·hs, hs a multiple of 8; `work` holds packedAttentionWork(t, hs, false) floats.
 */
export function packedAttention(o: usize, qkv: usize, u0: i32, u1: i32, heads: i32, t: i32, hs: i32, scale: f32, work: usize): void {
  const c = heads * hs;
  const tp = padded(t);
  const kt = work;
  const p = work + (<usize>(hs * tp) << 2);
  for (let u = u0; u < u1; u++) {
    const q = qkv + unitAt(u, heads, t, hs, 3 * c, 0);
    packTransposed(kt, q + (<usize>c << 2), 3 * c, t, hs);
    causalScores(p, q, 3 * c, kt, t, hs);
    causalSoftmaxPadded(p, t, tp, scale);
    patternTimes(o + unitAt(u, heads, t, hs, c, 0), c, p, q + (<usize>(2 * c) << 2), 3 * c, t, hs);
  }
}

/**
 * Gradients of packedAttention given g [B, T, C], into dqkv [B, T, 3C] (every element written), for
 * units u0 … u1: P recomputed, dS = P∘(g·vᵀ − rowsum(P∘g·vᵀ))·scale, dq = dS·k, dk = dSᵀ·q, dv = Pᵀ·g.
 * `work` holds packedAttentionWork(t, hs, true) floats.
 */
export function packedAttentionBackward(dqkv: usize, g: usize, qkv: usize, u0: i32, u1: i32, heads: i32, t: i32, hs: i32, scale: f32, work: usize): void {
  const c = heads * hs;
  const tp = padded(t);
  const kt = work;
  const vt = kt + (<usize>(hs * tp) << 2);
  const p = vt + (<usize>(hs * tp) << 2);
  const ds = p + (<usize>(tp * tp) << 2);
  const k = <usize>c << 2;
  const v = <usize>(2 * c) << 2;
  for (let u = u0; u < u1; u++) {
    const at = unitAt(u, heads, t, hs, 3 * c, 0);
    const q = qkv + at;
    const gu = g + unitAt(u, heads, t, hs, c, 0);
    const dq = dqkv + at;
    packTransposed(kt, q + k, 3 * c, t, hs);
    packTransposed(vt, q + v, 3 * c, t, hs);
    causalScores(p, q, 3 * c, kt, t, hs);
    causalSoftmaxPadded(p, t, tp, scale);
    causalScores(ds, gu, c, vt, t, hs); // dP = g·vᵀ
    causalSoftmaxGradPadded(ds, p, t, tp, scale);
    patternTimes(dq, 3 * c, ds, q + k, 3 * c, t, hs);
    patternTransposedTimes(dq + k, 3 * c, ds, q, 3 * c, t, hs);
    patternTransposedTimes(dq + v, 3 * c, p, gu, c, t, hs);
  }
}
