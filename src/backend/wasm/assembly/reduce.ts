// Reductions over a contiguous run of axes, viewed as [outer, reduced, inner]: sum (accumulated in
// float64, like the js oracle), max (NaN wins) and argmax (first maximum, int32 result).

/** o[i, j] = Σ_r a[i, r, j]; `acc` is scratch for `inner` float64 values. */
export function sum(o: usize, a: usize, outer: i32, red: i32, inner: i32, acc: usize): void {
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
  for (let i = 0; i < outer; i++) {
    memory.fill(acc, 0, <usize>inner << 3);
    for (let r = 0; r < red; r++) {
      const src = a + (<usize>((i * red + r) * inner) << 2);
      let j = 0;
      for (; j + 2 <= inner; j += 2) {
        const p = acc + (<usize>j << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v128.load64_zero(src + (<usize>j << 2)))));
      }
      for (; j < inner; j++) {
        const p = acc + (<usize>j << 3);
        store<f64>(p, load<f64>(p) + <f64>load<f32>(src + (<usize>j << 2)));
      }
    }
    const dst = o + (<usize>(i * inner) << 2);
    for (let j = 0; j < inner; j++) store<f32>(dst + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
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

/** o[i, j] = the first r where a[i, r, j] is largest (int32). */
export function argmax(o: usize, a: usize, outer: i32, red: i32, inner: i32): void {
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      let bestValue = load<f32>(a + (<usize>(i * red * inner + j) << 2));
      for (let r = 1; r < red; r++) {
        const v = load<f32>(a + (<usize>((i * red + r) * inner + j) << 2));
        if (v > bestValue) {
          bestValue = v;
          best = r;
        }
      }
      store<i32>(o + (<usize>(i * inner + j) << 2), best);
    }
  }
}
