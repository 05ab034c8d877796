// Fused elementwise kernels: single passes for composites (see src/core/fused.ts for the ops and their
// oracles); the row-wise ones (softmax, cross-entropy, layer norm) are in rows.ts.

import { erf4, exp4, madd, tanh4 } from "./simd";

/**
 * σ(x) = 1/(1 + e^(−x)), four at a time (the composite writes it as ½·tanh(x/2) + ½, the same function;
 * both saturate cleanly: e^(−x) is clamped, never infinite).
 */
export function sigmoid(o: usize, a: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(o + off, f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v128.load(a + off))))));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const e = f32x4.extract_lane(exp4(f32x4.splat(-load<f32>(a + off))), 0);
    store<f32>(o + off, <f32>1 / (<f32>1 + e));
  }
}

/** o = g·s·(1 − s): sigmoid's gradient given its output s. */
export function sigmoidGrad(o: usize, g: usize, s: usize, n: i32): void {
  let i = 0;
  const one = f32x4.splat(1);
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const sv = v128.load(s + off);
    v128.store(o + off, f32x4.mul(v128.load(g + off), f32x4.mul(sv, f32x4.sub(one, sv))));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const sv = load<f32>(s + off);
    store<f32>(o + off, load<f32>(g + off) * (sv * (1 - sv)));
  }
}

/** Adds the row vector b [cols] to every row of c [rows, cols] (a layer's bias). */
export function addBias(c: usize, b: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = c + (<usize>(r * cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const off = <usize>j << 2;
      v128.store(row + off, f32x4.add(v128.load(row + off), v128.load(b + off)));
    }
    for (; j < cols; j++) {
      const off = <usize>j << 2;
      store<f32>(row + off, load<f32>(row + off) + load<f32>(b + off));
    }
  }
}

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
const INV_SQRT_2PI: f64 = 0.3989422804014327;

/** u = √(2/π)(x + 0.044715x³), the argument of GPT-2's tanh GELU. */
@inline
function geluArg(x: v128): v128 {
  return f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), madd(f32x4.mul(f32x4.mul(x, x), x), f32x4.splat(0.044715), x));
}

/** GELU: exact ½x(1 + erf(x/√2)), or with `tanh` GPT-2's ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(o: usize, a: usize, n: i32, tanh: bool): void {
  let i = 0;
  const half = f32x4.splat(0.5);
  if (tanh) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const x = v128.load(a + off);
      const hx = f32x4.mul(half, x);
      v128.store(o + off, madd(hx, tanh4(geluArg(x)), hx));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const x = v128.load(a + off);
      const hx = f32x4.mul(half, x);
      v128.store(o + off, madd(hx, erf4(f32x4.mul(x, f32x4.splat(<f32>Math.SQRT1_2))), hx));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x = load<f32>(a + off);
    let y: f32;
    if (tanh) y = <f32>0.5 * x * (<f32>1 + f32x4.extract_lane(tanh4(geluArg(f32x4.splat(x))), 0));
    else y = <f32>0.5 * x * (<f32>1 + f32x4.extract_lane(erf4(f32x4.splat(x * <f32>Math.SQRT1_2)), 0));
    store<f32>(o + off, y);
  }
}

/** GELU'(x) for the tanh form, t = tanh(u): ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²). */
@inline
function geluTanhSlope(x: v128): v128 {
  const t = tanh4(geluArg(x));
  const half = f32x4.splat(0.5);
  const du = f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), madd(f32x4.mul(x, x), f32x4.splat(0.134145), f32x4.splat(1)));
  const left = f32x4.mul(half, f32x4.add(f32x4.splat(1), t));
  const right = f32x4.mul(f32x4.mul(f32x4.mul(half, x), f32x4.sub(f32x4.splat(1), f32x4.mul(t, t))), du);
  return f32x4.add(left, right);
}

/** GELU'(x) for the exact form: Φ(x) + x·φ(x) = ½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π). */
@inline
function geluErfSlope(x: v128): v128 {
  const half = f32x4.splat(0.5);
  const cdf = madd(half, erf4(f32x4.mul(x, f32x4.splat(<f32>Math.SQRT1_2))), half);
  const pdf = f32x4.mul(f32x4.splat(<f32>INV_SQRT_2PI), exp4(f32x4.mul(f32x4.splat(-0.5), f32x4.mul(x, x))));
  return madd(x, pdf, cdf);
}

/** o = g · GELU'(x). */
export function geluGrad(o: usize, g: usize, a: usize, n: i32, tanh: bool): void {
  let i = 0;
  if (tanh) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, f32x4.mul(v128.load(g + off), geluTanhSlope(v128.load(a + off))));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, f32x4.mul(v128.load(g + off), geluErfSlope(v128.load(a + off))));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x = load<f32>(a + off);
    const d = f32x4.extract_lane(tanh ? geluTanhSlope(f32x4.splat(x)) : geluErfSlope(f32x4.splat(x)), 0);
    store<f32>(o + off, load<f32>(g + off) * d);
  }
}
