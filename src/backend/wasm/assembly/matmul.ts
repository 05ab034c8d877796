// Matrix multiplication C[m,n] = op(A)·op(B) for one matrix of a batch (the host loops over batches).
// GotoBLAS-style: B is packed block by block (KC rows × NC columns) into panels of 8 columns, so every
// transpose case becomes the same inner loop; a 5×8 register tile walks each panel. Each 5-row slice of
// A is packed too (5 floats a k, whatever A's strides; from Aᵀ, 16 slices in one pass over A): one
// vector load holds rows 0–3, whose lanes shuffles spread, and row 4's value is one broadcast load.
// Ten f32x4 accumulators, two vectors of B, the vector of A and one broadcast: 14 of the 16 SIMD
// registers V8 gives wasm on x64, none spilled.
// That is 10 multiply-adds for about 22 instructions a step, where a 4×8 tile of four broadcasts spent
// 25 on 8 (V8 computes an address for each broadcast load at an offset, and the loop's counters, bound
// and interrupt check cost several a step whatever the tile), and 10 chains of multiply-adds in flight
// rather than 8, the least that keeps two FMA units of 4 cycles' latency busy. Tried: 6×8 by six
// broadcasts (spilled here, at half speed), 6×8 with shuffles and k unrolled by two (both spill).
// A full 5×8 tile of the first k-block stores straight into C; the other cases leave through a tile
// buffer (storeTile): with those edge cases inlined after the loop, V8 loaded every operand of a step
// before its multiply-adds and spilled. Rows left over take a 4×8 tile, then 1×8. Every element of C
// is one chain of multiply-adds in k order in both tiles, so which of them a row falls in does not
// change its bits; the host splits rows between threads at multiples of 5 (ROWS_PER_TILE) so that the
// 1×8 rows are the same ones. Partial k-blocks accumulate into C.

import { hsum, madd } from "./simd";

/**
 * Rows of B per packed block: a 5-row slice of A (10 KiB) and a panel of B (16 KiB) stay in L1. 512
 * rather than 256: a 512-deep product then adds into C once less (1–2% faster at 512³, A/B).
 */
const KC = 512;
/** Columns of B per packed block: KC × NC floats (512 KiB) stay in L2. */
const NC = 256;

/**
 * 5-row slices of Aᵀ packed in one pass: each k-row of Aᵀ (the rows of A side by side) is then read
 * 320 contiguous bytes at a time rather than 20 bytes once per slice (2–3% on the weight gradients' Aᵀ·B
 * of 384 and 512 rows, in one process).
 */
const SLICES_T = 16;

/** Bytes of scratch `matmul` needs: one packed block of B, a 4×8 tile, and SLICES_T packed 5-row slices of A. */
export function matmulScratchBytes(): i32 {
  return KC * NC * 4 + 40 * 4 + SLICES_T * 5 * KC * 4;
}

/**
 * Packs `rows` (4 or 5) rows i … of A over k-block pc … pc+kc as kc groups of `rows` floats (A(i.., p)
 * side by side), so the micro-kernel reads them at fixed offsets from one pointer, whatever A's strides.
 * A(i+r, p) is at a + r·rowBytes + p·step. Vector paths for the two layouts products use: rows stored
 * along k (step 4: four k at a time, rows 0–3 transposed 4×4) and Aᵀ (rowBytes 4: rows 0–3 of one k
 * are one load).
 */
function packA(dst: usize, a: usize, rowBytes: usize, step: usize, kc: i32, rows: i32): void {
  let a0 = a;
  let d = dst;
  const groupBytes = <usize>rows << 2;
  let p = 0;
  if (step == 4) {
    for (; p + 4 <= kc; p += 4) {
      transpose4(d, groupBytes, v128.load(a0), v128.load(a0 + rowBytes), v128.load(a0 + 2 * rowBytes), v128.load(a0 + 3 * rowBytes));
      if (rows == 5) {
        const r4 = v128.load(a0 + 4 * rowBytes);
        v128.store32_lane(d, r4, 0, 16);
        v128.store32_lane(d + groupBytes, r4, 1, 16);
        v128.store32_lane(d + 2 * groupBytes, r4, 2, 16);
        v128.store32_lane(d + 3 * groupBytes, r4, 3, 16);
      }
      a0 += 16;
      d += groupBytes << 2;
    }
  } else if (rowBytes == 4) {
    for (; p < kc; p++) {
      v128.store(d, v128.load(a0));
      if (rows == 5) store<f32>(d, load<f32>(a0, 16), 16);
      a0 += step;
      d += groupBytes;
    }
  }
  for (; p < kc; p++) {
    store<f32>(d, load<f32>(a0));
    store<f32>(d, load<f32>(a0 + rowBytes), 4);
    store<f32>(d, load<f32>(a0 + 2 * rowBytes), 8);
    store<f32>(d, load<f32>(a0 + 3 * rowBytes), 12);
    if (rows == 5) store<f32>(d, load<f32>(a0 + 4 * rowBytes), 16);
    a0 += step;
    d += groupBytes;
  }
}

/**
 * Packs `slices` 5-row slices of A from Aᵀ (rows i … of A contiguous at each k, `step` bytes from one k
 * to the next) over kc values of k, slice s at dst + s·5·kc floats, as packA lays out one.
 */
function packSlicesT(dst: usize, a: usize, step: usize, kc: i32, slices: i32): void {
  const sliceBytes = <usize>(5 * kc) << 2;
  let src = a;
  let d = dst;
  for (let p = 0; p < kc; p++) {
    let from = src;
    let to = d;
    for (let s = 0; s < slices; s++) {
      v128.store(to, v128.load(from));
      store<f32>(to, load<f32>(from, 16), 16);
      from += 20;
      to += sliceBytes;
    }
    src += step;
    d += 20;
  }
}

/** Writes the 4×4 transpose of rows r0..r3 (4 floats each) as 4 rows `stride` bytes apart at `dst`. */
@inline
function transpose4(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs B[pc .. pc+kc, jc .. jc+nc] into panels: panel q holds columns jc+8q .. jc+8q+7 as kc rows of 8
 * floats (zero beyond column n). B(p, j) is at b + (p·rs + j·cs) floats: cs = 1 for B as stored, rs = 1
 * for Bᵀ (then full panels are transposed 4×4 block by block).
 */
export function packB(dst: usize, b: usize, rs: i32, cs: i32, pc: i32, kc: i32, jc: i32, nc: i32): void {
  let q = 0;
  if (cs == 1) {
    // B as stored: four panels at a time, each row's 128 bytes read whole (2–3% on 128×768×512, where
    // a panel at a time read each line twice; a whole row at a time wrote 32 panels 16 KiB apart, which
    // share L1 sets, and lost 8%)
    const panelBytes = <usize>kc << 5;
    const rowBytes = <usize>rs << 2;
    for (; q + 32 <= nc; q += 32) {
      let src = b + (<usize>(pc * rs + jc + q) << 2);
      let d = dst + (<usize>(q * kc) << 2);
      for (let p = 0; p < kc; p++) {
        put8(d, v128.load(src), v128.load(src, 16));
        put8(d + panelBytes, v128.load(src, 32), v128.load(src, 48));
        put8(d + 2 * panelBytes, v128.load(src, 64), v128.load(src, 80));
        put8(d + 3 * panelBytes, v128.load(src, 96), v128.load(src, 112));
        src += rowBytes;
        d += 32;
      }
    }
  }
  for (; q < nc; q += 8) {
    const cols = min(8, nc - q);
    const panel = dst + (<usize>(q * kc) << 2);
    let p = 0;
    if (cols == 8 && cs == 1) {
      for (; p < kc; p++) {
        const src = b + (<usize>((pc + p) * rs + jc + q) << 2);
        const d = panel + (<usize>p << 5);
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
      }
    } else if (cols == 8 && rs == 1) {
      // column j of the panel is the contiguous row jc+q+j of Bᵀ
      const row0 = b + (<usize>((jc + q) * cs + pc) << 2);
      const stride = <usize>cs << 2;
      for (; p + 4 <= kc; p += 4) {
        const src = row0 + (<usize>p << 2);
        const d = panel + (<usize>p << 5);
        transpose4(d, 32, v128.load(src), v128.load(src + stride), v128.load(src + 2 * stride), v128.load(src + 3 * stride));
        const src4 = src + 4 * stride;
        transpose4(d + 16, 32, v128.load(src4), v128.load(src4 + stride), v128.load(src4 + 2 * stride), v128.load(src4 + 3 * stride));
      }
    }
    for (; p < kc; p++) {
      const d = panel + (<usize>p << 5);
      for (let jj = 0; jj < 8; jj++) {
        const v: f32 = jj < cols ? load<f32>(b + (<usize>((pc + p) * rs + (jc + q + jj) * cs) << 2)) : 0;
        store<f32>(d + (<usize>jj << 2), v);
      }
    }
  }
}

/** Writes (or, with `add`, adds) the first `cols` columns of a row tile (two vectors) into C. */
@inline
function storeRow(c: usize, lo: v128, hi: v128, cols: i32, add: bool, tmp: usize): void {
  if (cols == 8) {
    if (add) {
      lo = f32x4.add(lo, v128.load(c));
      hi = f32x4.add(hi, v128.load(c, 16));
    }
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  v128.store(tmp, lo);
  v128.store(tmp, hi, 16);
  for (let j = 0; j < cols; j++) {
    const p = c + (<usize>j << 2);
    const v = load<f32>(tmp + (<usize>j << 2));
    store<f32>(p, add ? load<f32>(p) + v : v);
  }
}

/**
 * The 5×8 micro-kernel: five rows of A packed by packA, one packed panel of B. Lanes 0–3 of one load of
 * A become four broadcasts by shuffles, row 4's value is a broadcast load; the tile leaves through
 * `tmp` (40 floats).
 */
function tile5x8(ap: usize, panel: usize, kc: i32, c: usize, ldcBytes: usize, cols: i32, add: bool, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let a0 = ap;
  let bp = panel;
  const end = panel + (<usize>kc << 5);
  while (bp < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a = v128.load(a0);
    let x = v128.shuffle<f32>(a, a, 0, 0, 0, 0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.shuffle<f32>(a, a, 1, 1, 1, 1);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.shuffle<f32>(a, a, 2, 2, 2, 2);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.shuffle<f32>(a, a, 3, 3, 3, 3);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    x = v128.load32_splat(a0, 16);
    c40 = madd(x, b0, c40);
    c41 = madd(x, b1, c41);
    a0 += 20;
    bp += 32;
  }
  if (cols == 8 && !add) {
    // a full tile of the first k-block goes straight into C
    put8(c, c00, c01);
    put8(c + ldcBytes, c10, c11);
    put8(c + 2 * ldcBytes, c20, c21);
    put8(c + 3 * ldcBytes, c30, c31);
    put8(c + 4 * ldcBytes, c40, c41);
    return;
  }
  put8(tmp, c00, c01);
  put8(tmp + 32, c10, c11);
  put8(tmp + 64, c20, c21);
  put8(tmp + 96, c30, c31);
  put8(tmp + 128, c40, c41);
  storeTile(c, ldcBytes, tmp, 5, cols, add);
}

/** Stores 8 floats (two vectors) at `p`. */
@inline
function put8(p: usize, lo: v128, hi: v128): void {
  v128.store(p, lo);
  v128.store(p, hi, 16);
}

/** Writes (or, with `add`, adds) `rows` rows of a tile kept at `tile` (8 floats a row) into C. */
function storeTile(c: usize, ldcBytes: usize, tile: usize, rows: i32, cols: i32, add: bool): void {
  for (let r = 0; r < rows; r++) {
    const t = tile + (<usize>r << 5);
    storeRow(c + <usize>r * ldcBytes, v128.load(t), v128.load(t, 16), cols, add, t);
  }
}

/** The 4×8 micro-kernel for the rows the 5-row tiles leave: four rows of A packed by packA, one panel of B. */
function tile4x8(ap: usize, panel: usize, kc: i32, c: usize, ldcBytes: usize, cols: i32, add: bool, tmp: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = ap;
  let bp = panel;
  const end = panel + (<usize>kc << 5);
  while (bp < end) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(a0, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(a0, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(a0, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    a0 += 16;
    bp += 32;
  }
  put8(tmp, c00, c01);
  put8(tmp + 32, c10, c11);
  put8(tmp + 64, c20, c21);
  put8(tmp + 96, c30, c31);
  storeTile(c, ldcBytes, tmp, 4, cols, add);
}

/** One row of A against one packed panel (the rows left over after the 5- and 4-row tiles). */
function tile1x8(a: usize, step: usize, panel: usize, kc: i32, c: usize, cols: i32, add: bool, tmp: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  let a0 = a;
  let bp = panel;
  let p = 0;
  // two independent accumulator pairs hide the add latency
  for (; p + 2 <= kc; p += 2) {
    const x = v128.load32_splat(a0);
    const y = v128.load32_splat(a0 + step);
    c0 = madd(x, v128.load(bp), c0);
    c1 = madd(x, v128.load(bp, 16), c1);
    d0 = madd(y, v128.load(bp, 32), d0);
    d1 = madd(y, v128.load(bp, 48), d1);
    a0 += 2 * step;
    bp += 64;
  }
  if (p < kc) {
    const x = v128.load32_splat(a0);
    c0 = madd(x, v128.load(bp), c0);
    c1 = madd(x, v128.load(bp, 16), c1);
  }
  storeRow(c, f32x4.add(c0, d0), f32x4.add(c1, d1), cols, add, tmp);
}

/** Dot product of two contiguous rows of k floats. */
function dot(x: usize, y: usize, k: i32): f32 {
  let acc = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) acc = madd(v128.load(x + (<usize>p << 2)), v128.load(y + (<usize>p << 2)), acc);
  let s = hsum(acc);
  for (; p < k; p++) s += load<f32>(x + (<usize>p << 2)) * load<f32>(y + (<usize>p << 2));
  return s;
}

/**
 * Row i of C[m,n] = A[m,k]·B[n,k]ᵀ, columns j0 … j0+3 (four dot products of contiguous rows); with
 * `pair`, row i+1 too, sharing the loads of B (8 accumulators: each step loads 6 vectors for 8 products).
 */
@inline
function dots4(c: usize, a: usize, b: usize, n: i32, k: i32, i: i32, j0: i32, pair: bool): void {
  const rowBytes = <usize>k << 2;
  const ar = a + <usize>i * rowBytes;
  const ar2 = ar + rowBytes;
  const b0 = b + <usize>j0 * rowBytes;
  const b1 = b0 + rowBytes;
  const b2 = b1 + rowBytes;
  const b3 = b2 + rowBytes;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let u0 = f32x4.splat(0), u1 = f32x4.splat(0), u2 = f32x4.splat(0), u3 = f32x4.splat(0);
  let p = 0;
  for (; p + 4 <= k; p += 4) {
    const off = <usize>p << 2;
    const w0 = v128.load(b0 + off);
    const w1 = v128.load(b1 + off);
    const w2 = v128.load(b2 + off);
    const w3 = v128.load(b3 + off);
    const x = v128.load(ar + off);
    s0 = madd(x, w0, s0);
    s1 = madd(x, w1, s1);
    s2 = madd(x, w2, s2);
    s3 = madd(x, w3, s3);
    if (pair) {
      const y = v128.load(ar2 + off);
      u0 = madd(y, w0, u0);
      u1 = madd(y, w1, u1);
      u2 = madd(y, w2, u2);
      u3 = madd(y, w3, u3);
    }
  }
  finishDots4(c + (<usize>(i * n + j0) << 2), ar, b0, rowBytes, p, k, s0, s1, s2, s3);
  if (pair) finishDots4(c + (<usize>((i + 1) * n + j0) << 2), ar2, b0, rowBytes, p, k, u0, u1, u2, u3);
}

/** Sums the lanes of four dot products, adds the scalar tail from element p on, stores them at c. */
@inline
function finishDots4(c: usize, ar: usize, b0: usize, rowBytes: usize, p: i32, k: i32, s0: v128, s1: v128, s2: v128, s3: v128): void {
  if (p == k) {
    // no tail: the four lane sums (l0 + l1) + (l2 + l3) side by side, by shuffles
    const h01 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 2, 4, 6), v128.shuffle<f32>(s0, s1, 1, 3, 5, 7));
    const h23 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 2, 4, 6), v128.shuffle<f32>(s2, s3, 1, 3, 5, 7));
    v128.store(c, f32x4.add(v128.shuffle<f32>(h01, h23, 0, 2, 4, 6), v128.shuffle<f32>(h01, h23, 1, 3, 5, 7)));
    return;
  }
  let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
  for (; p < k; p++) {
    const off = <usize>p << 2;
    const x = load<f32>(ar + off);
    t0 += x * load<f32>(b0 + off);
    t1 += x * load<f32>(b0 + rowBytes + off);
    t2 += x * load<f32>(b0 + 2 * rowBytes + off);
    t3 += x * load<f32>(b0 + 3 * rowBytes + off);
  }
  store<f32>(c, t0);
  store<f32>(c, t1, 4);
  store<f32>(c, t2, 8);
  store<f32>(c, t3, 12);
}

/**
 * C[m,n] = A[m,k]·B[n,k]ᵀ as dot products of contiguous rows, two rows of A against four rows of B at
 * a time. For few rows of A (a layer's forward pass on a small batch) this beats packing B, which would
 * touch all of B once per call for only m uses of each value.
 */
function matmulRowsNT(c: usize, a: usize, b: usize, n: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  const rowBytes = <usize>k << 2;
  for (let i = i0; i < i1; i += 2) {
    const pair = i + 1 < i1;
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      if (pair) dots4(c, a, b, n, k, i, j, true);
      else dots4(c, a, b, n, k, i, j, false);
    }
    for (; j < j1; j++) {
      store<f32>(c + (<usize>(i * n + j) << 2), dot(a + <usize>i * rowBytes, b + <usize>j * rowBytes, k));
      if (pair) store<f32>(c + (<usize>((i + 1) * n + j) << 2), dot(a + <usize>(i + 1) * rowBytes, b + <usize>j * rowBytes, k));
    }
  }
}

/** Below this many rows of A, A·Bᵀ runs as dot products instead of packing B. */
const ROWS_NT = 16;

/**
 * Rows i0 .. i1 of C[m,n] = op(A)·op(B), k > 0. A is [m,k] (or [k,m] with transA), B is [k,n] (or [n,k]
 * with transB). `scratch` holds matmulScratchBytes() bytes. One thread passes 0, m.
 */
export function matmul(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize, i0: i32, i1: i32): void {
  matmulBlock(c, a, b, m, n, k, transA, transB, scratch, i0, i1, 0, n);
}

/**
 * The block of C[m,n] = op(A)·op(B) at rows i0 .. i1 and columns j0 .. j1, k > 0 (as `matmul`). Threads
 * split C by rows or by columns (each with its own scratch); each element gets the same bits either way,
 * its row's tile and the k-blocks being the same.
 */
export function matmulBlock(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize, i0: i32, i1: i32, j0: i32, j1: i32): void {
  if (!transA && transB && m <= ROWS_NT) {
    matmulRowsNT(c, a, b, n, k, i0, i1, j0, j1);
    return;
  }
  // A(i, p) = a[i·ars + p·acs];  B(p, j) = b[p·brs + j·bcs]
  const ars = transA ? 1 : k;
  const acs = transA ? m : 1;
  const brs = transB ? 1 : n;
  const bcs = transB ? k : 1;
  const tmp = scratch + <usize>(KC * NC * 4);
  const packedA = tmp + 40 * 4;
  const ldcBytes = <usize>n << 2;
  const rowBytes = <usize>ars << 2;
  const step = <usize>acs << 2;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const add = pc > 0;
      packB(scratch, b, brs, bcs, pc, kc, jc, nc);
      let i = i0;
      while (i + 5 <= i1) {
        // up to SLICES_T slices at once from Aᵀ, else one
        const slices = transA ? min(SLICES_T, (i1 - i) / 5) : 1;
        const at = a + (<usize>(i * ars + pc * acs) << 2);
        if (transA) packSlicesT(packedA, at, step, kc, slices);
        else packA(packedA, at, rowBytes, step, kc, 5);
        for (let s = 0; s < slices; s++, i += 5) {
          const slice = packedA + (<usize>(s * 5 * kc) << 2);
          for (let q = 0; q < nc; q += 8) {
            const ci = c + (<usize>(i * n + jc + q) << 2);
            tile5x8(slice, scratch + (<usize>(q * kc) << 2), kc, ci, ldcBytes, min(8, nc - q), add, tmp);
          }
        }
      }
      if (i + 4 <= i1) {
        packA(packedA, a + (<usize>(i * ars + pc * acs) << 2), rowBytes, step, kc, 4);
        for (let q = 0; q < nc; q += 8) {
          const ci = c + (<usize>(i * n + jc + q) << 2);
          tile4x8(packedA, scratch + (<usize>(q * kc) << 2), kc, ci, ldcBytes, min(8, nc - q), add, tmp);
        }
        i += 4;
      }
      for (; i < i1; i++) {
        const ai = a + (<usize>(i * ars + pc * acs) << 2);
        for (let q = 0; q < nc; q += 8) {
          const ci = c + (<usize>(i * n + jc + q) << 2);
          tile1x8(ai, step, scratch + (<usize>(q * kc) << 2), kc, ci, min(8, nc - q), add, tmp);
        }
      }
    }
  }
}

/**
 * `count` products of a batch, matrix b of C from matrix b·aStep of A and b·bStep of B (steps 0 or 1
 * broadcast an operand); threads split a batch into runs of matrices.
 */
export function matmulBatch(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool, scratch: usize, count: i32, aStep: i32, bStep: i32): void {
  const aBytes = <usize>(m * k) << 2;
  const bBytes = <usize>(k * n) << 2;
  const cBytes = <usize>(m * n) << 2;
  for (let i = 0; i < count; i++) {
    matmul(c + <usize>i * cBytes, a + <usize>(i * aStep) * aBytes, b + <usize>(i * bStep) * bBytes, m, n, k, transA, transB, scratch, 0, m);
  }
}
