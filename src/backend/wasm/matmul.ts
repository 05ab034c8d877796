// Host side of matmul: walks the (broadcast) batch axes and calls the wasm kernel once per matrix.
// The kernel (assembly/matmul.ts) handles every transpose case by packing B.

import type { Kernel } from "../../core/backend.js";
import { batchPairs } from "../js/matmul.js";
import { viaJs } from "./fallback.js";
import { ptrOf, type WasmContext } from "./storage.js";

export function matmulKernel(ctx: WasmContext, jsKernel: Kernel<"matmul">): Kernel<"matmul"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [x, y] = inputs;
    if (out.dtype !== "float32") return fallback(out, inputs, params);
    const rank = out.shape.length;
    const m = out.shape[rank - 2];
    const n = out.shape[rank - 1];
    const k = params.transA ? x.shape[x.shape.length - 2] : x.shape[x.shape.length - 1];
    if (k === 0) return; // the output arrives zero-filled
    const a = ptrOf(x);
    const b = ptrOf(y);
    const c = ptrOf(out);
    const transA = params.transA ? 1 : 0;
    const transB = params.transB ? 1 : 0;
    if (rank === 2 && x.shape.length === 2 && y.shape.length === 2) return ctx.exports.matmul(c, a, b, m, n, k, transA, transB, ctx.scratch);
    const pairs = batchPairs(x.shape, y.shape, out.shape.slice(0, -2));
    for (let bi = 0; bi < pairs.a.length; bi++) {
      ctx.exports.matmul(c + bi * m * n * 4, a + pairs.a[bi] * m * k * 4, b + pairs.b[bi] * k * n * 4, m, n, k, transA, transB, ctx.scratch);
    }
  };
}
