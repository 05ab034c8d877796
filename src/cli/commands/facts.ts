// `nnlab facts NAME`: the experiments of lesson 7 (how a transformer might store facts), run by the same
// experiment runner as `nnlab lab` (src/cli/commands/lab.ts); they make their own data.

import type { ExperimentContext } from "../../lab/experiment.js";
import { FACTS } from "../../lab/facts/index.js";
import type { Command } from "../command.js";
import { experimentCommand, type ExperimentGroup } from "./lab.js";

const FACTS_GROUP: ExperimentGroup<ExperimentContext> = {
  name: "facts",
  modelDescription: "Reuse this trained model (a run directory of an earlier `nnlab facts recall`) instead of training one",
  options: [],
  context: (common) => Promise.resolve(common),
};

/** `nnlab facts NAME` for every experiment of src/lab/facts. */
export const factsCommands: Command[] = FACTS.map((e) => experimentCommand(e, FACTS_GROUP));
