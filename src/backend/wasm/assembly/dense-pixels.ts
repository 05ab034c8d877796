// The first layer of a fused training step by nonzero inputs, one by one, on the transposed weight
// W⁽¹⁾ᵀ [inw, out] (dense-step.ts keeps it transposed for as long as a call runs). An MNIST digit has
// about 150 inked pixels of 784: the forward product adds, for each of them, x·(a row of Wᵀ) to the row
// of z. Adam's weight gradient sums, for each input i, x[r, i]·δ[r, :] over the rows r that have it; SGD
// needs no gradient, only the update, and applies each row's share at once: every nonzero input adds
// −lr·x[r, i]·δ[r, :] to its row of Wᵀ. All of them run over contiguous rows of up to 24 outputs at a
// time with the input broadcast, the shape that keeps a wide layer's multiply-adds fed. Inputs no row of
// the batch has get a gradient of exact zeros (Adam) or are left as they are (SGD).
// The pixel index (`px`, built by listPixels):
//   idx  int32 [n, inw]   row r's nonzero inputs, in order
//   val  f32   [n, inw]   their values
//   counts int32 [n]      how many row r has
//   starts int32 [inw + 1] where input i's rows begin in rows/vals (and where the last ends); this
//                          and the rest are built only when the index is wanted by input (Adam)
//   fill  int32 [inw]     scratch while rows/vals fill
//   rows  int32 [n, inw]  for each input i, the rows that have it, in order
//   vals  f32   [n, inw]  the values x[r, i] of those rows
//   chunk f32   [16]      one chunk of 16 bytes as values

import { madd } from "./simd";

@inline
function pad4(count: i32): i32 {
  return (count + 3) & ~3;
}

/** Bytes of the pixel index of a batch of n rows of inw inputs. */
export function pixelIndexBytes(n: i32, inw: i32): i32 {
  return (4 * pad4(n * inw) + pad4(n) + pad4(inw + 1) + pad4(inw) + 16) << 2;
}

@inline
function valAt(px: usize, n: i32, inw: i32): usize {
  return px + (<usize>pad4(n * inw) << 2);
}

@inline
function countsAt(px: usize, n: i32, inw: i32): usize {
  return px + (<usize>(2 * pad4(n * inw)) << 2);
}

@inline
function startsAt(px: usize, n: i32, inw: i32): usize {
  return countsAt(px, n, inw) + (<usize>pad4(n) << 2);
}

@inline
function fillAt(px: usize, n: i32, inw: i32): usize {
  return startsAt(px, n, inw) + (<usize>pad4(inw + 1) << 2);
}

@inline
function rowsAt(px: usize, n: i32, inw: i32): usize {
  return fillAt(px, n, inw) + (<usize>pad4(inw) << 2);
}

@inline
function valsAt(px: usize, n: i32, inw: i32): usize {
  return rowsAt(px, n, inw) + (<usize>pad4(n * inw) << 2);
}

@inline
function chunkAt(px: usize, n: i32, inw: i32): usize {
  return valsAt(px, n, inw) + (<usize>pad4(n * inw) << 2);
}

/** dst [cols, rows] = srcᵀ for src [rows, cols]: 4×4 blocks by shuffles, the edges one by one. */
export function transpose(dst: usize, src: usize, rows: i32, cols: i32): void {
  const srcRow = <usize>cols << 2;
  const dstRow = <usize>rows << 2;
  const rTiles = rows & ~3;
  const cTiles = cols & ~3;
  for (let r = 0; r < rTiles; r += 4) {
    const s = src + <usize>r * srcRow;
    for (let c = 0; c < cTiles; c += 4) {
      const at = s + (<usize>c << 2);
      const r0 = v128.load(at), r1 = v128.load(at + srcRow), r2 = v128.load(at + 2 * srcRow), r3 = v128.load(at + 3 * srcRow);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>c * dstRow + (<usize>r << 2);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + dstRow, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * dstRow, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * dstRow, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * srcRow;
    for (let c = r < rTiles ? cTiles : 0; c < cols; c++) store<f32>(dst + <usize>c * dstRow + (<usize>r << 2), load<f32>(s + (<usize>c << 2)));
  }
}

/** Appends input i with value v (given as bits) to a row's list when v is not +0; the new count. */
@inline
function listOne(idx: usize, val: usize, count: i32, i: i32, bits: i32): i32 {
  store<i32>(idx + (<usize>count << 2), i);
  store<i32>(val + (<usize>count << 2), bits);
  return count + i32(bits != 0);
}

/**
 * Builds the pixel index (see the file header) of a batch: from the values x [n, inw], or where `bytes`
 * is not 0 from n·inw bytes that stand for byte / 255 (rounded once to float32, as the data loader
 * does); by row, and with `byInput` by input too. Any set bit counts as nonzero (−0 and NaN included),
 * so only inputs of +0 are skipped. Branch-free where the data decides at the finest grain; blank
 * 16-byte chunks cost one test.
 */
export function listPixels(x: usize, bytes: usize, n: i32, inw: i32, px: usize, byInput: bool): void {
  const counts = countsAt(px, n, inw);
  const chunk = chunkAt(px, n, inw);
  const scale = f32x4.splat(255);
  for (let r = 0; r < n; r++) {
    const idx = px + (<usize>(r * inw) << 2);
    const val = valAt(px, n, inw) + (<usize>(r * inw) << 2);
    let count = 0;
    if (bytes) {
      const br = bytes + <usize>(r * inw);
      let i = 0;
      for (; i + 16 <= inw; i += 16) {
        const b = v128.load(br + <usize>i);
        if (!v128.any_true(b)) continue;
        // bytes are 0 … 255, so the signed conversion gives the same floats in one instruction (V8
        // has none for unsigned)
        const lo = i16x8.extend_low_i8x16_u(b);
        const hi = i16x8.extend_high_i8x16_u(b);
        v128.store(chunk, f32x4.div(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(lo)), scale));
        v128.store(chunk, f32x4.div(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(lo)), scale), 16);
        v128.store(chunk, f32x4.div(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(hi)), scale), 32);
        v128.store(chunk, f32x4.div(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(hi)), scale), 48);
        for (let k = 0; k < 16; k++) count = listOne(idx, val, count, i + k, load<i32>(chunk + (<usize>k << 2)));
      }
      for (; i < inw; i++) count = listOne(idx, val, count, i, reinterpret<i32>(<f32>load<u8>(br + <usize>i) / <f32>255));
    } else {
      const xr = x + (<usize>(r * inw) << 2);
      for (let i = 0; i < inw; i++) count = listOne(idx, val, count, i, load<i32>(xr + (<usize>i << 2)));
    }
    store<i32>(counts + (<usize>r << 2), count);
  }
  if (byInput) indexByInput(px, n, inw);
}

/** Builds the by-input half of the pixel index (starts, rows, vals) from its by-row half. */
export function indexByInput(px: usize, n: i32, inw: i32): void {
  const counts = countsAt(px, n, inw);
  const starts = startsAt(px, n, inw);
  memory.fill(starts, 0, <usize>(inw + 1) << 2);
  // input i's row count, kept one place up so that the running sum below gives the starts
  for (let r = 0; r < n; r++) {
    const idx = px + (<usize>(r * inw) << 2);
    const count = load<i32>(counts + (<usize>r << 2));
    for (let t = 0; t < count; t++) {
      const at = starts + 4 + (<usize>load<i32>(idx + (<usize>t << 2)) << 2);
      store<i32>(at, load<i32>(at) + 1);
    }
  }
  for (let i = 0; i < inw; i++) {
    const at = starts + (<usize>(i + 1) << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  const fill = fillAt(px, n, inw);
  const rows = rowsAt(px, n, inw);
  const vals = valsAt(px, n, inw);
  memory.copy(fill, starts, <usize>inw << 2);
  for (let r = 0; r < n; r++) {
    const idx = px + (<usize>(r * inw) << 2);
    const val = valAt(px, n, inw) + (<usize>(r * inw) << 2);
    const count = load<i32>(counts + (<usize>r << 2));
    for (let t = 0; t < count; t++) {
      const at = fill + (<usize>load<i32>(idx + (<usize>t << 2)) << 2);
      const k = load<i32>(at);
      store<i32>(rows + (<usize>k << 2), r);
      store<i32>(vals + (<usize>k << 2), load<i32>(val + (<usize>t << 2)));
      store<i32>(at, k + 1);
    }
  }
}

// The sparse index of a whole data set of bytes, built once and kept in linear memory with it, so that a
// step lists its rows by copying their entries rather than by reading all n·inw bytes (denseSteps):
//   lut    f32   [256]        byte / 255 for each byte, rounded once, as listPixels rounds it
//   starts int32 [count + 1]  where example e's entries begin (and where the last ends)
//   idx    u16   [total]      each entry's input (inw ≤ 65,536), padded to 4 bytes
//   bytes  u8    [total]      each entry's byte, never 0

/** The number of nonzero bytes in the row of `inw` bytes at `row`. */
function nonzeroBytes(row: usize, inw: i32): i32 {
  let count = 0;
  let i = 0;
  for (; i + 16 <= inw; i += 16) count += <i32>popcnt(i8x16.bitmask(i8x16.ne(v128.load(row + <usize>i), i8x16.splat(0))));
  for (; i < inw; i++) count += i32(load<u8>(row + <usize>i) != 0);
  return count;
}

/**
 * Bytes of the sparse index (above) of `count` examples of `inw` bytes at `pixels`, with 16 to spare:
 * touchRows reads an example's first entry even where it has none, one past the last entry.
 */
export function sparseIndexBytes(pixels: usize, count: i32, inw: i32): i32 {
  let total = 0;
  for (let e = 0; e < count; e++) total += nonzeroBytes(pixels + <usize>e * <usize>inw, inw);
  return (256 + count + 1) * 4 + pad4(2 * total) + pad4(total) + 16;
}

/**
 * Builds the sparse index (above) of `count` examples of `inw` bytes at `pixels` at `out`
 * (sparseIndexBytes of it): its table and starts with `e0` = 0, then the entries of examples
 * e0 … e1 − 1 (the host calls it in runs, so that V8's optimizing tier takes over after the first).
 */
export function buildSparseIndex(pixels: usize, count: i32, inw: i32, out: usize, e0: i32, e1: i32): void {
  const starts = out + 1024;
  if (e0 == 0) {
    for (let b = 0; b < 256; b++) store<f32>(out + (<usize>b << 2), <f32>b / <f32>255);
    let total = 0;
    for (let e = 0; e < count; e++) {
      store<i32>(starts + (<usize>e << 2), total);
      total += nonzeroBytes(pixels + <usize>e * <usize>inw, inw);
    }
    store<i32>(starts + (<usize>count << 2), total);
  }
  const idx = starts + (<usize>(count + 1) << 2);
  const bytes = idx + <usize>pad4(2 * load<i32>(starts + (<usize>count << 2)));
  for (let e = e0; e < e1; e++) {
    const row = pixels + <usize>e * <usize>inw;
    let k = <usize>load<i32>(starts + (<usize>e << 2));
    let i = 0;
    for (; i + 16 <= inw; i += 16) {
      let mask = i8x16.bitmask(i8x16.ne(v128.load(row + <usize>i), i8x16.splat(0)));
      while (mask) {
        const at = i + <i32>ctz(mask);
        store<u16>(idx + (k << 1), <u16>at);
        store<u8>(bytes + k, load<u8>(row + <usize>at));
        k++;
        mask &= mask - 1;
      }
    }
    for (; i < inw; i++) {
      const b = load<u8>(row + <usize>i);
      if (b == 0) continue;
      store<u16>(idx + (k << 1), <u16>i);
      store<u8>(bytes + k, b);
      k++;
    }
  }
}

/**
 * Reads where each of examples order[0 … n) begins in the sparse index at `index` (over `count`
 * examples) and touches every 64-byte line of its entries; returns a sum of what it read, for the caller
 * to keep. The examples lie anywhere in an index too large for the cache, so the misses of all n rows
 * then overlap, rather than stalling the first layer's product one line at a time as it reads the rows
 * (14% of a W1 epoch against touching only each row's first entry).
 */
export function touchRows(index: usize, count: i32, order: usize, n: i32): i32 {
  const inputs = indexInputs(index, count);
  const bytes = indexBytes(index, count);
  let touched = 0;
  for (let r = 0; r < n; r++) {
    const e = <usize>load<i32>(order + (<usize>r << 2));
    const first = <usize>firstEntry(index, e);
    const m = <usize>entryCount(index, e);
    // one read per 64-byte line of its entries' inputs and bytes (and the first entry's, which
    // may be one past the last entry when it has none)
    touched += <i32>load<u16>(inputs + (first << 1)) + <i32>load<u8>(bytes + first);
    for (let at: usize = 32; at < m; at += 32) touched += <i32>load<u16>(inputs + ((first + at) << 1));
    for (let at: usize = 64; at < m; at += 64) touched += <i32>load<u8>(bytes + first + at);
  }
  return touched;
}

/**
 * Lists rows 0 … n−1 of a batch, examples order[0 … n) of the data set whose sparse index is at `index`
 * (`count` examples), into the by-row half of the pixel index at px: the same entries, in the same
 * order, with the same values as listPixels gives from their bytes.
 */
export function expandRows(index: usize, count: i32, order: usize, n: i32, inw: i32, px: usize): void {
  const inputs = indexInputs(index, count);
  const bytes = indexBytes(index, count);
  const counts = countsAt(px, n, inw);
  store<i32>(chunkAt(px, n, inw), touchRows(index, count, order, n));
  for (let r = 0; r < n; r++) {
    const e = <usize>load<i32>(order + (<usize>r << 2));
    const first = <usize>firstEntry(index, e);
    const m = entryCount(index, e);
    const to = px + (<usize>(r * inw) << 2);
    const toVal = valAt(px, n, inw) + (<usize>(r * inw) << 2);
    for (let t = 0; t < m; t++) {
      store<i32>(to + (<usize>t << 2), entryRow(inputs + (first << 1), t, true));
      v128.store32_lane(toVal + (<usize>t << 2), entryValue(bytes + first, t, true, index), 0);
    }
    store<i32>(counts + (<usize>r << 2), m);
  }
}

/**
 * Entry t of a row of nonzero inputs: its input (or, by input, its row of the batch), from int32s, or
 * with `packed` from a data set's sparse index (16 bits).
 */
@inline
function entryRow(indices: usize, t: i32, packed: bool): i32 {
  return packed ? <i32>load<u16>(indices + (<usize>t << 1)) : load<i32>(indices + (<usize>t << 2));
}

/** Entry t's value in every lane: from float32s, or with `packed` its byte through the table at `lut`. */
@inline
function entryValue(scalars: usize, t: i32, packed: bool, lut: usize): v128 {
  return packed ? v128.load32_splat(lut + (<usize>load<u8>(scalars + <usize>t) << 2)) : v128.load32_splat(scalars + (<usize>t << 2));
}

/** Where example e's entries begin in a sparse index at `index` over `count` examples, and how many. */
@inline
function firstEntry(index: usize, e: usize): i32 {
  return load<i32>(index + 1024 + (e << 2));
}

@inline
function entryCount(index: usize, e: usize): i32 {
  return load<i32>(index + 1028 + (e << 2)) - load<i32>(index + 1024 + (e << 2));
}

/** The 16-bit inputs of a sparse index over `count` examples, and their bytes. */
@inline
function indexInputs(index: usize, count: i32): usize {
  return index + 1024 + (<usize>(count + 1) << 2);
}

@inline
function indexBytes(index: usize, count: i32): usize {
  return indexInputs(index, count) + <usize>pad4(2 * load<i32>(index + 1024 + (<usize>count << 2)));
}

/**
 * out[0 … width) = Σ_t s_t·B[t] over `m` entries (entryRow, entryValue: `packed` reads a data set's
 * sparse index, with its table at `lut`), B[t] the `width` floats at `base` + (row_t·stride + j0)·4:
 * the loop both the forward product (rows of Wᵀ) and the weight gradient (rows of δ) run, 24 outputs at a time, then
 * 16, 8, 4, then one by one. Six accumulators, not eight: V8 loads a step's vectors before its multiply-adds,
 * and eight accumulators with eight loaded vectors and the broadcast need one more of x64's 16 SIMD
 * registers than there are, so one accumulator lived on the stack (twice as slow).
 */
@inline
function sumRows(out: usize, base: usize, stride: i32, indices: usize, scalars: usize, m: i32, width: i32, packed: bool, lut: usize): void {
  let j = 0;
  for (; j + 24 <= width; j += 24) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
    let c3 = f32x4.splat(0), c4 = f32x4.splat(0), c5 = f32x4.splat(0);
    for (let t = 0; t < m; t++) {
      const s = entryValue(scalars, t, packed, lut);
      const b = base + (<usize>(entryRow(indices, t, packed) * stride + j) << 2);
      c0 = madd(s, v128.load(b), c0);
      c1 = madd(s, v128.load(b, 16), c1);
      c2 = madd(s, v128.load(b, 32), c2);
      c3 = madd(s, v128.load(b, 48), c3);
      c4 = madd(s, v128.load(b, 64), c4);
      c5 = madd(s, v128.load(b, 80), c5);
    }
    const o = out + (<usize>j << 2);
    v128.store(o, c0);
    v128.store(o, c1, 16);
    v128.store(o, c2, 32);
    v128.store(o, c3, 48);
    v128.store(o, c4, 64);
    v128.store(o, c5, 80);
  }
  // what is left of the vectors: 4 (16 outputs), then 2 (8), then 1, so that few chains wait on one accumulator
  for (; j + 16 <= width; j += 16) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    for (let t = 0; t < m; t++) {
      const s = entryValue(scalars, t, packed, lut);
      const b = base + (<usize>(entryRow(indices, t, packed) * stride + j) << 2);
      c0 = madd(s, v128.load(b), c0);
      c1 = madd(s, v128.load(b, 16), c1);
      c2 = madd(s, v128.load(b, 32), c2);
      c3 = madd(s, v128.load(b, 48), c3);
    }
    const o = out + (<usize>j << 2);
    v128.store(o, c0);
    v128.store(o, c1, 16);
    v128.store(o, c2, 32);
    v128.store(o, c3, 48);
  }
  for (; j + 8 <= width; j += 8) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    for (let t = 0; t < m; t++) {
      const s = entryValue(scalars, t, packed, lut);
      const b = base + (<usize>(entryRow(indices, t, packed) * stride + j) << 2);
      c0 = madd(s, v128.load(b), c0);
      c1 = madd(s, v128.load(b, 16), c1);
    }
    v128.store(out + (<usize>j << 2), c0);
    v128.store(out + (<usize>j << 2), c1, 16);
  }
  for (; j + 4 <= width; j += 4) {
    let c = f32x4.splat(0);
    for (let t = 0; t < m; t++) {
      const b = base + (<usize>(entryRow(indices, t, packed) * stride + j) << 2);
      c = madd(entryValue(scalars, t, packed, lut), v128.load(b), c);
    }
    v128.store(out + (<usize>j << 2), c);
  }
  for (; j < width; j++) {
    let c: f32 = 0;
    for (let t = 0; t < m; t++) {
      const b = base + (<usize>(entryRow(indices, t, packed) * stride + j) << 2);
      c += f32x4.extract_lane(entryValue(scalars, t, packed, lut), 0) * load<f32>(b);
    }
    store<f32>(out + (<usize>j << 2), c);
  }
}

/**
 * z [n, out] = x·W over each row's nonzero inputs, with wT = Wᵀ [inw, out]: the rows of the pixel index
 * at px, or where `index` is not 0 examples order[0 … n) of that data set's sparse index (`count`
 * examples), read in place.
 */
export function forwardPixels(z: usize, wT: usize, n: i32, out: i32, inw: i32, px: usize, index: usize, count: i32, order: usize): void {
  if (index) {
    const inputs = indexInputs(index, count);
    const bytes = indexBytes(index, count);
    for (let r = 0; r < n; r++) {
      const e = <usize>load<i32>(order + (<usize>r << 2));
      const first = <usize>firstEntry(index, e);
      sumRows(z + (<usize>(r * out) << 2), wT, out, inputs + (first << 1), bytes + first, entryCount(index, e), out, true, index);
    }
    return;
  }
  const counts = countsAt(px, n, inw);
  for (let r = 0; r < n; r++) {
    const at = <usize>(r * inw) << 2;
    sumRows(z + (<usize>(r * out) << 2), wT, out, px + at, valAt(px, n, inw) + at, load<i32>(counts + (<usize>r << 2)), out, false, 0);
  }
}

/** dWᵀ [inw, out] = xᵀ·δ (δ [n, out]) over the rows that have each input; exact zeros for inputs no row has. */
export function weightGradPixels(dwT: usize, delta: usize, n: i32, out: i32, inw: i32, px: usize): void {
  const starts = startsAt(px, n, inw);
  const rows = rowsAt(px, n, inw);
  const vals = valsAt(px, n, inw);
  for (let i = 0; i < inw; i++) {
    const first = load<i32>(starts + (<usize>i << 2));
    const m = load<i32>(starts + (<usize>(i + 1) << 2)) - first;
    const dr = dwT + (<usize>(i * out) << 2);
    if (m == 0) memory.fill(dr, 0, <usize>out << 2);
    else sumRows(dr, delta, out, rows + (<usize>first << 2), vals + (<usize>first << 2), m, out, false, 0);
  }
}

/**
 * Wᵀ [inw, out] −= lr·xᵀ·δ (δ [n, out]) row by row of the batch: each nonzero input i of row r adds
 * (−lr·x[r, i])·δ[r, :] to row i of Wᵀ, up to 24 outputs at a time with that block of δ[r, :] kept in
 * registers. The composite sums the rows' shares first and subtracts once, so the two agree to rounding.
 * The rows are the pixel index's at px, or as for forwardPixels a data set's sparse index's.
 */
export function updatePixels(wT: usize, delta: usize, n: i32, out: i32, inw: i32, px: usize, lr: f32, index: usize, count: i32, order: usize): void {
  const negLr = f32x4.splat(-lr);
  if (index) {
    const inputs = indexInputs(index, count);
    const bytes = indexBytes(index, count);
    for (let r = 0; r < n; r++) {
      const e = <usize>load<i32>(order + (<usize>r << 2));
      const first = <usize>firstEntry(index, e);
      addRows(wT, delta + (<usize>(r * out) << 2), out, inputs + (first << 1), bytes + first, entryCount(index, e), negLr, true, index);
    }
    return;
  }
  const counts = countsAt(px, n, inw);
  for (let r = 0; r < n; r++) {
    const at = <usize>(r * inw) << 2;
    addRows(wT, delta + (<usize>(r * out) << 2), out, px + at, valAt(px, n, inw) + at, load<i32>(counts + (<usize>r << 2)), negLr, false, 0);
  }
}

/** Adds (−lr·x_t)·dr to row i_t of wT [·, out] for each of one row's `m` entries (see entryRow, entryValue). */
@inline
function addRows(wT: usize, dr: usize, out: i32, indices: usize, scalars: usize, m: i32, negLr: v128, packed: bool, lut: usize): void {
  const rowBytes = <usize>out << 2;
  let j = 0;
  for (; j + 24 <= out; j += 24) {
    const d = dr + (<usize>j << 2);
    const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32);
    const d3 = v128.load(d, 48), d4 = v128.load(d, 64), d5 = v128.load(d, 80);
    for (let t = 0; t < m; t++) {
      const s = f32x4.mul(entryValue(scalars, t, packed, lut), negLr);
      const w = wT + <usize>entryRow(indices, t, packed) * rowBytes + (<usize>j << 2);
      v128.store(w, madd(s, d0, v128.load(w)));
      v128.store(w, madd(s, d1, v128.load(w, 16)), 16);
      v128.store(w, madd(s, d2, v128.load(w, 32)), 32);
      v128.store(w, madd(s, d3, v128.load(w, 48)), 48);
      v128.store(w, madd(s, d4, v128.load(w, 64)), 64);
      v128.store(w, madd(s, d5, v128.load(w, 80)), 80);
    }
  }
  for (; j + 16 <= out; j += 16) {
    const d = dr + (<usize>j << 2);
    const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32), d3 = v128.load(d, 48);
    for (let t = 0; t < m; t++) {
      const s = f32x4.mul(entryValue(scalars, t, packed, lut), negLr);
      const w = wT + <usize>entryRow(indices, t, packed) * rowBytes + (<usize>j << 2);
      v128.store(w, madd(s, d0, v128.load(w)));
      v128.store(w, madd(s, d1, v128.load(w, 16)), 16);
      v128.store(w, madd(s, d2, v128.load(w, 32)), 32);
      v128.store(w, madd(s, d3, v128.load(w, 48)), 48);
    }
  }
  for (; j + 4 <= out; j += 4) {
    const d0 = v128.load(dr + (<usize>j << 2));
    for (let t = 0; t < m; t++) {
      const s = f32x4.mul(entryValue(scalars, t, packed, lut), negLr);
      const w = wT + <usize>entryRow(indices, t, packed) * rowBytes + (<usize>j << 2);
      v128.store(w, madd(s, d0, v128.load(w)));
    }
  }
  for (; j < out; j++) {
    const dj = load<f32>(dr + (<usize>j << 2));
    for (let t = 0; t < m; t++) {
      const w = wT + <usize>entryRow(indices, t, packed) * rowBytes + (<usize>j << 2);
      store<f32>(w, load<f32>(w) + f32x4.extract_lane(f32x4.mul(entryValue(scalars, t, packed, lut), negLr), 0) * dj);
    }
  }
}
