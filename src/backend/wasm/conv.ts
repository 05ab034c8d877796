// Host side of im2col and col2im: writes the geometry into the meta scratch and calls the wasm kernels
// (assembly/conv.ts); int32 tensors take the js loops.

import type { Kernel } from "../../core/backend.js";
import { convGeometry, type Im2colParams } from "../../core/conv.js";
import type { Shape } from "../../core/shape.js";
import { viaJs } from "./fallback.js";
import { ptrOf, type WasmContext } from "./storage.js";

/** Writes N, C, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw and the layout (1 = CNHW) at the meta scratch. */
function writeMeta(ctx: WasmContext, image: Shape, p: Im2colParams): number {
  const g = convGeometry(image, p);
  const values = [g.n, g.c, g.h, g.w, g.oh, g.ow, ...p.kernel, ...p.stride, ...p.padding, ...p.dilation, p.layout === "CNHW" ? 1 : 0];
  ctx.heap.i32().set(values, ctx.meta >> 2);
  return ctx.meta;
}

export function im2colKernel(ctx: WasmContext, jsKernel: Kernel<"im2col">): Kernel<"im2col"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [x] = inputs;
    if (x.dtype !== "float32") return fallback(out, inputs, params);
    ctx.exports.im2col(ptrOf(out), ptrOf(x), writeMeta(ctx, x.shape, params), params.padValue);
  };
}

export function col2imKernel(ctx: WasmContext, jsKernel: Kernel<"col2im">): Kernel<"col2im"> {
  const fallback = viaJs(ctx.heap, jsKernel);
  return (out, inputs, params) => {
    const [cols] = inputs;
    if (cols.dtype !== "float32") return fallback(out, inputs, params);
    ctx.exports.col2im(ptrOf(out), ptrOf(cols), writeMeta(ctx, params.image, params));
  };
}
