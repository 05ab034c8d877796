// The page's side of the engine: starts the Web Worker, sends typed requests, delivers events. The
// page's main thread never computes; it only draws what the worker answers.

import type { EngineEvents, EventMessage, EventName, MethodName, ParamsOf, ResponseMessage, ResultOf } from "./protocol.js";

type Pending = { resolve: (value: unknown) => void; reject: (reason: Error) => void };

export class EngineClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();

  constructor() {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (e: MessageEvent<ResponseMessage | EventMessage>) => {
      const msg = e.data;
      if ("event" in msg) {
        for (const fn of this.listeners.get(msg.event) ?? []) fn(msg.data);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if ("error" in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    };
    this.worker.onerror = (e) => {
      const err = new Error(`engine worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  /** Calls a worker method; `transfer` hands typed-array buffers over instead of copying them. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>, transfer: Transferable[] = []): Promise<ResultOf<M>> {
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, params }, transfer);
    });
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends EventName>(event: E, fn: (data: EngineEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as (d: unknown) => void);
    return () => set.delete(fn as (d: unknown) => void);
  }

  terminate(): void {
    this.worker.terminate();
  }
}

let shared: EngineClient | null = null;

/** The page's one engine worker. */
export function engine(): EngineClient {
  shared ??= new EngineClient();
  return shared;
}
