// `nnlab lab hidden-features` — lesson 2's hope that layer 1 finds edges, and its answer: the weights
// look almost random. Draws every first-layer neuron's 784 incoming weights as a 28×28 tile for the 3b1b
// net and for a wider, L2-regularised net, and measures how smooth (edge-like) the tiles are against
// the untrained initial weights.

import { NnlabError } from "../core/errors.js";
import { makeConfig } from "../train/config.js";
import { runCnnFeatures, type CnnFeaturesResult } from "./cnn-features.js";
import { fmt, table, trainNet } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { weightTilesPng } from "./figures.js";
import { describeNet, labNet, type LabNet } from "./lab-net.js";
import { firstLayerTiles, initialModel, inkMask, tileStats, type TileStats } from "./tiles.js";

export interface HiddenFeaturesResult {
  experiment: "hidden-features";
  networks: string[];
  /** Pixels counted as "where digits have ink" (at least 1% of training images have ink > 0.5 there). */
  inked_pixels: number;
  tiles: TileStats[];
}

async function runHiddenFeatures(ctx: LabContext): Promise<LabOutput<HiddenFeaturesResult | CnnFeaturesResult>> {
  const arch = ctx.flags.arch ?? "mlp";
  if (arch !== "mlp" && arch !== "cnn") throw NnlabError.problem({ subject: "--arch", expected: "mlp | cnn", found: JSON.stringify(arch) });
  return arch === "cnn" ? runCnnFeatures(ctx) : runMlpFeatures(ctx);
}

async function runMlpFeatures(ctx: LabContext): Promise<LabOutput<HiddenFeaturesResult>> {
  const limits = ctx.quick ? { epochs: 1, trainLimit: 3000, testLimit: 1000 } : { epochs: 3 };
  const lesson = await labNet(ctx, "3b1b", limits);
  // A wider net with L2 regularisation (Nielsen ch. 3: cross-entropy, η = 0.5, weight decay 5e-4)
  const wideConfig = makeConfig("3b1b", { ...limits, seed: ctx.seed, hidden: [100], cost: "cross-entropy", lr: 0.5, weightDecay: 5e-4 });
  const wideTrainer = trainNet(wideConfig, ctx.data, "training 784-100-10 L2 net", ctx);
  const wide: LabNet = { model: wideTrainer.mlp, config: wideConfig, source: "trained here", history: wideTrainer.history };
  const mask = inkMask(ctx.data.train);
  const lessonInit = firstLayerTiles(initialModel(lesson.config));
  const wideInit = firstLayerTiles(initialModel(wideConfig));
  const lessonTiles = firstLayerTiles(lesson.model);
  const wideTiles = firstLayerTiles(wide.model);
  const stats = [
    tileStats("untrained 3b1b (N(0,1) init)", lessonInit, null, mask),
    tileStats("trained 3b1b", lessonTiles, lessonInit, mask),
    tileStats("trained 784-100-10 with L2", wideTiles, wideInit, mask),
  ];
  const result: HiddenFeaturesResult = { experiment: "hidden-features", networks: [describeNet(lesson), describeNet(wide)], inked_pixels: mask.reduce((s, m) => s + m, 0), tiles: stats };
  const figures: LabFigure[] = [
    { file: "3b1b-tiles.png", caption: "Trained 3b1b net: first-layer weights", data: weightTilesPng(lessonTiles, 28, 8, 3) },
    { file: "3b1b-init-tiles.png", caption: "The same neurons before training", data: weightTilesPng(lessonInit, 28, 8, 3) },
    { file: "3b1b-change-tiles.png", caption: "What training changed (W − W₀)", data: weightTilesPng(lessonTiles.map((t, i) => t.map((v, p) => v - lessonInit[i][p])), 28, 8, 3) },
    { file: "wide-l2-tiles.png", caption: "784-100-10 net with L2 regularisation", data: weightTilesPng(wideTiles, 28, 10, 2) },
  ];
  const report = [
    `Networks: (1) ${result.networks[0]}; (2) ${result.networks[1]}.`,
    "",
    "Each tile is one first-layer neuron's 784 incoming weights drawn as 28×28 (green positive, red negative, each tile scaled by its own largest |w|).",
    "",
    "Trained 3b1b net, its untrained start, and the change training made:",
    "",
    "![trained](3b1b-tiles.png) ![init](3b1b-init-tiles.png) ![change](3b1b-change-tiles.png)",
    "",
    "Wider net with L2 regularisation:",
    "",
    "![wide L2](wide-l2-tiles.png)",
    "",
    table(["tiles", "neurons", "smoothness", "smoothness of W − W₀", "corr. with W₀", "‖W − W₀‖/‖W₀‖"], stats.map((s) => [s.name, s.neurons, s.smoothness, s.change_smoothness ?? "–", s.correlation_with_init ?? "–", s.relative_change ?? "–"])),
    "",
    "## The measure",
    "",
    `Smoothness is the correlation between each weight and its right and lower neighbour, over the ${result.inked_pixels} pixels where at least 1% of training digits have ink ` +
      "(pixels that never see ink get no gradient and keep their initial value, so they would only measure the initialisation). Edge or stroke detectors " +
      "are smooth patches, so their smoothness is well above 0; independent random weights score 0. The change W − W₀ isolates what training added.",
    "",
    `Answer: the 3b1b tiles score ${fmt(stats[1].smoothness, 3)} against ${fmt(stats[0].smoothness, 3)} for their random start and still correlate ${fmt(stats[1].correlation_with_init ?? 0, 3)} with it — ` +
      `\"almost random\", as the lesson says. What training added is smoother (${fmt(stats[1].change_smoothness ?? 0, 3)}), and the L2 net's tiles, whose initial noise decays away, score ${fmt(stats[2].smoothness, 3)}.`,
    "",
  ].join("\n");
  const summary = stats.map((s) => `${s.name}: smoothness ${fmt(s.smoothness, 3)}` + (s.correlation_with_init !== null ? `, correlation with its initial weights ${fmt(s.correlation_with_init, 3)}` : ""));
  return { result, summary, report, figures };
}

export const hiddenFeatures: Experiment<HiddenFeaturesResult | CnnFeaturesResult> = {
  name: "hidden-features",
  summary: "Lesson 2: do first-layer neurons find edges? Weight tiles and their smoothness against random weights",
  takesModel: true,
  flags: [{ name: "arch", valueName: "NAME", description: "mlp (default): the lesson's MLP tiles; cnn: a CNN's first-layer filters beside them, with orientation and stroke measures (--model then takes a CNN run)" }],
  run: runHiddenFeatures,
};
