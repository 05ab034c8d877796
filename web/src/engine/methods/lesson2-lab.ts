// Lesson 2's analyses (the claims `nnlab lab` tests), computed here with the lab's own measures: the
// first layer's weight tiles and their smoothness, noise fed to the network, "imagine a digit", and small
// in-page versions of the shuffled-label and none-class experiments.

import { Rng } from "../../../../src/core/rng.js";
import { concatDatasets, shuffleLabels, subset } from "../../../../src/data/batches.js";
import type { Dataset } from "../../../../src/data/dataset.js";
import { answersOf, answerStats, uniformNoise, type AnswerStats } from "../../../../src/lab/answers.js";
import { ascend } from "../../../../src/lab/ascent.js";
import { JUNK_HELD_OUT, JUNK_KINDS, JUNK_TRAIN_KINDS, junkSet } from "../../../../src/lab/junk.js";
import { rejectionStats, type RejectionStats } from "../../../../src/lab/rejection.js";
import { firstLayerTiles, initialModel, inkMask, tileStats, type TileStats } from "../../../../src/lab/tiles.js";
import { makeConfig, type MnistTrainConfig } from "../../../../src/train/config.js";
import { evaluate, outputActivations } from "../../../../src/train/metrics.js";
import { MnistTrainer } from "../../../../src/train/trainer.js";
import type { MethodTable } from "../protocol.js";
import { mnist } from "../state.js";
import { pageNetwork, yieldToMessages } from "./lesson2.js";

/** The network's answer for one image: its ten outputs and the digit it picks. */
export interface Answer {
  pixels: Float32Array;
  outputs: Float32Array;
  answer: number;
}

/** One line of the none-class comparison, with its trade-off curve on a fixed rejection grid. */
export interface RejectionLine extends Omit<RejectionStats, "curve"> {
  /** Best share of test digits accepted and right while rejecting at least `rejection[k]` of the held-out junk. */
  accuracyAtRejection: number[];
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** The first layer's tiles now (neurons × 784) and the smoothness of the untrained and current ones. */
    "lab.tiles": { params: Record<string, never>; result: { tiles: Float32Array; neurons: number; untrained: TileStats; current: TileStats } };
    /** One uniform-noise image through the network, and how it answers 1,000 noise images vs 1,000 test digits. */
    "lab.noise": { params: { seed: number }; result: Answer & { noise: AnswerStats; digits: AnswerStats } };
    /** Gradient ascent on the input for `digit` (`steps` steps from a grey image): the picture and the answer. */
    "lab.imagine": { params: { digit: number; steps: number; penalised: boolean }; result: Answer & { confidence: number } };
    /** Trains one net each on `images` training images with 0%, 50% and 100% of the labels shuffled. */
    "lab.randomLabels": { params: { images: number; epochs: number; seed: number }; result: { shuffled: number[]; stillTrue: number[]; network: string } };
    /** A 10-class net with a threshold against an 11-class net with a "none" output trained on junk. */
    "lab.noneClass": { params: { seed: number }; result: { rejection: number[]; nets: RejectionLine[]; network: string; heldOut: string; trainKinds: string[] } };
  }
  interface EngineEvents {
    /** After each epoch of lab.randomLabels: accuracy on the training images (their labels) and on test images, per share shuffled. */
    "lab.labels": { epoch: number; train: number[]; test: number[] };
    /** How far a lab job is. */
    "lab.progress": { job: string; done: number; total: number };
  }
}

let mask: Uint8Array | null = null;

function check(ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new Error(`${what}, got ${JSON.stringify(value)}`);
}

const argmax = (row: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
};

/** A modern net (ReLU, cross-entropy, Adam 0.001, batch 32) of one hidden layer, as the lab's experiments use. */
function smallNet(seed: number, hidden: number, epochs: number, classes = 10): MnistTrainConfig {
  const c = makeConfig("modern", { seed, hidden: [hidden], epochs, batch: 32, lr: 1e-3, schedule: "constant" });
  return { ...c, model: { ...c.model, sizes: [784, hidden, classes] } };
}

/** Trains trainers side by side, epoch by epoch (each ends with its test evaluation), yielding between epochs. */
async function trainEpochs(trainers: MnistTrainer[], epochs: number, afterEpoch: (epoch: number) => void): Promise<void> {
  for (let e = 1; e <= epochs; e++) {
    for (const t of trainers) t.trainEpoch();
    afterEpoch(e);
    await yieldToMessages();
  }
}

/** Best y with x ≥ level, at every level of `levels` (the curve read as "at least this much rejection"). */
function atLeast(xs: number[], ys: number[], levels: number[]): number[] {
  return levels.map((level) => xs.reduce((best, x, i) => (x >= level ? Math.max(best, ys[i]) : best), 0));
}

export const lesson2LabMethods: MethodTable = {
  async "lab.tiles"() {
    const { mlp: model, config, data } = pageNetwork();
    mask ??= inkMask(data.train);
    const now = firstLayerTiles(model);
    const start = firstLayerTiles(initialModel(config));
    const tiles = new Float32Array(now.length * 784);
    now.forEach((t, j) => tiles.set(t, j * 784));
    return { tiles, neurons: now.length, untrained: tileStats("untrained", start, null, mask), current: tileStats("now", now, start, mask) };
  },

  "lab.noise"({ seed }) {
    check(Number.isInteger(seed), "seed must be a whole number", seed);
    const { mlp: model, data } = pageNetwork();
    const noise = uniformNoise(1000, new Rng(seed));
    const outputs = answersOf(model, noise);
    const digits = answersOf(model, data.test.images.subarray(0, 1000 * 784));
    return {
      pixels: noise.slice(0, 784),
      outputs: outputs.slice(0, 10),
      answer: argmax(outputs.subarray(0, 10)),
      noise: answerStats("uniform noise", outputs),
      digits: answerStats("test digits", digits),
    };
  },

  "lab.imagine"({ digit, steps, penalised }) {
    check(Number.isInteger(digit) && digit >= 0 && digit <= 9, "digit must be 0..9", digit);
    check(Number.isInteger(steps) && steps >= 1 && steps <= 1000, "steps must be 1..1000", steps);
    const { mlp: model } = pageNetwork();
    // the lab's ascent works on all ten digits at once (row k for digit k), with its step 0.05
    const images = ascend(model, steps, 0.05, penalised);
    const pixels = images.slice(digit * 784, (digit + 1) * 784);
    const outputs = outputActivations(model, pixels, 1);
    return { pixels, outputs, answer: argmax(outputs), confidence: outputs[digit] };
  },

  async "lab.randomLabels"({ images, epochs, seed }, ctx) {
    check(Number.isInteger(images) && images >= 50 && images <= 5000, "images must be 50..5000", images);
    check(Number.isInteger(epochs) && epochs >= 1 && epochs <= 200, "epochs must be 1..200", epochs);
    const { train, test } = await mnist();
    const base = subset(train, images);
    const testSet = subset(test, 1000);
    const config = smallNet(seed, 100, epochs);
    const rng = new Rng(seed);
    const shuffled = [0, 0.5, 1];
    const sets: Dataset[] = shuffled.map((p) => ({ ...base, labels: shuffleLabels(base.labels, p, rng) }));
    const trainers = sets.map((s) => new MnistTrainer(config, { train: s, test: testSet }));
    await trainEpochs(trainers, epochs, (epoch) =>
      ctx.emit("lab.labels", { epoch, train: trainers.map((t, i) => evaluate(t.model, sets[i]).accuracy), test: trainers.map((t) => t.history[t.history.length - 1].test_accuracy) }),
    );
    for (const t of trainers) for (const [, p] of t.model.namedParameters()) p.dispose();
    return {
      shuffled,
      stillTrue: sets.map((s) => s.labels.filter((l, i) => l === base.labels[i]).length / images),
      network: `784-100-10 ReLU, cross-entropy, Adam 0.001, batch 32, on the first ${images} training images; test accuracy on 1,000 test images`,
    };
  },

  async "lab.noneClass"({ seed }, ctx) {
    const { train, test } = await mnist();
    const rng = new Rng(seed);
    const digits = subset(train, 4000);
    const junk = junkSet(JUNK_TRAIN_KINDS, 1000, rng, digits, 10);
    const epochs = 2;
    const testSet = subset(test, 1000);
    const ten = new MnistTrainer(smallNet(seed, 100, epochs), { train: digits, test: testSet });
    const eleven = new MnistTrainer(smallNet(seed, 100, epochs, 11), { train: concatDatasets(digits, junk), test: testSet });
    await trainEpochs([ten, eleven], epochs, (epoch) => ctx.emit("lab.progress", { job: "noneClass", done: epoch, total: epochs }));
    const heldOut = junkSet([JUNK_HELD_OUT], 500, rng, testSet, 10);
    const byKind: Record<string, Dataset> = {};
    for (const kind of JUNK_KINDS) byKind[kind] = kind === JUNK_HELD_OUT ? heldOut : junkSet([kind], 500, rng, testSet, 10);
    const rejection = Array.from({ length: 51 }, (_, k) => k / 50);
    const nets = [rejectionStats("10-class + threshold", ten.mlp, testSet, heldOut, byKind), rejectionStats("11-class with none", eleven.mlp, testSet, heldOut, byKind)].map(
      ({ curve, ...rest }) => ({ ...rest, accuracyAtRejection: atLeast(curve.junk_rejection, curve.digit_accuracy, rejection) }),
    );
    for (const t of [ten, eleven]) for (const [, p] of t.model.namedParameters()) p.dispose();
    return {
      rejection,
      nets,
      network: `784-100-10 and 784-100-11 ReLU nets, cross-entropy, Adam 0.001, batch 32, ${epochs} epochs on 4,000 training digits (+ 1,000 junk for the 11-class net); 1,000 test digits, 500 junk images of each kind`,
      heldOut: JUNK_HELD_OUT,
      trainKinds: [...JUNK_TRAIN_KINDS],
    };
  },
};
