// Start-up: registers the available backends and selects the default. The one async step of the engine
// (the WebAssembly backend compiles its module here).

import { backendNames, getBackend, registerBackend, setBackend } from "../core/engine.js";
import type { Backend } from "../core/backend.js";
import { createJsBackend } from "./js/index.js";
import { createWasmBackend, simdSupported } from "./wasm/index.js";

export interface InitOptions {
  /** Backend to select: "wasm" (the default where WebAssembly SIMD works), "js", or any registered name. */
  backend?: string;
}

/** Backends nnlab can run on, in order of preference. */
export const BACKENDS = ["wasm", "js"] as const;

let wasmLoading: Promise<void> | null = null;

/** Registers the wasm backend once, if this runtime has WebAssembly SIMD. */
function registerWasm(): Promise<void> {
  wasmLoading ??= simdSupported() ? createWasmBackend().then(registerBackend) : Promise.resolve();
  return wasmLoading;
}

/**
 * Registers the backends and selects one: the named backend, else wasm where WebAssembly SIMD is
 * available, else js. Safe to call more than once.
 */
export async function init(options: InitOptions = {}): Promise<Backend> {
  if (!backendNames().includes("js")) registerBackend(createJsBackend());
  await registerWasm();
  return setBackend(options.backend ?? (backendNames().includes("wasm") ? "wasm" : "js"));
}

export { getBackend, setBackend, backendNames };
