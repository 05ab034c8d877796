// im2col and col2im for float32 images [N, C, H, W] (the js oracle: src/backend/js/conv.ts). Each output
// row of im2col (one channel and kernel tap) is, per image row, a run of padding, a strided copy of the
// image row and padding again; with stride 1 the copy is SIMD (memory.copy for long rows), with stride 2
// a SIMD shuffle, and col2im's sum with stride 1 is SIMD adds.
// The geometry comes as 15 int32 at `meta`: N, C, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, and
// 1 for images stored [C, N, H, W] (0 for [N, C, H, W]).

/** First output column ow whose tap ow·s − p + off lies at or after 0, clamped to [0, outW]. */
@inline
function firstInside(p: i32, off: i32, s: i32, outW: i32): i32 {
  const need = p - off; // ow·s ≥ need
  return need <= 0 ? 0 : min(outW, (need + s - 1) / s);
}

/** One past the last output column whose tap lies before `w`, clamped to [lo, outW]. */
@inline
function lastInside(p: i32, off: i32, s: i32, w: i32, outW: i32, lo: i32): i32 {
  const top = w - 1 + p - off; // ow·s ≤ top
  return top < 0 ? lo : max(lo, min(outW, top / s + 1));
}

@inline
function fill(dst: usize, count: i32, v: f32): void {
  const splat = f32x4.splat(v);
  let t = 0;
  for (; t + 4 <= count; t += 4) v128.store(dst + (<usize>t << 2), splat);
  for (; t < count; t++) store<f32>(dst + (<usize>t << 2), v);
}

/** Runs of at most this many floats are copied with SIMD loads and stores (a memory.copy call costs more). */
const SHORT_RUN = 32;

/** Copies one image row's taps (columns lo..hi of the output row, stride `sw`) into `d`, padding around them. */
@inline
function gatherRow(d: usize, src: usize, lo: i32, hi: i32, outW: i32, sw: i32, padValue: f32): void {
  fill(d, lo, padValue);
  fill(d + (<usize>hi << 2), outW - hi, padValue);
  let t = lo;
  if (sw == 1) {
    if (hi - lo > SHORT_RUN) {
      memory.copy(d + (<usize>lo << 2), src + (<usize>lo << 2), <usize>(hi - lo) << 2);
      return;
    }
    for (; t + 4 <= hi; t += 4) v128.store(d + (<usize>t << 2), v128.load(src + (<usize>t << 2)));
  } else if (sw == 2) {
    // every other float of eight (2×2 pooling's taps): the eighth is the next tap's neighbour, inside the
    // row while tap t + 4 exists
    for (; t + 4 < hi; t += 4) {
      const a = src + (<usize>(t * 2) << 2);
      v128.store(d + (<usize>t << 2), v128.shuffle<f32>(v128.load(a), v128.load(a, 16), 0, 2, 4, 6));
    }
  }
  for (; t < hi; t++) store<f32>(d + (<usize>t << 2), load<f32>(src + (<usize>(t * sw) << 2)));
}

/** Adds columns lo..hi of an output row `s` back into the image row's taps at `d` (stride `sw`). */
@inline
function scatterRow(d: usize, s: usize, lo: i32, hi: i32, sw: i32): void {
  if (sw == 1) {
    let t = lo;
    for (; t + 4 <= hi; t += 4) {
      const p = d + (<usize>t << 2);
      v128.store(p, f32x4.add(v128.load(p), v128.load(s + (<usize>t << 2))));
    }
    for (; t < hi; t++) {
      const p = d + (<usize>t << 2);
      store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>t << 2)));
    }
  } else {
    for (let t = lo; t < hi; t++) {
      const p = d + (<usize>(t * sw) << 2);
      store<f32>(p, load<f32>(p) + load<f32>(s + (<usize>t << 2)));
    }
  }
}

/**
 * Walks every (channel, tap, image, output row): with `toCols` copies the image x [N, C, H, W] into the
 * columns [C·kh·kw, N·OH·OW] (groups stack in channel order), else adds the columns back into the image.
 */
function walk(image: usize, cols: usize, meta: usize, padValue: f32, toCols: bool): void {
  const n = load<i32>(meta), c = load<i32>(meta, 4), h = load<i32>(meta, 8), w = load<i32>(meta, 12);
  const outH = load<i32>(meta, 16), outW = load<i32>(meta, 20), kh = load<i32>(meta, 24), kw = load<i32>(meta, 28);
  const sh = load<i32>(meta, 32), sw = load<i32>(meta, 36), ph = load<i32>(meta, 40), pw = load<i32>(meta, 44);
  const dh = load<i32>(meta, 48), dw = load<i32>(meta, 52), cnhw = load<i32>(meta, 56) != 0;
  const pixels = outH * outW;
  let row = cols;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const off = j * dw;
        const lo = firstInside(pw, off, sw, outW);
        const hi = lastInside(pw, off, sw, w, outW, lo);
        for (let b = 0; b < n; b++) {
          const plane = image + (<usize>((cnhw ? ch * n + b : b * c + ch) * h * w) << 2);
          for (let y = 0; y < outH; y++) {
            const col = row + (<usize>((b * pixels) + y * outW) << 2);
            const ih = y * sh - ph + i * dh;
            const inside = ih >= 0 && ih < h;
            const tap0 = plane + (<usize>(ih * w + off - pw) << 2); // the tap of ow = 0 (may lie before the row)
            if (toCols) {
              if (inside) gatherRow(col, tap0, lo, hi, outW, sw, padValue);
              else fill(col, outW, padValue);
            } else if (inside) {
              scatterRow(tap0, col, lo, hi, sw);
            }
          }
        }
        row += <usize>(n * pixels) << 2;
      }
    }
  }
}

/** im2col: o [C·kh·kw, N·OH·OW] from x [N, C, H, W], `padValue` outside the image. */
export function im2col(o: usize, x: usize, meta: usize, padValue: f32): void {
  walk(x, o, meta, padValue, true);
}

/** col2im: adds cols [C·kh·kw, N·OH·OW] into the zero-filled image o [N, C, H, W]. */
export function col2im(o: usize, cols: usize, meta: usize): void {
  walk(o, cols, meta, 0, false);
}
