// The digit networks one trainer, evaluation and checkpoint serve: the lessons' MLP, or a CNN (conv
// blocks in front of an MLP head). Both take [N, 784] batches and give [N, 10].

import { NnlabError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { ConvNet, type CnnConfig } from "./cnn.js";
import { MLP, type MlpConfig } from "./mlp.js";

export type DigitModel = MLP | ConvNet;

/** An MLP with `model`'s layers, or with `conv` a ConvNet whose head they are. */
export function buildDigitModel(model: MlpConfig, conv: CnnConfig | undefined, rng: Rng): DigitModel {
  return conv ? new ConvNet(conv, model, rng) : new MLP(model, rng);
}

/** `model` as an MLP, for code that reads an MLP's layers; a NnlabError naming `source` for a CNN. */
export function requireMlp(model: DigitModel, source: string): MLP {
  if (model instanceof MLP) return model;
  throw NnlabError.problem({ subject: source, expected: "a fully connected network (MLP)", found: "a convolutional network", fix: "This experiment reads an MLP's layers; pass an MLP run, or leave out --model to train one here." });
}
