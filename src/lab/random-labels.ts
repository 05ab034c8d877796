// `nnlab lab random-labels` — "shuffled labels are learned too, only more slowly" (Zhang et al. 2017,
// "Understanding deep learning requires rethinking generalization"). Trains the same net on a small
// training subset with true, half-shuffled and fully shuffled labels and follows training accuracy,
// cost and test accuracy per epoch.

import { shuffleLabels, subset } from "../data/batches.js";
import type { Dataset } from "../data/dataset.js";
import { makeConfig } from "../train/config.js";
import { evaluate } from "../train/metrics.js";
import { MnistTrainer } from "../train/trainer.js";
import { fmt, labRng, pct, table } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { lineChart } from "./figures.js";

/** One label condition's run. */
export interface LabelRun {
  /** Share of training labels replaced by a shuffled label (0, 0.5, 1). */
  shuffled: number;
  /** Share of training labels that still equal the true digit after shuffling. */
  still_true: number;
  /** Per epoch: accuracy on the training subset against the labels trained on (after the epoch). */
  train_accuracy: number[];
  /** Per epoch: mean training cost during the epoch. */
  train_cost: number[];
  /** Per epoch: accuracy on the test images (true labels). */
  test_accuracy: number[];
  /** First epoch at which the training accuracy reached 50%, 90%, 99% (null: never). */
  epochs_to: { "50%": number | null; "90%": number | null; "99%": number | null };
}

export interface RandomLabelsResult {
  experiment: "random-labels";
  network: string;
  train_images: number;
  test_images: number;
  epochs: number;
  runs: LabelRun[];
}

function epochsTo(acc: number[], level: number): number | null {
  const e = acc.findIndex((a) => a >= level);
  return e < 0 ? null : e + 1;
}

async function runRandomLabels(ctx: LabContext): Promise<LabOutput<RandomLabelsResult>> {
  const trainCount = ctx.quick ? 300 : 1000;
  const epochs = ctx.quick ? 30 : 100;
  const test = subset(ctx.data.test, ctx.quick ? 1000 : 5000);
  const base = subset(ctx.data.train, trainCount);
  // a net with far more weights (203,530) than training images, as memorisation needs
  const config = makeConfig("modern", { seed: ctx.seed, hidden: [256], epochs, batch: 32, lr: 1e-3, schedule: "constant" });
  const rng = labRng(ctx.seed, 3);
  const runs: LabelRun[] = [];
  for (const shuffled of [0, 0.5, 1]) {
    const labels = shuffleLabels(base.labels, shuffled, rng);
    const train: Dataset = { ...base, labels };
    const trainer = new MnistTrainer(config, { train, test });
    const run: LabelRun = { shuffled, still_true: labels.filter((l, i) => l === base.labels[i]).length / trainCount, train_accuracy: [], train_cost: [], test_accuracy: [], epochs_to: { "50%": null, "90%": null, "99%": null } };
    const bar = ctx.progress(`labels ${pct(shuffled, 0)} shuffled`, epochs);
    for (let e = 0; e < epochs; e++) {
      const record = trainer.trainEpoch();
      const fit = evaluate(trainer.model, train).accuracy;
      run.train_accuracy.push(fit);
      run.train_cost.push(record.train_cost);
      run.test_accuracy.push(record.test_accuracy);
      bar.update(e + 1, { cost: record.train_cost, acc: fit });
    }
    bar.stop();
    run.epochs_to = { "50%": epochsTo(run.train_accuracy, 0.5), "90%": epochsTo(run.train_accuracy, 0.9), "99%": epochsTo(run.train_accuracy, 0.99) };
    runs.push(run);
  }
  const name = (r: LabelRun) => `${pct(r.shuffled, 0)} shuffled`;
  const series = (pick: (r: LabelRun) => number[]) => runs.flatMap((r) => pick(r).map((y, e) => ({ x: e + 1, y, series: name(r) })));
  const figures: LabFigure[] = [
    { file: "train-accuracy.svg", caption: "Training accuracy per epoch", data: await lineChart("Training accuracy (against the labels trained on)", series((r) => r.train_accuracy), "epoch", "accuracy") },
    { file: "train-cost.svg", caption: "Training cost per epoch", data: await lineChart("Training cost (cross-entropy)", series((r) => r.train_cost), "epoch", "cost", { logY: true }) },
    { file: "test-accuracy.svg", caption: "Test accuracy per epoch", data: await lineChart("Test accuracy (true labels)", series((r) => r.test_accuracy), "epoch", "accuracy") },
  ];
  const result: RandomLabelsResult = {
    experiment: "random-labels",
    network: `784-256-10 ReLU net, cross-entropy, Adam lr 0.001, batch 32 (${(784 * 256 + 256 + 256 * 10 + 10).toLocaleString("en-US")} weights and biases)`,
    train_images: trainCount,
    test_images: test.count,
    epochs,
    runs,
  };
  const never = (e: number | null) => (e === null ? `not in ${epochs}` : String(e));
  const report = [
    `Network: ${result.network}, trained ${epochs} epochs on the first ${trainCount} training images with their labels true, half shuffled, or all shuffled; tested on ${test.count} test images.`,
    "",
    table(["labels", "still true", "epochs to 50% train acc.", "to 90%", "to 99%", "final train acc.", "final test acc."], runs.map((r) => [name(r), pct(r.still_true, 1), never(r.epochs_to["50%"]), never(r.epochs_to["90%"]), never(r.epochs_to["99%"]), pct(r.train_accuracy[epochs - 1], 1), pct(r.test_accuracy[epochs - 1], 1)])),
    "",
    "![training accuracy](train-accuracy.svg)",
    "",
    "![training cost](train-cost.svg)",
    "",
    "![test accuracy](test-accuracy.svg)",
    "",
    "Training accuracy is measured after each epoch on the whole training subset against the labels the net was trained on; test accuracy uses the true labels. " +
      "A net with enough weights memorises even labels that carry no information, only more slowly, and then predicts the test set at chance (about 10%) — " +
      "so fitting the training data says nothing about whether a net has learned anything that generalises.",
    "",
  ].join("\n");
  const summary = runs.map((r) => `${name(r)}: train accuracy ${pct(r.train_accuracy[epochs - 1], 1)} (90% after ${never(r.epochs_to["90%"])} epochs), test accuracy ${pct(r.test_accuracy[epochs - 1], 1)}, final cost ${fmt(r.train_cost[epochs - 1], 3)}`);
  return { result, summary, report, figures };
}

export const randomLabels: Experiment<RandomLabelsResult> = {
  name: "random-labels",
  summary: "Zhang et al. 2017: shuffled labels are learned too, only more slowly, and then nothing generalises",
  takesModel: false,
  run: runRandomLabels,
};
