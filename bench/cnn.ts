// cnn: one epoch of the CNN preset (`nnlab train mnist --preset cnn`) on nnlab's backends, in TF.js and
// in PyTorch (bench/peers/cnn.py), with the test accuracy after it; the target: faster than PyTorch on CPU.

import { makeConfig } from "../src/train/config.js";
import type { Bench } from "./harness.js";
import { epochBench } from "./mnist-epoch.js";
import { tfjsCnnEpoch } from "./peers/tfjs-cnn.js";

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
    const result = await epochBench(fast, config, "cnn.py", false, tfjsCnnEpoch, { arch: JSON.stringify(arch) });
    return { ...result, notes: [...result.notes, "nnlab/js (the oracle backend) is not timed here: an epoch of convolutions there takes many minutes"] };
  },
};
