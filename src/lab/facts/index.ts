// The facts experiments of lesson 7 (`nnlab facts NAME`), by name. They make their own data, so they
// run in an ExperimentContext without MNIST. Add one by importing it and listing it here.

import type { Experiment, ExperimentContext } from "../experiment.js";
import { andGate } from "./and-gate.js";
import { orthogonal } from "./orthogonal.js";
import { superposition } from "./superposition.js";

// what each experiment's result.json holds under "result" (the web lab reads these)
export type { AndGateResult } from "./and-gate.js";
export type { NeuronReadout, TruthRow } from "./and-gate-circuit.js";
export type { GrowthPoint, OrthogonalResult, OrthogonalRun } from "./orthogonal.js";
export type { SuperpositionResult, ToyModelResult, ToySweep } from "./superposition.js";

/** Every facts experiment, in the order of the lesson. */
export const FACTS: readonly Experiment<unknown, ExperimentContext>[] = [orthogonal, superposition, andGate];
