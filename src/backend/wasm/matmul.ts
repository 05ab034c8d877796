// Host side of matmul: walks the (broadcast) batch axes and calls the wasm kernel (assembly/matmul.ts,
// which handles every transpose case by packing B). Large products are split between the calling
// thread and the worker pool: one matrix by rows of C, a batch of matrices by runs of matrices.

import type { Kernel } from "../../core/backend.js";
import { batchPairs } from "../js/matmul.js";
import { viaJs } from "./fallback.js";
import { TASK } from "./pool.js";
import { ptrOf, type WasmContext } from "./storage.js";

/**
 * Work below this many flops (of a product, or its equivalent in time) stays on the calling thread: a
 * worker that spins between tasks (worker.ts) takes a task in microseconds, and 4 Mflop is about 90 µs.
 */
const PARALLEL_FLOPS = 1 << 22;

/**
 * Rows of C the wasm kernel's register tile covers (assembly/matmul.ts): threads split a product's rows
 * at multiples of it, so every row takes the same tile, and so the same bits, on any number of threads.
 */
const ROWS_PER_TILE = 5;

/**
 * Splits `count` items into runs for the calling thread (run 0) and each worker, each a multiple of
 * `multiple` long (the last takes what is left); returns run starts.
 */
function runs(count: number, parts: number, multiple: number): number[] {
  const per = Math.max(1, Math.round(count / parts / multiple)) * multiple;
  return Array.from({ length: parts + 1 }, (_, i) => (i === parts ? count : Math.min(count, i * per)));
}

/**
 * Runs `part(i0, i1)` over the rows 0..m of a product of `flops`, split between the calling thread and
 * the workers when it is large: `post(w, i0, i1)` hands a run to worker w. Returns false (nothing run)
 * when the product stays on the calling thread.
 */
export function splitRows(ctx: WasmContext, m: number, flops: number, post: (w: number, i0: number, i1: number) => void, part: (i0: number, i1: number) => void): boolean {
  const pool = ctx.pool;
  if (!pool || pool.size === 0 || flops < PARALLEL_FLOPS || m < 16) return false;
  const starts = runs(m, pool.size + 1, 4);
  const posted: number[] = [];
  for (let w = 0; w < pool.size; w++) {
    const [i0, i1] = [starts[w + 1], starts[w + 2]];
    if (i0 < i1) {
      post(w, i0, i1);
      posted.push(w);
    }
  }
  part(0, starts[1]);
  for (const w of posted) pool.join(w);
  return true;
}

/** C[m,n] = op(A)·op(B) by the external products (ctx.gemm), rows shared between threads when large. */
function externalOne(ctx: WasmContext, c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number): void {
  const g = ctx.gemm!;
  const args = [c, a, b, m, n, k, transA, transB, 1, 0, 0] as const;
  const split = splitRows(ctx, m, 2 * m * n * k, (w, i0, i1) => ctx.pool!.post(w, TASK.externalGemm, [...args, i0, i1]), (i0, i1) => g.gemm(...args, i0, i1));
  if (!split) g.gemm(...args, 0, m);
}

/**
 * Products of fewer rows than this stay on wasm's kernel where external products exist: a BLAS gemm packs
 * all of B for each call, which costs more than it saves on a few rows (sampling's single position).
 */
const EXTERNAL_MIN_ROWS = 8;

/** Whether the external products (ctx.gemm) should compute a product of m rows. */
export function useExternal(ctx: WasmContext, m: number): boolean {
  return ctx.gemm !== null && m >= EXTERNAL_MIN_ROWS;
}

/** Products from this many flops look for whole zero columns to skip (below, the search costs more than it can save). */
const SKIP_MIN_FLOPS = 1 << 20;
/** …and skip them when at most this share of the columns holds anything. */
const SKIP_MAX_KEPT = 0.8;

/** Whether column `col` of the row-major matrix at `ptr` [rows, cols] is all zero bits. */
function zeroColumn(ctx: WasmContext, ptr: number, rows: number, cols: number, col: number): boolean {
  const bits = ctx.heap.i32();
  for (let i = 0, at = (ptr >> 2) + col; i < rows; i++, at += cols) if (bits[at] !== 0) return false;
  return true;
}

/** Blocks of linear memory for the duration of `run` (freed after it, whatever happens). */
function withBlocks<T>(ctx: WasmContext, floats: readonly number[], run: (ptrs: number[]) => T): T {
  const ptrs = floats.map((f) => ctx.heap.alloc(Math.max(4, f) * 4, false));
  try {
    return run(ptrs);
  } finally {
    ptrs.forEach((p, i) => ctx.heap.free(p, Math.max(4, floats[i]) * 4));
  }
}

/**
 * Products with whole zero columns run without them: a zero column p of op(A) (MNIST's blank border in
 * x·Wᵀ: about a third of a batch of 64's pixel columns) adds nothing to any sum, so A's other columns
 * and B's matching rows are gathered and multiplied; a zero column j of op(B) (the same border in the
 * weight gradient gᵀ·x) makes column j of C zero, so only B's other columns are multiplied and scattered
 * back. Where column 0 and the last column are not zero, nothing is searched (GPT's activations never
 * pass that probe). The sums keep their order over the columns left; only products with Inf or NaN in
 * B's skipped rows would differ (they would be NaN). Returns false when the product runs whole.
 */
function withoutZeroColumns(ctx: WasmContext, c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number): boolean {
  if (2 * m * n * k < SKIP_MIN_FLOPS) return false;
  const w = ctx.exports;
  if (!transA && k >= 64 && (zeroColumn(ctx, a, m, k, 0) || zeroColumn(ctx, a, m, k, k - 1))) {
    return onNonzeroColumns(ctx, a, m, k, c, m * n, ({ runs, nruns, kept }) =>
      withBlocks(ctx, [m * kept, n * kept], ([a2, b2]) => {
        w.gatherColumns(a2, a, m, k, runs, nruns, kept);
        if (transB) w.gatherColumns(b2, b, n, k, runs, nruns, kept); // B [n, k]: its columns
        else {
          // B [k, n]: its rows, a run of columns of A being a block of rows of B
          const [f32, ints] = [ctx.heap.f32(), ctx.heap.i32()];
          for (let i = 0, to = b2 >> 2; i < nruns; i++) {
            const [first, length] = [ints[(runs >> 2) + 2 * i], ints[(runs >> 2) + 2 * i + 1]];
            f32.copyWithin(to, (b >> 2) + first * n, (b >> 2) + (first + length) * n);
            to += length * n;
          }
        }
        matmulOne(ctx, c, a2, b2, m, n, kept, 0, transB);
      }),
    );
  }
  if (!transB && n >= 64 && (zeroColumn(ctx, b, k, n, 0) || zeroColumn(ctx, b, k, n, n - 1))) {
    return onNonzeroColumns(ctx, b, k, n, c, m * n, ({ runs, nruns, kept }) =>
      withBlocks(ctx, [k * kept, m * kept], ([b2, c2]) => {
        w.gatherColumns(b2, b, k, n, runs, nruns, kept);
        matmulOne(ctx, c2, a, b2, m, kept, k, transA, 0);
        w.scatterColumns(c, c2, m, n, runs, nruns, kept);
      }),
    );
  }
  return false;
}

/** The nonzero columns of a matrix as runs of consecutive columns: `nruns` (first, length) int32 pairs at `runs`, `kept` columns in all. */
interface ColumnRuns {
  runs: number;
  nruns: number;
  kept: number;
}

/**
 * Finds the nonzero columns of the matrix at `ptr` [rows, cols]; where at most SKIP_MAX_KEPT of them are,
 * runs `product` on their runs (or, with none, zeroes the `cSize` floats of C) and returns true.
 */
function onNonzeroColumns(ctx: WasmContext, ptr: number, rows: number, cols: number, c: number, cSize: number, product: (columns: ColumnRuns) => void): boolean {
  return withBlocks(ctx, [cols, cols + 4, 2 * cols], ([idx, flags, runs]) => {
    const kept = ctx.exports.nonzeroColumns(idx, ptr, rows, cols, flags);
    if (kept > SKIP_MAX_KEPT * cols) return false;
    if (kept === 0) ctx.exports.zero(c, cSize * 4);
    else product({ runs, nruns: ctx.exports.columnRuns(runs, idx, kept), kept });
    return true;
  });
}

/** Columns of B the wasm kernel packs at a time (NC in assembly/matmul.ts), and its panels' width. */
const KERNEL_NC = 256;
const PANEL = 8;
/** Rows of A at most that the wasm kernel multiplies as dot products, packing nothing, when B is transposed (ROWS_NT). */
const KERNEL_ROWS_NT = 16;

/**
 * Whether threads should split a product by columns of C rather than by rows. Each thread packs the
 * part of B its columns need (all of B for a split by rows) and its rows of A once per block of
 * KERNEL_NC columns: the split that packs less wins. The weight gradient of a layer of 128 outputs
 * (m = 128, k = 768, n = 512 in W2) packed all of B twice, once per thread, for 64 rows each.
 */
function splitColumns(m: number, n: number, k: number, transA: number, transB: number, parts: number): boolean {
  if (!transA && transB && m <= KERNEL_ROWS_NT) return false; // dot products: nothing packed
  const byRows = k * n + (m / parts) * k * Math.ceil(n / KERNEL_NC);
  const byColumns = (k * n) / parts + m * k * Math.ceil(n / parts / KERNEL_NC);
  return byColumns < byRows;
}

/** C[m,n] = op(A)·op(B) for one matrix (k > 0), on several threads when it is large. */
export function matmulOne(ctx: WasmContext, c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number): void {
  if (withoutZeroColumns(ctx, c, a, b, m, n, k, transA, transB)) return;
  if (useExternal(ctx, m)) return externalOne(ctx, c, a, b, m, n, k, transA, transB);
  const pool = ctx.pool;
  if (!pool || 2 * m * n * k < PARALLEL_FLOPS || m < 16) return ctx.exports.matmul(c, a, b, m, n, k, transA, transB, ctx.scratch, 0, m);
  const byColumns = splitColumns(m, n, k, transA, transB, pool.size + 1);
  // blocks of C: [i0, i1, j0, j1] for the calling thread (0) and each worker
  const starts = byColumns ? runs(n, pool.size + 1, PANEL) : runs(m, pool.size + 1, ROWS_PER_TILE);
  const block = (t: number) => (byColumns ? [0, m, starts[t], starts[t + 1]] : [starts[t], starts[t + 1], 0, n]);
  const posted: number[] = [];
  for (let w = 0; w < pool.size; w++) {
    const [i0, i1, j0, j1] = block(w + 1);
    if (i0 < i1 && j0 < j1) {
      pool.post(w, TASK.matmulBlock, [c, a, b, m, n, k, transA, transB, i0, i1, j0, j1]);
      posted.push(w);
    }
  }
  const [i0, i1, j0, j1] = block(0);
  ctx.exports.matmulBlock(c, a, b, m, n, k, transA, transB, ctx.scratch, i0, i1, j0, j1);
  for (const w of posted) pool.join(w);
}

/** Steps (0 or 1) when matrix indices are first + i·step for every i, else null. */
function linearSteps(indices: Int32Array): number | null {
  const step = indices.length > 1 ? indices[1] - indices[0] : 0;
  if (step !== 0 && step !== 1) return null;
  for (let i = 0; i < indices.length; i++) if (indices[i] !== indices[0] + i * step) return null;
  return step;
}

export function matmulKernel(ctx: WasmContext, jsKernel: Kernel<"matmul">): Kernel<"matmul"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [x, y] = inputs;
    if (out.dtype !== "float32") return fallback(out, inputs, params);
    const rank = out.shape.length;
    const m = out.shape[rank - 2];
    const n = out.shape[rank - 1];
    const k = params.transA ? x.shape[x.shape.length - 2] : x.shape[x.shape.length - 1];
    if (k === 0) return ctx.exports.zero(ptrOf(out), out.storage.size * 4); // a sum of nothing
    const a = ptrOf(x);
    const b = ptrOf(y);
    const c = ptrOf(out);
    const transA = params.transA ? 1 : 0;
    const transB = params.transB ? 1 : 0;
    if (rank === 2 && x.shape.length === 2 && y.shape.length === 2) return matmulOne(ctx, c, a, b, m, n, k, transA, transB);
    const pairs = batchPairs(x.shape, y.shape, out.shape.slice(0, -2));
    const batches = pairs.a.length;
    const [aStep, bStep] = [linearSteps(pairs.a), linearSteps(pairs.b)];
    if (useExternal(ctx, m) && aStep !== null && bStep !== null) {
      // one call per run of matrices (C_j at c + j·m·n, A_j and B_j at their steps)
      const g = ctx.gemm!;
      const [a0, b0] = [a + pairs.a[0] * m * k * 4, b + pairs.b[0] * k * n * 4];
      const [as, bs] = [aStep * m * k, bStep * k * n];
      const at = (s: number, e: number) => [c + s * m * n * 4, a0 + s * as * 4, b0 + s * bs * 4, m, n, k, transA, transB, e - s, as, bs, 0, m] as const;
      const split = splitRows(ctx, batches, 2 * m * n * k * batches, (w, s, e) => ctx.pool!.post(w, TASK.externalGemm, at(s, e)), (s, e) => g.gemm(...at(s, e)));
      if (!split) g.gemm(...at(0, batches));
      return;
    }
    const pool = ctx.pool;
    if (pool && batches > 1 && aStep !== null && bStep !== null && 2 * m * n * k * batches >= PARALLEL_FLOPS) {
      // runs of whole matrices per thread
      const a0 = a + pairs.a[0] * m * k * 4;
      const b0 = b + pairs.b[0] * k * n * 4;
      const starts = runs(batches, pool.size + 1, 1);
      const at = (s: number): [number, number, number] => [c + s * m * n * 4, a0 + s * aStep * m * k * 4, b0 + s * bStep * k * n * 4];
      const posted: number[] = [];
      for (let w = 0; w < pool.size; w++) {
        const [s, e] = [starts[w + 1], starts[w + 2]];
        if (s < e) {
          pool.post(w, TASK.matmulBatch, [...at(s), m, n, k, transA, transB, e - s, aStep, bStep]);
          posted.push(w);
        }
      }
      ctx.exports.matmulBatch(...at(0), m, n, k, transA, transB, ctx.scratch, starts[1], aStep, bStep);
      for (const w of posted) pool.join(w);
      return;
    }
    for (let bi = 0; bi < batches; bi++) {
      matmulOne(ctx, c + bi * m * n * 4, a + pairs.a[bi] * m * k * 4, b + pairs.b[bi] * k * n * 4, m, n, k, transA, transB);
    }
  };
}
