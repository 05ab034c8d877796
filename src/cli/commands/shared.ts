// Flags and helpers several commands share: --backend, --threads and --model.

import { NnlabError } from "../../core/errors.js";
import { backendNames } from "../../core/engine.js";
import { BACKENDS, init } from "../../backend/index.js";
import type { WasmBackend } from "../../backend/wasm/index.js";
import { intFlag } from "../args.js";

export const backendOption = {
  name: "backend",
  type: "string",
  valueName: "NAME",
  description: `Compute backend: ${BACKENDS.join(" | ")}`,
  defaultText: "the fastest available",
} as const;

export const threadsOption = {
  name: "threads",
  type: "string",
  valueName: "N",
  description: "Threads for the wasm and native backends' large kernels, this one included (1 = no workers)",
  defaultText: "the machine's cores, at most 8",
} as const;

export const modelOption = { name: "model", type: "string", valueName: "DIR", required: true, description: "Run directory of a trained model (from `nnlab train mnist --out DIR`)" } as const;

/** Starts the engine on the backend named by --backend, with at most --threads threads (wasm). */
export async function startBackend(name: string | undefined, threadsFlag?: string | boolean): Promise<string> {
  const threads = threadsFlag === undefined ? undefined : intFlag("threads", threadsFlag, { min: 1, max: 8 });
  if (name !== undefined && !(BACKENDS as readonly string[]).includes(name)) {
    throw NnlabError.problem({ subject: "--backend", expected: BACKENDS.join(" | "), found: JSON.stringify(name) });
  }
  const b = await init(name ? { backend: name } : {});
  // native falls back to wasm where it cannot run (init says why, once)
  if (name && name !== "native" && !backendNames().includes(name)) throw new NnlabError(`--backend ${name}: not available on this machine`);
  if (threads !== undefined && "setThreads" in b) (b as WasmBackend).setThreads(threads);
  return b.name;
}

/** The value of a required flag, or a clear error. */
export function required(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw NnlabError.problem({ subject: `--${flag}`, expected: what, found: "nothing", fix: `Pass --${flag}.` });
  return value;
}
