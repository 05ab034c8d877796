// Data movement as one strided copy (permute, broadcast, slice, pad, concat): dst[idx·dstStrides] =
// src[idx·srcStrides] for every index of a box. The host collapses the box first, so the innermost axis
// is usually contiguous on both sides (one memory.copy per row) or a broadcast (one fill per row).

/**
 * Copies a box of `rank` axes of 4-byte elements. meta holds shape[rank], srcStrides[rank],
 * dstStrides[rank] (in elements) and rank more ints of room for the running index.
 */
export function copyStrided(dst: usize, src: usize, rank: i32, meta: usize): void {
  const shape = meta;
  const ss = meta + (<usize>rank << 2);
  const ds = ss + (<usize>rank << 2);
  const idx = ds + (<usize>rank << 2);
  const last = rank - 1;
  const n = load<i32>(shape + (<usize>last << 2));
  const sIn = load<i32>(ss + (<usize>last << 2));
  const dIn = load<i32>(ds + (<usize>last << 2));
  let rows = 1;
  for (let ax = 0; ax < last; ax++) {
    rows *= load<i32>(shape + (<usize>ax << 2));
    store<i32>(idx + (<usize>ax << 2), 0);
  }
  let so: usize = src;
  let dof: usize = dst;
  for (let r = 0; r < rows; r++) {
    if (sIn == 1 && dIn == 1) memory.copy(dof, so, <usize>n << 2);
    else if (sIn == 0 && dIn == 1) {
      const v = v128.load32_splat(so);
      let j = 0;
      for (; j + 4 <= n; j += 4) v128.store(dof + (<usize>j << 2), v);
      for (; j < n; j++) store<i32>(dof + (<usize>j << 2), load<i32>(so));
    } else {
      for (let j = 0; j < n; j++) store<i32>(dof + (<usize>(j * dIn) << 2), load<i32>(so + (<usize>(j * sIn) << 2)));
    }
    // advance the outer index, odometer style
    for (let ax = last - 1; ax >= 0; ax--) {
      const p = idx + (<usize>ax << 2);
      const i = load<i32>(p) + 1;
      const s = load<i32>(ss + (<usize>ax << 2));
      const d = load<i32>(ds + (<usize>ax << 2));
      if (i < load<i32>(shape + (<usize>ax << 2))) {
        store<i32>(p, i);
        so += <usize>s << 2;
        dof += <usize>d << 2;
        break;
      }
      store<i32>(p, 0);
      so -= <usize>(s * (i - 1)) << 2;
      dof -= <usize>(d * (i - 1)) << 2;
    }
  }
}

/**
 * out[r] = table[ids[r]] for r < n, rows of `width` 4-byte values (floats or ints); returns the first r
 * whose id is outside 0 … rows−1 (the rows before it are copied), or −1.
 */
export function gatherRows(out: usize, table: usize, ids: usize, n: i32, width: i32, rows: i32): i32 {
  const bytes = <usize>width << 2;
  for (let r = 0; r < n; r++) {
    const id = load<i32>(ids + (<usize>r << 2));
    if (id < 0 || id >= rows) return r;
    memory.copy(out + <usize>r * bytes, table + <usize>id * bytes, bytes);
  }
  return -1;
}

/**
 * out[ids[r]] += src[r] for r < n, rows of `width` floats, in order of r; returns the first r whose id is
 * outside 0 … rows−1 (the rows before it are added), or −1.
 */
export function scatterAddRows(out: usize, ids: usize, src: usize, n: i32, width: i32, rows: i32): i32 {
  const bytes = <usize>width << 2;
  const vectorBytes = <usize>(width & ~3) << 2;
  for (let r = 0; r < n; r++) {
    const id = load<i32>(ids + (<usize>r << 2));
    if (id < 0 || id >= rows) return r;
    const dst = out + <usize>id * bytes;
    const from = src + <usize>r * bytes;
    let j: usize = 0;
    for (; j < vectorBytes; j += 16) v128.store(dst + j, f32x4.add(v128.load(dst + j), v128.load(from + j)));
    for (; j < bytes; j += 4) store<f32>(dst + j, load<f32>(dst + j) + load<f32>(from + j));
  }
  return -1;
}
