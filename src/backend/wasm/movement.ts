// Host side of the data-movement kernels: permute, broadcastTo, slice, pad and concat all become one
// strided copy of a box (assembly/movement.ts) after the box is collapsed to as few axes as possible.
// The js loops (src/backend/js/movement.ts) stay the readable oracle and run the rare boxes of more
// axes than the meta scratch holds.

import type { KernelArg } from "../../core/backend.js";
import { NnlabError } from "../../core/errors.js";
import { broadcastStrides, sizeOf, stridesOf } from "../../core/shape.js";
import { collapse } from "./elementwise.js";
import { viaJs, type KernelOf } from "./fallback.js";
import { META_INTS, ptrOf, type WasmContext } from "./storage.js";

/**
 * Copies the box `shape` from src (element strides `ss`, starting `srcOff` elements in) to dst (strides
 * `ds`, `dstOff` in); false when the collapsed box has too many axes for the meta scratch.
 */
function copyBox(ctx: WasmContext, dst: number, dstOff: number, ds: number[], src: number, srcOff: number, ss: number[], shape: readonly number[]): boolean {
  if (sizeOf(shape) === 0) return true;
  const box = collapse(shape, [ss, ds]);
  const rank = box.shape.length;
  if (rank * 4 > META_INTS) return false;
  const meta = ctx.heap.i32();
  const at = ctx.meta >> 2;
  for (let i = 0; i < rank; i++) {
    meta[at + i] = box.shape[i];
    meta[at + rank + i] = box.strides[0][i];
    meta[at + 2 * rank + i] = box.strides[1][i];
  }
  ctx.exports.copyStrided(dst + 4 * dstOff, src + 4 * srcOff, rank, ctx.meta);
  return true;
}

/** Offset in elements of index `start` in a row-major tensor of strides `strides`. */
function offsetOf(start: readonly number[], strides: readonly number[]): number {
  return start.reduce((s, v, i) => s + v * strides[i], 0);
}

/** A kernel that tries the strided copy and runs the js loop when it declines. */
function withFallback<T>(ctx: WasmContext, jsKernel: KernelOf<T>, fast: (out: KernelArg, inputs: readonly KernelArg[], p: T) => boolean): KernelOf<T> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, p) => {
    if (!fast(out, inputs, p)) fallback(out, inputs, p);
  };
}

export function permuteKernel(ctx: WasmContext, jsKernel: KernelOf<{ perm: number[] }>): KernelOf<{ perm: number[] }> {
  return withFallback(ctx, jsKernel, (out, [x], p) => {
    const inStrides = stridesOf(x.shape);
    return copyBox(ctx, ptrOf(out), 0, stridesOf(out.shape), ptrOf(x), 0, p.perm.map((ax) => inStrides[ax]), out.shape);
  });
}

export function broadcastToKernel(ctx: WasmContext, jsKernel: KernelOf<{ shape: number[] }>): KernelOf<{ shape: number[] }> {
  return withFallback(ctx, jsKernel, (out, [x]) => copyBox(ctx, ptrOf(out), 0, stridesOf(out.shape), ptrOf(x), 0, broadcastStrides(x.shape, out.shape), out.shape));
}

export function sliceKernel(ctx: WasmContext, jsKernel: KernelOf<{ begin: number[]; end: number[] }>): KernelOf<{ begin: number[]; end: number[] }> {
  return withFallback(ctx, jsKernel, (out, [x], p) => {
    const ss = stridesOf(x.shape);
    return copyBox(ctx, ptrOf(out), 0, stridesOf(out.shape), ptrOf(x), offsetOf(p.begin, ss), ss, out.shape);
  });
}

export function padKernel(ctx: WasmContext, jsKernel: KernelOf<{ before: number[]; after: number[] }>): KernelOf<{ before: number[]; after: number[] }> {
  // the output arrives zero-filled; copy the input into its window
  return withFallback(ctx, jsKernel, (out, [x], p) => {
    const ds = stridesOf(out.shape);
    return copyBox(ctx, ptrOf(out), offsetOf(p.before, ds), ds, ptrOf(x), 0, stridesOf(x.shape), x.shape);
  });
}

export function concatKernel(ctx: WasmContext, jsKernel: KernelOf<{ axis: number }>): KernelOf<{ axis: number }> {
  return withFallback(ctx, jsKernel, (out, inputs, p) => {
    const ds = stridesOf(out.shape);
    const axis = p.axis < 0 ? p.axis + out.shape.length : p.axis;
    // every input fits (checked first), so a decline never leaves a half-written output
    if (inputs.some((x) => collapse(x.shape, [stridesOf(x.shape), ds]).shape.length * 4 > META_INTS)) return false;
    let start = 0;
    for (const x of inputs) {
      copyBox(ctx, ptrOf(out), start * ds[axis], ds, ptrOf(x), 0, stridesOf(x.shape), x.shape);
      start += x.shape[axis];
    }
    return true;
  });
}

/** Rows of a table picked by int32 ids (float or int32 rows: a byte copy each); a bad id throws as the js kernel does. */
export function gatherKernel(ctx: WasmContext): KernelOf<unknown> {
  return (out, [table, ids]) => {
    const rows = table.shape[0];
    const width = sizeOf(table.shape.slice(1));
    const bad = ctx.exports.gatherRows(ptrOf(out), ptrOf(table), ptrOf(ids), ids.storage.size, width, rows);
    if (bad >= 0) throw outOfRange(ctx, "gather", ids, bad, rows);
  };
}

/** Rows of src added into out at int32 ids, in order (float32; int32 sums run the js loop). */
export function scatterAddKernel(ctx: WasmContext, jsKernel: KernelOf<{ rows: number }>): KernelOf<{ rows: number }> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, p) => {
    const [ids, src] = inputs;
    if (out.dtype !== "float32") return fallback(out, inputs, p);
    const bad = ctx.exports.scatterAddRows(ptrOf(out), ptrOf(ids), ptrOf(src), ids.storage.size, sizeOf(out.shape.slice(1)), p.rows);
    if (bad >= 0) throw outOfRange(ctx, "scatterAdd", ids, bad, p.rows);
  };
}

/** The js kernels' error for id number `at` of ids. */
function outOfRange(ctx: WasmContext, op: string, ids: KernelArg, at: number, rows: number): NnlabError {
  return new NnlabError(`${op}: id ${ctx.heap.i32()[(ptrOf(ids) >> 2) + at]} is out of range; expected 0 <= id < ${rows}`);
}
