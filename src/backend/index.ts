// Start-up: registers the available backends and selects the default. The one async step of the engine
// (the WebAssembly backend compiles its module here).

import { backendNames, getBackend, registerBackend, setBackend } from "../core/engine.js";
import type { Backend } from "../core/backend.js";
import { createJsBackend } from "./js/index.js";
import { createNativeBackend } from "./native/index.js";
import { createWasmBackend, simdSupported } from "./wasm/index.js";

export interface InitOptions {
  /** Backend to select: "wasm" (the default where WebAssembly SIMD works), "native", "js", or any registered name. */
  backend?: string;
}

/** Backends nnlab knows, in order of preference for the default (native is chosen only by name). */
export const BACKENDS = ["wasm", "native", "js"] as const;

let wasmLoading: Promise<void> | null = null;
let nativeLoading: Promise<string | null> | null = null;

/** Registers the wasm backend once, if this runtime has WebAssembly SIMD. */
function registerWasm(): Promise<void> {
  wasmLoading ??= simdSupported() ? createWasmBackend().then(registerBackend) : Promise.resolve();
  return wasmLoading;
}

/** Registers the native backend once; null, or why it cannot run here (said once, on stderr). */
function registerNative(): Promise<string | null> {
  nativeLoading ??= createNativeBackend().then(
    (b) => {
      registerBackend(b);
      return null;
    },
    (err: Error) => {
      const why = err.message.replace(/^the native backend is not available: /, "");
      console.warn(`nnlab: the native backend is not available (${why}); running on wasm`);
      return why;
    },
  );
  return nativeLoading;
}

/**
 * Registers the backends and selects one: the named backend, else wasm where WebAssembly SIMD is
 * available, else js. "native" falls back to wasm (saying why, once) where it cannot run. Safe to call
 * more than once.
 */
export async function init(options: InitOptions = {}): Promise<Backend> {
  if (!backendNames().includes("js")) registerBackend(createJsBackend());
  await registerWasm();
  const fallback = backendNames().includes("wasm") ? "wasm" : "js";
  if (options.backend === "native" && (await registerNative()) !== null) return setBackend(fallback);
  return setBackend(options.backend ?? fallback);
}

export { getBackend, setBackend, backendNames };
