// `nnlab lab noise` — lesson 2's claim that random input still gets a confident answer. Feeds uniform
// and Gaussian noise images to a trained net and compares the distribution of its top output (softmax
// probability for a cross-entropy net) and the digits it picks with the same figures on the test set.

import { answersOf, answerStats, gaussianNoise, pixelMoments, uniformNoise, type AnswerStats } from "./answers.js";
import { fmt, labRng, pct, table } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { barChart, imageGridPng } from "./figures.js";
import { describeNet, labNet } from "./lab-net.js";

export interface NoiseResult {
  experiment: "noise";
  network: string;
  /** "activation" (sigmoid outputs) or "softmax" (cross-entropy net). */
  top_output: "activation" | "softmax";
  images: number;
  sets: AnswerStats[];
  /** Uniform noise's confident share divided by the test set's. */
  confident_ratio_uniform: number;
}

async function runNoise(ctx: LabContext): Promise<LabOutput<NoiseResult>> {
  const net = await labNet(ctx, "3b1b", ctx.quick ? { epochs: 2, trainLimit: 10000, testLimit: 1000 } : { epochs: 3 });
  const count = ctx.quick ? 1000 : 10000;
  const { test, train } = ctx.data;
  const rng = labRng(ctx.seed, 2);
  const { mean, std } = pixelMoments(train.images.subarray(0, 1000 * 784));
  const answer = (x: Float32Array) => answersOf(net.model, x);
  const uniform = uniformNoise(count, rng);
  const gaussian = gaussianNoise(count, rng, mean, std);
  const testImages = test.images.subarray(0, Math.min(count, test.count) * 784);
  const sets = [answerStats("MNIST test images", answer(testImages)), answerStats("uniform noise", answer(uniform)), answerStats(`Gaussian noise (mean ${fmt(mean, 3)}, sd ${fmt(std, 3)})`, answer(gaussian))];
  const topOutput = net.config.model.output === "linear" ? "softmax" : "activation";
  const result: NoiseResult = {
    experiment: "noise",
    network: describeNet(net),
    top_output: topOutput,
    images: count,
    sets,
    confident_ratio_uniform: sets[1].confident_share / Math.max(sets[0].confident_share, 1e-12),
  };
  const figures: LabFigure[] = [
    { file: "top-output.svg", caption: "Distribution of the largest output", data: await barChart(
      `Largest output (${topOutput}) per image`,
      sets.flatMap((s) => s.histogram.map((h, b) => ({ x: `${(b / 10).toFixed(1)}–${((b + 1) / 10).toFixed(1)}`, y: h, series: s.name }))),
      "largest output",
      "share of images",
    ) },
    { file: "digits.svg", caption: "Which digit the net answers", data: await barChart("Which digit the net answers", sets.flatMap((s) => s.digit_shares.map((d, digit) => ({ x: String(digit), y: d, series: s.name }))), "answer", "share of images") },
    { file: "noise-examples.png", caption: "Noise examples", data: imageGridPng([0, 1, 2, 3, 4].flatMap((i) => [uniform.subarray(i * 784, (i + 1) * 784), gaussian.subarray(i * 784, (i + 1) * 784)]), 28, 10, 2) },
  ];
  const report = [
    `Network: ${result.network}. ${count.toLocaleString("en-US")} images of each kind; the \"top output\" is the largest ${topOutput === "softmax" ? "softmax probability" : "output activation (the sigmoid outputs are not a probability distribution)"}.`,
    "",
    "Noise examples (uniform and Gaussian in turn):",
    "",
    "![noise examples](noise-examples.png)",
    "",
    table(["images", "mean top output", "median", "share top > 0.9", "share any output > 0.5"], sets.map((s) => [s.name, s.mean_top, s.median_top, pct(s.confident_share, 1), pct(s.any_above_half, 1)])),
    "",
    "![top output](top-output.svg)",
    "",
    "Which digit it picks (shares):",
    "",
    table(["images", ...Array.from({ length: 10 }, (_, d) => String(d))], sets.map((s) => [s.name, ...s.digit_shares.map((d) => pct(d, 1))])),
    "",
    "![digits](digits.svg)",
    "",
    "Measures: the share of images with a top output above 0.9 is the lesson's \"confident answer\"; the digit shares show whether noise is spread over the classes or " +
      "funnelled into a few (a network trained only on digits has never been told what \"none of these\" looks like — see `lab none-class`).",
    "",
  ].join("\n");
  const summary = sets.map((s) => `${s.name}: top output > 0.9 for ${pct(s.confident_share, 1)}, mean top ${fmt(s.mean_top, 3)}, most picked digit ${s.digit_shares.indexOf(Math.max(...s.digit_shares))} (${pct(Math.max(...s.digit_shares), 1)})`);
  return { result, summary, report, figures };
}

export const noise: Experiment<NoiseResult> = {
  name: "noise",
  summary: "Lesson 2: random noise images still get confident answers",
  takesModel: true,
  run: runNoise,
};
