// "Beyond the series" page's methods: the CNN preset of `nnlab train mnist --preset cnn`, trained here on
// the first N training images (or kept from an earlier visit in IndexedDB, or loaded from a CNN run the
// server lists), and its reading of one drawn digit with every block's feature maps, from the forward
// pass's own capture; and its filters. The page's MLP comes from the common methods (core.ts).

import { noGrad, tidy } from "../../../../src/core/engine.js";
import * as ops from "../../../../src/core/ops.js";
import { Rng } from "../../../../src/core/rng.js";
import { subset } from "../../../../src/data/batches.js";
import { decodeSafetensors } from "../../../../src/io/safetensors.js";
import { ConvNet, featureShapes, type CnnCapture } from "../../../../src/models/cnn.js";
import { makeConfig, validateTrainConfig, type MnistTrainConfig } from "../../../../src/train/config.js";
import { evaluate } from "../../../../src/train/metrics.js";
import { MnistTrainer } from "../../../../src/train/trainer.js";
import { loadCachedNet, saveCachedNet } from "../net-cache.js";
import type { MethodTable } from "../protocol.js";
import { engineReady, fetchBytes, mnist } from "../state.js";

/** Test digits the page's accuracy is measured on (the first of MNIST's 10,000: quick in a tab). */
export const CNN_TEST_DIGITS = 2000;

/** The current CNN, as the page shows it. */
export interface CnnInfo {
  /** Each block: its maps' channels and side after the convolution (before pooling), kernel and pool. */
  blocks: { channels: number; side: number; kernel: number; pool: number }[];
  /** The dense head's widths, from the flattened maps to the 10 outputs. */
  head: number[];
  parameters: number;
  /** "trained here: …" or "run NAME". */
  origin: string;
  testAccuracy: number;
  testDigits: number;
}

/** One block's feature maps for one image: `channels` maps of side × side, map after map. */
export interface FeatureMaps {
  channels: number;
  side: number;
  data: Float32Array;
}

/** The CNN's reading of one image. */
export interface CnnReading {
  /** Each block's maps after its convolution and ReLU (before pooling). */
  maps: FeatureMaps[];
  /** What the dense head sees: the last block's maps after pooling. */
  pooled: FeatureMaps;
  /** softmax of the ten outputs (the CNN is trained with cross-entropy). */
  probabilities: Float32Array;
  prediction: number;
}

/** Each block's convolution kernels: weight [Cout, Cin, k, k], row-major. */
export interface CnnFilters {
  blocks: { out: number; in: number; kernel: number; weights: Float32Array; biases: Float32Array }[];
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** Trains the CNN preset for one pass over the first `images` training images (emits "train.progress"), unless kept from before. */
    "beyond.trainCnn": { params: { images: number; seed?: number }; result: CnnInfo };
    /** Loads a CNN run (`nnlab train mnist --preset cnn`) from the server; an error for a run that is not a CNN. */
    "beyond.loadCnnRun": { params: { name: string }; result: CnnInfo };
    "beyond.readCnn": { params: { pixels: Float32Array }; result: CnnReading };
    "beyond.filters": { params: Record<string, never>; result: CnnFilters };
  }
}

let current: { model: ConvNet; config: MnistTrainConfig; origin: string; testAccuracy: number } | null = null;

async function install(model: ConvNet, config: MnistTrainConfig, origin: string, testAccuracy?: number): Promise<CnnInfo> {
  for (const p of current?.model.parameters() ?? []) p.dispose();
  const { test } = await mnist();
  const accuracy = testAccuracy ?? evaluate(model, subset(test, CNN_TEST_DIGITS)).accuracy;
  current = { model, config, origin, testAccuracy: accuracy };
  return cnnInfo();
}

function cnnInfo(): CnnInfo {
  if (!current) throw new Error("no CNN yet: train one or load a run first");
  const { model, config } = current;
  const blocks = config.conv!.blocks;
  const shapes = featureShapes(config.conv!);
  return {
    blocks: blocks.map((b, i) => ({ channels: b.channels, side: shapes[i].side + 2 * b.padding - b.kernel + 1, kernel: b.kernel, pool: b.pool })),
    head: [...config.model.sizes],
    parameters: model.parameterCount(),
    origin: current.origin,
    testAccuracy: current.testAccuracy,
    testDigits: CNN_TEST_DIGITS,
  };
}

function requireCnn(): ConvNet {
  if (!current) throw new Error("no CNN yet: train one or load a run first");
  return current.model;
}

export const beyondMethods: MethodTable = {
  async "beyond.trainCnn"({ images, seed = 1 }, ctx) {
    await engineReady();
    if (!Number.isInteger(images) || images < 64 || images > 60_000) throw new Error(`images must be a whole number from 64 to 60000, got ${images}`);
    const config = makeConfig("cnn", { epochs: 1, seed, trainLimit: images });
    const key = JSON.stringify(config);
    if (current && JSON.stringify(current.config) === key) return cnnInfo();
    const cached = await loadCachedNet(key);
    if (cached) {
      const model = new ConvNet(config.conv!, config.model, new Rng(0));
      model.loadStateDict(cached.parameters, "cached CNN");
      return install(model, config, `${cached.origin} (kept in this browser)`, cached.testAccuracy);
    }
    const { train, test } = await mnist();
    // the first `images` training images (the config's trainLimit) and the first test digits
    const trainer = new MnistTrainer(config, { train: subset(train, images), test: subset(test, CNN_TEST_DIGITS) });
    let last = performance.now();
    const record = trainer.trainEpoch((e) => {
      if (e.type !== "batch") return;
      const now = performance.now();
      if (now - last > 100 || e.batch === e.batches) {
        last = now;
        ctx.emit("train.progress", { epoch: 1, epochs: 1, batch: e.batch, batches: e.batches, runningCost: e.runningCost, runningAccuracy: e.runningAccuracy });
      }
    });
    const origin = `trained here: the cnn preset on the first ${images.toLocaleString("en-US")} training images, seed ${seed}`;
    if (!(trainer.model instanceof ConvNet)) throw new Error("the cnn preset built no CNN");
    const info = await install(trainer.model, config, origin, record.test_accuracy);
    await saveCachedNet({ key, origin, testAccuracy: info.testAccuracy, parameters: trainer.model.stateDict() });
    return info;
  },

  async "beyond.loadCnnRun"({ name }) {
    await engineReady();
    const base = `/runs/${encodeURIComponent(name)}`;
    const raw = JSON.parse(new TextDecoder().decode(await fetchBytes(`${base}/config.json`))) as { config: MnistTrainConfig };
    const config = validateTrainConfig(raw.config, `${name}/config.json`);
    if (!config.conv) throw new Error(`run ${name} is not a CNN (its config has no conv blocks)`);
    const { tensors } = decodeSafetensors(await fetchBytes(`${base}/model.safetensors`), `${name}/model.safetensors`);
    const model = new ConvNet(config.conv, config.model, new Rng(0));
    const named: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, t] of Object.entries(tensors)) named[k] = { shape: [...t.shape], data: Float32Array.from(t.data as Float32Array) };
    model.loadStateDict(named, `${name}/model.safetensors`);
    return install(model, config, `run ${name}`);
  },

  "beyond.readCnn"({ pixels }, ctx) {
    const model = requireCnn();
    const result = noGrad(() =>
      tidy(() => {
        const capture: CnnCapture = { maps: [], z: [], a: [] };
        const logits = model.forward(ops.tensor(pixels, [1, pixels.length]), capture); // (1, 10)
        const maps = capture.maps!.map((m) => ({ channels: m.shape[0], side: m.shape[2], data: m.toArray() as Float32Array })); // each (C, 1, S, S)
        const last = featureShapes(model.conv).at(-1)!;
        const pooled = { channels: last.channels, side: last.side, data: capture.a[0].toArray() as Float32Array }; // the head's input (1, C·S·S)
        const probabilities = logits.softmax(-1).toArray() as Float32Array;
        let prediction = 0;
        for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[prediction]) prediction = i;
        return { maps, pooled, probabilities, prediction };
      }),
    );
    ctx.transfer.push(...result.maps.map((m) => m.data.buffer as ArrayBuffer), result.pooled.data.buffer as ArrayBuffer);
    return result;
  },

  "beyond.filters"() {
    const model = requireCnn();
    return {
      blocks: model.convs.map((c) => {
        const [out, inChannels, kernel] = c.weight.shape;
        return { out, in: inChannels, kernel, weights: c.weight.toArray() as Float32Array, biases: (c.bias?.toArray() as Float32Array | undefined) ?? new Float32Array(out) };
      }),
    };
  },
};
