// cnn: one epoch of the CNN preset (`nnlab train mnist --preset cnn`) on nnlab's backends, in TF.js and
// in PyTorch (bench/peers/cnn.py), with the test accuracy after it; the target: faster than PyTorch on CPU.

import { subset } from "../src/data/batches.js";
import type { Dataset } from "../src/data/mnist.js";
import { makeConfig, type MnistTrainConfig } from "../src/train/config.js";
import type { Bench } from "./harness.js";
import { epochBench } from "./mnist-epoch.js";
import { tfjsCnnEpoch } from "./peers/tfjs-cnn.js";

/**
 * Images TF.js trains on per timed run (four batches): its cpu backend (plain JavaScript; its wasm
 * backend has no Conv2DBackpropFilter kernel) took 137 s for 256 images here, hours for an epoch, so it
 * is timed on the epoch's first images and its time scaled to the whole epoch (time per image is flat).
 */
const TFJS_IMAGES = 256;
/** Test images TF.js is evaluated on (its accuracy is after those TFJS_IMAGES training images only). */
const TFJS_TEST_IMAGES = 200;

/** TF.js's epoch: `TFJS_IMAGES` of `train` timed and the seconds scaled to all of `train`. */
function tfjsScaledEpoch(config: MnistTrainConfig, train: Dataset, test: Dataset): { seconds: number; accuracy: number } {
  const part = subset(train, Math.min(TFJS_IMAGES, train.count));
  const r = tfjsCnnEpoch(config, part, subset(test, Math.min(TFJS_TEST_IMAGES, test.count)));
  return { seconds: (r.seconds * train.count) / part.count, accuracy: r.accuracy };
}

export const cnn: Bench = {
  name: "cnn",
  title: "one epoch of the cnn preset (5×5 conv to 16 and 32 maps with 2×2 max-pool, 512-128-10 head, Adam, batch 64)",
  unit: "s",
  higherIsBetter: false,
  run: async (ctx) => {
    const config = makeConfig("cnn", { epochs: 1, seed: 1 });
    const arch = { blocks: config.conv?.blocks ?? [], head: config.model.sizes, lr: config.lr, batch: config.batch };
    // the js backend is the readable oracle: an epoch of convolutions there takes many minutes
    const fast = { ...ctx, nnlab: ctx.nnlab.filter((v) => v.backend !== "js") };
    const result = await epochBench(fast, config, "cnn.py", false, tfjsScaledEpoch, { arch: JSON.stringify(arch) });
    return {
      ...result,
      notes: [
        ...result.notes,
        "nnlab/js (the oracle backend) is not timed here: an epoch of convolutions there takes many minutes",
        `TF.js/cpu is timed on the first ${TFJS_IMAGES} images of the epoch (also its warm-up) and its seconds scaled to the whole epoch (its plain-JavaScript convolutions take hours for an epoch); its test accuracy is after those ${TFJS_IMAGES} images only, on ${TFJS_TEST_IMAGES} test images`,
      ],
    };
  },
};
