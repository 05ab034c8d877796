// The engine's Web Worker: the same nnlab engine as the CLI (wasm backend, threads when the page is
// cross-origin isolated), answering the methods that the files in methods/ implement.

import type { MethodContext, MethodTable, RequestMessage } from "./protocol.js";
import { backpropMethods } from "./methods/backprop.js";
import { benchMethods } from "./methods/bench.js";
import { beyondMethods } from "./methods/beyond.js";
import { coreMethods } from "./methods/core.js";
import { factsMethods } from "./methods/facts.js";
import { factsModelMethods } from "./methods/facts-model.js";
import { gptMethods } from "./methods/gpt.js";
import { gptInspectMethods } from "./methods/gpt-inspect.js";
import { lesson1Methods } from "./methods/lesson1.js";
import { lesson2Methods } from "./methods/lesson2.js";
import { lesson2LabMethods } from "./methods/lesson2-lab.js";

const methods: MethodTable = { ...coreMethods, ...benchMethods, ...backpropMethods, ...lesson1Methods, ...lesson2Methods, ...lesson2LabMethods, ...beyondMethods, ...factsMethods, ...factsModelMethods, ...gptMethods, ...gptInspectMethods };

const scope = self as unknown as DedicatedWorkerGlobalScope;

// One request at a time, in order: a method may await (data loading, training yields), and the engine's
// memory scopes are not re-entrant. Control methods that must act during a long job (pause, set lr) are
// listed in `immediate` and bypass the queue.
let queue: Promise<void> = Promise.resolve();
const immediate = new Set<string>(["train.control", "gpt.train", "gpt.stop"]);

async function answer(msg: RequestMessage): Promise<void> {
  const ctx: MethodContext = {
    emit: (event, data) => scope.postMessage({ event, data }),
    transfer: [],
  };
  try {
    const impl = (methods as Record<string, ((p: unknown, c: MethodContext) => unknown) | undefined>)[msg.method];
    if (!impl) throw new Error(`unknown engine method "${msg.method}"`);
    const result = await impl(msg.params, ctx);
    scope.postMessage({ id: msg.id, result }, ctx.transfer);
  } catch (err) {
    scope.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
}

scope.onmessage = (e: MessageEvent<RequestMessage>) => {
  const msg = e.data;
  if (immediate.has(msg.method)) void answer(msg);
  else queue = queue.then(() => answer(msg));
};
