// Reductions over a contiguous run of axes, viewed as [outer, reduced, inner]: sum (accumulated in
// float64, like the js oracle), max (NaN wins) and argmax (first maximum, int32 result).

/** o[i, j] = Σ_r a[i, r, j], each sum in float64 in r order. */
export function sum(o: usize, a: usize, outer: i32, red: i32, inner: i32): void {
  if (inner == 1) {
    for (let i = 0; i < outer; i++) {
      const base = a + (<usize>(i * red) << 2);
      // four independent float64 sums keep the adds in flight
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      let r = 0;
      for (; r + 4 <= red; r += 4) {
        const p = base + (<usize>r << 2);
        s0 += <f64>load<f32>(p);
        s1 += <f64>load<f32>(p, 4);
        s2 += <f64>load<f32>(p, 8);
        s3 += <f64>load<f32>(p, 12);
      }
      for (; r < red; r++) s0 += <f64>load<f32>(base + (<usize>r << 2));
      store<f32>(o + (<usize>i << 2), <f32>((s0 + s1) + (s2 + s3)));
    }
    return;
  }
  // each column's float64 sum in registers, 16 columns at a time, then 2, then 1: the same adds in the
  // same order (r = 0 … red − 1) as one sum per column
  for (let i = 0; i < outer; i++) {
    const base = a + (<usize>(i * red * inner) << 2);
    const dst = o + (<usize>(i * inner) << 2);
    const rowBytes = <usize>inner << 2;
    let j = 0;
    for (; j + 16 <= inner; j += 16) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let s4 = f64x2.splat(0), s5 = f64x2.splat(0), s6 = f64x2.splat(0), s7 = f64x2.splat(0);
      let p = base + (<usize>j << 2);
      for (let r = 0; r < red; r++) {
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v128.load64_zero(p)));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.load64_zero(p, 8)));
        s2 = f64x2.add(s2, f64x2.promote_low_f32x4(v128.load64_zero(p, 16)));
        s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.load64_zero(p, 24)));
        s4 = f64x2.add(s4, f64x2.promote_low_f32x4(v128.load64_zero(p, 32)));
        s5 = f64x2.add(s5, f64x2.promote_low_f32x4(v128.load64_zero(p, 40)));
        s6 = f64x2.add(s6, f64x2.promote_low_f32x4(v128.load64_zero(p, 48)));
        s7 = f64x2.add(s7, f64x2.promote_low_f32x4(v128.load64_zero(p, 56)));
        p += rowBytes;
      }
      const d = dst + (<usize>j << 2);
      v128.store(d, i8x16.shuffle(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
      v128.store(d, i8x16.shuffle(f32x4.demote_f64x2_zero(s2), f32x4.demote_f64x2_zero(s3), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), 16);
      v128.store(d, i8x16.shuffle(f32x4.demote_f64x2_zero(s4), f32x4.demote_f64x2_zero(s5), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), 32);
      v128.store(d, i8x16.shuffle(f32x4.demote_f64x2_zero(s6), f32x4.demote_f64x2_zero(s7), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), 48);
    }
    for (; j + 2 <= inner; j += 2) {
      let s0 = f64x2.splat(0);
      let p = base + (<usize>j << 2);
      for (let r = 0; r < red; r++) {
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v128.load64_zero(p)));
        p += rowBytes;
      }
      v128.store64_lane(dst + (<usize>j << 2), f32x4.demote_f64x2_zero(s0), 0);
    }
    for (; j < inner; j++) {
      let s0: f64 = 0;
      let p = base + (<usize>j << 2);
      for (let r = 0; r < red; r++) {
        s0 += <f64>load<f32>(p);
        p += rowBytes;
      }
      store<f32>(dst + (<usize>j << 2), <f32>s0);
    }
  }
}

/** o[i, j] = max_r a[i, r, j] (a NaN anywhere makes the result NaN). */
export function max(o: usize, a: usize, outer: i32, red: i32, inner: i32): void {
  for (let i = 0; i < outer; i++) {
    const dst = o + (<usize>(i * inner) << 2);
    let j = 0;
    for (; j + 4 <= inner; j += 4) v128.store(dst + (<usize>j << 2), f32x4.splat(-Infinity));
    for (; j < inner; j++) store<f32>(dst + (<usize>j << 2), -Infinity);
    for (let r = 0; r < red; r++) {
      const src = a + (<usize>((i * red + r) * inner) << 2);
      j = 0;
      for (; j + 4 <= inner; j += 4) {
        const off = <usize>j << 2;
        v128.store(dst + off, f32x4.max(v128.load(dst + off), v128.load(src + off)));
      }
      for (; j < inner; j++) {
        const off = <usize>j << 2;
        store<f32>(dst + off, Mathf.max(load<f32>(dst + off), load<f32>(src + off)));
      }
    }
  }
}

/** o[i, j] = the first r where a[i, r, j] is largest (int32); a NaN never wins over an earlier value. */
export function argmax(o: usize, a: usize, outer: i32, red: i32, inner: i32): void {
  if (inner == 1 && red >= 4) {
    argmaxRows(o, a, outer, red);
    return;
  }
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) {
      const at = a + (<usize>(i * red * inner + j) << 2);
      const step = <usize>inner << 2;
      store<i32>(o + (<usize>(i * inner + j) << 2), firstLargest(at, step, red));
    }
  }
}

/** The first r < red where load(at + r·step) is largest: the loop that defines argmax. */
@inline
function firstLargest(at: usize, step: usize, red: i32): i32 {
  let best = 0;
  let bestValue = load<f32>(at);
  for (let r = 1; r < red; r++) {
    const v = load<f32>(at + <usize>r * step);
    if (v > bestValue) {
      bestValue = v;
      best = r;
    }
  }
  return best;
}

/**
 * argmax of each contiguous row of `red` ≥ 4 values: the row's largest value by vector max, then the first
 * lane equal to it (rows of up to 32: the lowest bit of a mask of the equal lanes, since a branch on where
 * the largest lies mispredicts). The first maximum is the first value equal to the largest (−0 and +0
 * compare equal, and neither beats the other in the loop); a row with a NaN takes the loop.
 */
function argmaxRows(o: usize, a: usize, rows: i32, red: i32): void {
  const last = <usize>(red - 4) << 2; // the last 4 values of a row (they may overlap the others)
  for (let i = 0; i < rows; i++) {
    const p = a + (<usize>(i * red) << 2);
    let m = v128.load(p);
    for (let r = 4; r + 4 <= red; r += 4) m = f32x4.max(m, v128.load(p + (<usize>r << 2)));
    m = f32x4.max(m, v128.load(p + last));
    m = f32x4.max(m, v128.shuffle<f32>(m, m, 2, 3, 0, 1));
    m = f32x4.max(m, v128.shuffle<f32>(m, m, 1, 0, 3, 2));
    const largest = f32x4.extract_lane(m, 0);
    let best = 0;
    if (largest != largest) best = firstLargest(p, 4, red);
    else if (red <= 32) {
      // one bit a value equal to the largest, no branch on where it lies (which is data)
      let hits: u32 = 0;
      for (let r = 0; r + 4 <= red; r += 4) hits |= <u32>i32x4.bitmask(f32x4.eq(v128.load(p + (<usize>r << 2)), m)) << r;
      hits |= <u32>i32x4.bitmask(f32x4.eq(v128.load(p + last), m)) << (red - 4);
      best = ctz(hits);
    } else {
      let r = 0;
      let hits = 0;
      for (; r + 4 <= red; r += 4) {
        hits = i32x4.bitmask(f32x4.eq(v128.load(p + (<usize>r << 2)), m));
        if (hits) break;
      }
      best = hits ? r + ctz(hits) : red - 4 + ctz(i32x4.bitmask(f32x4.eq(v128.load(p + last), m)));
    }
    store<i32>(o + (<usize>i << 2), best);
  }
}
