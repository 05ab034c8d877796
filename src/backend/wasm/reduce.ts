// Host side of the reductions: a contiguous run of reduced axes becomes [outer, reduced, inner] for the
// wasm loops; other axis sets and int32 tensors take the js loops on views of the same memory.

import type { Kernel } from "../../core/backend.js";
import { blocks } from "../js/reduce.js";
import { viaJs } from "./fallback.js";
import { ptrOf, type WasmContext } from "./storage.js";

export function sumKernel(ctx: WasmContext, jsKernel: Kernel<"sum">): Kernel<"sum"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [x] = inputs;
    const b = x.dtype === "float32" ? blocks(x.shape, params.axes) : null;
    if (!b) return fallback(out, inputs, params);
    ctx.exports.sum(ptrOf(out), ptrOf(x), ...b);
  };
}

export function maxKernel(ctx: WasmContext, jsKernel: Kernel<"max">): Kernel<"max"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [x] = inputs;
    const b = x.dtype === "float32" ? blocks(x.shape, params.axes) : null;
    if (!b) return fallback(out, inputs, params);
    ctx.exports.max(ptrOf(out), ptrOf(x), ...b);
  };
}

export function argmaxKernel(ctx: WasmContext, jsKernel: Kernel<"argmax">): Kernel<"argmax"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [x] = inputs;
    if (x.dtype !== "float32") return fallback(out, inputs, params);
    ctx.exports.argmax(ptrOf(out), ptrOf(x), ...blocks(x.shape, [params.axis])!);
  };
}
