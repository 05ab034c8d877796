// Runs the same op on the wasm backend and on the js oracle, from the same inputs, and compares.
import assert from "node:assert/strict";
import { setBackend } from "../../src/core/engine.js";
import type { TypedArray } from "../../src/core/dtype.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { Tensor } from "../../src/core/tensor.js";
import { sizeOf } from "../../src/core/shape.js";

/** An input: values and shape (int32 when `int`). */
export interface Input {
  data: Float32Array | Int32Array;
  shape: number[];
}

export function floats(rng: Rng, shape: number[], lo = -2, hi = 2): Input {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  return { data, shape };
}

/** Small whole numbers as floats, so that comparisons and maxima see ties. */
export function wholes(rng: Rng, shape: number[], n = 4): Input {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(n) - n / 2;
  return { data, shape };
}

export function ints(rng: Rng, shape: number[], n: number): Input {
  const data = new Int32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(n);
  return { data, shape };
}

function runOn(backend: string, f: (xs: Tensor[]) => Tensor, inputs: readonly Input[]): { data: TypedArray; shape: readonly number[] } {
  setBackend(backend);
  const y = f(inputs.map((x) => ops.tensor(x.data, x.shape, x.data instanceof Int32Array ? "int32" : "float32")));
  return { data: y.toArray(), shape: y.shape };
}

/**
 * Asserts that `backend` (wasm unless named) and js agree: exactly when `tol` is 0, else within
 * tol·(1 + |js|) per element (float32 kernels against the oracle's float64 accumulation).
 */
export function agree(what: string, f: (xs: Tensor[]) => Tensor, inputs: readonly Input[], tol = 1e-5, backend = "wasm"): void {
  const want = runOn("js", f, inputs);
  const got = runOn(backend, f, inputs);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.data.constructor, want.data.constructor, `${what}: dtype`);
  for (let i = 0; i < want.data.length; i++) {
    const w = want.data[i];
    const g = got.data[i];
    if (tol === 0 || !Number.isFinite(w)) {
      assert.ok(Object.is(g, w) || (g === 0 && w === 0), `${what}: element ${i} is ${g}, js gives ${w}`);
    } else {
      assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}: element ${i} is ${g}, js gives ${w}`);
    }
  }
}
