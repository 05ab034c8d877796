// `nnlab lab imagine` — "the network cannot draw a digit". Gradient ascent on the input image to
// maximise each output's weighted sum z⁽ᴸ⁾ₖ, once unconstrained and once with a penalty that keeps the
// pixels in [0, 1] and the image smooth; shows the ten images, how confident the net is about each, and
// how much each looks like the average real image of its digit.

import type { Dataset } from "../data/dataset.js";
import type { MLP } from "../models/mlp.js";
import { validateTrainConfig } from "../train/config.js";
import { outputActivations } from "../train/metrics.js";
import { ascend, PENALTY } from "./ascent.js";
import { correlation, fmt, pct, table, trainNet } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { imageGridPng } from "./figures.js";
import { describeNet, labNet } from "./lab-net.js";

export interface Imagined {
  digit: number;
  /** The net's output for this digit on the image (activation, or softmax probability). */
  confidence: number;
  /** The digit the net answers for the image. */
  answer: number;
  /** Correlation of the image with the mean test image of its digit. */
  similarity_to_digit: number;
  /** The same, for the most similar other digit's mean. */
  best_other_similarity: number;
  /** A second net, trained the same way from another seed: its answer for the image and its output for this digit. */
  second_net_answer: number;
  second_net_confidence: number;
  /** Pixel range of the image. */
  min: number;
  max: number;
  pixels: number[];
}

export interface ImagineResult {
  experiment: "imagine";
  network: string;
  steps: number;
  learning_rate: number;
  penalty: typeof PENALTY;
  unconstrained: Imagined[];
  penalised: Imagined[];
  /** The second net (same configuration, another seed) and its test accuracy. */
  second_network: string;
  /** The same measures on the real test images, for comparison. */
  real: {
    /** Mean correlation of a test image with its own digit's mean image. */
    mean_similarity_to_digit: number;
    /** Share of test images that correlate best with their own digit's mean. */
    own_digit_most_similar: number;
    /** Share of test images on which the two nets give the same answer. */
    nets_agree: number;
  };
}

/** Mean test image of each digit. */
function digitMeans(ds: Dataset): Float32Array[] {
  const means = Array.from({ length: 10 }, () => new Float32Array(784));
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < ds.count; i++) {
    const m = means[ds.labels[i]];
    counts[ds.labels[i]]++;
    for (let p = 0; p < 784; p++) m[p] += ds.images[i * 784 + p];
  }
  return means.map((m, d) => m.map((v) => v / Math.max(1, counts[d])));
}

const argmax = (row: ArrayLike<number>) => Array.prototype.indexOf.call(row, Math.max(...Array.from(row)));

function describe(model: MLP, second: MLP, x: Float32Array, means: Float32Array[]): Imagined[] {
  const out = outputActivations(model, x, 10);
  const other = outputActivations(second, x, 10);
  return Array.from({ length: 10 }, (_, k) => {
    const img = x.subarray(k * 784, (k + 1) * 784);
    const row = out.subarray(k * 10, (k + 1) * 10);
    const sims = means.map((m) => correlation(img, m));
    return {
      second_net_answer: argmax(other.subarray(k * 10, (k + 1) * 10)),
      second_net_confidence: other[k * 10 + k],
      digit: k,
      confidence: row[k],
      answer: argmax(row),
      similarity_to_digit: sims[k],
      best_other_similarity: Math.max(...sims.filter((_, d) => d !== k)),
      min: Math.min(...img),
      max: Math.max(...img),
      pixels: Array.from(img),
    };
  });
}

/** The class-mean and two-net measures on the real test images. */
function realImageMeasures(model: MLP, second: MLP, test: Dataset, means: Float32Array[]): ImagineResult["real"] {
  let similarity = 0;
  let ownBest = 0;
  let agree = 0;
  const batch = 1000;
  for (let start = 0; start < test.count; start += batch) {
    const n = Math.min(batch, test.count - start);
    const x = test.images.subarray(start * 784, (start + n) * 784);
    const a = outputActivations(model, x, n);
    const b = outputActivations(second, x, n);
    for (let i = 0; i < n; i++) {
      const sims = means.map((m) => correlation(x.subarray(i * 784, (i + 1) * 784), m));
      const label = test.labels[start + i];
      similarity += sims[label];
      if (argmax(sims) === label) ownBest++;
      if (argmax(a.subarray(i * 10, (i + 1) * 10)) === argmax(b.subarray(i * 10, (i + 1) * 10))) agree++;
    }
  }
  return { mean_similarity_to_digit: similarity / test.count, own_digit_most_similar: ownBest / test.count, nets_agree: agree / test.count };
}

/** Scales an image to [0, 1] for display (the unconstrained ones leave that range). */
function stretch(img: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < img.length; i++) {
    lo = Math.min(lo, img[i]);
    hi = Math.max(hi, img[i]);
  }
  return Float32Array.from(img, (v) => (v - lo) / (hi - lo || 1));
}

async function runImagine(ctx: LabContext): Promise<LabOutput<ImagineResult>> {
  const limits = ctx.quick ? { epochs: 2, trainLimit: 10000, testLimit: 1000 } : { epochs: 3 };
  const net = await labNet(ctx, "3b1b", limits);
  const steps = ctx.quick ? 60 : 300;
  const lr = 0.05;
  const means = digitMeans(ctx.data.test);
  // a second net like the first from another seed: a real digit is read the same by both
  const secondConfig = validateTrainConfig({ ...net.config, seed: (net.config.seed + 1) >>> 0, ...(ctx.model ? {} : limits) });
  const second = trainNet(secondConfig, ctx.data, "training a second net (another seed)", ctx).mlp;
  const real = realImageMeasures(net.model, second, ctx.data.test, means);
  const bar = ctx.progress("gradient ascent on the input", 2);
  const free = describe(net.model, second, ascend(net.model, steps, lr, false), means);
  bar.update(1);
  const kept = describe(net.model, second, ascend(net.model, steps, lr, true), means);
  bar.update(2);
  bar.stop();
  const result: ImagineResult = { experiment: "imagine", network: describeNet(net), steps, learning_rate: lr, penalty: PENALTY, unconstrained: free, penalised: kept,
    second_network: `the same configuration with seed ${secondConfig.seed}`, real };
  const figures: LabFigure[] = [
    { file: "unconstrained.png", caption: "Unconstrained: the image each output likes best (stretched to black–white)", data: imageGridPng(free.map((i) => stretch(i.pixels)), 28, 10, 3) },
    { file: "penalised.png", caption: "With the [0, 1] and smoothness penalty", data: imageGridPng(kept.map((i) => Float32Array.from(i.pixels)), 28, 10, 3) },
    { file: "digit-means.png", caption: "For comparison: the mean test image of each digit", data: imageGridPng(means, 28, 10, 3) },
  ];
  const rows = (set: Imagined[]) => set.map((i) => [i.digit, i.answer, fmt(i.confidence, 3), i.second_net_answer, fmt(i.second_net_confidence, 3), fmt(i.similarity_to_digit, 3), fmt(i.best_other_similarity, 3), `${fmt(i.min, 2)} … ${fmt(i.max, 2)}`]);
  const header = ["digit", "net answers", "confidence", "second net answers", "its output for the digit", "corr. with its digit's mean", "best other digit's", "pixel range"];
  const secondReads = (set: Imagined[]) => set.filter((i) => i.second_net_answer === i.digit).length;
  const mean = (set: Imagined[], f: (i: Imagined) => number) => set.reduce((s, i) => s + f(i), 0) / set.length;
  const report = [
    `Network: ${result.network}. Starting from a gray image (0.1 everywhere), ${steps} steps of gradient ascent (step ${lr}) on the input maximise each output's weighted sum z⁽ᴸ⁾ₖ ` +
      `(z rather than σ(z), whose gradient vanishes once the output saturates). The penalised version subtracts ${PENALTY.range}·Σ(pixels outside [0, 1])² + ${PENALTY.smooth}·Σ(neighbour differences)².`,
    "",
    "Unconstrained (each image stretched to black–white for display):",
    "",
    "![unconstrained](unconstrained.png)",
    "",
    table(header, rows(free)),
    "",
    "Penalised:",
    "",
    "![penalised](penalised.png)",
    "",
    table(header, rows(kept)),
    "",
    "The mean test image of each digit, for comparison:",
    "",
    "![digit means](digit-means.png)",
    "",
    `The net is ${pct(mean(free, (i) => i.confidence), 1)} (unconstrained) and ${pct(mean(kept, (i) => i.confidence), 1)} (penalised) confident on average that these are its digits, ` +
      `yet they correlate only ${fmt(mean(free, (i) => i.similarity_to_digit), 2)} and ${fmt(mean(kept, (i) => i.similarity_to_digit), 2)} with the real digits' mean images — ` +
      "the network was only ever trained to sort digits, never to know what one looks like.",
    "",
    `For comparison, real test images correlate ${fmt(real.mean_similarity_to_digit, 2)} on average with their digit's mean image (the mean includes the image itself, one in about a thousand), ` +
      `and ${pct(real.own_digit_most_similar, 1)} of them correlate best with their own digit's. A second net, ${result.second_network}, gives the same answer as the first on ${pct(real.nets_agree, 1)} of the real test images; ` +
      `on the imagined pictures it reads the intended digit in ${secondReads(free)}/10 (unconstrained) and ${secondReads(kept)}/10 (penalised).`,
    "",
  ].join("\n");
  const summary = [
    `unconstrained: mean confidence ${pct(mean(free, (i) => i.confidence), 1)}, ${free.filter((i) => i.answer === i.digit).length}/10 answered as intended, mean correlation with the digit's mean image ${fmt(mean(free, (i) => i.similarity_to_digit), 2)}`,
    `penalised: mean confidence ${pct(mean(kept, (i) => i.confidence), 1)}, ${kept.filter((i) => i.answer === i.digit).length}/10 answered as intended, mean correlation ${fmt(mean(kept, (i) => i.similarity_to_digit), 2)}`,
    `real test images: mean correlation with their digit's mean ${fmt(real.mean_similarity_to_digit, 2)}; a second net reads the intended digit in ${secondReads(free)}/10 and ${secondReads(kept)}/10 of the pictures (it agrees with the first on ${pct(real.nets_agree, 1)} of real test images)`,
  ];
  return { result, summary, report, figures };
}

export const imagine: Experiment<ImagineResult> = {
  name: "imagine",
  summary: "The network cannot draw a digit: gradient ascent on the input for each output",
  takesModel: true,
  run: runImagine,
};
