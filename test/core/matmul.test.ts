// The js matmul against a naive triple loop: every transpose variant, batching, odd and sparse inputs
// (the kernel takes a different path for mostly-zero rows, as MNIST digits are).
import { test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";

function naive(a: Float64Array, b: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

test("matmul matches a naive loop for dense and sparse inputs, all transposes", async () => {
  await init({ backend: "js" });
  const rng = new Rng(11);
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [10, 16, 784], [13, 9, 4], [2, 11, 0]]) {
    for (const sparsity of [0, 0.9]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const fill = (len: number) => Float64Array.from({ length: len }, () => (rng.random() < sparsity ? 0 : rng.normal()));
          const a = fill(m * k);
          const b = fill(k * n);
          const got = ops.tensor(a, transA ? [k, m] : [m, k], "float64").matmul(ops.tensor(b, transB ? [n, k] : [k, n], "float64"), { transA, transB });
          const want = naive(a, b, m, n, k, transA, transB);
          const g = got.toArray();
          for (let i = 0; i < want.length; i++) assert.ok(Math.abs(g[i] - want[i]) < 1e-9, `${m}x${n}x${k} tA=${transA} tB=${transB} s=${sparsity}`);
        }
      }
    }
  }
});
