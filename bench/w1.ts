// W1: one epoch of the lesson's network (the 3b1b preset: 784-16-16-10 sigmoid, quadratic cost, SGD
// mini-batch 10, η = 3.0, N(0,1) init) over the MNIST training images, with the test accuracy after it;
// also in headless Chromium (the web lab's engine worker), where the target is within 1.5× of Node.

import { makeConfig } from "../src/train/config.js";
import type { Bench } from "./harness.js";
import { epochBench } from "./mnist-epoch.js";

export const w1: Bench = {
  name: "w1",
  title: "one epoch of the 3b1b preset (784-16-16-10 sigmoid, quadratic cost, SGD batch 10, lr 3.0, N(0,1) init)",
  unit: "s",
  higherIsBetter: false,
  run: (ctx) => epochBench(ctx, makeConfig("3b1b", { epochs: 1, seed: 1 }), "w1.py", true),
};
