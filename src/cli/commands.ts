// The list of nnlab commands that bin/nnlab.js hands to main(). Add each command here (import it and
// append it to the array); main.ts stays free of command imports so it can be tested on its own.

import type { Command } from "./command.js";
import { evalCommand } from "./commands/eval.js";
import { gptLogitsCommand } from "./commands/gpt-logits.js";
import { gptSampleCommand } from "./commands/gpt-sample.js";
import { gptTrainCommand } from "./commands/gpt-train.js";
import { factsCommands } from "./commands/facts.js";
import { gptInfoCommand } from "./commands/gpt-info.js";
import { gptInspectCommands } from "./commands/gpt-inspect.js";
import { gptBpeTrainCommand, gptTokenizeCommand } from "./commands/gpt-tokenize.js";
import { infoCommand } from "./commands/info.js";
import { labCommands } from "./commands/lab.js";
import { predictCommand } from "./commands/predict.js";
import { selftestCommand } from "./commands/selftest.js";
import { serveCommand } from "./commands/serve.js";
import { trainMnistCommand } from "./commands/train-mnist.js";

/** Every command of the CLI, in no particular order (help sorts them by name). */
export const commands: Command[] = [trainMnistCommand, evalCommand, predictCommand, infoCommand, selftestCommand, serveCommand, ...labCommands, ...factsCommands, gptTokenizeCommand, gptBpeTrainCommand, gptInfoCommand, gptLogitsCommand, gptTrainCommand, gptSampleCommand, ...gptInspectCommands] as unknown as Command[];
