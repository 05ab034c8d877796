// Elementwise kernels of the js backend: unary maps and broadcasting binary ops / where.

import type { KernelArg } from "../../core/backend.js";
import { allocArray, type TypedArray } from "../../core/dtype.js";
import { broadcastStrides, sizeOf } from "../../core/shape.js";
import { arr } from "./storage.js";
import { erf } from "./erf.js";

type Arr = TypedArray;

/**
 * One loop per op, written out, so V8 compiles each with its own type feedback (a shared loop calling
 * `f(a, b)` per element ran ~6x slower: the call site goes megamorphic).
 */
export const unaryLoops = {
  neg: (o: Arr, a: Arr) => { for (let i = 0; i < o.length; i++) o[i] = -a[i]; },
  exp: (o: Arr, a: Arr) => { for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]); },
  log: (o: Arr, a: Arr) => { for (let i = 0; i < o.length; i++) o[i] = Math.log(a[i]); },
  sqrt: (o: Arr, a: Arr) => { for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(a[i]); },
  tanh: (o: Arr, a: Arr) => { for (let i = 0; i < o.length; i++) o[i] = Math.tanh(a[i]); },
  erf: (o: Arr, a: Arr) => { for (let i = 0; i < o.length; i++) o[i] = erf(a[i]); },
};

/** Elementwise binary loops: `vv` for two same-size arrays, `vs` for an array and one value. */
interface BinaryLoops {
  vv(o: Arr, a: Arr, b: Arr): void;
  vs(o: Arr, a: Arr, s: number): void;
}

export const binaryLoops: Record<"add" | "sub" | "mul" | "div" | "maximum" | "greater" | "equal", BinaryLoops> = {
  add: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i]; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] + s; },
  },
  sub: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] - b[i]; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] - s; },
  },
  mul: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i]; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] * s; },
  },
  div: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] / b[i]; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] / s; },
  },
  // NaN wins, as in PyTorch
  maximum: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] > b[i] || a[i] !== a[i] ? a[i] : b[i]; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] > s || a[i] !== a[i] ? a[i] : s; },
  },
  greater: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] > b[i] ? 1 : 0; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] > s ? 1 : 0; },
  },
  equal: {
    vv: (o, a, b) => { for (let i = 0; i < o.length; i++) o[i] = a[i] === b[i] ? 1 : 0; },
    vs: (o, a, s) => { for (let i = 0; i < o.length; i++) o[i] = a[i] === s ? 1 : 0; },
  },
};

export function unaryKernel(loop: (o: Arr, a: Arr) => void) {
  return (out: KernelArg, [x]: readonly KernelArg[]): void => loop(arr(out), arr(x));
}

/**
 * Offsets into an input of `shape` for each element of `outShape` (row-major), as an odometer over the
 * output with broadcast strides (0 on broadcast axes).
 */
export function broadcastOffsets(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const offsets = new Int32Array(n);
  const strides = broadcastStrides(shape, outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = off;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += strides[ax];
      if (idx[ax] < outShape[ax]) break;
      off -= strides[ax] * idx[ax];
      idx[ax] = 0;
    }
  }
  return offsets;
}

/** The input's values laid out like the output (a copy when the input is broadcast). */
function expand(x: KernelArg, outShape: readonly number[], outDtype: KernelArg["dtype"]): Arr {
  const a = arr(x);
  if (sizeOf(x.shape) === sizeOf(outShape)) return a;
  const full = allocArray(outDtype, sizeOf(outShape));
  const offsets = broadcastOffsets(x.shape, outShape);
  for (let i = 0; i < full.length; i++) full[i] = a[offsets[i]];
  return full;
}

export function binaryKernel(loops: BinaryLoops) {
  return (out: KernelArg, [x, y]: readonly KernelArg[]): void => {
    const o = arr(out);
    if (sizeOf(y.shape) === 1 && sizeOf(x.shape) === o.length) loops.vs(o, arr(x), arr(y)[0]);
    else loops.vv(o, expand(x, out.shape, out.dtype), expand(y, out.shape, out.dtype));
  };
}

export function whereKernel(out: KernelArg, [c, x, y]: readonly KernelArg[]): void {
  const o = arr(out);
  const cs = arr(c);
  const a = arr(x);
  const b = arr(y);
  const oc = broadcastOffsets(c.shape, out.shape);
  const oa = broadcastOffsets(x.shape, out.shape);
  const ob = broadcastOffsets(y.shape, out.shape);
  for (let i = 0; i < o.length; i++) o[i] = cs[oc[i]] !== 0 ? a[oa[i]] : b[ob[i]];
}
