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

/** dst [rows, count] = src[:, idx] for src [rows, cols]. */
export function gatherColumns(dst: usize, src: usize, rows: i32, cols: i32, idx: usize, count: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * cols) << 2);
    const d = dst + (<usize>(r * count) << 2);
    for (let t = 0; t < count; t++) store<f32>(d + (<usize>t << 2), load<f32>(s + (<usize>load<i32>(idx + (<usize>t << 2)) << 2)));
  }
}

/** dst [rows, cols] = 0 except dst[:, idx[t]] = src[:, t], for src [rows, count]. */
export function scatterColumns(dst: usize, src: usize, rows: i32, cols: i32, idx: usize, count: i32): void {
  memory.fill(dst, 0, <usize>(rows * cols) << 2);
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * count) << 2);
    const d = dst + (<usize>(r * cols) << 2);
    for (let t = 0; t < count; t++) store<f32>(d + (<usize>load<i32>(idx + (<usize>t << 2)) << 2), load<f32>(s + (<usize>t << 2)));
  }
}
