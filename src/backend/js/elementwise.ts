// Elementwise kernels of the js backend: unary maps and broadcasting binary ops / where.

import type { KernelArg } from "../../core/backend.js";
import { broadcastStrides, shapesEqual, sizeOf } from "../../core/shape.js";
import { arr } from "./storage.js";
import { erf } from "./erf.js";

type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

export const unaryFns = {
  neg: (x: number) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  erf,
} satisfies Record<string, Unary>;

export const binaryFns = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  maximum: (a: number, b: number) => (a > b || Number.isNaN(a) ? a : b),
  greater: (a: number, b: number) => (a > b ? 1 : 0),
  equal: (a: number, b: number) => (a === b ? 1 : 0),
} satisfies Record<string, Binary>;

export function unaryKernel(f: Unary) {
  return (out: KernelArg, [x]: readonly KernelArg[]): void => {
    const o = arr(out);
    const a = arr(x);
    for (let i = 0; i < o.length; i++) o[i] = f(a[i]);
  };
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

/** How an input maps onto the output: same layout, one value, a repeating trailing block, or general. */
function layout(shape: readonly number[], outShape: readonly number[]): "same" | "scalar" | "tail" | "general" {
  const size = sizeOf(shape);
  if (size === sizeOf(outShape) && shapesEqual(shape.filter((d) => d !== 1), outShape.filter((d) => d !== 1))) return "same";
  if (size === 1) return "scalar";
  // e.g. a bias [n] (or [1, n]) against [batch, n]: the input repeats every `size` elements
  const trimmed = shape.slice(shape.findIndex((d) => d !== 1));
  if (shapesEqual(trimmed, outShape.slice(outShape.length - trimmed.length))) return "tail";
  return "general";
}

export function binaryKernel(f: Binary) {
  return (out: KernelArg, [x, y]: readonly KernelArg[]): void => {
    const o = arr(out);
    const a = arr(x);
    const b = arr(y);
    const n = o.length;
    const la = layout(x.shape, out.shape);
    const lb = layout(y.shape, out.shape);
    if (la === "same" && lb === "same") {
      for (let i = 0; i < n; i++) o[i] = f(a[i], b[i]);
    } else if (la === "same" && lb === "scalar") {
      const s = b[0];
      for (let i = 0; i < n; i++) o[i] = f(a[i], s);
    } else if (la === "scalar" && lb === "same") {
      const s = a[0];
      for (let i = 0; i < n; i++) o[i] = f(s, b[i]);
    } else if (la === "same" && lb === "tail") {
      const m = b.length;
      for (let i = 0; i < n; i++) o[i] = f(a[i], b[i % m]);
    } else if (la === "tail" && lb === "same") {
      const m = a.length;
      for (let i = 0; i < n; i++) o[i] = f(a[i % m], b[i]);
    } else {
      const oa = broadcastOffsets(x.shape, out.shape);
      const ob = broadcastOffsets(y.shape, out.shape);
      for (let i = 0; i < n; i++) o[i] = f(a[oa[i]], b[ob[i]]);
    }
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
