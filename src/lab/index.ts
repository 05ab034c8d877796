// The experiments of the analysis lab, by name. Add an experiment by importing it and listing it here.

import { backprop } from "./backprop.js";
import { costs } from "./costs.js";
import type { Experiment } from "./experiment.js";
import { hiddenFeatures } from "./hidden-features.js";
import { imagine } from "./imagine.js";
import { landscape } from "./landscape.js";
import { noise } from "./noise.js";
import { noneClass } from "./none-class.js";
import { randomLabels } from "./random-labels.js";

export type { Experiment, LabContext, LabFigure, LabFlag, LabOutput, LabProgress } from "./experiment.js";
export { formatReport, writeLabRun } from "./report.js";

/** Every experiment, in the order of the lessons. */
export const EXPERIMENTS: readonly Experiment[] = [hiddenFeatures, noise, randomLabels, noneClass, imagine, backprop, landscape, costs];
