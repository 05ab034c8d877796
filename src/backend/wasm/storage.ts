// The wasm backend's buffer: a block of the module's linear memory, and the shared state every kernel
// wrapper needs (exports, heap, scratch blocks).

import type { KernelArg, Storage } from "../../core/backend.js";
import type { DType } from "../../core/dtype.js";
import type { WasmHeap } from "./heap.js";
import type { KernelExports } from "./loader.js";
import type { WorkerPool } from "./pool.js";

export class WasmStorage implements Storage {
  /** Set by `free`, to catch a buffer used or released after its release. */
  freed = false;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    /** Byte offset in linear memory. */
    readonly ptr: number,
  ) {}
}

/** What kernel wrappers share: the module's functions, its heap and scratch blocks reserved at start-up. */
export interface WasmContext {
  readonly exports: KernelExports;
  readonly heap: WasmHeap;
  /** 1 KiB of int32 scratch for shapes and strides passed to kernels. */
  readonly meta: number;
  /** Scratch of `matmulScratchBytes()` bytes for packed matmul blocks (the calling thread's). */
  readonly scratch: number;
  /** Worker threads for large kernels, or null (one thread, or no shared memory). */
  readonly pool: WorkerPool | null;
  /** Matrix products done outside wasm on the same memory (the native backend's OpenBLAS), or null. */
  readonly gemm: ExternalGemm | null;
}

/**
 * Matrix products on the wasm heap by other code (src/backend/native/). Pointers are byte offsets into
 * the heap; matrices are row-major. Each call computes rows i0 ≤ i < i1 of its output, so that the
 * worker pool can share a product out: `connect` is also called on every worker thread.
 */
export interface ExternalGemm {
  /**
   * For j < count: rows i0..i1 of C_j[m,n] = op(A_j)·op(B_j), A_j at a + j·aStride floats, B_j at
   * b + j·bStride floats, C_j at c + j·m·n floats; op transposes where transA/transB is 1.
   */
  gemm(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, count: number, aStride: number, bStride: number, i0: number, i1: number): void;
  /** Rows i0..i1 of out[rows, cols] = x[rows, k]·w[cols, k]ᵀ + bias[cols]. */
  linear(out: number, x: number, w: number, bias: number, rows: number, cols: number, k: number, i0: number, i1: number): void;
}

/**
 * Where a backend's external products come from: `connect(memory)` of the module at `module` (a URL that
 * the calling thread and each worker thread import).
 */
export interface ExternalGemmSource {
  readonly module: string;
}

/** What an ExternalGemmSource module exports. */
export interface ExternalGemmModule {
  connect(memory: WebAssembly.Memory): Promise<ExternalGemm>;
}

/** Meta scratch holds 256 int32 values; kernels that need more per rank fall back to the js loops. */
export const META_INTS = 256;

/** The linear-memory offset of a kernel argument (which must be a live wasm buffer). */
export function ptrOf(x: KernelArg): number {
  const s = x.storage;
  if (!(s instanceof WasmStorage)) throw new Error("wasm backend: received a buffer from another backend");
  if (s.freed) throw new Error("wasm backend: a kernel received a released buffer");
  return s.ptr;
}
