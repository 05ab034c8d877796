// The js backend's im2col and col2im: plain loops over every (channel, tap, image, output pixel), the
// readable oracle of the wasm kernels (src/backend/wasm/assembly/conv.ts).

import type { KernelArg } from "../../core/backend.js";
import { convGeometry, type Col2imParams, type Im2colParams } from "../../core/conv.js";
import { arr } from "./storage.js";

/**
 * Visits every element of im2col's output: `visit(col, img)` with col the output index and img the
 * image index, or img = −1 where the window reads padding.
 */
function eachTap(image: readonly number[], p: Im2colParams, visit: (col: number, img: number) => void): void {
  const { n: batch, c: channels, h, w, oh: outH, ow: outW } = convGeometry(image, p);
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  const pixels = outH * outW;
  const width = batch * pixels; // columns of the output
  const plane = p.layout === "CNHW" ? (n: number, ch: number) => ch * batch + n : (n: number, ch: number) => n * channels + ch;
  // channel ch of group g is row block g·Cg + c; rows of all groups stacked equal rows over all channels
  for (let ch = 0; ch < channels; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = (ch * kh + i) * kw + j;
        for (let n = 0; n < batch; n++) {
          for (let y = 0; y < outH; y++) {
            const ih = y * sh - ph + i * dh;
            for (let x = 0; x < outW; x++) {
              const iw = x * sw - pw + j * dw;
              const inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
              visit(row * width + n * pixels + y * outW + x, inside ? (plane(n, ch) * h + ih) * w + iw : -1);
            }
          }
        }
      }
    }
  }
}

export function im2colKernel(out: KernelArg, [x]: readonly KernelArg[], p: Im2colParams): void {
  const o = arr(out);
  const a = arr(x);
  eachTap(x.shape, p, (col, img) => (o[col] = img < 0 ? p.padValue : a[img]));
}

/** The output arrives zero-filled; every column adds into the pixel it came from. */
export function col2imKernel(out: KernelArg, [cols]: readonly KernelArg[], p: Col2imParams): void {
  const o = arr(out);
  const c = arr(cols);
  eachTap(p.image, p, (col, img) => {
    if (img >= 0) o[img] += c[col];
  });
}
