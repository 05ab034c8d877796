// SIMD helpers shared by the kernels. `madd` is a fused multiply-add where the module is built with
// relaxed SIMD (the build makes a relaxed and a plain variant) and multiply-then-add otherwise.

/** a·b + c, four lanes at once. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** The sum of the four lanes, as (l0 + l1) + (l2 + l3). */
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** 1.0 in lanes where `mask` is set, 0.0 elsewhere (comparison results as numbers). */
@inline
export function ones(mask: v128): v128 {
  return v128.and(mask, f32x4.splat(1));
}

/**
 * e^x, four lanes at once: x = n·ln 2 + r with |r| ≤ ½ln 2, e^r by Cephes' expf polynomial, 2^n
 * built in the exponent bits (relative error about 1e-7). x is clamped to ±88 so that 2^n stays a
 * normal float: e^88 ≈ 1.7e38 (NaN stays NaN).
 */
@inline
export function exp4(x: v128): v128 {
  // pmin/pmax with x first: the same as min/max for a constant bound (NaN stays NaN, −0 stays −0), one
  // instruction each where V8 spends five on min/max's NaN and zero rules
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-88)), f32x4.splat(88));
  const n = f32x4.floor(madd(x, f32x4.splat(1.44269504088896341), f32x4.splat(0.5)));
  // r = x − n·ln 2, ln 2 in two parts so that n·C1 is exact
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = madd(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const er = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1));
  // 2^n: n + 127 lands in the low mantissa bits of n + (1.5·2²³ + 127), which is exact for |n| ≤ 127,
  // and the shift leaves only them (the same bits as truncating n to an integer, which V8 spends eight
  // instructions on; a NaN's n gives 0 here and the product stays NaN)
  const pow2n = i32x4.shl(f32x4.add(n, f32x4.splat(12583039)), 23);
  return f32x4.mul(er, pow2n);
}

/**
 * tanh(x), four lanes at once, after Cephes' tanhf: x + x³·P(x²) below |x| = 0.625 (no cancellation
 * near 0), 1 − 2/(e^(2|x|) + 1) with x's sign above (relative error about 2e-7 on both sides).
 */
@inline
export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = madd(f32x4.splat(-5.70498872745e-3), z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = exp4(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // copy x's sign onto the large-|x| branch
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/**
 * erf(x), four lanes at once: x·P(x²)/Q(x²) on x clamped to ±4 (erf(4) rounds to 1 in float32), the
 * rational approximation of degree 13/8 that Eigen and XLA use for float32 (error a few float32 ulps).
 */
@inline
export function erf4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-4)), f32x4.splat(4)); // as in exp4
  const z = f32x4.mul(x, x);
  let p = madd(f32x4.splat(-2.72614225801306e-10), z, f32x4.splat(2.77068142495902e-8));
  p = madd(p, z, f32x4.splat(-2.10102402082508e-6));
  p = madd(p, z, f32x4.splat(-5.69250639462346e-5));
  p = madd(p, z, f32x4.splat(-7.34990630326855e-4));
  p = madd(p, z, f32x4.splat(-2.95459980854025e-3));
  p = madd(p, z, f32x4.splat(-1.60960333262415e-2));
  let q = madd(f32x4.splat(-1.45660718464996e-5), z, f32x4.splat(-2.13374055278905e-4));
  q = madd(q, z, f32x4.splat(-1.68282697438203e-3));
  q = madd(q, z, f32x4.splat(-7.37332916720468e-3));
  q = madd(q, z, f32x4.splat(-1.42647390514189e-2));
  return f32x4.div(f32x4.mul(x, p), q);
}
