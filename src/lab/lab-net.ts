// The network an experiment analyses: the trained model in `--model` (read from disk, so Node only), or
// the preset trained here; and the line that describes it in reports.

import { requireMlp } from "../models/digits.js";
import type { MLP } from "../models/mlp.js";
import { loadModel } from "../train/checkpoint.js";
import { makeConfig, type ConfigOverrides, type MnistTrainConfig, type PresetName } from "../train/config.js";
import type { EpochRecord } from "../train/trainer.js";
import { pct, trainNet } from "./common.js";
import type { LabContext } from "./experiment.js";

/** A network trained (or loaded) for an experiment, with what is known about how it was made. */
export interface LabNet {
  model: MLP;
  config: MnistTrainConfig;
  /** "trained here" or the --model directory. */
  source: string;
  /** Per-epoch records when trained here. */
  history: EpochRecord[];
}

/**
 * The network an experiment analyses: the one in `--model` when given, else the preset trained here
 * with `overrides` (the caller picks fewer epochs / images for --quick).
 */
export async function labNet(ctx: LabContext, preset: PresetName, overrides: ConfigOverrides): Promise<LabNet> {
  if (ctx.model) {
    const { model, config } = await loadModel(ctx.model);
    return { model: requireMlp(model, `--model ${ctx.model}`), config, source: ctx.model, history: [] };
  }
  const config = makeConfig(preset, { seed: ctx.seed, ...overrides });
  const trainer = trainNet(config, ctx.data, `training ${preset} net`, ctx);
  return { model: trainer.mlp, config, source: "trained here", history: trainer.history };
}

/** One line describing a network for reports. */
export function describeNet(net: LabNet): string {
  const c = net.config;
  const last = net.history[net.history.length - 1];
  const trained = net.source === "trained here" ? `trained here for ${c.epochs} epoch(s) on ${c.trainLimit || 60000} images` : `loaded from ${net.source}`;
  return `${c.model.sizes.join("-")} ${c.model.activation} net (${c.cost} cost, ${c.optimizer} lr ${c.lr}, batch ${c.batch}), ${trained}` + (last ? `, test accuracy ${pct(last.test_accuracy)}` : "");
}
