// Loads the native addon (native/nnlab.c, compiled to dist/native/nnlab.node by scripts/build-native.mjs)
// and connects it to a WebAssembly memory: the `ExternalGemm` the wasm backend's kernels call, on the
// calling thread and, through `connect`, on each worker thread of its pool.

import type { ExternalGemm } from "../wasm/storage.js";
import { isNode } from "../wasm/loader.js";

/** What the addon reports about the BLAS it loaded. */
export interface NativeBlasInfo {
  /** The shared library, e.g. "libopenblas.so.0". */
  readonly library: string;
  /** OpenBLAS's kernel family, e.g. "SkylakeX" (AVX-512) or "Haswell" (AVX2). */
  readonly core: string;
  /** OpenBLAS's build configuration line. */
  readonly config: string;
  /** OpenBLAS's own threads (1: nnlab's pool shares products between threads). */
  readonly threads: number;
}

export interface Addon {
  gemm(heap: Float32Array, c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, count: number, aStride: number, bStride: number, i0: number, i1: number): void;
  linear(heap: Float32Array, out: number, x: number, w: number, bias: number, rows: number, cols: number, k: number, i0: number, i1: number): void;
  info(): NativeBlasInfo;
}

let loading: Promise<Addon | string> | null = null;

/** Loads the addon once: the addon, or why it cannot load (one sentence with what to do). */
export function loadAddon(): Promise<Addon | string> {
  loading ??= (async () => {
    if (!isNode()) return "it runs only in Node";
    if ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.NNLAB_NO_NATIVE) return "NNLAB_NO_NATIVE is set";
    const [{ createRequire }, { existsSync }, { fileURLToPath }] = await Promise.all([
      import(/* @vite-ignore */ "node:module" as string) as Promise<typeof import("node:module")>,
      import(/* @vite-ignore */ "node:fs" as string) as Promise<typeof import("node:fs")>,
      import(/* @vite-ignore */ "node:url" as string) as Promise<typeof import("node:url")>,
    ]);
    // dist/src/backend/native/addon.js -> dist/native/nnlab.node
    const file = fileURLToPath(new URL(/* @vite-ignore */ "../../../native/nnlab.node", import.meta.url));
    if (!existsSync(file)) return "it was not built: `npm run build` needs a C compiler (Debian: apt-get install gcc) and Node's headers";
    try {
      return createRequire(import.meta.url)(file) as Addon;
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === "NNLAB_NO_BLAS") return `${e.message}; install it (Debian: apt-get install libopenblas0-pthread)`;
      return `its addon did not load: ${e.message}; rebuild with npm run build`;
    }
  })();
  return loading;
}

/** The addon's products on `memory` (a float32 view renewed when the memory grows). */
export async function connect(memory: WebAssembly.Memory): Promise<ExternalGemm> {
  const addon = await loadAddon();
  if (typeof addon === "string") throw new Error(`the native backend is not available: ${addon}`);
  let view = new Float32Array(memory.buffer);
  const heap = () => (view.byteLength === memory.buffer.byteLength ? view : (view = new Float32Array(memory.buffer)));
  return {
    gemm: (c, a, b, m, n, k, transA, transB, count, aStride, bStride, i0, i1) => addon.gemm(heap(), c, a, b, m, n, k, transA, transB, count, aStride, bStride, i0, i1),
    linear: (out, x, w, bias, rows, cols, k, i0, i1) => addon.linear(heap(), out, x, w, bias, rows, cols, k, i0, i1),
  };
}
