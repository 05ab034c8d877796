// One training step of a dense MLP in one call: forward pass, cost and its gradient, backward pass and the
// update in place, by SGD (W −= lr·dW, b −= lr·db) or by Adam/AdamW. Past the first layer it runs the
// same kernels, in the same order, as the composite step does op by op (matmul, addBias, sigmoid, sum,
// argmax, crossEntropy, their backward kernels, adamStep; the product that carries the gradient back
// is rowsTimes, matmul's sums without its packing; the quadratic head does the composite's ops in one
// vector pass), but SGD never stores dW: each 4×8 tile of it is applied to W as soon as it is summed
// (rows and columns of W that fill no tile sum each element by multiply, then add, in updateRow, which
// rounds a little differently from the composite's matmul). Adam sums the same tiles into a gradient
// buffer, then runs the optimizer's own adamStep kernel over each parameter. The first layer
// runs on the inputs' nonzero values alone (below). Everything stays on the calling thread: a
// mini-batch step is far too small to hand to a worker.
//
// Layout (int32 at `layout`): L, then the widths s0 … sL, then (weight, bias) pointers of layers 1 … L;
// layer l has weight [s_l, s_{l-1}] (PyTorch's [out, in]) and bias [s_l].
// Work block (`denseStepWorkBytes` bytes; the host fills the labels, and a⁽⁰⁾ or the pixel bytes at the
// end): the working copy of the first layer's weight, transposed (W⁽¹⁾ᵀ), and with Adam its m and v
// transposed alike; then at `denseStepBatchAt` the batch's part: labels int32 [n], a⁽⁰⁾ … a⁽ᴸ⁾ [n, s_l],
// two gradient buffers [n, widest] and the bias gradient of the widest layer, with
// Adam the largest layer's dW, then the pixel index (dense-pixels.ts), then room for n·s0 pixel bytes.
// Each part starts on a 16-byte boundary.
// Per step (`hyper`, f32): the learning rate, then for Adam the shrink 1 − lr·λ (AdamW) and the bias
// corrections 1 − β₁ᵗ and 1 − β₂ᵗ, rounded by the host from float64 as for adamStep.
// Adam (`adam`, 0 for SGD): f32 β₁, 1 − β₁, β₂, 1 − β₂, ε, λ, then int32 decoupled and a pad, then for
// layers 1 … L the int32 pointers of m and v of the weight, then m and v of the bias.
// `denseSteps` runs many steps in one call, taking each batch's bytes from a whole data set kept in
// linear memory.
//
// The first layer skips zeros. MNIST digits are about 80% blank paper, and the first layer holds almost
// all the work (784·16 of the lesson's 13,002 weights), so each step lists the nonzero inputs of each
// row, and the first layer runs on them alone, on its weight kept transposed for as long as a call runs
// (dense-pixels.ts): each inked pixel adds a scaled row of Wᵀ to z, and SGD's update adds a scaled row
// of δ to that pixel's row of Wᵀ (Adam first sums each pixel's gradient row over the rows that have
// it). That is about a fifth of the dense product's multiply-adds, in contiguous rows. The sums run in
// another order than the dense product's, so the first layer matches the composite to rounding, not to
// the bit. Layers after the first run dense.

import { sigmoid, sigmoidGrad, addBias } from "./fused";
import { matmul } from "./matmul";
import { argmax, sum } from "./reduce";
import { expandRows, forwardPixels, indexByInput, listPixels, pixelIndexBytes, touchRows, transpose, updatePixels, weightGradPixels } from "./dense-pixels";
import { adamStep } from "./optim";
import { crossEntropy, crossEntropyGrad } from "./rows";
import { madd } from "./simd";

/**
 * Where a step's first-layer input comes from: a⁽⁰⁾'s values, the pixel bytes, rows already listed in
 * the pixel index, or a data set's sparse index read in place.
 */
const FROM_VALUES = 0;
const FROM_BYTES = 1;
const LISTED = 2;
const INDEXED = 3;

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

/** Bytes before Adam's gradient buffer (labels, activations, two gradient buffers, bias gradient). */
function weightGradAt(layout: usize, n: i32): i32 {
  const grads = <i32>activationAt(layout, n, layerCount(layout) + 1);
  const w = widest(layout);
  return grads + 2 * (pad4(n * w) << 2) + (pad4(w) << 2);
}

/** Bytes before the pixel index of the first layer (after the dW buffer Adam has and SGD has not). */
function pixelIndexAt(layout: usize, n: i32, adam: bool): i32 {
  let largest = 0;
  for (let l = 1; l <= layerCount(layout); l++) largest = max(largest, width(layout, l) * width(layout, l - 1));
  return weightGradAt(layout, n) + (adam ? pad4(largest) << 2 : 0);
}

/** Bytes before the batch's pixel bytes (see denseStep's `pixels`): everything else of the batch's part. */
function pixelsAt(layout: usize, n: i32, adam: bool): i32 {
  return pixelIndexAt(layout, n, adam) + pixelIndexBytes(n, width(layout, 0));
}

/** Floats of W⁽¹⁾, padded: the size of each of Adam's three working copies of the first layer. */
@inline
function firstLayerFloats(layout: usize): i32 {
  return layerCount(layout) ? pad4(width(layout, 0) * width(layout, 1)) : 0;
}

/** Offset of the batch's part of the work block (after the working copies of the first layer). */
export function denseStepBatchAt(layout: usize, adam: bool): i32 {
  return (adam ? 3 : 1) * firstLayerFloats(layout) << 2;
}

/**
 * Bytes of the work block for a batch of n, by SGD or by Adam; the last n·s0 (padded to 16) hold pixel
 * bytes when the host sends bytes.
 */
export function denseStepWorkBytes(layout: usize, n: i32, adam: bool): i32 {
  return denseStepBatchAt(layout, adam) + pixelsAt(layout, n, adam) + (pad4((n * width(layout, 0) + 3) >> 2) << 2);
}

/** Offset in the work block where the host puts a batch of pixel bytes. */
export function denseStepPixelsAt(layout: usize, n: i32, adam: bool): i32 {
  return denseStepBatchAt(layout, adam) + pixelsAt(layout, n, adam);
}

/**
 * C [n, cols] = A [n, k]·B [k, cols], row by row: row r of C sums the k rows of B scaled by A[r, :],
 * 16 columns at a time. Each element is one chain of multiply-adds in k order from +0, as in matmul's
 * tiles, but nothing is packed: the layers after the first are a few hundred floats, and packing B
 * for them cost more than the multiply-adds.
 */
function rowsTimes(c: usize, a: usize, b: usize, n: i32, k: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < n; r++) {
    const ar = a + (<usize>(r * k) << 2);
    const cr = c + <usize>r * rowBytes;
    let j = 0;
    for (; j + 16 <= cols; j += 16) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const x = v128.load32_splat(ar + (<usize>p << 2));
        c0 = madd(x, v128.load(bp), c0);
        c1 = madd(x, v128.load(bp, 16), c1);
        c2 = madd(x, v128.load(bp, 32), c2);
        c3 = madd(x, v128.load(bp, 48), c3);
        bp += rowBytes;
      }
      const at = cr + (<usize>j << 2);
      v128.store(at, c0);
      v128.store(at, c1, 16);
      v128.store(at, c2, 32);
      v128.store(at, c3, 48);
    }
    for (; j + 4 <= cols; j += 4) {
      let c0 = f32x4.splat(0);
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        c0 = madd(v128.load32_splat(ar + (<usize>p << 2)), v128.load(bp), c0);
        bp += rowBytes;
      }
      v128.store(cr + (<usize>j << 2), c0);
    }
    for (; j < cols; j++) {
      // one lane of the same vector multiply-add, so the rounding is the tiles' (fused or not)
      let c0 = f32x4.splat(0);
      for (let p = 0; p < k; p++) c0 = madd(v128.load32_splat(ar + (<usize>p << 2)), v128.load32_splat(b + (<usize>(p * cols + j) << 2)), c0);
      store<f32>(cr + (<usize>j << 2), f32x4.extract_lane(c0, 0));
    }
  }
}

/** w[0..4] −= lr·g (the optimizer's p − lr·g, rounded the same way), or with `into` w[0..4] = g. */
@inline
function applyVec(w: usize, g: v128, lr: v128, into: bool): void {
  v128.store(w, into ? g : f32x4.sub(v128.load(w), f32x4.mul(g, lr)));
}

/**
 * W[j, :] −= lr·Σ_r δ[r, j]·a[r, :] for rows j0 … j0+3 of W (δ [n, out], a [n, in]) and columns
 * p0 … p0+7: a 4×8 tile of dW summed over the batch in registers, then applied.
 */
@inline
function update4x8(w: usize, delta: usize, a: usize, n: i32, out: i32, inw: i32, j0: i32, p0: i32, lr: v128, into: bool): void {
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
    d = v128.load32_splat(dr, 4);
    c10 = madd(d, x0, c10);
    c11 = madd(d, x1, c11);
    d = v128.load32_splat(dr, 8);
    c20 = madd(d, x0, c20);
    c21 = madd(d, x1, c21);
    d = v128.load32_splat(dr, 12);
    c30 = madd(d, x0, c30);
    c31 = madd(d, x1, c31);
  }
  const row = <usize>inw << 2;
  const w0 = w + (<usize>(j0 * inw + p0) << 2);
  applyRow(w0, c00, c01, lr, into);
  applyRow(w0 + row, c10, c11, lr, into);
  applyRow(w0 + 2 * row, c20, c21, lr, into);
  applyRow(w0 + 3 * row, c30, c31, lr, into);
}

/** w[0..8] −= lr·g for g in two vectors (the optimizer's p − lr·g, rounded the same way), or with `into` w[0..8] = g. */
@inline
function applyRow(w: usize, g0: v128, g1: v128, lr: v128, into: bool): void {
  applyVec(w, g0, lr, into);
  applyVec(w + 16, g1, lr, into);
}

/**
 * The update of row j of W from column p0 on (the tiles' edges): W[j, p] −= lr·Σ_r δ[r, j]·a[r, p], or
 * with `into` W[j, p] = the sum. Each sum multiplies, then adds (not fused), in r order from +0: 8
 * columns at a time, then 4, then one.
 */
function updateRow(w: usize, delta: usize, a: usize, n: i32, out: i32, inw: i32, j: i32, p0: i32, lr: f32, into: bool): void {
  const lrv = f32x4.splat(lr);
  const dj = delta + (<usize>j << 2);
  const wj = w + (<usize>(j * inw) << 2);
  let p = p0;
  for (; p + 8 <= inw; p += 8) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    for (let r = 0; r < n; r++) {
      const d = v128.load32_splat(dj + (<usize>(r * out) << 2));
      const ar = a + (<usize>(r * inw + p) << 2);
      c0 = f32x4.add(c0, f32x4.mul(d, v128.load(ar)));
      c1 = f32x4.add(c1, f32x4.mul(d, v128.load(ar, 16)));
    }
    applyRow(wj + (<usize>p << 2), c0, c1, lrv, into);
  }
  for (; p + 4 <= inw; p += 4) {
    let c0 = f32x4.splat(0);
    for (let r = 0; r < n; r++) c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(dj + (<usize>(r * out) << 2)), v128.load(a + (<usize>(r * inw + p) << 2))));
    applyVec(wj + (<usize>p << 2), c0, lrv, into);
  }
  for (; p < inw; p++) {
    let g: f32 = 0;
    for (let r = 0; r < n; r++) g += load<f32>(dj + (<usize>(r * out) << 2)) * load<f32>(a + (<usize>(r * inw + p) << 2));
    const at = wj + (<usize>p << 2);
    store<f32>(at, into ? g : load<f32>(at) - g * lr);
  }
}

/**
 * W −= lr·δᵀ·a for W [out, in], δ [n, out], a [n, in]: 4×8 tiles, then the edges row by row
 * (updateRow). With `into`, w is a buffer [out, in] that takes dW = δᵀ·a itself.
 */
function updateWeight(w: usize, delta: usize, a: usize, n: i32, out: i32, inw: i32, lr: f32, into: bool): void {
  const lrv = f32x4.splat(lr);
  const jTiles = out & ~3;
  const pTiles = inw & ~7;
  for (let j = 0; j < jTiles; j += 4) {
    for (let p = 0; p < pTiles; p += 8) update4x8(w, delta, a, n, out, inw, j, p, lrv, into);
    if (pTiles < inw) for (let jj = j; jj < j + 4; jj++) updateRow(w, delta, a, n, out, inw, jj, pTiles, lr, into);
  }
  for (let j = jTiles; j < out; j++) updateRow(w, delta, a, n, out, inw, j, 0, lr, into);
}

/**
 * db = Σ_r δ[r, :] (the sum in float64, like the sum kernel the composite uses), then b −= lr·db unless
 * the step only wants db (`into`).
 */
function updateBias(b: usize, delta: usize, n: i32, out: i32, lr: f32, db: usize, into: bool): void {
  sum(db, delta, 1, n, out);
  if (into) return;
  for (let j = 0; j < out; j++) {
    const at = b + (<usize>j << 2);
    store<f32>(at, load<f32>(at) - load<f32>(db + (<usize>j << 2)) * lr);
  }
}

/** a = activation(a) in place, for a [n·width] of hidden layer values (ReLU: max(a, 0), 4 at a time). */
function activateHidden(a: usize, size: i32, hidden: i32): void {
  if (hidden == HIDDEN_RELU) {
    const zero = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= size; i += 4) {
      const at = a + (<usize>i << 2);
      v128.store(at, f32x4.max(v128.load(at), zero));
    }
    for (; i < size; i++) {
      const at = a + (<usize>i << 2);
      store<f32>(at, max<f32>(load<f32>(at), 0));
    }
  } else sigmoid(a, a, size);
}

/**
 * g = g·activation′ in place, from the activation's output a (σ: a(1 − a); ReLU: g where a > 0, else
 * +0, 4 at a time).
 */
function backHidden(g: usize, a: usize, size: i32, hidden: i32): void {
  if (hidden == HIDDEN_RELU) {
    const zero = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= size; i += 4) {
      const at = g + (<usize>i << 2);
      v128.store(at, v128.and(v128.load(at), f32x4.gt(v128.load(a + (<usize>i << 2)), zero)));
    }
    for (; i < size; i++) {
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
    crossEntropyGrad(g, a, labels, <f32>1 / <f32>n, n, classes);
    return;
  }
  sigmoid(a, a, size);
  // g holds d = a − y (a − 0 is a itself, to the bit: a copy, then 1 off at each label), then the
  // gradient; acc holds d² for the sum
  memory.copy(g, a, <usize>size << 2);
  for (let r = 0; r < n; r++) {
    const label = load<i32>(labels + (<usize>r << 2));
    if (<u32>label < <u32>classes) {
      const at = g + (<usize>(r * classes + label) << 2);
      store<f32>(at, load<f32>(at) - 1);
    }
  }
  const twice: i32 = 2 * n;
  const inv = <f32>1 / <f32>twice;
  // 2·(d/(2n)), then times σ′ = a(1 − a), rounded as the composite's ops round them one by one
  const invv = f32x4.splat(inv);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const at = <usize>i << 2;
    const d = v128.load(g + at);
    v128.store(acc + at, f32x4.mul(d, d));
    const h = f32x4.mul(invv, d);
    const s = v128.load(a + at);
    v128.store(g + at, f32x4.mul(f32x4.add(h, h), f32x4.mul(s, f32x4.sub(one, s))));
  }
  for (; i < size; i++) {
    const at = <usize>i << 2;
    const d = load<f32>(g + at);
    store<f32>(acc + at, d * d);
    const h = inv * d;
    const s = load<f32>(a + at);
    store<f32>(g + at, (h + h) * (s * (1 - s)));
  }
  sum(result, acc, 1, size, 1);
  store<f32>(result, load<f32>(result) / <f32>twice);
}

/** Address of Adam's moment of layer l: `which` 0 the weight, 1 the bias; `k` 0 for m, 1 for v. */
@inline
function momentOf(adam: usize, l: i32, which: i32, k: i32): usize {
  return <usize>load<i32>(adam + 32 + (<usize>(4 * (l - 1) + 2 * which + k) << 2));
}

/**
 * Adam's update of parameter p (count values) from its gradient g and moments m, v, by the optimizer's
 * own kernel, with this step's constants from `hyper` (see the file header).
 */
function adamUpdate(adam: usize, hyper: usize, p: usize, g: usize, m: usize, v: usize, count: i32): void {
  adamStep(
    p, g, m, v, count, load<f32>(hyper),
    load<f32>(adam), load<f32>(adam, 4), load<f32>(adam, 8), load<f32>(adam, 12), load<f32>(adam, 16), load<f32>(adam, 20),
    load<i32>(adam, 24) != 0, load<f32>(hyper, 4), load<f32>(hyper, 8), load<f32>(hyper, 12),
  );
}

/**
 * A call keeps the first layer transposed (see the file header): W⁽¹⁾ᵀ, and with Adam mᵀ and vᵀ, at the
 * start of the work block. `into`: the copies from the parameters at the start of a call; else back at
 * its end.
 */
function firstLayerCopies(layout: usize, work: usize, adam: usize, into: bool): void {
  if (!layerCount(layout)) return;
  const inw = width(layout, 0);
  const out = width(layout, 1);
  const size = <usize>firstLayerFloats(layout) << 2;
  const copies = adam ? 3 : 1;
  for (let k = 0; k < copies; k++) {
    const param = k == 0 ? weightOf(layout, 1) : momentOf(adam, 1, 0, k - 1);
    const copy = work + <usize>k * size;
    if (into) transpose(copy, param, out, inw);
    else transpose(param, copy, inw, out);
  }
}

/**
 * One training step over the batch in `work` (see the file header): updates every weight and bias in
 * place, by SGD or, where `adam` is not 0, by Adam (and its moments), with this step's constants at
 * `hyper`; writes the batch's mean cost (f32) to result[0] and the number of correct answers (i32) to
 * result[1]. `scratch` is the matmul scratch (matmulScratchBytes()). With `pixels`, the host sent the
 * batch as bytes (at denseStepPixelsAt) and a⁽⁰⁾ = byte / 255 is filled from them first.
 */
export function denseStep(layout: usize, work: usize, n: i32, hidden: i32, kind: i32, hyper: usize, adam: usize, scratch: usize, result: usize, pixels: bool): void {
  firstLayerCopies(layout, work, adam, true);
  trainStep(layout, work, n, hidden, kind, hyper, adam, scratch, result, pixels ? FROM_BYTES : FROM_VALUES, 0, 0, 0);
  firstLayerCopies(layout, work, adam, false);
}

/**
 * denseStep, with the first layer already in its working copies; with `source` INDEXED, the batch is
 * examples order[0 … n) of the sparse index at `index` (over `count` examples).
 */
function trainStep(
  layout: usize, block: usize, n: i32, hidden: i32, kind: i32, hyper: usize, adam: usize, scratch: usize, result: usize,
  source: i32, index: usize, count: i32, order: usize,
): void {
  const layers = layerCount(layout);
  const lr = load<f32>(hyper);
  const into = adam != 0; // Adam: sum each dW here, then update
  const work = block + <usize>denseStepBatchAt(layout, into);
  const dw = work + <usize>weightGradAt(layout, n);
  const px = work + <usize>pixelIndexAt(layout, n, into);
  const copySize = <usize>firstLayerFloats(layout) << 2;
  const labels = work;
  const gradsAt = work + activationAt(layout, n, layers + 1);
  const gradBytes = <usize>pad4(n * widest(layout)) << 2;
  const db = gradsAt + 2 * gradBytes;
  let g = gradsAt;
  let gNext = gradsAt + gradBytes;

  // the first layer's nonzero inputs, by row (and for Adam's weight gradient, by input)
  const x = work + activationAt(layout, n, 0);
  const bytes = source == FROM_BYTES ? work + <usize>pixelsAt(layout, n, into) : 0;
  if (layers && (source == FROM_VALUES || source == FROM_BYTES)) listPixels(x, bytes, n, width(layout, 0), px, into);
  const rowsIndex = source == INDEXED ? index : 0;

  // forward: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ᵀ + b⁽ˡ⁾ and a⁽ˡ⁾ = σ(z⁽ˡ⁾), kept for the backward pass
  for (let l = 1; l <= layers; l++) {
    const a = work + activationAt(layout, n, l);
    const inw = width(layout, l - 1);
    const out = width(layout, l);
    if (l == 1) forwardPixels(a, block, n, out, inw, px, rowsIndex, count, order);
    else if (inw > 0) matmul(a, work + activationAt(layout, n, l - 1), weightOf(layout, l), n, out, inw, false, true, scratch, 0, n);
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
      if (out > 0) rowsTimes(gNext, g, weightOf(layout, l), n, out, inw);
      else memory.fill(gNext, 0, <usize>(n * inw) << 2);
      backHidden(gNext, aPrev, n * inw, hidden);
    }
    const w = weightOf(layout, l);
    if (l == 1 && into) weightGradPixels(dw, g, n, out, inw, px);
    else if (l == 1) updatePixels(block, g, n, out, inw, px, lr, rowsIndex, count, order);
    else updateWeight(into ? dw : w, g, aPrev, n, out, inw, lr, into);
    updateBias(biasOf(layout, l), g, n, out, lr, db, into);
    if (into) {
      // the first layer's weight and moments are its transposed working copies
      if (l == 1) adamUpdate(adam, hyper, block, dw, block + copySize, block + 2 * copySize, out * inw);
      else adamUpdate(adam, hyper, w, dw, momentOf(adam, l, 0, 0), momentOf(adam, l, 0, 1), out * inw);
      adamUpdate(adam, hyper, biasOf(layout, l), db, momentOf(adam, l, 1, 0), momentOf(adam, l, 1, 1), out);
    }
    const t = g;
    g = gNext;
    gNext = t;
  }
}

/**
 * `steps` training steps (each as denseStep, from bytes) over a data set kept in linear memory: pixels
 * [count, s0] bytes and labels [count] bytes. Step s takes the `batch` examples order[s·batch …] (int32;
 * the last step takes what is left of `examples`) and its constants hyper[4s … 4s + 3] (f32: learning
 * rate, and Adam's, as for denseStep), and writes its cost (f32) and correct count (i32) to results[2s]
 * and results[2s + 1]. Where `index` is not 0 it is the data set's sparse index (buildSparseIndex, over
 * `count` examples), and each step copies its rows' entries from it instead of its bytes from `pixels`
 * (which may then be 0). Stops after a step whose cost is not finite (the host reports the divergence);
 * returns the number of steps that ran.
 */
export function denseSteps(
  layout: usize, work: usize, pixels: usize, labels: usize, order: usize, examples: i32, batch: i32,
  hidden: i32, kind: i32, hyper: usize, adam: usize, scratch: usize, results: usize, index: usize, count: i32,
): i32 {
  const inputs = <usize>width(layout, 0);
  const steps = (examples + batch - 1) / batch;
  const into = adam != 0;
  const batchAt = work + <usize>denseStepBatchAt(layout, into);
  firstLayerCopies(layout, work, adam, true);
  let s = 0;
  while (s < steps) {
    const first = s * batch;
    const n = min(batch, examples - first);
    const rows = order + (<usize>first << 2);
    for (let r = 0; r < n; r++) {
      const i = <usize>load<i32>(rows + (<usize>r << 2));
      store<i32>(batchAt + (<usize>r << 2), <i32>load<u8>(labels + i));
    }
    let source = FROM_BYTES;
    if (index && into) {
      // Adam's weight gradient wants the rows by input too: list them from the index
      const px = batchAt + <usize>pixelIndexAt(layout, n, into);
      expandRows(index, count, rows, n, <i32>inputs, px);
      indexByInput(px, n, <i32>inputs);
      source = LISTED;
    } else if (index) {
      // the touches' sum lands in the unused pixel index, so that the loads stay
      store<i32>(batchAt + <usize>pixelIndexAt(layout, n, into), touchRows(index, count, rows, n));
      source = INDEXED;
    } else {
      const bytes = work + <usize>denseStepPixelsAt(layout, n, into);
      for (let r = 0; r < n; r++) {
        const i = <usize>load<i32>(rows + (<usize>r << 2));
        memory.copy(bytes + <usize>r * inputs, pixels + i * inputs, inputs);
      }
    }
    const result = results + (<usize>s << 3);
    trainStep(layout, work, n, hidden, kind, hyper + (<usize>s << 4), adam, scratch, result, source, index, count, rows);
    s++;
    if (!isFinite(load<f32>(result))) break;
  }
  firstLayerCopies(layout, work, adam, false);
  return s;
}
