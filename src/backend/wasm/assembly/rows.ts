// Fused kernels over the last axis, row by row (x is [rows, d]): softmax with temperature,
// log-softmax, cross-entropy (log-softmax + negative log-likelihood) and layer norm, with their
// backward passes. The softmax and cross-entropy sums accumulate in float64, like the reductions the
// composites use; layer norm's (rows of a transformer's width) in four float32 SIMD lanes.

import { madd } from "./simd";

@inline
function rowMax(x: usize, d: i32): f32 {
  let m: f32 = -Infinity;
  for (let j = 0; j < d; j++) m = Mathf.max(m, load<f32>(x + (<usize>j << 2)));
  return m;
}

/** o = softmax(x / t) per row. */
export function softmax(o: usize, x: usize, rows: i32, d: i32, t: f32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * d) << 2);
    const or = o + (<usize>(r * d) << 2);
    let m: f32 = -Infinity;
    for (let j = 0; j < d; j++) m = Mathf.max(m, load<f32>(xr + (<usize>j << 2)) / t);
    let s: f64 = 0;
    for (let j = 0; j < d; j++) {
      const e = Mathf.exp(load<f32>(xr + (<usize>j << 2)) / t - m);
      store<f32>(or + (<usize>j << 2), e);
      s += <f64>e;
    }
    const sum = <f32>s;
    for (let j = 0; j < d; j++) store<f32>(or + (<usize>j << 2), load<f32>(or + (<usize>j << 2)) / sum);
  }
}

/** o = y·(g − Σ g·y) / t per row, for y = softmax(x / t). */
export function softmaxGrad(o: usize, g: usize, y: usize, rows: i32, d: i32, t: f32): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * d) << 2;
    let s: f64 = 0;
    for (let j = 0; j < d; j++) s += <f64>(load<f32>(g + base + (<usize>j << 2)) * load<f32>(y + base + (<usize>j << 2)));
    const dot = <f32>s;
    for (let j = 0; j < d; j++) {
      const off = base + (<usize>j << 2);
      store<f32>(o + off, (load<f32>(y + off) * (load<f32>(g + off) - dot)) / t);
    }
  }
}

/** log Σ_j e^(x_j − m) of one row, m its maximum. */
@inline
function logSumExp(xr: usize, d: i32, m: f32): f32 {
  let s: f64 = 0;
  for (let j = 0; j < d; j++) s += <f64>Mathf.exp(load<f32>(xr + (<usize>j << 2)) - m);
  return Mathf.log(<f32>s);
}

/** o = x − max − log Σ e^(x − max) per row. */
export function logSoftmax(o: usize, x: usize, rows: i32, d: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * d) << 2);
    const or = o + (<usize>(r * d) << 2);
    const m = rowMax(xr, d);
    const lse = logSumExp(xr, d, m);
    for (let j = 0; j < d; j++) store<f32>(or + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) - m - lse);
  }
}

/** o = g − e^out · Σ g per row, for out = logSoftmax(x). */
export function logSoftmaxGrad(o: usize, g: usize, out: usize, rows: i32, d: i32): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * d) << 2;
    let s: f64 = 0;
    for (let j = 0; j < d; j++) s += <f64>load<f32>(g + base + (<usize>j << 2));
    const total = <f32>s;
    for (let j = 0; j < d; j++) {
      const off = base + (<usize>j << 2);
      store<f32>(o + off, load<f32>(g + off) - Mathf.exp(load<f32>(out + off)) * total);
    }
  }
}

/** The first row whose target is outside 0..d-1, or -1 (checked before any loss is computed). */
export function badTarget(targets: usize, rows: i32, d: i32): i32 {
  for (let r = 0; r < rows; r++) {
    const t = load<i32>(targets + (<usize>r << 2));
    if (t < 0 || t >= d) return r;
  }
  return -1;
}

/** o[0] = −(1/rows) Σ_r logSoftmax(x_r)[target_r]: the mean cross-entropy of logits x. */
export function crossEntropy(o: usize, x: usize, targets: usize, rows: i32, d: i32): void {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * d) << 2);
    const m = rowMax(xr, d);
    const t = load<i32>(targets + (<usize>r << 2));
    total += <f64>(load<f32>(xr + (<usize>t << 2)) - m - logSumExp(xr, d, m));
  }
  store<f32>(o, <f32>(-total / <f64>rows));
}

/**
 * o = (softmax(x) − onehot(target)) · scale per row, scale = g / rows for the gradient of the mean
 * cross-entropy over all rows (a thread may pass some of them). Each e^(x − max) is computed once and
 * kept in o; the divisor is e^(log Σ), as the loss's logSumExp makes it.
 */
export function crossEntropyGrad(o: usize, x: usize, targets: usize, scale: f32, rows: i32, d: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * d) << 2);
    const or = o + (<usize>(r * d) << 2);
    const m = rowMax(xr, d);
    let s: f64 = 0;
    for (let j = 0; j < d; j++) {
      const e = Mathf.exp(load<f32>(xr + (<usize>j << 2)) - m);
      store<f32>(or + (<usize>j << 2), e);
      s += <f64>e;
    }
    const sum = Mathf.exp(Mathf.log(<f32>s));
    for (let j = 0; j < d; j++) store<f32>(or + (<usize>j << 2), (load<f32>(or + (<usize>j << 2)) / sum) * scale);
    const t = load<i32>(targets + (<usize>r << 2));
    const p = or + (<usize>t << 2);
    store<f32>(p, load<f32>(p) - scale);
  }
}

/** The sum of a vector's four lanes. */
@inline
function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Mean and 1/√(variance + eps) of one row (biased variance, two passes, four float32 partial sums). */
@inline
function moments(xr: usize, d: i32, eps: f32, out: usize): void {
  const d4 = d & ~3;
  let sv = f32x4.splat(0);
  for (let j = 0; j < d4; j += 4) sv = f32x4.add(sv, v128.load(xr + (<usize>j << 2)));
  let s = lanes(sv);
  for (let j = d4; j < d; j++) s += load<f32>(xr + (<usize>j << 2));
  const mean = s / <f32>d;
  const vm = f32x4.splat(mean);
  let qv = f32x4.splat(0);
  for (let j = 0; j < d4; j += 4) {
    const c = f32x4.sub(v128.load(xr + (<usize>j << 2)), vm);
    qv = madd(c, c, qv);
  }
  let q = lanes(qv);
  for (let j = d4; j < d; j++) {
    const c = load<f32>(xr + (<usize>j << 2)) - mean;
    q += c * c;
  }
  store<f32>(out, mean);
  store<f32>(out, <f32>1 / Mathf.sqrt(q / <f32>d + eps), 4);
}

/**
 * o = (x − mean) / √(var + eps) · w + b per row; w/b may be 0 (absent). With w = b = 0 this is the
 * normalized x̂ that the backward pass needs. `tmp` is 8 bytes of scratch.
 */
export function layerNorm(o: usize, x: usize, w: usize, b: usize, rows: i32, d: i32, eps: f32, tmp: usize): void {
  const d4 = d & ~3;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * d) << 2);
    const or = o + (<usize>(r * d) << 2);
    moments(xr, d, eps, tmp);
    const mean = load<f32>(tmp);
    const rstd = load<f32>(tmp, 4);
    const vm = f32x4.splat(mean);
    const vr = f32x4.splat(rstd);
    for (let j = 0; j < d4; j += 4) {
      const off = <usize>j << 2;
      const y = f32x4.mul(f32x4.sub(v128.load(xr + off), vm), vr);
      v128.store(or + off, madd(y, w ? v128.load(w + off) : one, b ? v128.load(b + off) : zero));
    }
    for (let j = d4; j < d; j++) {
      const off = <usize>j << 2;
      let y = (load<f32>(xr + off) - mean) * rstd;
      if (w) y *= load<f32>(w + off);
      if (b) y += load<f32>(b + off);
      store<f32>(or + off, y);
    }
  }
}

/**
 * dx of layer norm per row: rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)) with ĝ = g·w (w may be 0: absent).
 */
export function layerNormGradX(o: usize, g: usize, x: usize, w: usize, rows: i32, d: i32, eps: f32, tmp: usize): void {
  const d4 = d & ~3;
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const base = <usize>(r * d) << 2;
    moments(x + base, d, eps, tmp);
    const mean = load<f32>(tmp);
    const rstd = load<f32>(tmp, 4);
    const vm = f32x4.splat(mean);
    const vr = f32x4.splat(rstd);
    let sgv = f32x4.splat(0);
    let sgxv = f32x4.splat(0);
    for (let j = 0; j < d4; j += 4) {
      const off = <usize>j << 2;
      const gh = f32x4.mul(v128.load(g + base + off), w ? v128.load(w + off) : one);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + base + off), vm), vr);
      sgv = f32x4.add(sgv, gh);
      sgxv = madd(gh, xh, sgxv);
    }
    let sg = lanes(sgv);
    let sgx = lanes(sgxv);
    for (let j = d4; j < d; j++) {
      const off = <usize>j << 2;
      const gh = w ? load<f32>(g + base + off) * load<f32>(w + off) : load<f32>(g + base + off);
      const xh = (load<f32>(x + base + off) - mean) * rstd;
      sg += gh;
      sgx += gh * xh;
    }
    const mg = sg / <f32>d;
    const mgx = sgx / <f32>d;
    const vmg = f32x4.splat(mg);
    const vmgx = f32x4.splat(mgx);
    for (let j = 0; j < d4; j += 4) {
      const off = <usize>j << 2;
      const gh = f32x4.mul(v128.load(g + base + off), w ? v128.load(w + off) : one);
      const xh = f32x4.mul(f32x4.sub(v128.load(x + base + off), vm), vr);
      v128.store(o + base + off, f32x4.mul(vr, f32x4.sub(f32x4.sub(gh, vmg), f32x4.mul(xh, vmgx))));
    }
    for (let j = d4; j < d; j++) {
      const off = <usize>j << 2;
      const gh = w ? load<f32>(g + base + off) * load<f32>(w + off) : load<f32>(g + base + off);
      const xh = (load<f32>(x + base + off) - mean) * rstd;
      store<f32>(o + base + off, rstd * (gh - mg - xh * mgx));
    }
  }
}

/**
 * Layer norm's weight gradient in blocks of `block` rows: for blocks b0 … b1, partials[b] = Σ over the
 * block's rows r of g[r]·x̂[r] (x̂ = (x − mean)·rstd per row, as layerNorm computes it), [d] each. The
 * caller adds the blocks in order (sumBlocks), so the sum does not depend on which thread ran which.
 */
export function layerNormGradW(partials: usize, g: usize, x: usize, rows: i32, d: i32, eps: f32, block: i32, b0: i32, b1: i32, tmp: usize): void {
  const d4 = d & ~3;
  for (let b = b0; b < b1; b++) {
    const acc = partials + (<usize>(b * d) << 2);
    memory.fill(acc, 0, <usize>d << 2);
    const end = min(rows, (b + 1) * block);
    for (let r = b * block; r < end; r++) {
      const base = <usize>(r * d) << 2;
      moments(x + base, d, eps, tmp);
      const mean = load<f32>(tmp);
      const rstd = load<f32>(tmp, 4);
      const vm = f32x4.splat(mean);
      const vr = f32x4.splat(rstd);
      for (let j = 0; j < d4; j += 4) {
        const off = <usize>j << 2;
        const xh = f32x4.mul(f32x4.sub(v128.load(x + base + off), vm), vr);
        v128.store(acc + off, madd(v128.load(g + base + off), xh, v128.load(acc + off)));
      }
      for (let j = d4; j < d; j++) {
        const off = <usize>j << 2;
        store<f32>(acc + off, load<f32>(acc + off) + load<f32>(g + base + off) * ((load<f32>(x + base + off) - mean) * rstd));
      }
    }
  }
}

/** o[j] = Σ_b partials[b][j] for blocks b = 0 … blocks−1 in order (zero for no blocks). */
export function sumBlocks(o: usize, partials: usize, blocks: i32, d: i32): void {
  const bytes = <usize>d << 2;
  memory.fill(o, 0, bytes);
  for (let b = 0; b < blocks; b++) {
    const p = partials + <usize>b * bytes;
    let j: usize = 0;
    for (; j + 16 <= bytes; j += 16) v128.store(o + j, f32x4.add(v128.load(o + j), v128.load(p + j)));
    for (; j < bytes; j += 4) store<f32>(o + j, load<f32>(o + j) + load<f32>(p + j));
  }
}
