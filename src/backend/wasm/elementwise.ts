// Host side of the elementwise kernels: unary maps, broadcasting binary ops and `where`. Broadcasting
// is reduced here to a collapsed shape with per-operand strides, so the wasm loop runs long SIMD rows.

import type { KernelArg } from "../../core/backend.js";
import { broadcastStrides } from "../../core/shape.js";
import { viaJs, type KernelOf } from "./fallback.js";
import { META_INTS, ptrOf, type WasmContext } from "./storage.js";

/** Op codes of src/backend/wasm/assembly/elementwise.ts. */
export const UNARY = { neg: 0, exp: 1, log: 2, sqrt: 3, tanh: 4, erf: 5 } as const;
export const BINARY = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, greater: 5, equal: 6 } as const;

/**
 * Drops size-1 axes and merges neighbours that are contiguous in every operand (stride of the outer
 * axis = stride × size of the inner one), e.g. [64, 16] + [16] stays 2-d but [2, 3, 4] + [2, 3, 4] is 1-d.
 */
export function collapse(shape: readonly number[], strides: readonly number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    const d = shape[ax];
    if (d === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, o) => outStrides[o][last] === s[ax] * d)) {
      outShape[last] *= d;
      strides.forEach((s, o) => (outStrides[o][last] = s[ax]));
    } else {
      outShape.push(d);
      strides.forEach((s, o) => outStrides[o].push(s[ax]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Writes int32 values into the meta scratch. */
function writeMeta(ctx: WasmContext, values: readonly number[]): void {
  ctx.heap.i32().set(values, ctx.meta >> 2);
}

export function unaryKernel(ctx: WasmContext, op: number): KernelOf<{}> {
  return (out, [x]) => ctx.exports.unary(op, ptrOf(out), ptrOf(x), out.storage.size);
}

export function binaryKernel(ctx: WasmContext, op: number, jsKernel: KernelOf<{}>): KernelOf<{}> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out: KernelArg, inputs: readonly KernelArg[], params: {}) => {
    const [x, y] = inputs;
    if (out.dtype !== "float32") return fallback(out, inputs, params);
    const n = out.storage.size;
    const nx = x.storage.size;
    const ny = y.storage.size;
    // the common cases skip the general collapse: same shapes, or one side a single value
    if ((nx === n || nx === 1) && (ny === n || ny === 1)) {
      const meta = ctx.heap.i32();
      const at = ctx.meta >> 2;
      meta[at] = n;
      meta[at + 1] = nx === n ? 1 : 0;
      meta[at + 2] = ny === n ? 1 : 0;
      return ctx.exports.binary(op, ptrOf(out), ptrOf(x), ptrOf(y), 1, ctx.meta);
    }
    const { shape, strides } = collapse(out.shape, [broadcastStrides(x.shape, out.shape), broadcastStrides(y.shape, out.shape)]);
    if (shape.length * 4 > META_INTS) return fallback(out, inputs, params);
    writeMeta(ctx, [...shape, ...strides[0], ...strides[1]]);
    ctx.exports.binary(op, ptrOf(out), ptrOf(x), ptrOf(y), shape.length, ctx.meta);
  };
}

export function whereKernel(ctx: WasmContext, jsKernel: KernelOf<{}>): KernelOf<{}> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [c, x, y] = inputs;
    const { shape, strides } = collapse(out.shape, [c, x, y].map((t) => broadcastStrides(t.shape, out.shape)));
    if (shape.length * 5 > META_INTS) return fallback(out, inputs, params);
    writeMeta(ctx, [...shape, ...strides[0], ...strides[1], ...strides[2]]);
    ctx.exports.where(ptrOf(out), ptrOf(c), ptrOf(x), ptrOf(y), c.dtype === "int32" ? 1 : 0, shape.length, ctx.meta, out.storage.size);
  };
}
