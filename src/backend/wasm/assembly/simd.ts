// SIMD helpers shared by the kernels. `madd` is a fused multiply-add where the module is built with
// relaxed SIMD (the build makes a relaxed and a plain variant) and multiply-then-add otherwise.

/** a·b + c, four lanes at once. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** 1.0 in lanes where `mask` is set, 0.0 elsewhere (comparison results as numbers). */
@inline
export function ones(mask: v128): v128 {
  return v128.and(mask, f32x4.splat(1));
}
