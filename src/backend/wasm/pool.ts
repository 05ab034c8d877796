// Worker threads over the shared WebAssembly memory: each worker instantiates the same kernel module
// on the same memory, then sleeps on its control block (Atomics.wait) until the calling thread posts a
// task. Large kernels split their work between the calling thread and the workers; small ones never
// come here, so the lesson's tiny matmuls pay no dispatch cost. Works with Node's worker_threads and
// with browser Workers (which need cross-origin isolation for shared memory).

import { isNode } from "./loader.js";

/** Task codes understood by worker.ts. */
export const TASK = {
  matmulBlock: 1, matmulBatch: 2, attention: 3, attentionBackward: 4, externalGemm: 5, externalLinear: 6, gelu: 7, geluGrad: 8,
  externalAttention: 9, externalAttentionBackward: 10, packedAttention: 11, packedAttentionBackward: 12,
  layerNorm: 13, layerNormGradX: 14, layerNormGradW: 15, crossEntropyGrad: 16,
} as const;

/** How long `join` polls for a worker to finish before it sleeps, in ms. */
const JOIN_SPIN_MS = 2;

/** Int32 slots of a worker's control block. */
export const CTRL = { posted: 0, done: 1, failed: 2, op: 3, args: 4, float: 18, size: 20 } as const;

/** What a worker receives once, at start-up. */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** Its own matmul scratch block in the shared memory. */
  scratch: number;
  /** The module whose `connect(memory)` gives the external products (ExternalGemmSource), if any. */
  external?: string;
}

interface Thread {
  readonly control: Int32Array;
  readonly float: Float32Array;
  readonly scratch: number;
}

interface Spawned {
  post(message: unknown): void;
  onceMessage(fn: (message: unknown) => void): void;
  onceError(fn: (err: unknown) => void): void;
}

/** Starts one kernel worker (worker.ts). The URL is written out in both branches so bundlers (Vite) see the worker. */
async function spawn(): Promise<Spawned> {
  if (isNode()) {
    const file = "./worker.js"; // a variable: bundlers must not copy the worker's source as an asset
    const url = new URL(file, import.meta.url);
    const name = "node:worker_threads"; // a variable keeps bundlers from resolving it for the browser
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import("node:worker_threads");
    const w = new Worker(url);
    w.unref(); // idle kernel threads never keep a process alive
    return { post: (m) => w.postMessage(m), onceMessage: (fn) => w.once("message", fn), onceError: (fn) => w.once("error", fn) };
  }
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  return {
    post: (m) => w.postMessage(m),
    onceMessage: (fn) => w.addEventListener("message", (e) => fn(e.data), { once: true }),
    onceError: (fn) => w.addEventListener("error", (e) => fn(e), { once: true }),
  };
}

/** Whether this thread may block in Atomics.wait (browsers forbid it on the page's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class WorkerPool {
  private readonly blocking = canBlock();
  /** Workers kernels may use (all by default; `use` lowers it, e.g. for 1-thread benchmarks). */
  private used: number;

  private constructor(private readonly threads: Thread[]) {
    this.used = threads.length;
  }

  /** Starts `count` workers on `module` and `memory`; `scratch()` reserves each one's scratch block. */
  static async start(count: number, module: WebAssembly.Module, memory: WebAssembly.Memory, scratch: () => number, external?: string): Promise<WorkerPool> {
    const threads = await Promise.all(
      Array.from({ length: count }, async () => {
        const control = new SharedArrayBuffer(CTRL.size * 4);
        const init: WorkerInit = { module, memory, control, scratch: scratch(), external };
        const worker = await spawn();
        await new Promise<void>((resolve, reject) => {
          worker.onceMessage((m) => (m === "ready" ? resolve() : reject(new Error(String(m)))));
          worker.onceError(reject);
          worker.post(init);
        });
        return { control: new Int32Array(control), float: new Float32Array(control), scratch: init.scratch };
      }),
    );
    return new WorkerPool(threads);
  }

  /** Number of worker threads kernels use (the calling thread works too). */
  get size(): number {
    return this.used;
  }

  /** Lets kernels use `count` of the started workers (clamped to 0 .. started). */
  use(count: number): void {
    this.used = Math.max(0, Math.min(this.threads.length, Math.floor(count)));
  }

  /** Posts task `op` with integer `args` (and one float) to worker `w`, which must be idle. */
  post(w: number, op: number, args: readonly number[], float = 0): void {
    const t = this.threads[w];
    t.control[CTRL.op] = op;
    for (let i = 0; i < args.length; i++) t.control[CTRL.args + i] = args[i];
    t.control[CTRL.args + args.length] = t.scratch;
    t.float[CTRL.float] = float;
    Atomics.add(t.control, CTRL.posted, 1);
    Atomics.notify(t.control, CTRL.posted);
  }

  /** Waits until worker `w` has finished its task (spinning briefly, then sleeping where allowed). */
  join(w: number): void {
    const c = this.threads[w].control;
    const posted = Atomics.load(c, CTRL.posted);
    // spin first (a product's halves end within microseconds of each other), sleep only after JOIN_SPIN_MS
    let spins = 0;
    let start = 0;
    for (let done = Atomics.load(c, CTRL.done); done !== posted; done = Atomics.load(c, CTRL.done)) {
      if (!this.blocking || (++spins & 255) !== 0) continue;
      if (start === 0) start = performance.now();
      else if (performance.now() - start > JOIN_SPIN_MS) Atomics.wait(c, CTRL.done, done, 20);
    }
    if (Atomics.load(c, CTRL.failed)) throw new Error("wasm backend: a kernel failed on a worker thread");
  }
}
