// Host side of the fused kernels (src/core/fused.ts lists the ops; assembly/fused.ts has the loops).

import type { FusedKernels } from "../../core/backend.js";
import { ptrOf, type WasmContext } from "./storage.js";

export function fusedKernels(ctx: WasmContext): FusedKernels {
  const wasm = ctx.exports;
  return {
    sigmoid: (out, [x]) => wasm.sigmoid(ptrOf(out), ptrOf(x), out.storage.size),
    sigmoidGrad: (out, [g, s]) => wasm.sigmoidGrad(ptrOf(out), ptrOf(g), ptrOf(s), out.storage.size),
    linear: (out, [x, w, b]) => {
      const [rows, cols] = out.shape;
      const k = x.shape[1];
      if (k > 0) wasm.matmul(ptrOf(out), ptrOf(x), ptrOf(w), rows, cols, k, 0, 1, ctx.scratch);
      wasm.addBias(ptrOf(out), ptrOf(b), rows, cols);
    },
  };
}
