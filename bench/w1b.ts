// W1b: one epoch of a modern MLP, 784-128-10 ReLU with softmax cross-entropy and Adam (lr 1e-3), batch 64,
// Kaiming-normal init. The learning rate is constant (no cosine decay) so every peer runs the same update.

import { makeConfig } from "../src/train/config.js";
import type { Bench } from "./harness.js";
import { epochBench } from "./mnist-epoch.js";

export const w1b: Bench = {
  name: "w1b",
  title: "one epoch of 784-128-10 ReLU, cross-entropy, Adam lr 1e-3, batch 64, Kaiming init",
  unit: "s",
  higherIsBetter: false,
  run: (ctx) => epochBench(ctx, makeConfig("modern", { hidden: [128], epochs: 1, batch: 64, lr: 1e-3, schedule: "constant", seed: 1 }), "w1b.py"),
};
