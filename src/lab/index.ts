// The experiments of the analysis lab, by name. Add an experiment by importing it and listing it here.

import type { Experiment } from "./experiment.js";

export type { Experiment, LabContext, LabFigure, LabOutput, LabProgress } from "./experiment.js";
export { formatReport, writeLabRun } from "./report.js";

/** Every experiment, in the order of the lessons. */
export const EXPERIMENTS: readonly Experiment[] = [];
