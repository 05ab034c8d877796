// Products that skip whole zero columns (src/backend/wasm/matmul.ts, `withoutZeroColumns`): on wasm and
// on native, x·Wᵀ, x·W and gᵀ·x with about 40% zero columns (the first and the last among them, as
// MNIST's blank border) give the js oracle's products, the zero columns of C are exact zeros, an
// all-zero operand gives zeros, and so does the fused linear layer forward and backward.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { nativeUnavailableReason } from "../../src/backend/native/index.js";
import { setBackend, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import * as F from "../../src/nn/functional.js";
import { agree, floats, type Input } from "./oracle.js";

const backends = ["wasm"];

before(async () => {
  await init({ backend: "js" });
  if ((await nativeUnavailableReason()) === null) {
    await init({ backend: "native" });
    backends.push("native");
  }
  await init({ backend: "wasm" });
});

const rng = new Rng(31);

/** Random floats [rows, cols] whose columns 0, cols − 1 and about 40% of the others are zero. */
function withZeroColumns(rows: number, cols: number): Input {
  const x = floats(rng, [rows, cols]);
  const zero = Array.from({ length: cols }, (_, j) => j === 0 || j === cols - 1 || rng.uniform() < 0.4);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (zero[j]) x.data[i * cols + j] = 0;
  return x;
}

test("products with whole zero columns give the js oracle's products", () => {
  const [m, k, n] = [64, 100, 128]; // 1.6 Mflop: past the size from which zero columns are looked for
  for (const backend of backends) {
    const x = withZeroColumns(m, k);
    // zero columns of op(A): x·Wᵀ (W [n, k]) and x·W (W [k, n])
    agree(`${backend}: x·Wᵀ`, ([a, b]) => ops.matmul(a, b, { transB: true }), [x, floats(rng, [n, k])], 1e-5, backend);
    agree(`${backend}: x·W`, ([a, b]) => ops.matmul(a, b), [x, floats(rng, [k, n])], 1e-5, backend);
    // zero columns of op(B): gᵀ·x (g [m, n]), whose zero columns come out exactly zero
    const g = floats(rng, [m, n]);
    agree(`${backend}: gᵀ·x`, ([a, b]) => ops.matmul(a, b, { transA: true }), [g, x], 1e-5, backend);
    setBackend(backend);
    const c = tidy(() => ops.matmul(ops.tensor(g.data, g.shape), ops.tensor(x.data, x.shape), { transA: true }).toArray());
    const zeroColumns = Array.from({ length: k }, (_, j) => j).filter((j) => x.data.every((v, i) => i % k !== j || v === 0));
    assert.ok(zeroColumns.length > 20);
    for (const j of zeroColumns) for (let r = 0; r < n; r++) assert.ok(Object.is(c[r * k + j], 0), `${backend}: C[${r}, ${j}] of gᵀ·x is ${c[r * k + j]}, not +0`);
    // nothing but zeros, and zeros everywhere but column 0 (the probe finds no zero column)
    agree(`${backend}: 0·W`, ([a, b]) => ops.matmul(a, b, { transB: true }), [{ data: new Float32Array(m * k), shape: [m, k] }, floats(rng, [n, k])], 0, backend);
    const first = { data: new Float32Array(m * k), shape: [m, k] };
    for (let i = 0; i < m; i++) first.data[i * k] = 1 + i;
    agree(`${backend}: column 0 only`, ([a, b]) => ops.matmul(a, b, { transB: true }), [first, floats(rng, [n, k])], 1e-5, backend);
  }
});

test("the linear layer on inputs with zero columns: forward and gradients as on js", () => {
  const [m, k, n] = [64, 784, 32];
  for (const backend of backends) {
    const x = withZeroColumns(m, k);
    const w = floats(rng, [n, k], -0.1, 0.1);
    const b = floats(rng, [n]);
    const upstream = floats(rng, [m, n]);
    const run = (name: string) => {
      setBackend(name);
      return tidy(() => {
        const [xt, wt, bt] = [ops.tensor(x.data, x.shape), ops.tensor(w.data, w.shape).requireGrad(), ops.tensor(b.data, b.shape).requireGrad()];
        const y = F.linear(xt, wt, bt);
        ops.sum(ops.mul(y, ops.tensor(upstream.data, upstream.shape))).backward();
        return { y: Array.from(y.toArray()), dw: Array.from(wt.grad!.toArray()), db: Array.from(bt.grad!.toArray()) };
      });
    };
    const want = run("js");
    const got = run(backend);
    for (const key of ["y", "dw", "db"] as const) {
      got[key].forEach((v, i) => assert.ok(Math.abs(v - want[key][i]) <= 1e-4 * (1 + Math.abs(want[key][i])), `${backend}: ${key}[${i}] is ${v}, js gives ${want[key][i]}`));
    }
    // a weight column that meets only zeros has a gradient of exactly zero
    const zeroCol = Array.from({ length: k }, (_, j) => j).filter((j) => x.data.every((v, i) => i % k !== j || v === 0));
    assert.ok(zeroCol.length > 100);
    for (const j of zeroCol) for (let o = 0; o < n; o++) assert.ok(Object.is(got.dw[o * k + j], 0), `${backend}: dW[${o}, ${j}] is ${got.dw[o * k + j]}`);
  }
});
