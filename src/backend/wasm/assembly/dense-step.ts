// One SGD step of a dense MLP in one call: forward pass, cost and its gradient, backward pass and the
// update W −= lr·dW, b −= lr·db in place. It runs the same kernels, in the same order, as the composite
// step does op by op (matmul, addBias, sigmoid, sum, argmax, crossEntropy and their backward kernels),
// but never stores dW: each 4×8 tile of it is applied to W as soon as it is summed (rows and columns
// of W that fill no tile sum one element at a time, which rounds a little differently from the
// composite's matmul). Everything stays on the calling thread: a mini-batch step is far too small to
// hand to a worker.
//
// Layout (int32 at `layout`): L, then the widths s0 … sL, then (weight, bias) pointers of layers 1 … L;
// layer l has weight [s_l, s_{l-1}] (PyTorch's [out, in]) and bias [s_l].
// Work block (`denseStepWorkBytes` bytes, the host fills labels and a⁽⁰⁾): labels int32 [n], a⁽⁰⁾ … a⁽ᴸ⁾
// [n, s_l], two gradient buffers [n, widest], float64 column sums and the bias gradient of the widest
// layer. Each part starts on a 16-byte boundary.

import { sigmoid, sigmoidGrad, addBias } from "./fused";
import { matmul } from "./matmul";
import { argmax, sum } from "./reduce";
import { crossEntropy, crossEntropyGrad } from "./rows";
import { madd } from "./simd";

/** Hidden activations and output heads (the host passes these numbers). */
const HIDDEN_RELU = 1;
const HEAD_LINEAR_CROSS_ENTROPY = 1;

@inline
function pad4(floats: i32): i32 {
  return (floats + 3) & ~3;
}

@inline
function layerCount(layout: usize): i32 {
  return load<i32>(layout);
}

/** Width s_l (l = 0 is the input). */
@inline
function width(layout: usize, l: i32): i32 {
  return load<i32>(layout + (<usize>(1 + l) << 2));
}

@inline
function weightOf(layout: usize, l: i32): usize {
  return <usize>load<i32>(layout + (<usize>(2 + layerCount(layout) + 2 * (l - 1)) << 2));
}

@inline
function biasOf(layout: usize, l: i32): usize {
  return <usize>load<i32>(layout + (<usize>(3 + layerCount(layout) + 2 * (l - 1)) << 2));
}

/** The widest layer after the input (gradient buffers hold one layer's [n, s_l]). */
function widest(layout: usize): i32 {
  let w = 0;
  for (let l = 1; l <= layerCount(layout); l++) w = max(w, width(layout, l));
  return w;
}

/** Byte offset of a⁽ˡ⁾ in the work block (labels come first). */
function activationAt(layout: usize, n: i32, l: i32): usize {
  let floats = pad4(n);
  for (let i = 0; i < l; i++) floats += pad4(n * width(layout, i));
  return <usize>floats << 2;
}

/** Bytes of the work block for a batch of n. */
export function denseStepWorkBytes(layout: usize, n: i32): i32 {
  const grads = <i32>activationAt(layout, n, layerCount(layout) + 1);
  const w = widest(layout);
  // two gradient buffers, float64 column sums, the bias gradient
  return grads + 2 * (pad4(n * w) << 2) + (pad4(2 * w) << 2) + (pad4(w) << 2);
}

/**
 * W[j, :] −= lr·Σ_r δ[r, j]·a[r, :] for rows j0 … j0+3 of W (δ [n, out], a [n, in]) and columns
 * p0 … p0+7: a 4×8 tile of dW summed over the batch in registers, then applied.
 */
@inline
function update4x8(w: usize, delta: usize, a: usize, n: i32, out: i32, inw: i32, j0: i32, p0: i32, lr: v128): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let r = 0; r < n; r++) {
    const ar = a + (<usize>(r * inw + p0) << 2);
    const x0 = v128.load(ar);
    const x1 = v128.load(ar, 16);
    const dr = delta + (<usize>(r * out + j0) << 2);
    let d = v128.load32_splat(dr);
    c00 = madd(d, x0, c00);
    c01 = madd(d, x1, c01);
    d = v128.load32_splat(dr + 4);
    c10 = madd(d, x0, c10);
    c11 = madd(d, x1, c11);
    d = v128.load32_splat(dr + 8);
    c20 = madd(d, x0, c20);
    c21 = madd(d, x1, c21);
    d = v128.load32_splat(dr + 12);
    c30 = madd(d, x0, c30);
    c31 = madd(d, x1, c31);
  }
  const row = <usize>inw << 2;
  const w0 = w + (<usize>(j0 * inw + p0) << 2);
  applyRow(w0, c00, c01, lr);
  applyRow(w0 + row, c10, c11, lr);
  applyRow(w0 + 2 * row, c20, c21, lr);
  applyRow(w0 + 3 * row, c30, c31, lr);
}

/** w[0..8] −= lr·g for g in two vectors (the optimizer's p − lr·g, rounded the same way). */
@inline
function applyRow(w: usize, g0: v128, g1: v128, lr: v128): void {
  v128.store(w, f32x4.sub(v128.load(w), f32x4.mul(g0, lr)));
  v128.store(w, f32x4.sub(v128.load(w, 16), f32x4.mul(g1, lr)), 16);
}

/** One element of the update: W[j, p] −= lr·Σ_r δ[r, j]·a[r, p] (tile edges). */
function updateOne(w: usize, delta: usize, a: usize, n: i32, out: i32, inw: i32, j: i32, p: i32, lr: f32): void {
  let g: f32 = 0;
  for (let r = 0; r < n; r++) g += load<f32>(delta + (<usize>(r * out + j) << 2)) * load<f32>(a + (<usize>(r * inw + p) << 2));
  const at = w + (<usize>(j * inw + p) << 2);
  store<f32>(at, load<f32>(at) - g * lr);
}

/** W −= lr·δᵀ·a for W [out, in], δ [n, out], a [n, in]: 4×8 tiles, single elements at the edges. */
function updateWeight(w: usize, delta: usize, a: usize, n: i32, out: i32, inw: i32, lr: f32): void {
  const lrv = f32x4.splat(lr);
  const jTiles = out & ~3;
  const pTiles = inw & ~7;
  for (let j = 0; j < jTiles; j += 4) {
    for (let p = 0; p < pTiles; p += 8) update4x8(w, delta, a, n, out, inw, j, p, lrv);
    for (let p = pTiles; p < inw; p++) for (let jj = j; jj < j + 4; jj++) updateOne(w, delta, a, n, out, inw, jj, p, lr);
  }
  for (let j = jTiles; j < out; j++) for (let p = 0; p < inw; p++) updateOne(w, delta, a, n, out, inw, j, p, lr);
}

/** b −= lr·Σ_r δ[r, :] (the sum in float64, like the sum kernel the composite uses). */
function updateBias(b: usize, delta: usize, n: i32, out: i32, lr: f32, db: usize, acc: usize): void {
  sum(db, delta, 1, n, out, acc);
  for (let j = 0; j < out; j++) {
    const at = b + (<usize>j << 2);
    store<f32>(at, load<f32>(at) - load<f32>(db + (<usize>j << 2)) * lr);
  }
}

/** a = activation(a) in place, for a [n·width] of hidden layer values. */
function activateHidden(a: usize, size: i32, hidden: i32): void {
  if (hidden == HIDDEN_RELU) {
    for (let i = 0; i < size; i++) {
      const at = a + (<usize>i << 2);
      store<f32>(at, max<f32>(load<f32>(at), 0));
    }
  } else sigmoid(a, a, size);
}

/** g = g·activation′ in place, from the activation's output a (σ: a(1 − a); ReLU: 1 where a > 0). */
function backHidden(g: usize, a: usize, size: i32, hidden: i32): void {
  if (hidden == HIDDEN_RELU) {
    for (let i = 0; i < size; i++) {
      const at = g + (<usize>i << 2);
      if (!(load<f32>(a + (<usize>i << 2)) > 0)) store<f32>(at, 0);
    }
  } else sigmoidGrad(g, g, a, size);
}

/**
 * The output head: the batch's mean cost to result[0] (f32) and the gradient of the cost with respect to
 * z⁽ᴸ⁾ into g. Sigmoid + quadratic: a = σ(z), C = Σ(a − y)²/(2n), g = 2·((a − y)/(2n))·a(1 − a), as
 * autograd composes it. Linear + cross-entropy: a = z, C = mean −log softmax(z)[label], g = (softmax(z) − y)/n.
 */
function head(a: usize, g: usize, labels: usize, n: i32, classes: i32, kind: i32, result: usize, acc: usize): void {
  const size = n * classes;
  if (kind == HEAD_LINEAR_CROSS_ENTROPY) {
    crossEntropy(result, a, labels, n, classes);
    crossEntropyGrad(g, a, labels, 1, n, classes);
    return;
  }
  sigmoid(a, a, size);
  // g holds d = a − y, then d² for the sum, then the gradient
  for (let r = 0; r < n; r++) {
    const label = load<i32>(labels + (<usize>r << 2));
    for (let j = 0; j < classes; j++) {
      const i = <usize>(r * classes + j) << 2;
      store<f32>(g + i, load<f32>(a + i) - (j == label ? <f32>1 : <f32>0));
    }
  }
  const twice: i32 = 2 * n;
  const inv = <f32>1 / <f32>twice;
  for (let i = 0; i < size; i++) {
    const at = g + (<usize>i << 2);
    const d = load<f32>(at);
    store<f32>(acc + (<usize>i << 2), d * d);
    const h = inv * d;
    store<f32>(at, h + h);
  }
  sum(result, acc, 1, size, 1, 0);
  store<f32>(result, load<f32>(result) / <f32>twice);
  sigmoidGrad(g, g, a, size);
}

/**
 * One SGD step over the batch in `work` (see the file header): updates every weight and bias in place
 * and writes the batch's mean cost (f32) to result[0] and the number of correct answers (i32) to
 * result[1]. `scratch` is the matmul scratch (matmulScratchBytes()).
 */
export function denseSgdStep(layout: usize, work: usize, n: i32, hidden: i32, kind: i32, lr: f32, scratch: usize, result: usize): void {
  const layers = layerCount(layout);
  const labels = work;
  const gradsAt = work + activationAt(layout, n, layers + 1);
  const gradBytes = <usize>pad4(n * widest(layout)) << 2;
  const sums = gradsAt + 2 * gradBytes; // float64 column sums
  const db = sums + (<usize>pad4(2 * widest(layout)) << 2);
  let g = gradsAt;
  let gNext = gradsAt + gradBytes;

  // forward: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ᵀ + b⁽ˡ⁾ and a⁽ˡ⁾ = σ(z⁽ˡ⁾), kept for the backward pass
  for (let l = 1; l <= layers; l++) {
    const a = work + activationAt(layout, n, l);
    const inw = width(layout, l - 1);
    const out = width(layout, l);
    if (inw > 0) matmul(a, work + activationAt(layout, n, l - 1), weightOf(layout, l), n, out, inw, false, true, scratch, 0, n);
    else memory.fill(a, 0, <usize>(n * out) << 2);
    addBias(a, biasOf(layout, l), n, out);
    if (l < layers) activateHidden(a, n * out, hidden);
  }

  const classes = width(layout, layers);
  const output = work + activationAt(layout, n, layers);
  head(output, g, labels, n, classes, kind, result, gNext);
  argmax(gNext, output, n, classes, 1);
  let correct = 0;
  for (let r = 0; r < n; r++) if (load<i32>(gNext + (<usize>r << 2)) == load<i32>(labels + (<usize>r << 2))) correct++;
  store<i32>(result, correct, 4);

  // backward, last layer first: the gradient for a⁽ˡ⁻¹⁾ (through W⁽ˡ⁾ before its update), then the update
  for (let l = layers; l >= 1; l--) {
    const inw = width(layout, l - 1);
    const out = width(layout, l);
    const aPrev = work + activationAt(layout, n, l - 1);
    if (l > 1) {
      if (out > 0) matmul(gNext, g, weightOf(layout, l), n, inw, out, false, false, scratch, 0, n);
      else memory.fill(gNext, 0, <usize>(n * inw) << 2);
      backHidden(gNext, aPrev, n * inw, hidden);
    }
    updateWeight(weightOf(layout, l), g, aPrev, n, out, inw, lr);
    updateBias(biasOf(layout, l), g, n, out, lr, db, sums);
    const t = g;
    g = gNext;
    gNext = t;
  }
}
