// Timing the engine inside the page's worker, for `npm run bench` (W1 in Chromium beside W1 in Node):
// the same MnistTrainer epoch as the Node bench, on the MNIST files the page fetched.

import { subset } from "../../../../src/data/batches.js";
import { makeConfig, type PresetName } from "../../../../src/train/config.js";
import { MnistTrainer } from "../../../../src/train/trainer.js";
import type { MethodTable } from "../protocol.js";
import { engineReady, mnist } from "../state.js";

declare module "../protocol.js" {
  interface EngineMethods {
    /** Times `runs` training epochs of a preset over the first `images` training images (fresh seeded weights per run, after a warm-up epoch on `warmupImages`). */
    benchEpoch: {
      params: { preset: PresetName; images: number; warmupImages: number; runs: number; seed?: number };
      result: { seconds: number[]; testAccuracy: number; backend: string; threads: number };
    };
  }
}

export const benchMethods: MethodTable = {
  async benchEpoch({ preset, images, warmupImages, runs, seed = 1 }) {
    const backend = await engineReady();
    const full = await mnist();
    const config = makeConfig(preset, { epochs: 1, seed });
    new MnistTrainer(config, { train: subset(full.train, warmupImages), test: full.test }).trainEpoch();
    const data = { train: subset(full.train, images), test: full.test };
    const seconds: number[] = [];
    let testAccuracy = NaN;
    for (let r = 0; r < runs; r++) {
      const record = new MnistTrainer(config, data).trainEpoch();
      seconds.push(record.seconds);
      testAccuracy = record.test_accuracy;
    }
    return { seconds, testAccuracy, backend: backend.name, threads: (backend as { threads?: number }).threads ?? 1 };
  },
};
