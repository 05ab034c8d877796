// A convolutional digit network (what lesson 1 names but leaves out: "good for image recognition"):
// conv → ReLU → max-pool blocks over the 28×28 image, then the lessons' MLP as the head on the
// flattened feature maps. Takes the same [N, 784] batches as the MLP, so one trainer serves both.

import { NnlabError } from "../core/errors.js";
import * as ops from "../core/ops.js";
import type { Rng } from "../core/rng.js";
import type { Tensor } from "../core/tensor.js";
import { Conv2d, conv2d, maxPool2d } from "../nn/conv.js";
import { Module } from "../nn/module.js";
import { MLP, type MlpCapture, type MlpConfig } from "./mlp.js";

/** One block: a k×k convolution to `channels` maps (zero-padded by `padding`), ReLU, then p×p max pooling (1 = none). */
export interface ConvBlockConfig {
  channels: number;
  kernel: number;
  padding: number;
  pool: number;
}

/** The convolutional part of a digit network; the input is one 28×28 grey image. */
export interface CnnConfig {
  blocks: ConvBlockConfig[];
}

/** Side of the square input image. */
export const IMAGE_SIDE = 28;

/** Channels and side of the feature maps after each block, starting with the image (1, 28). */
export function featureShapes(config: CnnConfig): { channels: number; side: number }[] {
  const shapes = [{ channels: 1, side: IMAGE_SIDE }];
  for (const b of config.blocks) {
    const conv = shapes[shapes.length - 1].side + 2 * b.padding - b.kernel + 1;
    shapes.push({ channels: b.channels, side: Math.floor(conv / b.pool) });
  }
  return shapes;
}

/** Inputs of the dense head: channels · side² of the last block's maps. */
export function cnnFeatureCount(config: CnnConfig): number {
  const last = featureShapes(config).at(-1)!;
  return last.channels * last.side * last.side;
}

/** Checks a CNN config (from a preset or a checkpoint's config.json); throws NnlabError naming the field. */
export function validateCnnConfig(c: CnnConfig, source = "model config"): CnnConfig {
  if (!c || !Array.isArray(c.blocks) || c.blocks.length < 1 || c.blocks.length > 8) {
    throw NnlabError.problem({ subject: `${source}: conv.blocks`, expected: "1 to 8 convolution blocks", found: JSON.stringify(c?.blocks ?? null) });
  }
  c.blocks.forEach((b, i) => {
    const whole = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
    if (!whole(b?.channels, 1, 1024) || !whole(b?.kernel, 1, 28) || !whole(b?.padding, 0, 14) || !whole(b?.pool, 1, 28)) {
      throw NnlabError.problem({
        subject: `${source}: conv.blocks[${i}]`,
        expected: "channels 1–1024, kernel 1–28, padding 0–14 and pool 1–28, whole numbers",
        found: JSON.stringify(b),
      });
    }
  });
  const sides = featureShapes(c).map((s) => s.side);
  if (sides.some((s) => s < 1)) {
    throw NnlabError.problem({ subject: `${source}: conv.blocks`, expected: "blocks that leave feature maps of at least 1×1", found: `sides ${sides.join(" → ")}` });
  }
  return c;
}

/** What a forward pass records: each block's maps after ReLU (before pooling) as [C, N, S, S], and the head's z and a. */
export interface CnnCapture extends MlpCapture {
  maps?: Tensor[];
}

export class ConvNet extends Module {
  readonly convs: Conv2d[];
  readonly head: MLP;
  /** `head` is the dense part: sizes from cnnFeatureCount(conv) to 10. */
  constructor(readonly conv: CnnConfig, readonly config: MlpConfig, rng: Rng) {
    super();
    validateCnnConfig(conv);
    const shapes = featureShapes(conv);
    this.convs = conv.blocks.map((b, i) =>
      this.addModule(`conv.${i}`, new Conv2d(shapes[i].channels, b.channels, b.kernel, { padding: b.padding, rng, init: config.init === "kaiming" ? "kaiming" : "pytorch" })),
    );
    this.head = this.addModule("head", new MLP(config, rng));
  }

  /** Input and output widths as the trainer and evaluation read them: [784, …head widths, 10]. */
  get sizes(): number[] {
    return [IMAGE_SIDE * IMAGE_SIDE, ...this.config.sizes.slice(1)];
  }

  /**
   * The head's output for a batch x [N, 784]; fills `capture` with the feature maps and the head's z
   * and a. The maps flow as [C, N, S, S], so no layer transposes its output for the next.
   */
  forward(x: Tensor, capture?: CnnCapture): Tensor {
    const n = x.shape[0];
    let a = ops.reshape(x, [1, n, IMAGE_SIDE, IMAGE_SIDE]); // (1, N, 28, 28)
    this.convs.forEach((conv, i) => {
      a = conv2d(a, conv.weight, conv.bias, { padding: this.conv.blocks[i].padding, layout: "CNHW" }).relu(); // (C, N, S, S)
      capture?.maps?.push(a);
      const pool = this.conv.blocks[i].pool;
      if (pool > 1) a = maxPool2d(a, pool, { layout: "CNHW" }); // (C, N, S/p, S/p)
    });
    const flat = ops.reshape(ops.permute(a, [1, 0, 2, 3]), [n, -1]); // (N, C·S·S), PyTorch's flatten order
    return this.head.forward(flat, capture); // (N, 10)
  }
}
