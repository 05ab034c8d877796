// `nnlab lab costs` — Nielsen chapter 3: the quadratic cost learns slowly when the output neurons start
// saturated, because its gradient carries σ′(z) ≈ 0; cross-entropy's does not. Both nets start from the
// same badly saturated weights and train on the same images in the same order.

import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import { subset } from "../data/batches.js";
import type { MLP, MlpCapture } from "../models/mlp.js";
import { makeConfig, type CostName } from "../train/config.js";
import { evaluate } from "../train/metrics.js";
import { MnistTrainer } from "../train/trainer.js";
import { pct, table } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { lineChart } from "./figures.js";

/** How far into saturation the output layer starts: its initial weights are multiplied by this. */
export const SATURATION_SCALE = 4;

export interface CostRun {
  cost: CostName;
  /** Training images seen at each measurement. */
  images_seen: number[];
  /** Accuracy on the probe test images at each measurement. */
  probe_accuracy: number[];
  /** Mean cost of the batches between measurement i and i + 1 (one entry fewer than images_seen). */
  cost_curve: number[];
  /** Images seen until the probe accuracy first reached 50% / 80% (null: never). */
  images_to: { "50%": number | null; "80%": number | null };
  /** Accuracy on the whole test set at the end. */
  final_test_accuracy: number;
}

export interface CostsResult {
  experiment: "costs";
  network: string;
  /** Share of the output neurons' weighted sums with |z| > 5 at the start (σ′(z) < 0.007). */
  saturated_share: number;
  train_images: number;
  epochs: number;
  runs: CostRun[];
}

/** Share of |z| > 5 among the output layer's weighted sums on `x`. */
function saturatedShare(model: MLP, x: Float32Array, n: number): number {
  return tidy(() =>
    noGrad(() => {
      const capture: MlpCapture = { z: [], a: [] };
      model.forward(ops.tensor(x, [n, 784]), capture);
      const z = capture.z[capture.z.length - 1].toArray();
      return z.filter((v) => Math.abs(v) > 5).length / z.length;
    }),
  );
}

/** Multiplies the output layer's weights by {@link SATURATION_SCALE}. */
function saturate(model: MLP): void {
  const w = model.layers[model.layers.length - 1].weight;
  w.assign(ops.tensor(Float32Array.from(w.toArray(), (v) => v * SATURATION_SCALE), w.shape));
}

async function runCosts(ctx: LabContext): Promise<LabOutput<CostsResult>> {
  const trainImages = ctx.quick ? 3000 : 20000;
  const epochs = ctx.quick ? 1 : 2;
  const probe = subset(ctx.data.test, 1000);
  const every = ctx.quick ? 30 : 100; // batches between probes
  let saturated = 0;
  const runs: CostRun[] = [];
  for (const cost of ["quadratic", "cross-entropy"] as const) {
    // Nielsen's 784-30-10 net with the same seed: identical initial weights for both costs
    const config = makeConfig("nielsen", { seed: ctx.seed, cost, lr: 0.5, epochs, trainLimit: trainImages });
    const trainer = new MnistTrainer(config, { train: subset(ctx.data.train, trainImages), test: ctx.data.test });
    saturate(trainer.mlp);
    if (cost === "quadratic") saturated = saturatedShare(trainer.mlp, probe.images, probe.count);
    const run: CostRun = { cost, images_seen: [0], probe_accuracy: [evaluate(trainer.model, probe).accuracy], cost_curve: [], images_to: { "50%": null, "80%": null }, final_test_accuracy: 0 };
    let seen = 0;
    let costSum = 0;
    let costCount = 0;
    for (let e = 0; e < epochs; e++) {
      const bar = ctx.progress(`${cost}: epoch ${e + 1}/${epochs}`, trainer.batchesPerEpoch);
      const record = trainer.trainEpoch((ev) => {
        if (ev.type !== "batch") return;
        seen += config.batch;
        costSum += ev.cost;
        costCount++;
        if (ev.batch % every === 0) {
          run.images_seen.push(seen);
          run.probe_accuracy.push(evaluate(trainer.model, probe).accuracy);
          run.cost_curve.push(costSum / costCount);
          costSum = 0;
          costCount = 0;
          bar.update(ev.batch, { cost: ev.runningCost, acc: ev.runningAccuracy });
        }
      });
      bar.stop();
      run.final_test_accuracy = record.test_accuracy;
    }
    for (const level of [0.5, 0.8] as const) {
      const i = run.probe_accuracy.findIndex((a) => a >= level);
      run.images_to[level === 0.5 ? "50%" : "80%"] = i < 0 ? null : run.images_seen[i];
    }
    runs.push(run);
  }
  const figures: LabFigure[] = [
    { file: "probe-accuracy.svg", caption: "Test accuracy while training", data: await lineChart("Accuracy on 1,000 test images while training", runs.flatMap((r) => r.probe_accuracy.map((y, i) => ({ x: r.images_seen[i], y, series: r.cost }))), "training images seen", "accuracy") },
  ];
  const result: CostsResult = {
    experiment: "costs",
    network: `784-30-10 sigmoid net (Nielsen), SGD lr 0.5, batch 10, output weights ×${SATURATION_SCALE} at the start`,
    saturated_share: saturated,
    train_images: trainImages,
    epochs,
    runs,
  };
  const never = (n: number | null) => (n === null ? "never" : n.toLocaleString("en-US"));
  const report = [
    `Network: ${result.network}. Both costs start from the same weights and see the same ${trainImages.toLocaleString("en-US")} training images in the same order for ${epochs} epoch(s). ` +
      `The quadratic net's outputs are sigmoid activations; the cross-entropy net's are softmax probabilities of the same weighted sums.`,
    "",
    `At the start ${pct(saturated, 1)} of the output weighted sums have |z| > 5, where σ′(z) < 0.007: the neurons are saturated.`,
    "",
    table(["cost", "images to 50% (probe)", "images to 80%", "final test accuracy"], runs.map((r) => [r.cost, never(r.images_to["50%"]), never(r.images_to["80%"]), pct(r.final_test_accuracy)])),
    "",
    "![accuracy while training](probe-accuracy.svg)",
    "",
    "Why: for the quadratic cost ∂C/∂z = (a − y)·σ′(z), which is almost 0 for a saturated neuron even when it is badly wrong; for softmax cross-entropy ∂C/∂z = a − y, " +
      "so the wronger the neuron the faster it learns. The same learning rate (0.5) is used for both; the probe is 1,000 test images measured every " +
      `${every * 10} training images.`,
    "",
  ].join("\n");
  const summary = runs.map((r) => `${r.cost}: 50% probe accuracy after ${never(r.images_to["50%"])} images, final test accuracy ${pct(r.final_test_accuracy)}` + (r === runs[0] ? ` (start: ${pct(saturated, 1)} of outputs saturated)` : ""));
  return { result, summary, report, figures };
}

export const costs: Experiment<CostsResult> = {
  name: "costs",
  summary: "Nielsen ch. 3: quadratic cost against cross-entropy from a badly saturated start",
  takesModel: false,
  run: runCosts,
};
