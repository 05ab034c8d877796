// Matrix multiplication for the js backend: batched, with transpose flags, accumulating in float64.
// Readable loops chosen for cache-friendly access in each transpose case; the oracle for faster kernels.

import type { KernelArg } from "../../core/backend.js";
import type { TypedArray } from "../../core/dtype.js";
import { broadcastStrides, sizeOf } from "../../core/shape.js";
import { arr } from "./storage.js";

interface Dims {
  m: number;
  n: number;
  k: number;
}

/** C[m,n] = A[m,k] · B[k,n]: rows of B streamed into a row accumulator; zero entries of A skipped. */
function nn(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, { m, n, k }: Dims, acc: Float64Array): void {
  for (let i = 0; i < m; i++) {
    acc.fill(0, 0, n);
    for (let p = 0; p < k; p++) {
      const aip = a[ao + i * k + p];
      if (aip === 0) continue;
      const row = bo + p * n;
      for (let j = 0; j < n; j++) acc[j] += aip * b[row + j];
    }
    for (let j = 0; j < n; j++) c[co + i * n + j] = acc[j];
  }
}

/** Indices of the non-zero entries of a[from .. from+len), written into `idx`; returns their count. */
function nonZeros(a: TypedArray, from: number, len: number, idx: Int32Array): number {
  let nz = 0;
  for (let p = 0; p < len; p++) if (a[from + p] !== 0) idx[nz++] = p;
  return nz;
}

/**
 * C[m,n] = A[m,k] · B[n,k]ᵀ: each entry a dot product of two contiguous rows, four rows of B at a time
 * (one load of A feeds four products). A mostly-zero row of A (an MNIST digit is ~80% background) is
 * multiplied through its non-zero entries only.
 */
function nt(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, { m, n, k }: Dims, idx: Int32Array): void {
  for (let i = 0; i < m; i++) {
    const ar = ao + i * k;
    const nz = nonZeros(a, ar, k, idx);
    const sparse = nz * 3 < k;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bo + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      if (sparse) {
        for (let q = 0; q < nz; q++) {
          const p = idx[q];
          const av = a[ar + p];
          s0 += av * b[b0 + p]; s1 += av * b[b1 + p]; s2 += av * b[b2 + p]; s3 += av * b[b3 + p];
        }
      } else {
        for (let p = 0; p < k; p++) {
          const av = a[ar + p];
          s0 += av * b[b0 + p]; s1 += av * b[b1 + p]; s2 += av * b[b2 + p]; s3 += av * b[b3 + p];
        }
      }
      const cr = co + i * n + j;
      c[cr] = s0; c[cr + 1] = s1; c[cr + 2] = s2; c[cr + 3] = s3;
    }
    for (; j < n; j++) {
      const br = bo + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ar + p] * b[br + p];
      c[co + i * n + j] = s;
    }
  }
}

/**
 * C[m,n] = A[k,m]ᵀ · B[k,n]: rank-1 updates, one row of A and B at a time, into an m×n accumulator
 * (the weight gradient Gᵀ·X of a layer); a mostly-zero row of B is visited through its non-zeros.
 */
function tn(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, { m, n, k }: Dims, acc: Float64Array, idx: Int32Array): void {
  acc.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const brow = bo + p * n;
    const nz = nonZeros(b, brow, n, idx);
    const sparse = nz * 3 < n;
    for (let i = 0; i < m; i++) {
      const api = a[ao + p * m + i];
      if (api === 0) continue;
      const crow = i * n;
      if (sparse) {
        for (let q = 0; q < nz; q++) {
          const j = idx[q];
          acc[crow + j] += api * b[brow + j];
        }
      } else {
        for (let j = 0; j < n; j++) acc[crow + j] += api * b[brow + j];
      }
    }
  }
  for (let i = 0; i < m * n; i++) c[co + i] = acc[i];
}

/** C[m,n] = A[k,m]ᵀ · B[n,k]ᵀ (rare): plain triple loop. */
function tt(a: TypedArray, ao: number, b: TypedArray, bo: number, c: TypedArray, co: number, { m, n, k }: Dims): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + p * m + i] * b[bo + j * k + p];
      c[co + i * n + j] = s;
    }
  }
}

/**
 * For each matrix of the output's batch (row-major over `batchShape`), the index of the matrix of A and
 * of B it multiplies, broadcasting over the batch axes. Shared with the wasm backend.
 */
export function batchPairs(aShape: readonly number[], bShape: readonly number[], batchShape: readonly number[]): { a: Int32Array; b: Int32Array } {
  const batches = sizeOf(batchShape);
  const aStrides = broadcastStrides(aShape.slice(0, -2), batchShape);
  const bStrides = broadcastStrides(bShape.slice(0, -2), batchShape);
  const a = new Int32Array(batches);
  const b = new Int32Array(batches);
  const idx = new Array<number>(batchShape.length).fill(0);
  for (let bi = 0; bi < batches; bi++) {
    for (let ax = 0; ax < idx.length; ax++) {
      a[bi] += idx[ax] * aStrides[ax];
      b[bi] += idx[ax] * bStrides[ax];
    }
    for (let ax = idx.length - 1; ax >= 0; ax--) {
      if (++idx[ax] < batchShape[ax]) break;
      idx[ax] = 0;
    }
  }
  return { a, b };
}

export function matmulKernel(out: KernelArg, [x, y]: readonly KernelArg[], p: { transA: boolean; transB: boolean }): void {
  const a = arr(x);
  const b = arr(y);
  const c = arr(out);
  const rank = out.shape.length;
  const m = out.shape[rank - 2];
  const n = out.shape[rank - 1];
  const k = p.transA ? x.shape[x.shape.length - 2] : x.shape[x.shape.length - 1];
  const dims = { m, n, k };
  const pairs = batchPairs(x.shape, y.shape, out.shape.slice(0, -2));
  const acc = new Float64Array(p.transA && !p.transB ? m * n : n);
  const idx32 = new Int32Array(Math.max(k, n));
  for (let bi = 0; bi < pairs.a.length; bi++) {
    const ao = pairs.a[bi] * m * k;
    const bo = pairs.b[bi] * k * n;
    const co = bi * m * n;
    if (k === 0) c.fill(0, co, co + m * n);
    else if (!p.transA && !p.transB) nn(a, ao, b, bo, c, co, dims, acc);
    else if (!p.transA && p.transB) nt(a, ao, b, bo, c, co, dims, idx32);
    else if (p.transA && !p.transB) tn(a, ao, b, bo, c, co, dims, acc, idx32);
    else tt(a, ao, b, bo, c, co, dims);
  }
}
