// Whole zero columns of a matrix, and gathering and scattering columns by index: what a product needs to
// skip them (src/backend/wasm/matmul.ts). MNIST's blank border is about a third of the 784 pixel columns
// of a batch of 64, and a ReLU unit that no example of a batch activates is a zero column too.

/**
 * Lists, in order, the columns of x [rows, cols] (row-major) that hold any set bit (so −0 and NaN count
 * as nonzero) into idx (int32); returns how many. `flags` is scratch of cols int32, padded to 4.
 */
export function nonzeroColumns(idx: usize, x: usize, rows: i32, cols: i32, flags: usize): i32 {
  const padded = (cols + 3) & ~3;
  memory.fill(flags, 0, <usize>padded << 2);
  const rowBytes = <usize>cols << 2;
  const whole = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let c = 0;
    for (; c < whole; c += 4) {
      const at = flags + (<usize>c << 2);
      v128.store(at, v128.or(v128.load(at), v128.load(xr + (<usize>c << 2))));
    }
    for (; c < cols; c++) {
      const at = flags + (<usize>c << 2);
      store<i32>(at, load<i32>(at) | load<i32>(xr + (<usize>c << 2)));
    }
  }
  let count = 0;
  for (let c = 0; c < cols; c++) {
    store<i32>(idx + (<usize>count << 2), c);
    count += i32(load<i32>(flags + (<usize>c << 2)) != 0);
  }
  return count;
}

/**
 * Turns a list of `count` increasing column indices into runs of consecutive columns: (first column,
 * length) int32 pairs at `runs`; returns how many. MNIST's inked columns come in runs along the image's
 * rows, so gathering and scattering move whole runs at a time.
 */
export function columnRuns(runs: usize, idx: usize, count: i32): i32 {
  let n = 0;
  let t = 0;
  while (t < count) {
    const first = load<i32>(idx + (<usize>t << 2));
    let length = 1;
    while (t + length < count && load<i32>(idx + (<usize>(t + length) << 2)) == first + length) length++;
    store<i32>(runs + (<usize>n << 3), first);
    store<i32>(runs + (<usize>n << 3), length, 4);
    n++;
    t += length;
  }
  return n;
}

/** dst [rows, count] = the columns of src [rows, cols] in the `nruns` runs at `runs` (count columns in all). */
export function gatherColumns(dst: usize, src: usize, rows: i32, cols: i32, runs: usize, nruns: i32, count: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * cols) << 2);
    let d = dst + (<usize>(r * count) << 2);
    for (let i = 0; i < nruns; i++) {
      const bytes = <usize>load<i32>(runs + (<usize>i << 3), 4) << 2;
      memory.copy(d, s + (<usize>load<i32>(runs + (<usize>i << 3)) << 2), bytes);
      d += bytes;
    }
  }
}

/** dst [rows, cols] = 0 except the columns in the runs, which take src [rows, count]'s columns in order. */
export function scatterColumns(dst: usize, src: usize, rows: i32, cols: i32, runs: usize, nruns: i32, count: i32): void {
  for (let r = 0; r < rows; r++) {
    let s = src + (<usize>(r * count) << 2);
    const d = dst + (<usize>(r * cols) << 2);
    let next = 0; // the first column not yet written
    for (let i = 0; i < nruns; i++) {
      const first = load<i32>(runs + (<usize>i << 3));
      const length = load<i32>(runs + (<usize>i << 3), 4);
      memory.fill(d + (<usize>next << 2), 0, <usize>(first - next) << 2);
      memory.copy(d + (<usize>first << 2), s, <usize>length << 2);
      s += <usize>length << 2;
      next = first + length;
    }
    memory.fill(d + (<usize>next << 2), 0, <usize>(cols - next) << 2);
  }
}
