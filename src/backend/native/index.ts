// The native backend (Node only, optional): the wasm backend with its matrix products (matmul, the fused
// linear layer, and so convolutions) done by the system's OpenBLAS through a Node-API addon,
// native/nnlab.c, which `npm run build` compiles where a C compiler is found (scripts/build-native.mjs).
// Tensors stay in WebAssembly memory and the addon works on it in place, so every other kernel, the
// worker pool and the memory accounting are the wasm backend's; the pool shares each large product out
// by rows (OpenBLAS runs on one thread per caller). On x86-64 CPUs with AVX-512 the addon asks OpenBLAS
// for its AVX-512 (SkylakeX) kernels unless OPENBLAS_CORETYPE says otherwise.

import { createWasmBackend, type WasmBackend, type WasmOptions } from "../wasm/index.js";
import { loadAddon, type NativeBlasInfo } from "./addon.js";

export type { NativeBlasInfo } from "./addon.js";

export interface NativeBackend extends WasmBackend {
  /** The BLAS doing the matrix products. */
  blas(): NativeBlasInfo;
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
  const file = "./addon.js"; // a variable: bundlers must not treat the addon loader as an asset
  const module = new URL(file, import.meta.url).href;
  const backend = await createWasmBackend({ ...options, name: "native", gemm: { module } });
  return Object.defineProperty(backend, "blas", { value: () => addon.info() }) as NativeBackend;
}
