// Data-movement and indexing kernels of the js backend: permute, broadcast, slice/pad/concat (all as
// "copy a box"), gather/scatter-add for embeddings, one-hot and casts.

import type { KernelArg } from "../../core/backend.js";
import { NnlabError } from "../../core/errors.js";
import type { TypedArray } from "../../core/dtype.js";
import { sizeOf, stridesOf } from "../../core/shape.js";
import { broadcastOffsets } from "./elementwise.js";
import { arr } from "./storage.js";

export function permuteKernel(out: KernelArg, [x]: readonly KernelArg[], p: { perm: number[] }): void {
  const o = arr(out);
  const a = arr(x);
  const inStrides = stridesOf(x.shape);
  if (out.shape.length === 2 && p.perm[0] === 1) {
    // plain transpose: out[i, j] = x[j, i]
    const [r, c] = out.shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) o[i * c + j] = a[j * r + i];
    return;
  }
  const strides = p.perm.map((ax) => inStrides[ax]); // input stride for each output axis
  const rank = out.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < o.length; i++) {
    o[i] = a[off];
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += strides[ax];
      if (idx[ax] < out.shape[ax]) break;
      off -= strides[ax] * idx[ax];
      idx[ax] = 0;
    }
  }
}

export function broadcastToKernel(out: KernelArg, [x]: readonly KernelArg[]): void {
  const o = arr(out);
  const a = arr(x);
  const offsets = broadcastOffsets(x.shape, out.shape);
  for (let i = 0; i < o.length; i++) o[i] = a[offsets[i]];
}

/** Copies the box `box` starting at `srcStart` in src into dst at `dstStart`, one innermost row at a time. */
function copyBox(
  src: TypedArray, srcShape: readonly number[], srcStart: readonly number[],
  dst: TypedArray, dstShape: readonly number[], dstStart: readonly number[],
  box: readonly number[],
): void {
  const rank = box.length;
  if (sizeOf(box) === 0) return;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const ss = stridesOf(srcShape);
  const ds = stridesOf(dstShape);
  const rowLen = box[rank - 1];
  const rows = sizeOf(box.slice(0, -1));
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let so = srcStart[rank - 1];
    let dof = dstStart[rank - 1];
    for (let ax = 0; ax < rank - 1; ax++) {
      so += (srcStart[ax] + idx[ax]) * ss[ax];
      dof += (dstStart[ax] + idx[ax]) * ds[ax];
    }
    dst.set(src.subarray(so, so + rowLen), dof);
    for (let ax = rank - 2; ax >= 0; ax--) {
      if (++idx[ax] < box[ax]) break;
      idx[ax] = 0;
    }
  }
}

export function sliceKernel(out: KernelArg, [x]: readonly KernelArg[], p: { begin: number[] }): void {
  copyBox(arr(x), x.shape, p.begin, arr(out), out.shape, out.shape.map(() => 0), out.shape);
}

export function padKernel(out: KernelArg, [x]: readonly KernelArg[], p: { before: number[] }): void {
  // the output arrives zero-filled; copy the input into its window
  copyBox(arr(x), x.shape, x.shape.map(() => 0), arr(out), out.shape, p.before, x.shape);
}

export function concatKernel(out: KernelArg, inputs: readonly KernelArg[], p: { axis: number }): void {
  const o = arr(out);
  let start = 0;
  for (const x of inputs) {
    const dstStart = out.shape.map((_, i) => (i === p.axis ? start : 0));
    copyBox(arr(x), x.shape, x.shape.map(() => 0), o, out.shape, dstStart, x.shape);
    start += x.shape[p.axis];
  }
}

function checkId(op: string, id: number, rows: number): void {
  if (id < 0 || id >= rows) throw new NnlabError(`${op}: id ${id} is out of range; expected 0 <= id < ${rows}`);
}

export function gatherKernel(out: KernelArg, [table, ids]: readonly KernelArg[]): void {
  const o = arr(out);
  const t = arr(table);
  const id = arr(ids);
  const rows = table.shape[0];
  const width = sizeOf(table.shape.slice(1));
  for (let r = 0; r < id.length; r++) {
    checkId("gather", id[r], rows);
    o.set(t.subarray(id[r] * width, (id[r] + 1) * width), r * width);
  }
}

export function scatterAddKernel(out: KernelArg, [ids, src]: readonly KernelArg[], p: { rows: number }): void {
  const o = arr(out);
  const s = arr(src);
  const id = arr(ids);
  const width = sizeOf(out.shape.slice(1));
  for (let r = 0; r < id.length; r++) {
    checkId("scatterAdd", id[r], p.rows);
    const dst = id[r] * width;
    const from = r * width;
    for (let j = 0; j < width; j++) o[dst + j] += s[from + j];
  }
}

export function oneHotKernel(out: KernelArg, [ids]: readonly KernelArg[], p: { classes: number }): void {
  const o = arr(out);
  const id = arr(ids);
  for (let r = 0; r < id.length; r++) {
    checkId("oneHot", id[r], p.classes);
    o[r * p.classes + id[r]] = 1;
  }
}

export function castKernel(out: KernelArg, [x]: readonly KernelArg[]): void {
  const o = arr(out);
  const a = arr(x);
  if (out.dtype === "int32") for (let i = 0; i < o.length; i++) o[i] = Math.trunc(a[i]);
  else o.set(a);
}
