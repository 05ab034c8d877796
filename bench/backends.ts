// The nnlab side of every bench: each registered backend (BACKENDS), and for a backend that runs large
// kernels on several threads and can limit them (`setThreads`), the same backend on one thread too.

import { BACKENDS, init } from "../src/backend/index.js";
import { nativeUnavailableReason } from "../src/backend/native/index.js";
import type { Backend } from "../src/core/backend.js";
import { getBackend, setBackend } from "../src/core/engine.js";

/** One nnlab configuration a bench measures. */
export interface NnlabVariant {
  /** The registered backend name, e.g. "wasm". */
  backend: string;
  /** The backend as users name it, e.g. "nnlab/wasm". */
  label: string;
  /** Threads its large kernels run on. */
  threads: number;
}

function threadsOf(b: Backend): number {
  return "threads" in b && typeof b.threads === "number" ? b.threads : 1;
}

/** The backend's thread limiter, if it has one (the Backend interface leaves threads to each backend). */
function threadSetter(b: Backend): ((n: number) => void) | null {
  if (!("setThreads" in b) || typeof b.setThreads !== "function") return null;
  const set = b.setThreads as (n: number) => void;
  return (n) => set.call(b, n);
}

/** Selects the variant's backend and thread count for the ops that follow. */
export function useVariant(v: NnlabVariant): void {
  threadSetter(setBackend(v.backend))?.(v.threads);
}

/** Starts every backend of BACKENDS (printing a `skipped:` line for one that fails) and its variants. */
export async function startNnlab(log: (line: string) => void): Promise<NnlabVariant[]> {
  const variants: NnlabVariant[] = [];
  for (const name of BACKENDS) {
    try {
      await init({ backend: name });
    } catch (err) {
      log(`skipped: nnlab backend ${name} did not start (${(err as Error).message})`);
      continue;
    }
    const backend = getBackend();
    if (backend.name !== name) {
      log(`skipped: nnlab backend ${name} is not available here (${await nativeUnavailableReason()})`);
      continue;
    }
    const threads = threadsOf(backend);
    variants.push({ backend: name, label: `nnlab/${name}`, threads });
    if (threads > 1 && threadSetter(backend)) variants.push({ backend: name, label: `nnlab/${name}`, threads: 1 });
  }
  return variants;
}

/** A row label: "nnlab/wasm (2 threads)" where the backend is measured at several thread counts. */
export function variantLabel(v: NnlabVariant, all: readonly NnlabVariant[]): string {
  const several = all.filter((x) => x.label === v.label).length > 1;
  return several ? `${v.label} (${v.threads} thread${v.threads > 1 ? "s" : ""})` : v.label;
}
