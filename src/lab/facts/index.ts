// The facts experiments of lesson 7 (`nnlab facts NAME`), by name. They make their own data, so they
// run in an ExperimentContext without MNIST. Add one by importing it and listing it here.

import type { Experiment, ExperimentContext } from "../experiment.js";
import { andGate } from "./and-gate.js";
import { edit } from "./edit.js";
import { orthogonal } from "./orthogonal.js";
import { recall } from "./recall.js";
import { superposition } from "./superposition.js";
import { trace } from "./trace.js";

// what each experiment's result.json holds under "result" (the web lab reads these)
export type { AndGateResult } from "./and-gate.js";
export type { EditResult, EditScores, EditSweepRow, KeyOverlap } from "./edit.js";
export type { NeuronReadout, TruthRow } from "./and-gate-circuit.js";
export type { GrowthPoint, OrthogonalResult, OrthogonalRun } from "./orthogonal.js";
export type { RecallResult } from "./recall.js";
export type { SuperpositionResult, ToyModelResult, ToySweep } from "./superposition.js";
export type { TraceResult } from "./trace.js";

/** Every facts experiment, in the order of the lesson. */
export const FACTS: readonly Experiment<unknown, ExperimentContext>[] = [orthogonal, superposition, andGate, recall, trace, edit];
