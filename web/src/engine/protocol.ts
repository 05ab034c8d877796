// The message protocol between a lesson page and its engine Web Worker. One request → one response,
// matched by id; long jobs (training) also send events. Methods are declared in `EngineMethods`; each
// file under methods/ adds its own with declaration merging (`declare module "../protocol.js"`) and
// exports their implementations, so lessons extend the worker without touching each other's code.

/** Every method the worker answers: name → { params; result }. Extended by the files in methods/. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface EngineMethods {}

/** Every event the worker may send while working: name → payload. Extended like EngineMethods. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface EngineEvents {}

export type MethodName = keyof EngineMethods;
export type ParamsOf<M extends MethodName> = EngineMethods[M] extends { params: infer P } ? P : never;
export type ResultOf<M extends MethodName> = EngineMethods[M] extends { result: infer R } ? R : never;
export type EventName = keyof EngineEvents;

export interface RequestMessage {
  id: number;
  method: string;
  params: unknown;
}

export type ResponseMessage = { id: number; result: unknown } | { id: number; error: string };

export interface EventMessage {
  event: string;
  data: unknown;
}

/** What a method implementation gets besides its params. */
export interface MethodContext {
  /** Sends an event to the page. */
  emit<E extends EventName>(event: E, data: EngineEvents[E]): void;
  /** Typed arrays to transfer (not copy) with the response. */
  transfer: Transferable[];
}

export type MethodImpl<M extends MethodName> = (params: ParamsOf<M>, ctx: MethodContext) => ResultOf<M> | Promise<ResultOf<M>>;
export type MethodTable = { [M in MethodName]?: MethodImpl<M> };
