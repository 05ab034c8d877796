// Start-up: registers the available backends and selects the default. The one async step of the engine
// (a WebAssembly backend compiles its module here).

import { backendNames, getBackend, registerBackend, setBackend } from "../core/engine.js";
import type { Backend } from "../core/backend.js";
import { createJsBackend } from "./js/index.js";

export interface InitOptions {
  /** Backend to select: "js" (default), or any registered name. */
  backend?: string;
}

/** Backends nnlab can run on, in order of preference. */
export const BACKENDS = ["js"] as const;

/** Registers the backends and selects one. Safe to call more than once. */
export async function init(options: InitOptions = {}): Promise<Backend> {
  if (!backendNames().includes("js")) registerBackend(createJsBackend());
  return setBackend(options.backend ?? "js");
}

export { getBackend, setBackend, backendNames };
