// Reduction kernels of the js backend: sum, max and argmax. Reduced axes that form one contiguous run
// are viewed as [outer, reduced, inner]; any other set of axes falls back to an odometer.

import type { KernelArg } from "../../core/backend.js";
import { sizeOf } from "../../core/shape.js";
import { arr } from "./storage.js";

/** [outer, reduced, inner] sizes when `axes` is a contiguous run, else null. */
export function blocks(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  if (axes.length === 0) return [sizeOf(shape), 1, 1];
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return null;
  const first = axes[0];
  const last = axes[axes.length - 1];
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

/** Output offset of every input element (reduced axes collapse), for non-contiguous axes. */
function outputOffsets(shape: readonly number[], axes: readonly number[]): Int32Array {
  const rank = shape.length;
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if (!axes.includes(i)) {
      outStrides[i] = s;
      s *= shape[i];
    }
  }
  const n = sizeOf(shape);
  const offsets = new Int32Array(n);
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = off;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += outStrides[ax];
      if (idx[ax] < shape[ax]) break;
      off -= outStrides[ax] * idx[ax];
      idx[ax] = 0;
    }
  }
  return offsets;
}

function reduceKernel(init: number, combine: (acc: number, v: number) => number) {
  return (out: KernelArg, [x]: readonly KernelArg[], p: { axes: number[] }): void => {
    const o = arr(out);
    const a = arr(x);
    const b = blocks(x.shape, p.axes);
    if (b) {
      const [outer, red, inner] = b;
      const acc = new Float64Array(inner);
      for (let i = 0; i < outer; i++) {
        acc.fill(init);
        for (let r = 0; r < red; r++) {
          const base = (i * red + r) * inner;
          for (let j = 0; j < inner; j++) acc[j] = combine(acc[j], a[base + j]);
        }
        for (let j = 0; j < inner; j++) o[i * inner + j] = acc[j];
      }
      return;
    }
    const offsets = outputOffsets(x.shape, p.axes);
    const acc = new Float64Array(o.length).fill(init);
    for (let i = 0; i < a.length; i++) acc[offsets[i]] = combine(acc[offsets[i]], a[i]);
    o.set(acc);
  };
}

export const sumKernel = reduceKernel(0, (acc, v) => acc + v);
export const maxKernel = reduceKernel(-Infinity, (acc, v) => (v > acc || Number.isNaN(v) ? v : acc));

export function argmaxKernel(out: KernelArg, [x]: readonly KernelArg[], p: { axis: number }): void {
  const o = arr(out);
  const a = arr(x);
  const [outer, red, inner] = blocks(x.shape, [p.axis])!;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) {
      let best = 0;
      let bestValue = a[i * red * inner + j];
      for (let r = 1; r < red; r++) {
        const v = a[(i * red + r) * inner + j];
        if (v > bestValue) {
          bestValue = v;
          best = r;
        }
      }
      o[i * inner + j] = best;
    }
  }
}
