// The nnlab side of every bench: each registered backend (BACKENDS), and for a backend that runs large
// kernels on several threads, a second instance on one thread so both can be compared with the peers.

import { BACKENDS, init } from "../src/backend/index.js";
import { createWasmBackend } from "../src/backend/wasm/index.js";
import type { Backend } from "../src/core/backend.js";
import { getBackend, registerBackend } from "../src/core/engine.js";

/** One nnlab configuration a bench measures. */
export interface NnlabVariant {
  /** The registered backend name to `setBackend` (e.g. "wasm", or "wasm:1" for the one-thread instance). */
  backend: string;
  /** The backend as users name it, e.g. "nnlab/wasm". */
  label: string;
  /** Threads its large kernels run on. */
  threads: number;
}

/** How to build a one-thread instance of a threaded backend (the thread count is fixed at creation). */
const ONE_THREAD: Record<string, () => Promise<Backend>> = {
  wasm: () => createWasmBackend({ threads: 1 }),
};

function threadsOf(b: Backend): number {
  return "threads" in b && typeof b.threads === "number" ? b.threads : 1;
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
    const threads = threadsOf(backend);
    variants.push({ backend: name, label: `nnlab/${name}`, threads });
    const makeOne = ONE_THREAD[name];
    if (threads > 1 && makeOne) {
      const one = await makeOne();
      registerBackend({ ...one, name: `${name}:1` });
      variants.push({ backend: `${name}:1`, label: `nnlab/${name}`, threads: 1 });
    }
  }
  return variants;
}

/** A row label: "nnlab/wasm (2 threads)" where the backend is measured at several thread counts. */
export function variantLabel(v: NnlabVariant, all: readonly NnlabVariant[]): string {
  const several = all.filter((x) => x.label === v.label).length > 1;
  return several ? `${v.label} (${v.threads} thread${v.threads > 1 ? "s" : ""})` : v.label;
}
