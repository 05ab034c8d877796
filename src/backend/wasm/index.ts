// The wasm backend: float32/int32 tensors resident in WebAssembly memory, SIMD kernels compiled from
// AssemblyScript (assembly/), relaxed-SIMD fused multiply-add where the runtime has it. The arithmetic
// kernels run in wasm; data movement and int32 ops run the js loops on views of the same memory.

import type { Backend, Kernels } from "../../core/backend.js";
import type { TypedArray } from "../../core/dtype.js";
import { kernels as js } from "../js/index.js";
import { binaryKernel, BINARY, unaryKernel, UNARY, whereKernel } from "./elementwise.js";
import { viaJs } from "./fallback.js";
import { denseStepKernels } from "./dense-step.js";
import { fusedKernels } from "./fused.js";
import { WasmHeap } from "./heap.js";
import { isNode, loadKernels, sharedMemorySupported, type SimdLevel } from "./loader.js";
import { WorkerPool } from "./pool.js";
import { matmulKernel } from "./matmul.js";
import { broadcastToKernel, concatKernel, gatherKernel, padKernel, permuteKernel, scatterAddKernel, sliceKernel } from "./movement.js";
import { col2imKernel, im2colKernel } from "./conv.js";
import { argmaxKernel, maxKernel, sumKernel } from "./reduce.js";
import { META_INTS, ptrOf, WasmStorage, type ExternalGemmModule, type ExternalGemmSource, type WasmContext } from "./storage.js";

export { simdSupported } from "./loader.js";

export interface WasmBackend extends Backend {
  /** Which kernel variant runs: "relaxed" (fused multiply-add) or plain "simd". */
  readonly simd: SimdLevel;
  /** Bytes of linear memory the allocator has handed out so far (live and free-listed). */
  reservedBytes(): number;
  /** Threads that run large kernels (1 = the calling thread only). */
  readonly threads: number;
  /** Uses at most `n` threads for large kernels (no more than were started). */
  setThreads(n: number): void;
}

function kernelTable(ctx: WasmContext): Kernels {
  const h = ctx.heap;
  return {
    neg: unaryKernel(ctx, UNARY.neg),
    exp: unaryKernel(ctx, UNARY.exp),
    log: unaryKernel(ctx, UNARY.log),
    sqrt: unaryKernel(ctx, UNARY.sqrt),
    tanh: unaryKernel(ctx, UNARY.tanh),
    erf: unaryKernel(ctx, UNARY.erf),
    add: binaryKernel(ctx, BINARY.add, js.add),
    sub: binaryKernel(ctx, BINARY.sub, js.sub),
    mul: binaryKernel(ctx, BINARY.mul, js.mul),
    div: binaryKernel(ctx, BINARY.div, js.div),
    maximum: binaryKernel(ctx, BINARY.maximum, js.maximum),
    greater: binaryKernel(ctx, BINARY.greater, js.greater),
    equal: binaryKernel(ctx, BINARY.equal, js.equal),
    where: whereKernel(ctx, js.where),
    sum: sumKernel(ctx, js.sum),
    max: maxKernel(ctx, js.max),
    argmax: argmaxKernel(ctx, js.argmax),
    matmul: matmulKernel(ctx, js.matmul),
    permute: permuteKernel(ctx, js.permute),
    broadcastTo: broadcastToKernel(ctx, js.broadcastTo),
    slice: sliceKernel(ctx, js.slice),
    pad: padKernel(ctx, js.pad),
    concat: concatKernel(ctx, js.concat),
    gather: gatherKernel(ctx),
    scatterAdd: scatterAddKernel(ctx, js.scatterAdd),
    oneHot: viaJs(h, js.oneHot),
    cast: viaJs(h, js.cast),
    im2col: im2colKernel(ctx, js.im2col),
    col2im: col2imKernel(ctx, js.col2im),
  };
}

function storageOf(s: unknown): WasmStorage {
  if (!(s instanceof WasmStorage)) throw new Error("wasm backend: asked about a buffer of another backend");
  if (s.freed) throw new Error("wasm backend: buffer used after it was released");
  return s;
}

/** Hardware threads of this machine (at most 8 are used). */
async function hardwareThreads(): Promise<number> {
  if (isNode()) {
    const name = "node:os";
    const os = (await import(/* @vite-ignore */ name)) as typeof import("node:os");
    return os.availableParallelism();
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** The worker pool, or null when workers cannot start here (e.g. a bundler that does not serve worker.js): one thread then. */
async function startPool(...args: Parameters<typeof WorkerPool.start>): Promise<WorkerPool | null> {
  try {
    return await WorkerPool.start(...args);
  } catch {
    return null;
  }
}

export interface WasmOptions {
  /** Threads for large kernels, the calling one included (default: the machine's, at most 8; 1 = no workers). */
  threads?: number;
  /** Name to register under (default "wasm"; the native backend is this backend with `gemm`). */
  name?: string;
  /** Matrix products by other code on this backend's heap (the native backend's OpenBLAS); wasm's own by default. */
  gemm?: ExternalGemmSource;
  /** Tests: fill outputs that are not zeroed (allocUninit) with NaN, to catch a kernel that relies on zeros. */
  poisonUninit?: boolean;
}

/**
 * Compiles the kernels and creates the backend (rejects where WebAssembly SIMD is unavailable). With
 * more than one thread and shared memory available, starts the worker pool.
 */
export async function createWasmBackend(options: WasmOptions = {}): Promise<WasmBackend> {
  const threads = Math.max(1, Math.min(8, options.threads ?? (await hardwareThreads())));
  const shared = threads > 1 && sharedMemorySupported();
  const { exports, simd, module, memory } = await loadKernels(shared);
  const heap = new WasmHeap(exports.memory, exports.heapBase(), exports.zero, options.poisonUninit);
  const scratchBytes = exports.matmulScratchBytes();
  const external = options.gemm?.module;
  const gemm = external ? await ((await import(/* @vite-ignore */ external)) as ExternalGemmModule).connect(memory) : null;
  const pool = shared ? await startPool(threads - 1, module, memory, () => heap.alloc(scratchBytes), external) : null;
  const ctx: WasmContext = { exports, heap, meta: heap.alloc(META_INTS * 4), scratch: heap.alloc(scratchBytes), pool, gemm };
  const alloc = (dtype: "float32" | "int32", size: number, zeroed = true): WasmStorage => new WasmStorage(dtype, size, heap.alloc(size * 4, zeroed));
  return {
    name: options.name ?? "wasm",
    dtypes: ["float32", "int32"],
    simd,
    get threads() {
      return (pool?.size ?? 0) + 1;
    },
    setThreads: (n) => pool?.use(n - 1),
    reservedBytes: () => heap.reservedBytes,
    alloc: (dtype, size) => {
      if (dtype === "float64") throw new Error("wasm backend: float64 tensors live on the js backend");
      return alloc(dtype, size);
    },
    allocUninit: (dtype, size) => {
      if (dtype === "float64") throw new Error("wasm backend: float64 tensors live on the js backend");
      return alloc(dtype, size, false);
    },
    upload: (data: TypedArray) => {
      if (data instanceof Float64Array) throw new Error("wasm backend: float64 tensors live on the js backend");
      const s = alloc(data instanceof Int32Array ? "int32" : "float32", data.length);
      (data instanceof Int32Array ? heap.i32() : heap.f32()).set(data, s.ptr >> 2);
      return s;
    },
    read: (storage) => {
      const s = storageOf(storage);
      const start = s.ptr >> 2;
      return (s.dtype === "int32" ? heap.i32() : heap.f32()).slice(start, start + s.size);
    },
    free: (storage) => {
      const s = storageOf(storage);
      s.freed = true;
      heap.free(s.ptr, s.size * 4);
    },
    kernels: kernelTable(ctx),
    fused: fusedKernels(ctx),
    ...denseStepKernels(ctx),
    adamStep: (s) => {
      // constants rounded from float64 exactly as the composite's scalar operands are
      const shrink = s.decoupled ? 1 - s.lr * s.weightDecay : 1;
      exports.adamStep(ptrOf(s.param), ptrOf(s.grad), ptrOf(s.m), ptrOf(s.v), s.param.storage.size, s.lr, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.eps, s.weightDecay, s.decoupled ? 1 : 0, shrink, 1 - s.beta1 ** s.t, 1 - s.beta2 ** s.t);
    },
  };
}
