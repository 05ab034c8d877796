// Runs a js-backend kernel directly on views of wasm memory (no copies): the path for int32 tensors,
// data movement (permute, slice, pad, concat, broadcast, gather, scatter-add, one-hot, cast) and rare
// layouts (reductions over non-adjacent axes). These are memory-bound loops where the js code is
// already near wasm speed; the arithmetic-heavy float32 kernels run in wasm.

import type { KernelArg } from "../../core/backend.js";
import { JsStorage } from "../js/storage.js";
import type { WasmHeap } from "./heap.js";
import { ptrOf } from "./storage.js";

/** A js-backend view of a wasm buffer (valid until the memory next grows; kernels do not allocate wasm memory). */
function jsArg(heap: WasmHeap, x: KernelArg): KernelArg {
  const start = ptrOf(x) >> 2;
  const whole = x.dtype === "int32" ? heap.i32() : heap.f32();
  return { storage: new JsStorage(whole.subarray(start, start + x.storage.size)), shape: x.shape, dtype: x.dtype };
}

/** A kernel taking parameters of type T (the shape of `Kernel<P>` for a primitive P with `PrimParams[P] = T`). */
export type KernelOf<T> = (out: KernelArg, inputs: readonly KernelArg[], params: T) => void;

/** The js kernel `kernel`, run on views of the wasm buffers. */
export function viaJs<T>(heap: WasmHeap, kernel: KernelOf<T>): KernelOf<T> {
  return (out, inputs, params) => kernel(jsArg(heap, out), inputs.map((x) => jsArg(heap, x)), params);
}
