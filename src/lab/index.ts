// The experiments of the analysis lab, by name. Add an experiment by importing it and listing it here.

import { backprop } from "./backprop.js";
import { costs } from "./costs.js";
import type { Experiment } from "./experiment.js";
import { hiddenFeatures } from "./hidden-features.js";
import { imagine } from "./imagine.js";
import { landscape } from "./landscape.js";
import { lstmVsGpt } from "./lstm-vs-gpt.js";
import { noise } from "./noise.js";
import { noneClass } from "./none-class.js";
import { randomLabels } from "./random-labels.js";

export type { Experiment, ExperimentContext, LabContext, LabFigure, LabFlag, LabOutput, LabProgress } from "./experiment.js";
export { formatReport, writeLabRun, type ReportedExperiment } from "./report.js";
// what each experiment's result.json holds under "result" (the web lab reads these)
export type { BackpropResult } from "./backprop.js";
export type { BackpropLayer, ChainRule, ExampleBackprop, MatrixLayer, ToyChain, ToyParams } from "./backward-pass.js";
export type { CostRun, CostsResult } from "./costs.js";
export type { HiddenFeaturesResult } from "./hidden-features.js";
export type { TileStats } from "./tiles.js";
export type { Imagined, ImagineResult } from "./imagine.js";
export type { LandscapeResult } from "./landscape.js";
export type { SgdPath } from "./descent-paths.js";
export type { NoiseResult } from "./noise.js";
export type { AnswerStats } from "./answers.js";
export type { NoneClassResult } from "./none-class.js";
export type { RejectionStats } from "./rejection.js";
export type { LabelRun, RandomLabelsResult } from "./random-labels.js";
export type { Contender, LossPoint, LstmVsGptResult } from "./lstm-vs-gpt.js";

/** Every experiment, in the order of the lessons. */
export const EXPERIMENTS: readonly Experiment[] = [hiddenFeatures, noise, randomLabels, noneClass, imagine, backprop, landscape, costs];

/** Experiments of the lab that learn a text rather than MNIST (no MNIST is loaded for them). */
export const TEXT_EXPERIMENTS = [lstmVsGpt] as const;
