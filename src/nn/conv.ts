// Convolutions and pooling for images [N, C, H, W], composed from im2col/col2im (src/core/conv.ts) and
// matmul, so they get gradients and every backend for free: a convolution is one matrix multiplication
// of the kernels with every window of the image; pooling is a max or mean over each window.

import { convOutputSize, im2col, type ImageLayout, type Im2colParams } from "../core/conv.js";
import { ShapeError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import { formatShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { Module } from "./module.js";

/** A size per axis (height, width), or one number for both. */
export type Pair = number | readonly [number, number];

const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  /** Split the channels into groups convolved separately (weight [Cout, Cin / groups, kh, kw]). */
  groups?: number;
  /** Images as [N, C, H, W] (default, PyTorch's) or [C, N, H, W] (no transposes between layers; the CNN runs so). */
  layout?: ImageLayout;
}

/** Batch and channel axes of an image tensor in `layout`. */
function axes(layout: ImageLayout): { n: number; c: number } {
  return layout === "CNHW" ? { n: 1, c: 0 } : { n: 0, c: 1 };
}

/** Window results [C, N·OH·OW] as images in `layout`: [C, N, OH, OW] as they are, or [N, C, OH, OW]. */
function toImages(y: Tensor, n: number, oh: number, layout: ImageLayout): Tensor {
  const maps = ops.reshape(y, [y.shape[0], n, oh, -1]); // (C, N, OH, OW)
  return layout === "CNHW" ? maps : ops.permute(maps, [1, 0, 2, 3]); // (N, C, OH, OW)
}

function checkImages(op: string, x: Tensor, layout: ImageLayout): void {
  if (x.rank !== 4) throw new ShapeError(`${op}: expected x ${layout === "CNHW" ? "[C, N, H, W]" : "[N, C, H, W]"}, found ${formatShape(x.shape)}`);
}

/**
 * 2-D cross-correlation (PyTorch's conv2d): x [N, Cin, H, W], weight [Cout, Cin / groups, kh, kw],
 * bias [Cout] → [N, Cout, OH, OW]. Each group is one matmul: W_g [Cout/G, Cg·kh·kw] · cols_g.
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  const groups = opts.groups ?? 1;
  const layout = opts.layout ?? "NCHW";
  checkImages("conv2d", x, layout);
  const { n: nAxis, c: cAxis } = axes(layout);
  if (weight.rank !== 4) throw new ShapeError(`conv2d: expected weight [Cout, Cin/groups, kh, kw], found ${formatShape(weight.shape)}`);
  const [cout, cg, kh, kw] = weight.shape;
  if (cg * groups !== x.shape[cAxis] || cout % groups !== 0) {
    throw new ShapeError(`conv2d: weight ${formatShape(weight.shape)} with ${groups} group(s) does not fit ${x.shape[cAxis]} input channels (or ${cout} outputs do not split into the groups)`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new ShapeError(`conv2d: expected bias [${cout}], found ${formatShape(bias.shape)}`);
  const p: Im2colParams = {
    kernel: [kh, kw], stride: pair(opts.stride ?? 1), padding: pair(opts.padding ?? 0), dilation: pair(opts.dilation ?? 1), groups, padValue: 0, layout,
  };
  const cols = im2col(x, p); // (G, Cg·kh·kw, N·OH·OW)
  const w = ops.reshape(weight, [groups, cout / groups, cg * kh * kw]); // (G, Cout/G, Cg·kh·kw)
  let y = ops.matmul(w, cols); // (G, Cout/G, N·OH·OW)
  // the bias before any transpose: its gradient is then a sum over contiguous rows
  if (bias) y = ops.add(y, ops.reshape(bias, [groups, cout / groups, 1]));
  return toImages(ops.reshape(y, [cout, -1]), x.shape[nAxis], outHeight(x, p), layout); // (N, Cout, OH, OW) or (Cout, N, OH, OW)
}

function outHeight(x: Tensor, p: Im2colParams): number {
  return convOutputSize(x.shape[2], p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
}

export interface Pool2dOptions {
  /** Default: the kernel size (non-overlapping windows). */
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  layout?: ImageLayout;
}

/** Every window of each channel separately, [C, kh·kw, N·OH·OW], reduced by `reduce` over the window. */
function pool(op: string, x: Tensor, kernel: Pair, opts: Pool2dOptions, padValue: number, reduce: (cols: Tensor) => Tensor): Tensor {
  const layout = opts.layout ?? "NCHW";
  checkImages(op, x, layout);
  const { n, c } = axes(layout);
  const k = pair(kernel);
  const p: Im2colParams = {
    kernel: k, stride: pair(opts.stride ?? k), padding: pair(opts.padding ?? 0), dilation: pair(opts.dilation ?? 1), groups: x.shape[c], padValue, layout,
  };
  if (2 * p.padding[0] > k[0] || 2 * p.padding[1] > k[1]) throw new ShapeError(`${op}: padding [${p.padding}] must be at most half the kernel [${k}]`);
  return toImages(reduce(im2col(x, p)), x.shape[n], outHeight(x, p), layout);
}

/** The largest value of each window (PyTorch's max_pool2d; padding reads −∞). x [N, C, H, W] → [N, C, OH, OW]. */
export function maxPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  return pool("maxPool2d", x, kernel, opts, -Infinity, (cols) => ops.max(cols, 1)); // (C, N·OH·OW)
}

/** The mean of each window, padding counted as zeros (PyTorch's avg_pool2d defaults). */
export function avgPool2d(x: Tensor, kernel: Pair, opts: Pool2dOptions = {}): Tensor {
  return pool("avgPool2d", x, kernel, opts, 0, (cols) => ops.div(ops.sum(cols, 1), cols.shape[1])); // (C, N·OH·OW)
}

/** A convolution layer with weight [Cout, Cin/groups, kh, kw] and bias [Cout], PyTorch's default init U(±1/√fan_in). */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: Pair,
    readonly options: Conv2dOptions & { rng: Rng; bias?: boolean; init?: "pytorch" | "kaiming" },
  ) {
    super();
    const [kh, kw] = pair(kernel);
    const groups = options.groups ?? 1;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new ShapeError(`Conv2d: ${groups} groups must divide both ${inChannels} input and ${outChannels} output channels`);
    }
    const fanIn = (inChannels / groups) * kh * kw;
    const shape = [outChannels, inChannels / groups, kh, kw];
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = this.addParameter(
      "weight",
      options.init === "kaiming" ? ops.randn(shape, options.rng, { std: Math.sqrt(2 / fanIn) }) : ops.rand(shape, options.rng, { lo: -bound, hi: bound }),
    );
    this.bias = options.bias === false ? null : this.addParameter("bias", options.init === "kaiming" ? ops.zeros([outChannels]) : ops.rand([outChannels], options.rng, { lo: -bound, hi: bound }));
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}
