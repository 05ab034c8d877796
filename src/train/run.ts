// A whole training run: limit the data as configured, train epoch after epoch, checkpoint atomically
// after each, and report events. The CLI's `train mnist` and the tests drive runs through this.

import { saveCheckpoint, checkRunDir, restoreCheckpoint } from "./checkpoint.js";
import type { MnistTrainConfig } from "./config.js";
import { limitData, MnistTrainer, type TrainData, type TrainEvent } from "./trainer.js";

export interface RunOptions {
  /** Run directory for checkpoints (written after every epoch); none = no checkpoints. */
  outDir?: string;
  /** Continue the run saved in this directory. */
  resumeFrom?: string;
  onEvent?: (e: TrainEvent) => void;
  /** Stop after this many completed epochs (default: the config's epochs). */
  untilEpoch?: number;
}

/** Prepares a trainer (fresh, or restored from `resumeFrom`) and checks the output directory. */
export async function prepareRun(config: MnistTrainConfig, data: TrainData, opts: RunOptions = {}): Promise<MnistTrainer> {
  if (opts.outDir && opts.outDir !== opts.resumeFrom) checkRunDir(opts.outDir);
  const trainer = new MnistTrainer(config, limitData(config, data));
  if (opts.resumeFrom) await restoreCheckpoint(opts.resumeFrom, trainer);
  return trainer;
}

/** Trains until `config.epochs` epochs are complete, checkpointing after each one. */
export async function runTraining(trainer: MnistTrainer, opts: RunOptions = {}): Promise<void> {
  const last = Math.min(opts.untilEpoch ?? trainer.config.epochs, trainer.config.epochs);
  while (trainer.epoch < last) {
    trainer.trainEpoch(opts.onEvent);
    if (opts.outDir) {
      await saveCheckpoint(opts.outDir, trainer);
      opts.onEvent?.({ type: "checkpoint", epoch: trainer.epoch, dir: opts.outDir });
    }
    // let pending I/O and signals through between epochs
    await new Promise((resolve) => setImmediate(resolve));
  }
}
