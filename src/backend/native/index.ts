// The native backend (Node only, optional): the wasm backend with its matrix products (matmul, the fused
// linear layer, and so convolutions) done by the system's OpenBLAS through a Node-API addon,
// native/nnlab.c, which `npm run build` compiles where a C compiler is found (scripts/build-native.mjs).
// Tensors stay in WebAssembly memory and the addon works on it in place, so every other kernel, the
// worker pool and the memory accounting are the wasm backend's. On x86-64 CPUs with AVX-512 the addon
// asks OpenBLAS for its AVX-512 (SkylakeX) kernels.

import { isNode } from "../wasm/loader.js";
import { createWasmBackend, type WasmBackend, type WasmOptions } from "../wasm/index.js";

/** What the addon reports about the BLAS it loaded. */
export interface NativeBlasInfo {
  /** The shared library, e.g. "libopenblas.so.0". */
  readonly library: string;
  /** OpenBLAS's kernel family, e.g. "SkylakeX" (AVX-512) or "Haswell" (AVX2). */
  readonly core: string;
  /** OpenBLAS's build configuration line. */
  readonly config: string;
  /** OpenBLAS's threads. */
  readonly threads: number;
}

interface Addon {
  gemm(heap: Float32Array, c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, count: number, aStride: number, bStride: number): void;
  linear(heap: Float32Array, out: number, x: number, w: number, bias: number, rows: number, cols: number, k: number): void;
  setThreads(n: number): void;
  info(): NativeBlasInfo;
}

export interface NativeBackend extends WasmBackend {
  /** The BLAS doing the matrix products. */
  blas(): NativeBlasInfo;
}

let loading: Promise<Addon | string> | null = null;

/** Loads the addon once: the addon, or why it cannot load (one sentence with what to do). */
function loadAddon(): Promise<Addon | string> {
  loading ??= (async () => {
    if (!isNode()) return "it runs only in Node";
    if ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.NNLAB_NO_NATIVE) return "NNLAB_NO_NATIVE is set";
    const [{ createRequire }, { existsSync }, { fileURLToPath }] = await Promise.all([
      import(/* @vite-ignore */ "node:module" as string) as Promise<typeof import("node:module")>,
      import(/* @vite-ignore */ "node:fs" as string) as Promise<typeof import("node:fs")>,
      import(/* @vite-ignore */ "node:url" as string) as Promise<typeof import("node:url")>,
    ]);
    // dist/src/backend/native/index.js -> dist/native/nnlab.node
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

/** Why the native backend cannot start here, or null when it can. */
export async function nativeUnavailableReason(): Promise<string | null> {
  const addon = await loadAddon();
  return typeof addon === "string" ? addon : null;
}

/** Creates the native backend (rejects, saying why, where the addon or OpenBLAS is missing). */
export async function createNativeBackend(options: Omit<WasmOptions, "name" | "gemm"> = {}): Promise<NativeBackend> {
  const addon = await loadAddon();
  if (typeof addon === "string") throw new Error(`the native backend is not available: ${addon}`);
  const backend = await createWasmBackend({
    ...options,
    name: "native",
    gemm: (heap) => ({
      gemm: (c, a, b, m, n, k, transA, transB, count, aStride, bStride) => addon.gemm(heap.f32(), c, a, b, m, n, k, transA, transB, count, aStride, bStride),
      linear: (out, x, w, bias, rows, cols, k) => addon.linear(heap.f32(), out, x, w, bias, rows, cols, k),
      setThreads: (n) => addon.setThreads(n),
    }),
  });
  addon.setThreads(backend.threads);
  return Object.defineProperty(backend, "blas", { value: () => addon.info() }) as NativeBackend;
}
