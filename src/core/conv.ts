// The two primitives convolutions and pooling are composed from: im2col gathers every kernel window of
// an image batch into the columns of one matrix (so a convolution is a single matmul), and col2im adds
// columns back into an image (im2col's gradient; im2col is col2im's). Shape rules and geometry live here.

import { isFloat } from "./dtype.js";
import { ShapeError } from "./errors.js";
import { apply } from "./engine.js";
import type { ArgInfo } from "./prims.js";
import { formatShape, type Shape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Parameters of im2col: a (kh, kw) window moved with `stride`, over an image zero-padded by `padding`. */
export interface Im2colParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  /** Spacing between the window's taps (1 = adjacent pixels). */
  dilation: [number, number];
  /** Channels split into this many groups; each group's windows form one matrix of the output. */
  groups: number;
  /** The value read outside the image: 0 (convolution, average pooling) or −∞ (max pooling). */
  padValue: number;
  /**
   * How the image is stored: [N, C, H, W] (PyTorch's), or [C, N, H, W], where a convolution's output
   * [Cout, N·OH·OW] already is the next layer's input (no transpose between layers).
   */
  layout: ImageLayout;
}

export type ImageLayout = "NCHW" | "CNHW";

/** Parameters of col2im: im2col's, plus the image shape (in `layout`) to rebuild. */
export interface Col2imParams extends Im2colParams {
  image: number[];
}

/** Sizes of one im2col: image [N, C, H, W] (or [C, N, H, W]), output [G, Cg·kh·kw, N·OH·OW]. */
export interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  /** Channels per group. */
  cg: number;
  /** Rows of each group's matrix: Cg·kh·kw. */
  rows: number;
}

/** Output length of a convolution along one axis (PyTorch's formula, floor mode). */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Checks `p` against an image shape and returns the sizes; throws ShapeError naming `op`. */
export function convGeometry(image: Shape, p: Im2colParams, op = "im2col"): ConvGeometry {
  if (image.length !== 4) throw new ShapeError(`${op}: expected an image batch ${p.layout === "CNHW" ? "[C, N, H, W]" : "[N, C, H, W]"}, found ${formatShape(image)}`);
  const pairs = [p.kernel, p.stride, p.padding, p.dilation];
  const positive = [p.kernel, p.stride, p.dilation].every((v) => v.length === 2 && v.every((d) => Number.isInteger(d) && d >= 1));
  if (!positive || p.padding.length !== 2 || p.padding.some((d) => !Number.isInteger(d) || d < 0) || pairs.some((v) => !Array.isArray(v))) {
    throw new ShapeError(
      `${op}: expected positive whole kernel, stride and dilation pairs and a non-negative padding pair, found kernel [${p.kernel}], stride [${p.stride}], padding [${p.padding}], dilation [${p.dilation}]`,
    );
  }
  if (p.layout !== "NCHW" && p.layout !== "CNHW") throw new ShapeError(`${op}: expected layout NCHW or CNHW, found ${JSON.stringify(p.layout)}`);
  const [n, c, h, w] = p.layout === "CNHW" ? [image[1], image[0], image[2], image[3]] : image;
  if (!Number.isInteger(p.groups) || p.groups < 1 || c % p.groups !== 0) {
    throw new ShapeError(`${op}: ${c} channels cannot be split into ${p.groups} groups (groups must divide the channels)`);
  }
  const oh = convOutputSize(h, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
  const ow = convOutputSize(w, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
  if (oh < 1 || ow < 1) {
    throw new ShapeError(`${op}: a ${p.kernel[0]}×${p.kernel[1]} window (dilation [${p.dilation}], padding [${p.padding}]) does not fit a ${h}×${w} image`);
  }
  const cg = c / p.groups;
  return { n, c, h, w, oh, ow, cg, rows: cg * p.kernel[0] * p.kernel[1] };
}

/** Shape rule of im2col: x [N, C, H, W] (or [C, N, H, W]) → [G, Cg·kh·kw, N·OH·OW]. */
export function inferIm2col([x]: readonly ArgInfo[], p: Im2colParams): ArgInfo {
  if (!isFloat(x.dtype)) throw new ShapeError(`im2col: expected a float tensor, found ${x.dtype}`);
  const g = convGeometry(x.shape, p);
  return { shape: [p.groups, g.rows, g.n * g.oh * g.ow], dtype: x.dtype };
}

/** Shape rule of col2im: cols [G, Cg·kh·kw, N·OH·OW] → the image of `p.image`. */
export function inferCol2im([cols]: readonly ArgInfo[], p: Col2imParams): ArgInfo {
  const g = convGeometry(p.image, p, "col2im");
  const want = [p.groups, g.rows, g.n * g.oh * g.ow];
  if (cols.shape.length !== 3 || cols.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(`col2im: expected columns ${formatShape(want)} for the image ${formatShape(p.image)}, found ${formatShape(cols.shape)}`);
  }
  return { shape: [...p.image], dtype: cols.dtype };
}

/**
 * Every window of x [N, C, H, W] as a column: out[g, (c·kh + i)·kw + j, (n·OH + oh)·OW + ow] =
 * x[n, g·Cg + c, oh·sh − ph + i·dh, ow·sw − pw + j·dw] (`padValue` outside the image; x[c, n, …] for CNHW).
 */
export function im2col(x: Tensor, p: Im2colParams): Tensor {
  return apply("im2col", [x], p);
}

/** Adds each column back where im2col took it from: the image of shape `p.image`. */
export function col2im(cols: Tensor, p: Col2imParams): Tensor {
  return apply("col2im", [cols], p);
}
