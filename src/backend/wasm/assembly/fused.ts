// Fused kernels: single passes for composites (see src/core/fused.ts for the ops and their oracles).

/** σ(x) = ½·tanh(x/2) + ½, the composite's formula (no overflow for large |x|). */
export function sigmoid(o: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(o + off, <f32>0.5 * Mathf.tanh(<f32>0.5 * load<f32>(a + off)) + <f32>0.5);
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
